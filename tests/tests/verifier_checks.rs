//! The verifier service refuses each way a presentation can be wrong, through the real
//! OpenID4VP flow (request object, `direct_post`) against a real registry and issuer. The test
//! plays the wallet with sigil-core's holder functions so that it can build every kind of bad
//! presentation; each case names the check that must fail.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use chrono::Duration;
use serde_json::{Value, json};
use sigil_core::did::sigil::operation::{DidOperation, OperationKind};
use sigil_core::issue::{self, CredentialFormat, CredentialRequest};
use sigil_core::jose;
use sigil_core::key::SigningKey;
use sigil_core::model::CredentialType;
use sigil_core::time::{Timestamp, now};
use sigil_tests::VerifierProcess;
use sigil_tests::stack::Stack;
use sigil_tests::verifier_api;
use sigil_tests::wallet_client::TestWallet;

/// An open request, as the wallet sees it.
struct Open {
    id: String,
    client_id: String,
    nonce: String,
    state: String,
    response_uri: String,
}

struct Scene {
    stack: Stack,
    verifier: VerifierProcess,
    http: reqwest::Client,
}

impl Scene {
    /// The stack and a verifier service on its registry.
    async fn start() -> Scene {
        let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
        let verifier = VerifierProcess::start(&stack.scratch.path("verifier"), &stack.registry.url);
        Scene {
            stack,
            verifier,
            http: reqwest::Client::new(),
        }
    }

    /// Waits until the verifier, asked through `/api/verify`, fails `check` for `credential`:
    /// it may answer from what it read from the registry for up to a second.
    async fn until_failing(&self, credential: &Value, check: &str) {
        self.until_failing_one_of(credential, &[check]).await;
    }

    /// [`Scene::until_failing`] for any one of `checks`.
    async fn until_failing_one_of(&self, credential: &Value, checks: &[&str]) {
        let failing = sigil_tests::wait::until(|| async {
            let (_, report) = api_verify(self, credential, "").await;
            report["checks"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| checks.iter().any(|check| c["id"] == *check) && c["outcome"] == "failed")
                .then_some(())
        })
        .await;
        assert!(
            failing.is_some(),
            "the verifier never failed {checks:?} for {credential:#}"
        );
    }

    /// The wallet receives a diploma in `format`; its credential id at the issuer and the
    /// credential.
    async fn receive(&self, wallet: &TestWallet, format: &str) -> (String, Value) {
        let offer = self.stack.offer(format).await;
        let credential = wallet
            .receive(
                offer["offer_uri"].as_str().unwrap(),
                offer["tx_code"].as_str().unwrap(),
            )
            .await;
        (offer["credential_id"].as_str().unwrap().to_owned(), credential)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.verifier.url.as_str().trim_end_matches('/'), path)
    }

    /// Opens a request (an API body) and reads its request object.
    async fn open(&self, body: Value) -> Open {
        let created = verifier_api::open_request(&self.http, &self.url(""), &body).await;
        let uri = url::Url::parse(created["request_uri"].as_str().unwrap()).unwrap();
        let request_uri = uri
            .query_pairs()
            .find(|(k, _)| k == "request_uri")
            .unwrap()
            .1
            .into_owned();
        let object = self
            .http
            .get(request_uri)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let claims = jose::decode_unverified(&object).unwrap().payload;
        Open {
            id: created["request_id"].as_str().unwrap().to_owned(),
            client_id: claims["client_id"].as_str().unwrap().to_owned(),
            nonce: claims["nonce"].as_str().unwrap().to_owned(),
            state: claims["state"].as_str().unwrap().to_owned(),
            response_uri: claims["response_uri"].as_str().unwrap().to_owned(),
        }
    }

    /// Posts a presentation for query `query`; returns the HTTP status.
    async fn post(&self, open: &Open, query: &str, presentation: Value) -> u16 {
        let vp_token = json!({ query: [presentation] }).to_string();
        self.http
            .post(&open.response_uri)
            .form(&[("vp_token", vp_token.as_str()), ("state", open.state.as_str())])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn outcome(&self, open: &Open) -> Value {
        self.http
            .get(self.url(&format!("/api/requests/{}", open.id)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Presents a Data Integrity credential for the diploma policy; returns the request's
    /// final state and the ids of the failed checks.
    async fn present_ldp(
        &self,
        credential: &Value,
        holder: &SigningKey,
        tweak: Tweak,
    ) -> (String, Vec<String>) {
        let open = self.open(json!({"policy": "diploma"})).await;
        let nonce = if tweak == Tweak::WrongNonce {
            "a-nonce-from-elsewhere".to_owned()
        } else {
            open.nonce.clone()
        };
        let domain = if tweak == Tweak::WrongAudience {
            "decentralized_identifier:did:key:z6MkOther".to_owned()
        } else {
            open.client_id.clone()
        };
        let vp = issue::data_integrity_presentation(
            vec![credential.clone()],
            &holder.did_key(),
            holder,
            &holder.did_key_method(),
            &nonce,
            &domain,
            now(),
        )
        .await
        .unwrap();
        assert_eq!(self.post(&open, "ldp", vp).await, 200);
        let outcome = self.outcome(&open).await;
        (
            outcome["state"].as_str().unwrap().to_owned(),
            failed_checks(&outcome),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tweak {
    None,
    WrongNonce,
    WrongAudience,
}

/// Every failed check id in an outcome: the pipeline's (presentation and credential) and
/// the policy's.
fn failed_checks(outcome: &Value) -> Vec<String> {
    let report = &outcome["outcome"]["report"];
    let mut lists = vec![&report["checks"], &outcome["outcome"]["policy_checks"]];
    if let Some(credentials) = report["credentials"].as_array() {
        lists.extend(credentials.iter().map(|c| &c["checks"]));
    }
    lists
        .into_iter()
        .filter_map(Value::as_array)
        .flatten()
        .filter(|c| c["outcome"] == "failed")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A diploma signed directly with the university's current key, with the given dates and
/// proof time.
async fn diploma_signed_by_university(
    stack: &Stack,
    holder: &SigningKey,
    valid_from: Timestamp,
    valid_until: Option<Timestamp>,
    signed_at: Timestamp,
) -> Value {
    let fragment = stack.university_signing_fragment();
    let key = stack.university_key(&format!("keys/{fragment}.key"));
    stack
        .diploma_signed_with(
            &key,
            &fragment,
            &holder.did_key(),
            CredentialFormat::LdpVc,
            (valid_from, valid_until),
            signed_at,
        )
        .await
}

/// A diploma valid from thirty days ago until yesterday.
async fn expired_diploma(stack: &Stack, holder: &SigningKey) -> Value {
    diploma_signed_by_university(
        stack,
        holder,
        now() - Duration::days(30),
        Some(now() - Duration::days(1)),
        // Signed now: the university's DID did not exist thirty days ago.
        now(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_failing_check_is_refused_through_the_real_flow() {
    let scene = Scene::start().await;
    let wallet = TestWallet::new();
    let receive = |format: &'static str| scene.receive(&wallet, format);

    // The genuine article is accepted.
    let (_, good) = receive("ldp_vc").await;
    assert_eq!(
        scene.present_ldp(&good, &wallet.key, Tweak::None).await,
        ("verified".into(), vec![])
    );

    // Tampered: one claim changed after signing.
    let mut tampered = good.clone();
    tampered["credentialSubject"]["honours"] = json!("Summa cum laude");
    let (state, failed) = scene.present_ldp(&tampered, &wallet.key, Tweak::None).await;
    assert_eq!(state, "rejected");
    assert!(failed.contains(&"proof".to_owned()), "{failed:?}");

    // Wrong nonce, wrong audience.
    let (state, failed) = scene.present_ldp(&good, &wallet.key, Tweak::WrongNonce).await;
    assert_eq!(
        (state.as_str(), failed),
        ("rejected", vec!["holder_binding".to_owned()])
    );
    let (state, failed) = scene.present_ldp(&good, &wallet.key, Tweak::WrongAudience).await;
    assert_eq!(
        (state.as_str(), failed),
        ("rejected", vec!["holder_binding".to_owned()])
    );

    // Holder not the subject: someone else presents the student's diploma.
    let thief = SigningKey::generate();
    let (state, failed) = scene.present_ldp(&good, &thief, Tweak::None).await;
    assert_eq!(state, "rejected");
    assert!(failed.contains(&"holder_binding".to_owned()), "{failed:?}");

    // Replayed response: the same answer twice.
    let open = scene.open(json!({"policy": "diploma"})).await;
    let vp = issue::data_integrity_presentation(
        vec![good.clone()],
        &wallet.key.did_key(),
        &wallet.key,
        &wallet.key.did_key_method(),
        &open.nonce,
        &open.client_id,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(scene.post(&open, "ldp", vp.clone()).await, 200);
    assert_eq!(scene.post(&open, "ldp", vp).await, 400, "a replay is refused");
    assert_eq!(scene.outcome(&open).await["state"], "verified");

    // Revoked, suspended. (The verifier may use what it read from the registry for up to a
    // second — its freshness bound — so the test waits until it sees the change.)
    let (id, revoked) = receive("ldp_vc").await;
    scene
        .stack
        .api(&format!("/api/credentials/{id}/revoke"), &json!({}))
        .await;
    scene.until_failing(&revoked, "status").await;
    let (_, failed) = scene.present_ldp(&revoked, &wallet.key, Tweak::None).await;
    assert_eq!(failed, vec!["status".to_owned()]);
    let (id, suspended) = receive("ldp_vc").await;
    scene
        .stack
        .api(&format!("/api/credentials/{id}/suspend"), &json!({}))
        .await;
    scene.until_failing(&suspended, "status").await;
    let (_, failed) = scene.present_ldp(&suspended, &wallet.key, Tweak::None).await;
    assert_eq!(failed, vec!["status".to_owned()]);

    // Expired, and not yet valid.
    let expired = expired_diploma(&scene.stack, &wallet.key).await;
    let (_, failed) = scene.present_ldp(&expired, &wallet.key, Tweak::None).await;
    assert_eq!(failed, vec!["validity".to_owned()]);
    let early =
        diploma_signed_by_university(&scene.stack, &wallet.key, now() + Duration::days(2), None, now()).await;
    let (_, failed) = scene.present_ldp(&early, &wallet.key, Tweak::None).await;
    assert_eq!(failed, vec!["validity".to_owned()]);

    // An unaccredited issuer (a did:key nobody accredited).
    let stranger = SigningKey::generate();
    let request = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
        issuer: stranger.did_key(),
        subject: Some(wallet.key.did_key()),
        claims: serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap(),
        valid_from: now(),
        valid_until: None,
        status: None,
        schema: None,
        holder_key: None,
    };
    let diploma_mill: Value = serde_json::from_str(
        &request
            .issue(
                CredentialFormat::LdpVc,
                &stranger,
                &stranger.did_key_method(),
                now(),
            )
            .await
            .unwrap(),
    )
    .unwrap();
    let (_, failed) = scene.present_ldp(&diploma_mill, &wallet.key, Tweak::None).await;
    assert_eq!(failed, vec!["trust".to_owned()]);

    // A required claim not disclosed: an SD-JWT presentation without the degree.
    let (_, sd_jwt) = receive("dc+sd-jwt").await;
    let open = scene.open(json!({"policy": "diploma"})).await;
    let presented = sigil_core::sd_jwt::present(
        sd_jwt.as_str().unwrap(),
        &["name"],
        &wallet.key,
        &open.nonce,
        &open.client_id,
        now(),
    )
    .unwrap();
    assert_eq!(scene.post(&open, "sd", json!(presented)).await, 200);
    let outcome = scene.outcome(&open).await;
    assert_eq!(outcome["state"], "rejected");
    assert_eq!(failed_checks(&outcome), vec!["policy_claims".to_owned()]);

    // Hostile claim values are escaped on the result page.
    let mut claims: Value = serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    claims["name"] = json!("<script>alert('pwned')</script>");
    let offer = scene
        .stack
        .offer_of("UniversityDegreeCredential", &claims, "ldp_vc")
        .await;
    let hostile = wallet
        .receive(
            offer["offer_uri"].as_str().unwrap(),
            offer["tx_code"].as_str().unwrap(),
        )
        .await;
    let open = scene.open(json!({"policy": "diploma"})).await;
    let vp = issue::data_integrity_presentation(
        vec![hostile],
        &wallet.key.did_key(),
        &wallet.key,
        &wallet.key.did_key_method(),
        &open.nonce,
        &open.client_id,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(scene.post(&open, "ldp", vp).await, 200);
    let page = scene
        .http
        .get(scene.url(&format!("/requests/{}", open.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Verified"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");

    // The key is declared compromised from a minute ago: a diploma it signed since is
    // refused; the genuine one, anchored before, is not.
    scene.stack.api("/api/anchors", &json!({})).await;
    sigil_tests::wait::until_the_clock_passes(now()).await;
    let forged_later = diploma_signed_by_university(&scene.stack, &wallet.key, now(), None, now()).await;
    let since = sigil_core::time::format_datetime(now() - Duration::seconds(1));
    let cold_key = std::fs::read_to_string(scene.stack.scratch.path("university.next.key")).unwrap();
    let (status, rotated) = scene
        .stack
        .api(
            "/api/keys/rotate",
            &json!({"compromisedSince": since, "coldKey": cold_key}),
        )
        .await;
    assert_eq!(status, 200);
    // The next cold key is handed back, not kept: the test keeps it as the university would.
    let next_cold_key = sigil_core::keystore::open(
        rotated["next_cold_key"].as_str().unwrap(),
        sigil_tests::TEST_PASSPHRASE,
    )
    .unwrap();
    scene.until_failing(&forged_later, "key_history").await;
    let (_, failed) = scene.present_ldp(&forged_later, &wallet.key, Tweak::None).await;
    assert!(failed.contains(&"key_history".to_owned()), "{failed:?}");
    assert_eq!(
        scene.present_ldp(&good, &wallet.key, Tweak::None).await.0,
        "verified"
    );

    // The university's DID is deactivated (with its next cold key): what its key signs from
    // then on is refused.
    sigil_tests::wait::until_the_clock_passes(now()).await;
    let did = scene.stack.university_did();
    let registry = sigil_core::registry::RegistryClient::new(scene.stack.registry.url.clone());
    let cold = next_cold_key;
    let mut deactivate = DidOperation::new(OperationKind::Deactivate, now());
    deactivate.prev = Some(registry.latest_operation(&did).await.unwrap().unwrap().hash);
    deactivate.did = Some(did.to_string());
    registry
        .submit(&sigil_core::transaction::Transaction::Did(
            deactivate.sign(&cold).unwrap(),
        ))
        .await
        .unwrap();
    sigil_tests::wait::until_the_clock_passes(now()).await;
    let after = diploma_signed_by_university(&scene.stack, &wallet.key, now(), None, now()).await;
    scene
        .until_failing_one_of(&after, &["key_history", "signing_key"])
        .await;
    let (state, failed) = scene.present_ldp(&after, &wallet.key, Tweak::None).await;
    assert_eq!(state, "rejected");
    assert!(
        failed.contains(&"key_history".to_owned()) || failed.contains(&"signing_key".to_owned()),
        "{failed:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registry_that_cannot_be_reached_means_could_not_check() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let verifier = VerifierProcess::start(&stack.scratch.path("verifier"), &stack.registry.url);
    let wallet = TestWallet::new();
    let offer = stack.offer("ldp_vc").await;
    let diploma = wallet
        .receive(
            offer["offer_uri"].as_str().unwrap(),
            offer["tx_code"].as_str().unwrap(),
        )
        .await;
    let Stack {
        scratch,
        registry,
        issuer,
        ..
    } = stack;
    drop(issuer);
    registry.kill();

    // Whatever the verifier read before may serve for up to a second; then it must say it
    // could not check.
    let http = reqwest::Client::new();
    let base = verifier.url.as_str().trim_end_matches('/').to_owned();
    let answer = sigil_tests::wait::until(|| async {
        let response = http
            .post(format!("{base}/api/verify"))
            .body(diploma.to_string())
            .send()
            .await
            .unwrap();
        (response.status().as_u16() == 503).then_some(response)
    })
    .await;
    assert!(
        answer.is_some(),
        "the verifier never answered 503 once the registry was gone"
    );
    let answer = answer.unwrap();
    let report: Value = answer.json().await.unwrap();
    assert_eq!(report["error"]["kind"], "could_not_check", "{report:#}");
    let vc_api = http
        .post(format!("{base}/credentials/verify"))
        .json(&json!({"verifiableCredential": diploma, "options": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(vc_api.status().as_u16(), 503);
    drop(scratch);
}

#[tokio::test(flavor = "multi_thread")]
async fn what_one_was_handed_is_checked_by_the_api_the_vc_api_and_the_page_alike() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let verifier = VerifierProcess::start(&stack.scratch.path("verifier"), &stack.registry.url);
    let wallet = TestWallet::new();
    let offer = stack.offer("vc+jwt").await;
    let diploma = wallet
        .receive(
            offer["offer_uri"].as_str().unwrap(),
            offer["tx_code"].as_str().unwrap(),
        )
        .await;
    let jwt = diploma.as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let base = verifier.url.as_str().trim_end_matches('/').to_owned();

    let report: Value = http
        .post(format!("{base}/api/verify"))
        .body(jwt.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], true, "{report:#}");
    let cli = stack.verify("handed.jwt", &diploma);
    assert_eq!(cli.code, Some(0));

    // The VC API carries a JWT credential in an envelope (VCDM 2.0 §4.13).
    let response = http
        .post(format!("{base}/credentials/verify"))
        .json(&json!({"verifiableCredential": jose::envelope(&jwt), "options": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let vc_api: Value = response.json().await.unwrap();
    assert_eq!(vc_api["verified"], true, "{vc_api:#}");
    assert!(vc_api["checks"].as_array().unwrap().contains(&json!("proof")));

    let forged = format!("{}x", &jwt[..jwt.len() - 1]);
    let response = http
        .post(format!("{base}/credentials/verify"))
        .json(&json!({"verifiableCredential": jose::envelope(&forged), "options": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let vc_api: Value = response.json().await.unwrap();
    assert_eq!(vc_api["verified"], false, "{vc_api:#}");

    // The same JWT as a bare JSON string is not a VC API credential.
    let response = http
        .post(format!("{base}/credentials/verify"))
        .json(&json!({"verifiableCredential": jwt, "options": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let refusal: Value = response.json().await.unwrap();
    assert!(
        refusal["error"]["message"]
            .as_str()
            .unwrap()
            .contains("EnvelopedVerifiableCredential"),
        "{refusal:#}"
    );

    let form = reqwest::multipart::Form::new().text("input", jwt);
    let page = http
        .post(format!("{base}/verify"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Verified") && page.contains("Ada Lovelace"),
        "{page}"
    );
}

/// The same JSON-LD meaning, respelled: `key` becomes `spelling` in the object at `pointer`.
/// The canonical RDF — and so the issuer's `eddsa-rdfc-2022` signature — is unchanged.
fn respell(credential: &Value, pointer: &str, key: &str, spelling: &str) -> Value {
    let mut respelled = credential.clone();
    let object = respelled.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
    let value = object.shift_remove(key).unwrap();
    object.insert(spelling.to_owned(), value);
    respelled
}

/// Posts `body` to `/api/verify`; the HTTP status and the JSON answer.
async fn api_verify(scene: &Scene, body: &Value, query: &str) -> (u16, Value) {
    let response = scene
        .http
        .post(scene.url(&format!("/api/verify{query}")))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Posts `body` to the VC API endpoint `path`; the HTTP status and the answer.
async fn vc_api(scene: &Scene, path: &str, body: &Value) -> (u16, Value) {
    let response = scene.http.post(scene.url(path)).json(body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Posts a credential to the VC API's `/credentials/verify`; the HTTP status and answer.
async fn vc_api_verify(scene: &Scene, credential: &Value) -> (u16, Value) {
    let body = json!({"verifiableCredential": credential, "options": {}});
    vc_api(scene, "/credentials/verify", &body).await
}

/// The attacks of a JSON-LD respelling, each through every door: a thief presenting someone
/// else's diploma with the subject's `id` written `@id`, a revoked diploma whose
/// `credentialStatus` key is written as its IRI, an expired one whose `validUntil` is, and a
/// claim renamed by an inline context. The signatures are untouched; each must be refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_respelled_diploma_cannot_hide_its_subject_its_revocation_or_its_expiry() {
    let scene = Scene::start().await;
    let wallet = TestWallet::new();
    let receive = || scene.receive(&wallet, "ldp_vc");

    // A thief presents a copy of Ada's diploma with its subject id respelled: through the
    // OpenID4VP flow, and handed to the API, the VC API and the command line.
    let (_, diploma) = receive().await;
    let thief = SigningKey::from_seed(&[66; 32]);
    let stolen = respell(&diploma, "/credentialSubject", "id", "@id");
    let (state, _) = scene.present_ldp(&stolen, &thief, Tweak::None).await;
    assert_eq!(state, "rejected");
    let thiefs_presentation = issue::data_integrity_presentation(
        vec![stolen.clone()],
        &thief.did_key(),
        &thief,
        &thief.did_key_method(),
        "c-7",
        "https://verifier.example",
        now(),
    )
    .await
    .unwrap();
    let query = "?challenge=c-7&domain=https://verifier.example&require_holder_binding=true";
    assert_eq!(api_verify(&scene, &thiefs_presentation, query).await.0, 400);
    let body = json!({"verifiablePresentation": thiefs_presentation,
                      "options": {"challenge": "c-7", "domain": "https://verifier.example"}});
    assert_eq!(vc_api(&scene, "/presentations/verify", &body).await.0, 400);
    assert_eq!(
        scene.stack.verify("stolen.json", &thiefs_presentation).code,
        Some(1)
    );
    let (state, failed) = scene.present_ldp(&diploma, &thief, Tweak::None).await;
    assert_eq!(
        (state.as_str(), failed),
        ("rejected", vec!["holder_binding".to_owned()])
    );

    // A revoked diploma with its status entry under the IRI of `credentialStatus`. Wait until
    // the verifier sees the revocation of the diploma as issued.
    let (id, revoked) = receive().await;
    scene
        .stack
        .api(&format!("/api/credentials/{id}/revoke"), &json!({}))
        .await;
    scene.until_failing(&revoked, "status").await;
    let hidden = respell(
        &revoked,
        "",
        "credentialStatus",
        "https://www.w3.org/2018/credentials#credentialStatus",
    );
    let (status, answer) = api_verify(&scene, &hidden, "").await;
    assert_eq!(status, 400, "{answer:#}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("credentials#credentialStatus"),
        "{answer:#}"
    );
    let (status, answer) = vc_api_verify(&scene, &hidden).await;
    assert_eq!((status, &answer["verified"]), (400, &json!(false)), "{answer:#}");
    assert_eq!(scene.stack.verify("hidden-status.json", &hidden).code, Some(1));
    let (state, _) = scene.present_ldp(&hidden, &wallet.key, Tweak::None).await;
    assert_eq!(state, "rejected");

    // An expired diploma with `validUntil` under its IRI.
    let expired = expired_diploma(&scene.stack, &wallet.key).await;
    // Under its IRI the date would lose the term's datatype and the RDF would change; a
    // value object keeps it, so the signature still verifies.
    let mut typed = expired.clone();
    typed["validUntil"] = json!({
        "@value": expired["validUntil"],
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    });
    let hidden = respell(
        &typed,
        "",
        "validUntil",
        "https://www.w3.org/2018/credentials#validUntil",
    );
    assert_eq!(api_verify(&scene, &hidden, "").await.0, 400);
    assert_eq!(vc_api_verify(&scene, &hidden).await.0, 400);
    assert_eq!(scene.stack.verify("hidden-expiry.json", &hidden).code, Some(1));
    let (state, _) = scene.present_ldp(&hidden, &wallet.key, Tweak::None).await;
    assert_eq!(state, "rejected");

    // A claim renamed by an inline context: the same RDF under another name.
    let mut renamed = respell(&diploma, "/credentialSubject", "name", "fullName");
    renamed["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!({"fullName": "https://schema.org/name"}));
    assert_eq!(api_verify(&scene, &renamed, "").await.0, 400);
    assert_eq!(vc_api_verify(&scene, &renamed).await.0, 400);
    assert_eq!(scene.stack.verify("renamed.json", &renamed).code, Some(1));
    let (state, _) = scene.present_ldp(&renamed, &wallet.key, Tweak::None).await;
    assert_eq!(state, "rejected");

    // A challenge asks for a presentation: the bare credential is not one, and neither is it
    // on the VC API's presentations endpoint.
    let (status, report) = api_verify(&scene, &diploma, "?challenge=c-1").await;
    assert_eq!((status, &report["valid"]), (400, &json!(false)), "{report:#}");
    let body = json!({"verifiablePresentation": diploma, "options": {}});
    let (status, answer) = vc_api(&scene, "/presentations/verify", &body).await;
    assert_eq!(status, 400, "{answer:#}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("VerifiablePresentation"),
        "{answer:#}"
    );
}
