//! A wallet presents to a verifier over OpenID4VP, all as separate processes with a real
//! registry and issuer: the verifier's request is signed by its DID; the wallet shows what it
//! would share and sends only that (SD-JWT: just name and degree); the verifier accepts, and
//! refuses a replay. A declined request reaches the verifier as such; a request signed by
//! someone else than its client_id is refused by the wallet. A request for two credentials
//! with credential sets is answered with both, each by the held credential that matches its
//! query, and the verifier's answer sends the holder to the result page (same-device flow); a
//! request whose required set the wallet cannot answer is refused by the wallet, naming why.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::{Value, json};
use sigil_core::key::SigningKey;
use sigil_tests::stack::Stack;
use sigil_tests::verifier_api;
use sigil_tests::{Outcome, TEST_PASSPHRASE, VerifierProcess, binary, run};

fn wallet(args: &[String]) -> Outcome {
    run(std::process::Command::new(binary("sigil-wallet"))
        .args(args)
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE)
        .env("SIGIL_ALLOW_INSECURE_TARGETS", "true"))
}

async fn wallet_async(args: Vec<String>) -> Outcome {
    tokio::task::spawn_blocking(move || wallet(&args)).await.unwrap()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

struct Scene {
    stack: Stack,
    verifier: VerifierProcess,
    wallet_dir: String,
}

impl Scene {
    async fn start() -> Scene {
        let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
        let verifier = VerifierProcess::start(&stack.scratch.path("verifier"), &stack.registry.url);
        let wallet_dir = stack.scratch.path("wallet").to_str().unwrap().to_owned();
        let registry = stack.registry.url.to_string();
        wallet_async(strings(&[
            "init",
            "--data-dir",
            &wallet_dir,
            "--registry",
            &registry,
        ]))
        .await
        .expect_code(0);
        Scene {
            stack,
            verifier,
            wallet_dir,
        }
    }

    async fn receive(&self, format: &str) {
        let offer = self.stack.offer(format).await;
        self.receive_offer(&offer).await;
    }

    async fn receive_offer(&self, offer: &Value) {
        wallet_async(strings(&[
            "receive",
            offer["offer_uri"].as_str().unwrap(),
            "--tx-code",
            offer["tx_code"].as_str().unwrap(),
            "--data-dir",
            &self.wallet_dir,
        ]))
        .await
        .expect_code(0);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.verifier.url.as_str().trim_end_matches('/'), path)
    }

    async fn request(&self, body: Value) -> Value {
        verifier_api::open_request(&reqwest::Client::new(), self.verifier.url.as_str(), &body).await
    }

    async fn state(&self, id: &str) -> Value {
        reqwest::get(self.url(&format!("/api/requests/{id}")))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn present(&self, request_uri: &str, consent: &str) -> Outcome {
        wallet_async(strings(&[
            "present",
            request_uri,
            "--data-dir",
            &self.wallet_dir,
            consent,
        ]))
        .await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wallet_presents_only_name_and_degree_and_the_verifier_accepts_once() {
    let scene = Scene::start().await;
    scene.receive("dc+sd-jwt").await;
    scene.receive("ldp_vc").await;

    // SD-JWT: only the two claims asked for leave the wallet.
    let request = scene
        .request(json!({"type": "UniversityDegreeCredential", "claims": ["name", "degree.name"], "formats": ["dc+sd-jwt"]}))
        .await;
    let out = scene
        .present(request["request_uri"].as_str().unwrap(), "--yes")
        .await
        .expect_code(0);
    assert!(out.stderr.contains("Example Employer"), "{}", out.stderr);
    // The verifier is named by what can be checked: its DID, accredited on the registry.
    assert!(
        out.stderr
            .contains("legal name (recorded by its accreditation): Example Employer")
            && out
                .stderr
                .contains("Accredited as a verifier by Ministry of Education (did:")
            && !out.stderr.contains("WARNING")
            && out
                .stderr
                .contains("You have not presented to this verifier before"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("  - name\n") && out.stderr.contains("  - degree.name\n"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("studentId"), "{}", out.stderr);
    let state = scene.state(request["request_id"].as_str().unwrap()).await;
    assert_eq!(state["state"], "verified", "{state:#}");
    // An SD-JWT presentation is one report: the credential and its key binding.
    let seen = &state["outcome"]["report"]["claims"];
    assert_eq!(seen["name"], "Ada Lovelace");
    assert_eq!(seen["degree"]["name"], "Bachelor of Science in Mathematics");
    for hidden in [
        "studentId",
        "dateOfBirth",
        "fieldOfStudy",
        "honours",
        "graduationDate",
    ] {
        assert!(seen.get(hidden).is_none(), "{hidden} was disclosed: {seen:#}");
    }

    // The same request again: the verifier refuses the replay.
    let replay = scene
        .present(request["request_uri"].as_str().unwrap(), "--yes")
        .await;
    assert_ne!(replay.code, Some(0));

    // The diploma policy in any format: the wallet's Data Integrity diploma.
    let request = scene.request(json!({"policy": "diploma"})).await;
    let out = scene
        .present(request["request_uri"].as_str().unwrap(), "--yes")
        .await
        .expect_code(0);
    assert!(
        out.stderr
            .contains("You have presented to this verifier before: 1 time(s)"),
        "{}",
        out.stderr
    );
    let state = scene.state(request["request_id"].as_str().unwrap()).await;
    assert_eq!(state["state"], "verified", "{state:#}");
    assert_eq!(state["outcome"]["report"]["format"], "ldp_vc");

    // The result page shows the claims and the checks in words.
    let page = reqwest::get(scene.url(&format!("/requests/{}", request["request_id"].as_str().unwrap())))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Verified") && page.contains("Ada Lovelace") && page.contains("Accreditation"),
        "{page}"
    );

    // Declining reaches the verifier.
    let request = scene.request(json!({"policy": "diploma"})).await;
    scene
        .present(request["request_uri"].as_str().unwrap(), "--no")
        .await
        .expect_code(0);
    let state = scene.state(request["request_id"].as_str().unwrap()).await;
    assert_eq!(state["state"], "rejected");
    assert_eq!(state["outcome"]["wallet_error"], "access_denied");

    let history: Value = serde_json::from_str(
        &wallet_async(strings(&["history", "--data-dir", &scene.wallet_dir, "--json"]))
            .await
            .expect_code(0)
            .stdout,
    )
    .unwrap();
    let events: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        vec!["refused", "presented", "presented", "received", "received"]
    );
    // The degree is disclosed as a whole: its level came along with its name, and the
    // consent screen and history say so.
    let mut disclosed: Vec<&str> = history[2]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    disclosed.sort_unstable();
    assert_eq!(disclosed, vec!["degree.name", "degree.type", "name"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wallet_refuses_a_request_not_signed_by_its_client_id() {
    let scene = Scene::start().await;
    scene.receive("ldp_vc").await;
    let request = scene.request(json!({"policy": "diploma"})).await;
    let genuine = request["request_uri"].as_str().unwrap();
    let uri = url::Url::parse(genuine).unwrap();
    let request_uri = uri
        .query_pairs()
        .find(|(k, _)| k == "request_uri")
        .unwrap()
        .1
        .into_owned();

    // Someone else's DID as client_id, pointing at the verifier's genuine request object.
    let impostor = SigningKey::generate().did_key();
    let encode = |t: &str| url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>();
    let forged = format!(
        "openid4vp://?client_id={}&request_uri={}",
        encode(&format!("decentralized_identifier:{impostor}")),
        encode(&request_uri)
    );
    let out = scene.present(&forged, "--yes").await;
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("not by the verifier"), "{}", out.stderr);

    // Nothing was sent: the genuine request is still open.
    let state = scene.state(request["request_id"].as_str().unwrap()).await;
    assert_eq!(state["state"], "pending");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_did_sigil_holder_receives_and_presents_a_vc_jwt() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let verifier = VerifierProcess::start(&stack.scratch.path("verifier"), &stack.registry.url);
    let wallet_dir = stack.scratch.path("wallet").to_str().unwrap().to_owned();
    let registry = stack.registry.url.to_string();
    let did = wallet_async(strings(&[
        "init",
        "--data-dir",
        &wallet_dir,
        "--registry",
        &registry,
        "--did-method",
        "sigil",
    ]))
    .await
    .expect_code(0)
    .stdout
    .trim()
    .to_owned();
    assert!(did.starts_with("did:sigil:"), "{did}");
    let scene = Scene {
        stack,
        verifier,
        wallet_dir,
    };
    scene.receive("vc+jwt").await;
    let request = scene
        .request(json!({"type": "UniversityDegreeCredential", "claims": ["name"], "formats": ["vc+jwt"]}))
        .await;
    scene
        .present(request["request_uri"].as_str().unwrap(), "--yes")
        .await
        .expect_code(0);
    let state = scene.state(request["request_id"].as_str().unwrap()).await;
    assert_eq!(state["state"], "verified", "{state:#}");
    assert_eq!(state["outcome"]["report"]["format"], "vc+jwt");
    assert_eq!(state["outcome"]["report"]["holder"], did);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_impostor_calling_itself_the_employer_is_named_by_what_can_be_checked() {
    let scene = Scene::start().await;
    scene.receive("dc+sd-jwt").await;
    // Its own did:key, the employer's name, no accreditation.
    let impostor = VerifierProcess::start(&scene.stack.scratch.path("impostor"), &scene.stack.registry.url);
    let policy = json!({"policy": "diploma"});
    let request = verifier_api::open_request(&reqwest::Client::new(), impostor.url.as_str(), &policy).await;
    let out = scene
        .present(request["request_uri"].as_str().unwrap(), "--no")
        .await
        .expect_code(0);
    assert!(
        out.stderr.contains(
            "WARNING: This verifier is not accredited. The name \"Example Employer\" is what it \
             says about itself; nobody has checked it."
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("You have not presented to this verifier before"),
        "{}",
        out.stderr
    );
}

/// A bachelor's degree in Data Integrity and a master's degree as SD-JWT VC, both required
/// (one credential set, one option of both), and an optional transcript as a VC-JWT.
fn bachelor_and_master() -> Value {
    let degree = "https://w3id.org/sigil/vocab#UniversityDegreeCredential";
    json!({
        "credentials": [
            {"id": "bachelor", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
             "claims": [{"path": ["credentialSubject", "degree", "type"], "values": ["BachelorDegree"]}]},
            {"id": "master", "format": "dc+sd-jwt",
             "meta": {"vct_values": ["https://w3id.org/sigil/types/UniversityDegreeCredential"]},
             "claims": [
                {"id": "name", "path": ["name"]},
                {"id": "level", "path": ["degree", "type"], "values": ["MasterDegree"]}
             ],
             "claim_sets": [["name", "level"]]},
            {"id": "transcript", "format": "jwt_vc_json", "meta": {"type_values": [[degree]]}}
        ],
        "credential_sets": [
            {"options": [["bachelor", "master"]]},
            {"options": [["transcript"]], "required": false}
        ]
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn two_degrees_asked_for_together_are_presented_together_and_the_holder_is_sent_to_the_result() {
    let scene = Scene::start().await;
    scene.receive("ldp_vc").await;
    let mut master: Value = serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    master["degree"] = json!({"type": "MasterDegree", "name": "Master of Science in Mathematics"});
    let offer = scene
        .stack
        .offer_of("UniversityDegreeCredential", &master, "dc+sd-jwt")
        .await;
    scene.receive_offer(&offer).await;

    let request = scene.request(json!({"dcql_query": bachelor_and_master()})).await;
    let out = scene
        .present(request["request_uri"].as_str().unwrap(), "--yes")
        .await
        .expect_code(0);
    // Each credential query, what it asks and the credential that answers it.
    assert!(
        out.stderr.contains(
            "For bachelor (a UniversityDegreeCredential (ldp_vc) with degree.type (one of \"BachelorDegree\")):"
        ) && out.stderr.contains("For master (a UniversityDegreeCredential (dc+sd-jwt) with name or degree.type"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("For transcript"), "{}", out.stderr);

    let id = request["request_id"].as_str().unwrap();
    let state = scene.state(id).await;
    assert_eq!(state["state"], "verified", "{state:#}");
    let presentations = state["outcome"]["presentations"].as_array().unwrap();
    let answered: Vec<(&str, &str)> = presentations
        .iter()
        .map(|p| {
            (
                p["query_id"].as_str().unwrap(),
                p["report"]["format"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(answered, vec![("bachelor", "ldp_vc"), ("master", "dc+sd-jwt")]);
    // The master's degree (SD-JWT) disclosed only what its claim set asked for.
    let master_seen = &presentations[1]["report"]["claims"];
    assert_eq!(master_seen["degree"]["type"], "MasterDegree");
    assert!(master_seen.get("studentId").is_none(), "{master_seen:#}");

    // Same-device: the wallet printed the result page the verifier sent it to; its response
    // code opens it, and another does not.
    let result_uri = out.stdout.trim();
    assert!(
        result_uri.contains(&format!("/requests/{id}?response_code=")),
        "{}",
        out.stdout
    );
    let page = reqwest::get(result_uri).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Verified")
            && page.contains("<code>bachelor</code>")
            && page.contains("<code>master</code>"),
        "{page}"
    );
    let forged = reqwest::get(scene.url(&format!("/requests/{id}?response_code=forged")))
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_required_credential_the_wallet_does_not_hold_is_refused_and_the_verifier_told() {
    let scene = Scene::start().await;
    scene.receive("ldp_vc").await;
    // Only the bachelor's degree is held: the required set needs the master's too.
    let request = scene.request(json!({"dcql_query": bachelor_and_master()})).await;
    let out = scene
        .present(request["request_uri"].as_str().unwrap(), "--yes")
        .await;
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "it needs a UniversityDegreeCredential (ldp_vc) together with a UniversityDegreeCredential \
             (dc+sd-jwt), and this wallet cannot answer that"
        ),
        "{}",
        out.stderr
    );
    let state = scene.state(request["request_id"].as_str().unwrap()).await;
    assert_eq!(state["state"], "rejected", "{state:#}");
    assert_eq!(state["outcome"]["wallet_error"], "access_denied");
}
