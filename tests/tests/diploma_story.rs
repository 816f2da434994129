//! The diploma story end to end, with the four binaries as separate processes: the
//! university registers and is accredited; it issues a diploma over OpenID4VCI to the
//! student's wallet; the wallet presents it to the employer's verifier over OpenID4VP,
//! disclosing only name and degree, and the verifier accepts; the university revokes it and
//! the verifier rejects it; the university rotates its key — the old diploma still verifies,
//! new ones verify under the new key; once the old key is declared compromised from T, a
//! diploma forged with it and dated after T is rejected while one anchored before T is
//! accepted; once the university's DID is deactivated, newly signed diplomas are rejected.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::{Value, json};
use sigil_core::did::sigil::digest;
use sigil_core::did::sigil::operation::{Compromise, DidOperation, OperationKind};
use sigil_core::issue::CredentialFormat;
use sigil_core::key::SigningKey;
use sigil_core::registry::RegistryClient;
use sigil_core::time::{format_datetime, now};
use sigil_tests::stack::Stack;
use sigil_tests::wait::{until, until_the_clock_passes};
use sigil_tests::{Outcome, TEST_PASSPHRASE, VerifierProcess, binary, run};

fn wallet(args: Vec<String>) -> Outcome {
    run(std::process::Command::new(binary("sigil-wallet"))
        .args(args)
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE)
        .env("SIGIL_ALLOW_INSECURE_TARGETS", "true"))
}

async fn in_background(args: &[&str]) -> Outcome {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || wallet(args)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_diploma_story() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    story(stack, Halfway::GoOn).await;
}

/// The same story on a chain of three registry nodes (docs/consensus.md), whose leader is
/// SIGKILLed halfway through: after the revocation, before the rotations, the compromise and
/// the deactivation. The services were given every node and go on with the other two.
#[tokio::test(flavor = "multi_thread")]
async fn the_diploma_story_on_three_nodes_with_the_leader_killed_halfway() {
    let stack = tokio::task::spawn_blocking(|| Stack::start_on_nodes(3))
        .await
        .unwrap();
    story(stack, Halfway::KillTheLeader).await;
}

/// What happens to the registry halfway through the story.
enum Halfway {
    GoOn,
    KillTheLeader,
}

/// SIGKILLs the node the registry's nodes agree leads.
async fn kill_the_leader(stack: &mut Stack) {
    let urls = stack.registry.node_urls();
    let leader = until(|| {
        let url = urls[0].join("consensus/status").unwrap();
        async move {
            let status: Value = reqwest::get(url).await.ok()?.json().await.ok()?;
            usize::try_from(status["leader"].as_u64()?).ok()
        }
    })
    .await
    .unwrap();
    stack.registry.kill_node(leader);
}

async fn story(mut stack: Stack, halfway: Halfway) {
    let verifier = VerifierProcess::start(&stack.scratch.path("verifier"), &stack.registry.nodes);
    let http = reqwest::Client::new();
    let verifier_url = |path: &str| format!("{}{path}", verifier.url.as_str().trim_end_matches('/'));
    let dir = stack.scratch.path("wallet").to_str().unwrap().to_owned();
    in_background(&["init", "--data-dir", &dir, "--registry", &stack.registry.nodes])
        .await
        .expect_code(0);

    // The university issues a diploma over OpenID4VCI; the wallet receives it.
    let offer = stack.offer("dc+sd-jwt").await;
    let diploma_id = offer["credential_id"].as_str().unwrap().to_owned();
    let out = in_background(&[
        "receive",
        offer["offer_uri"].as_str().unwrap(),
        "--tx-code",
        offer["tx_code"].as_str().unwrap(),
        "--data-dir",
        &dir,
        "--json",
    ])
    .await
    .expect_code(0);
    let received: Value = serde_json::from_str(&out.stdout).unwrap();
    let held = in_background(&[
        "show",
        received["id"].as_str().unwrap(),
        "--data-dir",
        &dir,
        "--json",
    ])
    .await
    .expect_code(0);
    let sd_jwt = serde_json::from_str::<Value>(&held.stdout).unwrap()["credential"]
        .as_str()
        .unwrap()
        .to_owned();

    // The wallet presents name and degree only; the employer accepts.
    let present = |http: reqwest::Client| {
        let dir = dir.clone();
        let base = verifier_url("");
        let state_url = verifier_url("/api/requests/");
        async move {
            let policy = json!({"policy": "diploma"});
            let created = sigil_tests::verifier_api::open_request(&http, &base, &policy).await;
            in_background(&[
                "present",
                created["request_uri"].as_str().unwrap(),
                "--data-dir",
                &dir,
                "--yes",
            ])
            .await
            .expect_code(0);
            let state: Value = http
                .get(format!("{state_url}{}", created["request_id"].as_str().unwrap()))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            state
        }
    };
    let state = present(http.clone()).await;
    assert_eq!(state["state"], "verified", "{state:#}");
    let seen = &state["outcome"]["report"]["claims"];
    assert_eq!(seen["name"], "Ada Lovelace");
    assert!(
        seen.get("studentId").is_none() && seen.get("dateOfBirth").is_none(),
        "{seen:#}"
    );

    // Revoked: the employer rejects it as soon as its verifier has read the registry again
    // (its answers may be up to a second old).
    let (status, _) = stack
        .api(&format!("/api/credentials/{diploma_id}/revoke"), &json!({}))
        .await;
    assert_eq!(status, 200);
    let rejected = until(|| {
        let present = present(http.clone());
        async move {
            let state = present.await;
            (state["state"] == "rejected").then_some(state)
        }
    })
    .await;
    assert!(rejected.is_some(), "the verifier never saw the revocation");

    if let Halfway::KillTheLeader = halfway {
        kill_the_leader(&mut stack).await;
    }

    // A second diploma, anchored, signed with key-1 — then a routine rotation to key-2.
    let offer = stack.offer("vc+jwt").await;
    let test_wallet = sigil_tests::wallet_client::TestWallet::new();
    let old_diploma = test_wallet
        .receive(
            offer["offer_uri"].as_str().unwrap(),
            offer["tx_code"].as_str().unwrap(),
        )
        .await;
    let (status, _) = stack.api("/api/anchors", &json!({})).await;
    assert_eq!(status, 200);
    let verify = |credential: Value| {
        let http = http.clone();
        let url = verifier_url("/api/verify");
        async move {
            let body = match credential {
                Value::String(text) => text,
                other => other.to_string(),
            };
            let report: Value = http
                .post(url)
                .body(body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            report
        }
    };
    let (status, rotated) = stack.api("/api/keys/rotate", &json!({})).await;
    assert_eq!(status, 200, "{rotated:#}");
    let offer = stack.offer("vc+jwt").await;
    let new_diploma = test_wallet
        .receive(
            offer["offer_uri"].as_str().unwrap(),
            offer["tx_code"].as_str().unwrap(),
        )
        .await;
    let header = sigil_core::jose::decode_unverified(new_diploma.as_str().unwrap()).unwrap();
    assert!(header.header_str("kid").unwrap().ends_with("#key-2"));
    // Once the verifier knows key-2, the new diploma verifies, and the old one still does.
    let seen_rotation = until(|| {
        let report = verify(new_diploma.clone());
        async move { (report.await["valid"] == true).then_some(()) }
    })
    .await;
    assert!(seen_rotation.is_some(), "the verifier never saw key-2");
    let report = verify(old_diploma.clone()).await;
    assert_eq!(
        report["valid"], true,
        "the old diploma still verifies: {report:#}"
    );

    // key-1 turns out to have been stolen: the university declares it compromised from T with
    // its cold key. A diploma forged with key-1 and dated after T is rejected; the anchored
    // one from before T is still accepted.
    until_the_clock_passes(now()).await;
    let t = now();
    let did = stack.university_did();
    let stolen = stack.university_key("keys/key-1.key");
    let cold = stack.university_cold_key();
    let registry = RegistryClient::for_nodes(&stack.registry.nodes.parse().unwrap());
    let next_cold = SigningKey::generate();
    let mut rotate = DidOperation::new(OperationKind::Rotate, now());
    rotate.did = Some(did.to_string());
    rotate.prev = Some(registry.latest_operation(&did).await.unwrap().unwrap().hash);
    rotate.controller_key = Some(cold.public_key().to_multikey());
    rotate.next_key_commitment = Some(digest::key_commitment(&next_cold.public_key().to_multikey()));
    rotate.compromised_methods = vec![Compromise {
        id: "key-1".into(),
        since: format_datetime(t),
    }];
    registry
        .submit(&sigil_core::transaction::Transaction::Did(
            rotate.sign(&cold).unwrap(),
        ))
        .await
        .unwrap();
    until_the_clock_passes(t).await;
    let subject = test_wallet.key.did_key();
    let forge = |key: SigningKey, fragment: &'static str| {
        let (stack, subject) = (&stack, &subject);
        async move {
            stack
                .diploma_signed_with(
                    &key,
                    fragment,
                    subject,
                    CredentialFormat::VcJwt,
                    (now(), None),
                    now(),
                )
                .await
        }
    };
    let forged = forge(stolen, "key-1").await;
    let report = until(|| {
        let report = verify(forged.clone());
        async move {
            let report = report.await;
            (report["valid"] == false).then_some(report)
        }
    })
    .await
    .unwrap_or_default();
    assert_eq!(report["valid"], false, "{report:#}");
    let failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "failed")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    // (key-1 was also retired by then, so signing_key fails too.)
    assert!(failed.contains(&"key_history"), "{report:#}");
    assert_eq!(verify(old_diploma).await["valid"], true, "anchored before T");

    // The university's DID is deactivated: what is signed from then on is rejected.
    let deactivated_at = now();
    let mut deactivate = DidOperation::new(OperationKind::Deactivate, deactivated_at);
    deactivate.did = Some(did.to_string());
    deactivate.prev = Some(registry.latest_operation(&did).await.unwrap().unwrap().hash);
    registry
        .submit(&sigil_core::transaction::Transaction::Did(
            deactivate.sign(&next_cold).unwrap(),
        ))
        .await
        .unwrap();
    until_the_clock_passes(deactivated_at).await;
    let after = forge(stack.university_key("keys/key-2.key"), "key-2").await;
    let refused = until(|| {
        let report = verify(after.clone());
        async move { (report.await["valid"] == false).then_some(()) }
    })
    .await;
    assert!(
        refused.is_some(),
        "a diploma signed after deactivation still verified"
    );

    // The wallet still holds the revoked SD-JWT diploma, as received.
    assert!(sd_jwt.contains('~'));
}
