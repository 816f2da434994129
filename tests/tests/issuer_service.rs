//! The issuer service through real HTTP, with a real registry: a test wallet client walks the
//! OpenID4VCI pre-authorized flow in each format and the verifier accepts what it receives;
//! revocation reaches the registry; every refusal of the flow answers with the OAuth error the
//! specification names; a CSV with bad rows issues nothing; the W3C VC API issues.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::{Value, json};
use sigil_core::jose;
use sigil_core::key::SigningKey;
use sigil_tests::stack::Stack;
use sigil_tests::wallet_client::TestWallet;

#[tokio::test(flavor = "multi_thread")]
async fn a_wallet_receives_a_diploma_in_each_format_and_revocation_reaches_the_registry() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let wallet = TestWallet::new();

    let metadata: Value = reqwest::get(stack.url("/.well-known/openid-credential-issuer"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metadata["display"][0]["name"], "Example University");
    let configurations = &metadata["credential_configurations_supported"];
    assert_eq!(
        configurations["UniversityDegreeCredential_sd_jwt"]["vct"],
        "https://w3id.org/sigil/types/UniversityDegreeCredential"
    );
    assert_eq!(
        configurations["UniversityDegreeCredential_jwt_vc_json"]["format"],
        "jwt_vc_json"
    );

    let mut received = Vec::new();
    for format in ["ldp_vc", "vc+jwt", "dc+sd-jwt"] {
        let offer = stack.offer(format).await;
        let credential = wallet
            .receive(
                offer["offer_uri"].as_str().unwrap(),
                offer["tx_code"].as_str().unwrap(),
            )
            .await;
        let name = format!("received-{}", format.replace('+', "-"));
        let out = stack.verify(&name, &credential).expect_code(0);
        assert!(out.stdout.contains("ok   status"), "{format}: {}", out.stdout);
        assert!(
            out.stdout.contains("is accredited for"),
            "{format}: {}",
            out.stdout
        );
        received.push((
            offer["credential_id"].as_str().unwrap().to_owned(),
            name,
            credential,
        ));
    }

    // The Data Integrity diploma names its holder, schema and two status entries.
    let (id, name, diploma) = &received[0];
    assert_eq!(
        diploma["credentialSubject"]["id"],
        wallet.key.did_key().to_string()
    );
    assert_eq!(diploma["credentialSchema"]["type"], "JsonSchema");
    let schema: Value = reqwest::get(diploma["credentialSchema"]["id"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(schema["required"][0], "name");
    assert_eq!(diploma["credentialStatus"].as_array().unwrap().len(), 2);

    // Anchoring: within a few rounds every issued credential has its inclusion proof.
    let path = format!("/api/credentials/{id}");
    let (stack_ref, path) = (&stack, path.as_str());
    let shown = sigil_tests::wait::until(|| async move {
        let shown = stack_ref.get_api(path).await;
        shown["anchor"].is_object().then_some(shown)
    })
    .await
    .unwrap_or_default();
    assert_eq!(shown["state"], "issued");
    assert!(shown["anchor"]["inclusionProof"].is_array(), "{shown:#}");

    // Revoke the first, suspend the SD-JWT: the registry's lists say so, the verifier sees it.
    let (status, revoked) = stack
        .api(&format!("/api/credentials/{id}/revoke"), &json!({}))
        .await;
    assert_eq!(status, 200, "{revoked:#}");
    assert!(revoked["receipts"][0]["height"].as_u64().is_some(), "{revoked:#}");
    let out = stack.verify(name, diploma).expect_code(1);
    assert!(out.stdout.contains("FAIL status"), "{}", out.stdout);
    let (status, again) = stack
        .api(&format!("/api/credentials/{id}/reinstate"), &json!({}))
        .await;
    assert_eq!(status, 409, "revocation is final: {again:#}");

    let (sd_id, sd_name, sd_jwt) = &received[2];
    let (status, _) = stack
        .api(&format!("/api/credentials/{sd_id}/suspend"), &json!({}))
        .await;
    assert_eq!(status, 200);
    stack.verify(sd_name, sd_jwt).expect_code(1);
    let (status, _) = stack
        .api(&format!("/api/credentials/{sd_id}/reinstate"), &json!({}))
        .await;
    assert_eq!(status, 200);
    stack.verify(sd_name, sd_jwt).expect_code(0);
    // The untouched one still verifies.
    stack.verify(&received[1].1, &received[1].2).expect_code(0);

    let audit = stack.get_api("/api/audit").await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "create offer",
        "issue",
        "revoke",
        "suspend",
        "reinstate",
        "anchor",
    ] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
    assert!(
        !audit.to_string().contains("Ada Lovelace"),
        "the audit log holds no claims"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_refusal_of_the_flow_is_the_oauth_error_the_specification_names() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let wallet = TestWallet::new();
    let pre_auth = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

    // Wrong PINs count down, then the code is dead even with the right PIN.
    let offer = stack.offer("ldp_vc").await;
    let (offer_object, metadata) = wallet.open_offer(offer["offer_uri"].as_str().unwrap()).await;
    let code = offer_object["grants"][pre_auth]["pre-authorized_code"]
        .as_str()
        .unwrap();
    let pin = offer["tx_code"].as_str().unwrap();
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let (status, error) = wallet
            .token(
                &metadata,
                &[
                    ("grant_type", pre_auth),
                    ("pre-authorized_code", code),
                    ("tx_code", wrong),
                ],
            )
            .await;
        assert_eq!((status, error["error"].as_str()), (400, Some("invalid_grant")));
        assert!(
            error["error_description"]
                .as_str()
                .unwrap()
                .contains(&left.to_string())
                || left == 0,
            "{error:#}"
        );
    }
    let (_, error) = wallet
        .token(
            &metadata,
            &[
                ("grant_type", pre_auth),
                ("pre-authorized_code", code),
                ("tx_code", pin),
            ],
        )
        .await;
    assert_eq!(error["error"], "invalid_grant");
    let locked = stack
        .get_api(&format!(
            "/api/credentials/{}",
            offer["credential_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(locked["state"], "locked", "{locked:#}");

    // A missing PIN, another grant type.
    let (_, error) = wallet
        .token(
            &metadata,
            &[("grant_type", pre_auth), ("pre-authorized_code", code)],
        )
        .await;
    assert_eq!(error["error"], "invalid_request");
    let (_, error) = wallet
        .token(&metadata, &[("grant_type", "authorization_code"), ("code", code)])
        .await;
    assert_eq!(error["error"], "unsupported_grant_type");

    // A code is single-use, and its offer is gone once used.
    let offer = stack.offer("vc+jwt").await;
    let offer_uri = offer["offer_uri"].as_str().unwrap();
    let (offer_object, _) = wallet.open_offer(offer_uri).await;
    let code = offer_object["grants"][pre_auth]["pre-authorized_code"]
        .as_str()
        .unwrap();
    let granted = wallet.redeem(offer_uri, offer["tx_code"].as_str().unwrap()).await;
    let (_, error) = wallet
        .token(
            &metadata,
            &[
                ("grant_type", pre_auth),
                ("pre-authorized_code", code),
                ("tx_code", offer["tx_code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(error["error"], "invalid_grant", "a replayed code");
    let by_reference = url::Url::parse(offer_uri)
        .unwrap()
        .query_pairs()
        .next()
        .unwrap()
        .1
        .into_owned();
    assert_eq!(reqwest::get(by_reference).await.unwrap().status().as_u16(), 404);

    let audience = metadata["credential_issuer"].as_str().unwrap();
    // A nonce the issuer never gave.
    let (status, error) = wallet.request(&granted, &wallet.proof(audience, "made-up")).await;
    assert_eq!((status, error["error"].as_str()), (400, Some("invalid_nonce")));
    // A proof for another issuer.
    let nonce = wallet.nonce(&metadata).await;
    let (_, error) = wallet
        .request(&granted, &wallet.proof("https://another-issuer.example", &nonce))
        .await;
    assert_eq!(error["error"], "invalid_proof");
    // A proof of another type.
    let claims = json!({"aud": audience, "iat": sigil_core::time::now().timestamp(), "nonce": nonce});
    let untyped = jose::sign_compact(&claims, "JWT", &wallet.key.did_key_method(), &wallet.key).unwrap();
    let (_, error) = wallet.request(&granted, &untyped).await;
    assert_eq!(error["error"], "invalid_proof");
    // The right proof works once; the nonce and the token are then spent.
    let (status, answer) = wallet.request(&granted, &wallet.proof(audience, &nonce)).await;
    assert_eq!(status, 200, "{answer:#}");
    let (status, error) = wallet.request(&granted, &wallet.proof(audience, &nonce)).await;
    assert_eq!((status, error["error"].as_str()), (401, Some("invalid_token")));
    let second = stack.offer("vc+jwt").await;
    let granted = wallet
        .redeem(
            second["offer_uri"].as_str().unwrap(),
            second["tx_code"].as_str().unwrap(),
        )
        .await;
    let (_, error) = wallet.request(&granted, &wallet.proof(audience, &nonce)).await;
    assert_eq!(error["error"], "invalid_nonce", "a used nonce is stale");
    // The credential configuration must be the one offered.
    let other = reqwest::Client::new()
        .post(stack.url("/credential"))
        .bearer_auth(&granted.access_token)
        .json(&json!({"credential_configuration_id": "UniversityDegreeCredential_ldp_vc", "proofs": {"jwt": ["x"]}}))
        .send()
        .await
        .unwrap();
    let error: Value = other.json().await.unwrap();
    assert_eq!(error["error"], "unknown_credential_configuration");
    // No token at all; garbage bodies.
    let anonymous = reqwest::Client::new()
        .post(stack.url("/credential"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    assert!(
        anonymous.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let garbage = reqwest::Client::new()
        .post(stack.url("/credential"))
        .bearer_auth(&granted.access_token)
        .body("[[[[[[[[")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status().as_u16(), 400);

    // A token request that is not a form, an API call that is not JSON.
    let not_a_form = reqwest::Client::new()
        .post(stack.url("/token"))
        .json(&json!({"grant_type": pre_auth}))
        .send()
        .await
        .unwrap();
    assert_eq!(not_a_form.status().as_u16(), 400);
    let error: Value = not_a_form.json().await.unwrap();
    assert_eq!(error["error"], "invalid_request");
    let not_json = reqwest::Client::new()
        .post(stack.url("/api/offers"))
        .bearer_auth(&stack.token)
        .header("content-type", "application/json")
        .body("{\"type\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status().as_u16(), 400);
    let error: Value = not_json.json().await.unwrap();
    assert_eq!(error["error"]["code"], "bad_request");

    // The API wants its token.
    let unauthenticated = reqwest::Client::new()
        .post(stack.url("/api/offers"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status().as_u16(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_class_with_bad_rows_issues_nothing_and_a_good_one_issues_everyone() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let header = "name,studentId,dateOfBirth,degree.type,degree.name,fieldOfStudy,honours,graduationDate";
    let good =
        "Ada Lovelace,S-1,1815-12-10,BachelorDegree,BSc Mathematics,Mathematics,First Class,2026-06-30";
    let bad = "Charles Babbage,S-2,26/12/1791,BachelorDegree,BSc Engineering,Engineering,,2026-06-30";
    let post = |csv: String| {
        stack
            .http
            .post(stack.url("/api/offers/batch?type=UniversityDegreeCredential&format=vc%2Bjwt"))
            .bearer_auth(&stack.token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
    };
    let response = post(format!("{header}\n{good}\n{bad}\n")).await.unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let error: Value = response.json().await.unwrap();
    let details = error["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{error:#}");
    assert_eq!(details[0]["index"], 3, "the CSV line of the bad row");
    assert!(
        details[0]["errors"][0]
            .as_str()
            .unwrap()
            .starts_with("dateOfBirth")
    );
    let listed = stack.get_api("/api/credentials").await;
    assert_eq!(
        listed["credentials"].as_array().unwrap().len(),
        0,
        "nothing half-issued"
    );

    let fixed = bad.replace("26/12/1791", "1791-12-26");
    let response = post(format!("{header}\n{good}\n{fixed}\n")).await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let batch: Value = response.json().await.unwrap();
    assert_eq!(batch["offers"].as_array().unwrap().len(), 2);
    let found = stack.get_api("/api/credentials?q=Babbage").await;
    assert_eq!(found["credentials"][0]["batch"], batch["batch"]);
    assert_eq!(found["credentials"][0]["state"], "offered");
    // An offer has no status bits to change until a wallet collects it: it cannot be
    // suspended, and revoking it withdraws it.
    let offer_id = found["credentials"][0]["id"].as_str().unwrap();
    let (status, refused) = stack
        .api(&format!("/api/credentials/{offer_id}/suspend"), &json!({}))
        .await;
    assert_eq!(status, 409, "{refused:#}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("still an offer"),
        "{refused:#}"
    );
    let (status, withdrawn) = stack
        .api(&format!("/api/credentials/{offer_id}/revoke"), &json!({}))
        .await;
    assert_eq!(status, 200, "{withdrawn:#}");
    assert_eq!(withdrawn["status"], "withdrawn");
    let shown = stack.get_api(&format!("/api/credentials/{offer_id}")).await;
    assert_eq!(shown["state"], "withdrawn", "{shown:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vc_api_issues_with_either_eddsa_cryptosuite() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let holder = SigningKey::generate().did_key().to_string();
    // An unsigned degree whose subject is `subject`.
    let degree = |subject: Value| {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/sigil/contexts/v1"],
            "type": ["VerifiableCredential", "UniversityDegreeCredential"],
            "validFrom": "2026-06-30T00:00:00Z",
            "credentialSubject": subject,
        })
    };
    let mut diploma: Value =
        serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    diploma["id"] = holder.clone().into();
    for suite in ["eddsa-rdfc-2022", "eddsa-jcs-2022"] {
        let credential = degree(diploma.clone());
        let (status, answer) = stack
            .api(
                "/credentials/issue",
                &json!({"credential": credential, "options": {"cryptosuite": suite}}),
            )
            .await;
        assert_eq!(status, 201, "{answer:#}");
        let credential = &answer["verifiableCredential"];
        assert_eq!(credential["proof"]["cryptosuite"], suite);
        stack
            .verify(&format!("vc-api-{suite}"), credential)
            .expect_code(0);
    }
    let (status, _) = stack
        .api(
            "/credentials/issue",
            &json!({"credential": {}, "options": {"cryptosuite": "rsa-2048"}}),
        )
        .await;
    assert_eq!(status, 400);
    // What its verifiers would refuse as a respelling, it does not sign either.
    let mut respelled = diploma.clone();
    respelled.as_object_mut().unwrap().remove("id");
    respelled["@id"] = holder.clone().into();
    let respelled = degree(respelled);
    let (status, answer) = stack
        .api("/credentials/issue", &json!({"credential": respelled}))
        .await;
    assert_eq!(status, 400, "{answer:#}");
    assert!(answer.to_string().contains("credentialSubject.@id"), "{answer:#}");
}

/// The nonce is spent in the same write that records the credential: two credential
/// requests with different tokens but one nonce, sent at once, give one credential.
#[tokio::test(flavor = "multi_thread")]
async fn one_nonce_sent_with_two_tokens_at_once_gives_one_credential() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let wallet = TestWallet::new();
    let mut grants = Vec::new();
    for _ in 0..2 {
        let offer = stack.offer("vc+jwt").await;
        let (uri, pin) = (
            offer["offer_uri"].as_str().unwrap(),
            offer["tx_code"].as_str().unwrap(),
        );
        grants.push(wallet.redeem(uri, pin).await);
    }
    let metadata = &grants[0].metadata;
    let audience = metadata["credential_issuer"].as_str().unwrap();
    let proof = wallet.proof(audience, &wallet.nonce(metadata).await);
    let (first, second) = tokio::join!(
        wallet.request(&grants[0], &proof),
        wallet.request(&grants[1], &proof)
    );
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400], "{first:?} {second:?}");
    let refused = if first.0 == 400 { first.1 } else { second.1 };
    assert_eq!(refused["error"], "invalid_nonce");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_offer_is_refused() {
    let stack = tokio::task::spawn_blocking(|| Stack::start_with("offer_lifetime_hours = 0"))
        .await
        .unwrap();
    let offer = stack.offer("ldp_vc").await;
    sigil_tests::wait::until_the_clock_passes(sigil_core::time::now()).await;
    // The offer is already dead, so it cannot be fetched: its code and the issuer are read
    // from the link itself (`…?credential_offer_uri=ISSUER/offers/CODE`).
    let uri = url::Url::parse(offer["offer_uri"].as_str().unwrap()).unwrap();
    let (_, by_reference) = uri
        .query_pairs()
        .find(|(k, _)| k == "credential_offer_uri")
        .unwrap();
    let (issuer, code) = by_reference.rsplit_once("/offers/").unwrap();
    let metadata = json!({"credential_issuer": issuer});
    let wallet = TestWallet::new();
    let pre_auth = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
    let (status, error) = wallet
        .token(
            &metadata,
            &[
                ("grant_type", pre_auth),
                ("pre-authorized_code", code),
                ("tx_code", offer["tx_code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!((status, error["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inspection_certificate_is_issued_by_the_same_machinery() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let claims = json!({
        "productName": "Kettle K-2000", "manufacturer": "Acme Appliances", "serialNumber": "SN-42-0001",
        "inspectionDate": "2026-11-20", "inspectionResult": "passed", "inspectionStandard": "EN 60335-2-15",
    });
    let wallet = TestWallet::new();
    for format in ["ldp_vc", "dc+sd-jwt"] {
        let offer = stack
            .offer_of("ProductInspectionCertificate", &claims, format)
            .await;
        let certificate = wallet
            .receive(
                offer["offer_uri"].as_str().unwrap(),
                offer["tx_code"].as_str().unwrap(),
            )
            .await;
        let out = stack
            .verify(&format!("certificate-{}", format.replace('+', "-")), &certificate)
            .expect_code(0);
        assert!(
            out.stdout.contains("ProductInspectionCertificate"),
            "{}",
            out.stdout
        );
    }
    // The type's schema applies: an unknown result is refused before anything is signed.
    let mut bad = claims.clone();
    bad["inspectionResult"] = json!("probably fine");
    let (status, error) = stack
        .api(
            "/api/offers",
            &json!({"type": "ProductInspectionCertificate", "claims": bad}),
        )
        .await;
    assert_eq!(status, 422, "{error:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_key_theft_anchored_diplomas_stay_valid_and_new_ones_use_the_new_key() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let wallet = TestWallet::new();
    let offer = stack.offer("vc+jwt").await;
    let before = wallet
        .receive(
            offer["offer_uri"].as_str().unwrap(),
            offer["tx_code"].as_str().unwrap(),
        )
        .await;
    let (status, anchored) = stack.api("/api/anchors", &json!({})).await;
    assert_eq!(status, 200, "{anchored:#}");
    assert_eq!(anchored["anchored"], 1);
    // The registry's blocks have second-resolution times: let the anchor's block be earlier.
    sigil_tests::wait::until_the_clock_passes(sigil_core::time::now()).await;

    let since = sigil_core::time::format_datetime(sigil_core::time::now());
    let (status, refused) = stack
        .api("/api/keys/rotate", &json!({"compromisedSince": since}))
        .await;
    assert_eq!(status, 400, "the service has no cold key of its own: {refused:#}");
    let cold_key = std::fs::read_to_string(stack.scratch.path("university.next.key")).unwrap();
    let (status, rotated) = stack
        .api(
            "/api/keys/rotate",
            &json!({"compromisedSince": since, "coldKey": cold_key}),
        )
        .await;
    assert_eq!(status, 200, "{rotated:#}");
    assert!(rotated["signing_key"].as_str().unwrap().ends_with("#key-2"));
    let next_cold_key = rotated["next_cold_key"].as_str().unwrap();
    sigil_core::keystore::open(next_cold_key, sigil_tests::TEST_PASSPHRASE).unwrap();

    let out = stack.verify("before-theft", &before).expect_code(0);
    assert!(out.stdout.contains("anchored"), "{}", out.stdout);
    let offer = stack.offer("vc+jwt").await;
    let after = wallet
        .receive(
            offer["offer_uri"].as_str().unwrap(),
            offer["tx_code"].as_str().unwrap(),
        )
        .await;
    let header = jose::decode_unverified(after.as_str().unwrap()).unwrap();
    assert!(header.header_str("kid").unwrap().ends_with("#key-2"));
    stack.verify("after-theft", &after).expect_code(0);
}
