//! `sigil-wallet` against a real registry and issuer: a student's wallet receives a diploma
//! over OpenID4VCI from the command line, lists and shows it; a credential revoked before it
//! was collected is refused; a wrong passphrase keeps the wallet locked; a backup restores
//! the wallet elsewhere.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::{Value, json};
use sigil_tests::stack::Stack;
use sigil_tests::{Outcome, TEST_PASSPHRASE, binary, run};

fn wallet(args: &[&str]) -> Outcome {
    run(std::process::Command::new(binary("sigil-wallet"))
        .args(args)
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE)
        .env("SIGIL_ALLOW_INSECURE_TARGETS", "true"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_student_receives_lists_shows_and_backs_up_a_diploma() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let dir = stack.scratch.path("wallet");
    let dir = dir.to_str().unwrap().to_owned();
    let registry = stack.registry.url.to_string();
    let did = wallet(&["init", "--data-dir", &dir, "--registry", &registry])
        .expect_code(0)
        .stdout
        .trim()
        .to_owned();
    assert!(did.starts_with("did:key:z6Mk"), "{did}");

    for format in ["ldp_vc", "dc+sd-jwt"] {
        let offer = stack.offer(format).await;
        let out = tokio::task::spawn_blocking({
            let dir = dir.clone();
            let uri = offer["offer_uri"].as_str().unwrap().to_owned();
            let pin = offer["tx_code"].as_str().unwrap().to_owned();
            move || wallet(&["receive", &uri, "--tx-code", &pin, "--data-dir", &dir, "--json"])
        })
        .await
        .unwrap()
        .expect_code(0);
        let received: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(received["issuer_name"], "Example University");
        assert!(
            received["accreditation"].as_str().unwrap().contains("accredited"),
            "{received:#}"
        );
        assert_eq!(received["claims"]["name"], "Ada Lovelace");
    }

    let listed: Value = serde_json::from_str(
        &wallet(&["list", "--data-dir", &dir, "--json"])
            .expect_code(0)
            .stdout,
    )
    .unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let shown: Value = serde_json::from_str(
        &wallet(&["show", &id, "--data-dir", &dir, "--json"])
            .expect_code(0)
            .stdout,
    )
    .unwrap();
    assert_eq!(
        shown["claims"]["degree"]["name"],
        "Bachelor of Science in Mathematics"
    );
    assert!(
        shown["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "status" && c["outcome"] == "passed")
    );

    // Stored sealed: the database never holds the claims in the clear.
    let database = std::fs::read(stack.scratch.path("wallet/wallet.db")).unwrap();
    let text = String::from_utf8_lossy(&database);
    assert!(!text.contains("Ada Lovelace") && !text.contains("S-1815-042"));

    // A wrong passphrase is a clear error.
    let locked = run(std::process::Command::new(binary("sigil-wallet"))
        .args(["list", "--data-dir", &dir])
        .env("SIGIL_PASSPHRASE", "not the passphrase"));
    assert_eq!(locked.code, Some(1));
    assert!(locked.stderr.contains("wrong passphrase"), "{}", locked.stderr);

    // A credential revoked before it is collected is withdrawn: nothing is signed, and the
    // wallet says why.
    let offer = stack.offer("vc+jwt").await;
    let (status, _) = stack
        .api(
            &format!(
                "/api/credentials/{}/revoke",
                offer["credential_id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let refused = tokio::task::spawn_blocking({
        let dir = dir.clone();
        let uri = offer["offer_uri"].as_str().unwrap().to_owned();
        let pin = offer["tx_code"].as_str().unwrap().to_owned();
        move || wallet(&["receive", &uri, "--tx-code", &pin, "--data-dir", &dir])
    })
    .await
    .unwrap();
    assert_eq!(refused.code, Some(1));
    assert!(
        refused.stderr.contains("the issuer withdrew this offer"),
        "{}",
        refused.stderr
    );
    let listed: Value = serde_json::from_str(
        &wallet(&["list", "--data-dir", &dir, "--json"])
            .expect_code(0)
            .stdout,
    )
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);

    // A wrong PIN is the issuer's refusal, said plainly.
    let offer = stack.offer("ldp_vc").await;
    let wrong_pin = tokio::task::spawn_blocking({
        let dir = dir.clone();
        let uri = offer["offer_uri"].as_str().unwrap().to_owned();
        move || wallet(&["receive", &uri, "--tx-code", "999999x", "--data-dir", &dir])
    })
    .await
    .unwrap();
    assert!(wrong_pin.stderr.contains("invalid_grant"), "{}", wrong_pin.stderr);

    // Backup and restore elsewhere; the history comes along.
    let backup = stack.scratch.path("wallet.backup");
    let backup = backup.to_str().unwrap();
    wallet(&["export", "--data-dir", &dir, "--to", backup]).expect_code(0);
    assert!(!std::fs::read_to_string(backup).unwrap().contains("Lovelace"));
    let restored = stack.scratch.path("restored");
    let restored = restored.to_str().unwrap();
    let wrong = run(std::process::Command::new(binary("sigil-wallet"))
        .args(["import", "--data-dir", restored, "--from", backup])
        .env("SIGIL_PASSPHRASE", "not the passphrase"));
    assert!(wrong.stderr.contains("wrong passphrase"), "{}", wrong.stderr);
    wallet(&["import", "--data-dir", restored, "--from", backup]).expect_code(0);
    let listed: Value = serde_json::from_str(
        &wallet(&["list", "--data-dir", restored, "--json"])
            .expect_code(0)
            .stdout,
    )
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let shown: Value = serde_json::from_str(
        &wallet(&["show", &id, "--data-dir", restored, "--json"])
            .expect_code(0)
            .stdout,
    )
    .unwrap();
    assert_eq!(shown["claims"]["name"], "Ada Lovelace");
    let history: Value = serde_json::from_str(
        &wallet(&["history", "--data-dir", restored, "--json"])
            .expect_code(0)
            .stdout,
    )
    .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);

    wallet(&["delete", &id, "--data-dir", &dir]).expect_code(0);
    let listed: Value = serde_json::from_str(
        &wallet(&["list", "--data-dir", &dir, "--json"])
            .expect_code(0)
            .stdout,
    )
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_development_setting_an_offer_on_this_computer_is_refused() {
    let scratch = sigil_tests::Scratch::new();
    let dir = scratch.path("wallet");
    let dir = dir.to_str().unwrap();
    let strict = |args: &[&str]| {
        run(std::process::Command::new(binary("sigil-wallet"))
            .args(args)
            .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE)
            .env_remove("SIGIL_ALLOW_INSECURE_TARGETS"))
    };
    strict(&["init", "--data-dir", dir]).expect_code(0);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let offer = format!(
        "openid-credential-offer://?credential_offer_uri=http%3A%2F%2F{}%2Foffers%2F1",
        listener.local_addr().unwrap()
    );
    let refused = strict(&["receive", &offer, "--data-dir", dir]);
    assert_eq!(refused.code, Some(1));
    assert!(refused.stderr.contains("https only"), "{}", refused.stderr);
    // Allowed by the flag, the wallet goes there (and finds nobody listening).
    drop(listener);
    let allowed = strict(&["receive", &offer, "--data-dir", dir, "--allow-insecure-targets"]);
    assert_ne!(allowed.code, Some(0));
    assert!(!allowed.stderr.contains("https only"), "{}", allowed.stderr);
    assert!(
        allowed.stderr.contains("allow_insecure_targets is on"),
        "{}",
        allowed.stderr
    );
}
