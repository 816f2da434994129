//! The wallet's local web UI, as a browser without JavaScript uses it: unlock with the
//! passphrase, receive an offer by pasting its link, see it as a card, answer a verifier's
//! request on the consent page choosing which claims to share, read the history, export a
//! backup, lock. Forms without the session's CSRF token are refused.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::{Value, json};
use sigil_tests::browser::Browser;
use sigil_tests::stack::Stack;
use sigil_tests::verifier_api;
use sigil_tests::wait::until;
use sigil_tests::{TEST_PASSPHRASE, VerifierProcess, WalletUiProcess, binary, run};

#[tokio::test(flavor = "multi_thread")]
async fn a_student_uses_the_wallet_in_the_browser() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let verifier = VerifierProcess::start(&stack.scratch.path("verifier"), &stack.registry.url);
    let dir = stack.scratch.path("wallet");
    run(std::process::Command::new(binary("sigil-wallet"))
        .args([
            "init",
            "--allow-insecure-targets",
            "--registry",
            stack.registry.url.as_str(),
            "--data-dir",
        ])
        .arg(&dir)
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE))
    .expect_code(0);
    let ui = WalletUiProcess::start(&dir);
    let mut browser = Browser::new(&ui.url);

    // Locked until the passphrase is given in the browser, on the form it was given (whose
    // token is also in a cookie); a second guess waits for the back-off to pass.
    assert_eq!(browser.get("/").await.0, 303);
    let unlock_csrf = browser.open_form("/unlock").await;
    let wrong = browser
        .post("/unlock", &[("csrf", &unlock_csrf), ("passphrase", "not it")])
        .await;
    assert_eq!(wrong.status().as_u16(), 401);
    assert!(wrong.text().await.unwrap().contains("wrong passphrase"));
    let (patient, unlock_csrf) = (&browser, unlock_csrf.as_str());
    let unlocked = until(|| async move {
        let answer = patient
            .post(
                "/unlock",
                &[("csrf", unlock_csrf), ("passphrase", TEST_PASSPHRASE)],
            )
            .await;
        (answer.status().as_u16() != 429).then_some(answer)
    })
    .await
    .unwrap();
    assert_eq!(unlocked.status().as_u16(), 303);
    let cookie = unlocked.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    browser.keep_cookie(&unlocked);
    let (_, empty) = browser.get("/").await;
    assert!(empty.contains("No credentials yet"));

    // Receive by pasting the offer link and the PIN.
    let offer = stack.offer("dc+sd-jwt").await;
    let csrf = browser.csrf("/receive").await;
    let forged = browser
        .post(
            "/receive",
            &[
                ("csrf", "forged"),
                ("offer", offer["offer_uri"].as_str().unwrap()),
                ("pin", "000000"),
            ],
        )
        .await;
    assert_eq!(forged.status().as_u16(), 403);
    let received = browser
        .post(
            "/receive",
            &[
                ("csrf", &csrf),
                ("offer", offer["offer_uri"].as_str().unwrap()),
                ("pin", offer["tx_code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(received.status().as_u16(), 303);
    let (_, cards) = browser.get("/").await;
    assert!(
        cards.contains("Bachelor of Science in Mathematics") && cards.contains("Example University"),
        "{cards}"
    );
    assert!(cards.contains(">Valid<"), "{cards}");
    let detail = received.headers()["location"].to_str().unwrap().to_owned();
    let (_, detail) = browser.get(&detail).await;
    assert!(
        detail.contains("Ada Lovelace") && detail.contains("Signature"),
        "{detail}"
    );

    // A verifier asks for name and degree: the consent page lists every claim, ticked where
    // asked; the holder shares those two.
    let policy = json!({"policy": "diploma"});
    let created = verifier_api::open_request(&reqwest::Client::new(), verifier.url.as_str(), &policy).await;
    let request_uri = created["request_uri"].as_str().unwrap();
    let encoded: String = url::form_urlencoded::byte_serialize(request_uri.as_bytes()).collect();
    let (_, form) = browser.get(&format!("/present?request={encoded}")).await;
    assert!(form.contains(r#"method="post" action="/present""#), "{form}");
    let csrf = browser.csrf("/present").await;
    let consent = browser
        .post("/present", &[("csrf", &csrf), ("request", request_uri)])
        .await;
    assert_eq!(consent.status().as_u16(), 200);
    let consent = consent.text().await.unwrap();
    assert!(consent.contains("Development setting"), "{consent}");
    assert!(consent.contains("Accredited as a verifier for"), "{consent}");
    assert!(consent.contains("Ministry of Education"), "{consent}");
    assert!(
        consent.contains("You have not presented to this verifier before"),
        "{consent}"
    );
    assert!(consent.contains("Example Employer"), "{consent}");
    assert!(consent.contains(r#"value="sd:name" checked"#), "{consent}");
    assert!(consent.contains(r#"value="sd:studentId">"#), "{consent}");
    let pending = consent
        .split("/present/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let csrf = browser.csrf("/present").await;
    let shared = browser
        .post(
            &format!("/present/{pending}"),
            &[
                ("csrf", &csrf),
                ("claim", "sd:name"),
                ("claim", "sd:degree"),
                ("decision", "share"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(shared.contains("Shared with Example Employer"), "{shared}");
    let state: Value = reqwest::get(format!(
        "{}api/requests/{}",
        verifier.url,
        created["request_id"].as_str().unwrap()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(state["state"], "verified", "{state:#}");
    assert!(state["outcome"]["report"]["claims"].get("studentId").is_none());

    let (_, history) = browser.get("/history").await;
    assert!(
        history.contains("presented") && history.contains("Example Employer"),
        "{history}"
    );
    assert!(
        history.contains("Full name") && !history.contains("<td>name"),
        "the shared claims labelled as the issuer names them: {history}"
    );

    // Export: the backup is sealed under the passphrase.
    let csrf = browser.csrf("/backup").await;
    let backup = browser
        .post(
            "/backup/export",
            &[("csrf", &csrf), ("passphrase", TEST_PASSPHRASE)],
        )
        .await;
    assert_eq!(backup.status().as_u16(), 200);
    let backup = backup.text().await.unwrap();
    assert!(backup.contains("sigil-encrypted-data/1") && !backup.contains("Lovelace"));

    // Lock: the session is over.
    let csrf = browser.csrf("/").await;
    assert_eq!(
        browser.post("/lock", &[("csrf", &csrf)]).await.status().as_u16(),
        303
    );
    assert_eq!(browser.get("/").await.0, 303);
}
