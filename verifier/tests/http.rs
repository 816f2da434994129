//! The verifier's HTTP handlers, in-process: each request goes straight into `http::app`
//! through `tower::ServiceExt::oneshot`. The registry it reads is a real one, started in this
//! process on a loopback port; no binary is spawned and nothing waits on a clock.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sigil_core::issue::{CredentialFormat, CredentialRequest};
use sigil_core::key::SigningKey;
use sigil_core::model::CredentialType;
use sigil_core::time::now;
use sigil_verifier::config::DataDir;
use sigil_verifier::service::VerifierService;
use tower::ServiceExt as _;

const PASSPHRASE: &str = "in-process test passphrase";

/// The verifier's whole router, on a fresh data directory, reading `registry`.
async fn verifier(dir: &std::path::Path, registry: &url::Url) -> Router {
    let service = VerifierService::open(
        &DataDir(dir.join("verifier")),
        Some(&registry.clone().into()),
        Some("Example Employer"),
        None,
        PASSPHRASE,
    )
    .await
    .unwrap();
    sigil_verifier::http::app(Arc::new(service))
}

/// A diploma signed by a `did:key` university, as the JSON text a holder hands over.
async fn diploma(format: CredentialFormat) -> String {
    diploma_for(format, &SigningKey::generate(), now(), None).await
}

/// A diploma about `student`, valid from `valid_from` until `valid_until`.
async fn diploma_for(
    format: CredentialFormat,
    student: &SigningKey,
    valid_from: sigil_core::time::Timestamp,
    valid_until: Option<sigil_core::time::Timestamp>,
) -> String {
    let university = SigningKey::generate();
    let request = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
        issuer: university.did_key(),
        subject: Some(student.did_key()),
        claims: serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap(),
        valid_from,
        valid_until,
        status: None,
        schema: None,
        holder_key: Some(student.public_key()),
    };
    request
        .issue(format, &university, &university.did_key_method(), now())
        .await
        .unwrap()
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn post(app: &Router, path: &str, body: impl Into<Body>) -> (StatusCode, Value) {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap();
    let (status, text) = send(app, request).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn get(app: &Router, path: &str) -> (StatusCode, String) {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

fn failed_checks(report: &Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|check| check["outcome"] == "failed")
        .map(|check| check["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every format Sigil issues and verifies.
const EVERY_FORMAT: [CredentialFormat; 3] = [
    CredentialFormat::LdpVc,
    CredentialFormat::VcJwt,
    CredentialFormat::SdJwt,
];

#[tokio::test(flavor = "multi_thread")]
async fn a_genuine_diploma_is_valid_in_every_format_and_a_tampered_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    for format in EVERY_FORMAT {
        let (status, report) = post(&app, "/api/verify", diploma(format).await).await;
        assert_eq!(status, StatusCode::OK, "{format:?}: {report:#}");
        assert_eq!(report["valid"], true, "{report:#}");
    }

    let genuine: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc).await).unwrap();
    let (status, answer) = post(
        &app,
        "/credentials/verify",
        json!({"verifiableCredential": genuine, "options": {}}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    assert_eq!(answer["verified"], true);

    let mut tampered = genuine;
    tampered["credentialSubject"]["name"] = "Mallory".into();
    let (status, report) = post(&app, "/api/verify", tampered.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{report:#}");
    assert_eq!(report["valid"], false);
    assert_eq!(failed_checks(&report), vec!["proof".to_owned()], "{report:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unusable_input_is_answered_as_a_bad_request_and_too_much_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    for garbage in [
        "",
        "not a credential",
        "{\"type\": 1, \"type\": 2}",
        "[[[[",
        "eyJ.eyJ.x",
    ] {
        let (status, answer) = post(&app, "/api/verify", garbage).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{garbage:?}: {answer:#}");
        assert_eq!(
            answer["error"]["kind"], "unusable_input",
            "{garbage:?}: {answer:#}"
        );
    }
    let oversized = vec![b' '; sigil_verifier::http::MAX_BODY_BYTES + 1];
    let (status, _) = post(&app, "/api/verify", oversized).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (status, answer) = post(&app, "/api/requests", "{\"policy\": \"no-such-policy\"}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    let (status, _) = get(&app, "/api/requests/no-such-request").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_presentation_request_is_signed_by_the_verifier_and_waits_for_a_real_answer() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let (status, created) = post(&app, "/api/requests", "{\"policy\": \"diploma\"}").await;
    assert_eq!(status, StatusCode::CREATED, "{created:#}");
    let id = created["request_id"].as_str().unwrap().to_owned();
    let (status, state) = get(&app, &format!("/api/requests/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let state: Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["state"], "pending", "{state:#}");

    // The request object is a JWS signed with the key of the verifier's did:key.
    let (status, jwt) = get(&app, &format!("/requests/{id}/request.jwt")).await;
    assert_eq!(status, StatusCode::OK);
    let header = sigil_core::jose::decode_unverified(&jwt).unwrap();
    let kid = header.header_str("kid").unwrap().to_owned();
    assert!(kid.starts_with("did:key:"), "{kid}");

    // An answer that is no answer is refused, and the request stays open for the real one.
    let (status, refused) = send(
        &app,
        Request::post(format!("/requests/{id}/response"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("vp_token=garbage&state=whatever"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let (_, state) = get(&app, &format!("/api/requests/{id}")).await;
    let state: Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["state"], "pending", "{state:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pages_render_and_a_credential_pasted_into_the_form_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let (status, home) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Example Employer"), "{home}");
    let (status, form) = get(&app, "/verify").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("<form"), "{form}");
    let (status, _) = get(&app, "/requests/no-such-request").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Pasted into the form: the result page says so, and what a stranger wrote is escaped.
    let paste = |text: String| {
        let boundary = "sigil-test-boundary";
        Request::post("/verify")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"input\"\r\n\r\n{text}\r\n--{boundary}--\r\n"
            )))
            .unwrap()
    };
    let (status, page) = send(&app, paste(diploma(CredentialFormat::VcJwt).await)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Verified"), "{page}");
    let (status, page) = send(&app, paste("<script>alert(1)</script>".into())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_credential_scanned_from_paper_is_checked_and_a_garbled_code_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    for format in EVERY_FORMAT {
        let payload = sigil_core::paper::encode(&diploma(format).await);
        let (status, page) = get(&app, &format!("/P/{payload}")).await;
        assert_eq!(status, StatusCode::OK, "{format:?}: {page}");
        assert!(
            page.contains("Verified") && page.contains("Ada Lovelace"),
            "{page}"
        );
        // A scanner may lower the case of the whole address.
        let (status, _) = get(&app, &format!("/p/{}", payload.to_lowercase())).await;
        assert_eq!(status, StatusCode::OK);
    }
    // A registrar's paper diploma: a vc+jwt about no DID, bound to no key.
    let university = SigningKey::generate();
    let paper_copy = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
        issuer: university.did_key(),
        subject: None,
        claims: serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap(),
        valid_from: now(),
        valid_until: None,
        status: None,
        schema: None,
        holder_key: None,
    }
    .issue(
        CredentialFormat::VcJwt,
        &university,
        &university.did_key_method(),
        now(),
    )
    .await
    .unwrap();
    let (status, page) = get(&app, &format!("/P/{}", sigil_core::paper::encode(&paper_copy))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Verified") && page.contains("Ada Lovelace"),
        "{page}"
    );
    let (status, page) = get(&app, "/P/NOT-A-CODE").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("does not hold a credential"), "{page}");
    let tampered = sigil_core::paper::encode(&diploma(CredentialFormat::LdpVc).await.replace("Ada", "Eve"));
    let (status, page) = get(&app, &format!("/P/{tampered}")).await;
    assert_ne!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Not accepted"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pages_speak_the_browser_s_language_until_the_visitor_switches() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let chinese = |path: &str, cookie: Option<&str>| {
        let mut request = Request::get(path).header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9,en;q=0.5");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(Body::empty()).unwrap()
    };
    let response = app.clone().oneshot(chinese("/", None)).await.unwrap();
    assert_eq!(response.headers()[header::CONTENT_LANGUAGE], "zh-CN");
    let (_, home) = send(&app, chinese("/", None)).await;
    assert!(
        home.contains(r#"<html lang="zh-CN">"#) && home.contains("验证凭证"),
        "{home}"
    );
    assert!(home.contains(r#"href="?lang=en""#), "a switch to English: {home}");
    // A scanned paper diploma's result, with each check told in Chinese before its English detail.
    let payload = sigil_core::paper::encode(&diploma(CredentialFormat::VcJwt).await);
    let (_, result) = send(&app, chinese(&format!("/P/{payload}"), None)).await;
    assert!(
        result.contains("验证通过") && result.contains("签名有效"),
        "{result}"
    );
    assert!(
        result.contains(r#"<span class="muted small" lang="en">"#),
        "{result}"
    );

    let switched = app
        .clone()
        .oneshot(chinese("/verify?lang=en", None))
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    assert_eq!(switched.headers()[header::LOCATION], "/verify");
    let cookie = switched.headers()[header::SET_COOKIE].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap();
    let (_, form) = send(&app, chinese("/verify", Some(cookie))).await;
    assert!(
        form.contains(r#"<html lang="en">"#) && form.contains("Check a credential"),
        "{form}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_its_registry_the_verifier_gives_no_verdict_rather_than_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    // A port that was just free and is closed again: nothing answers there.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let app = verifier(
        dir.path(),
        &url::Url::parse(&format!("http://{closed}/")).unwrap(),
    )
    .await;
    let (status, answer) = post(&app, "/api/verify", diploma(CredentialFormat::VcJwt).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer:#}");
    assert_eq!(answer["error"]["kind"], "could_not_check", "{answer:#}");
}

#[tokio::test]
async fn a_client_posting_requests_past_its_limit_is_told_to_wait() {
    let dir = tempfile::tempdir().unwrap();
    let registry = sigil_tests::in_process::registry(dir.path()).await;
    let settings = sigil_verifier::config::ServiceSettings {
        writes_per_minute: 3,
        ..Default::default()
    };
    let service = VerifierService::open(
        &DataDir(dir.path().join("verifier")),
        Some(&registry.clone().into()),
        Some("Example Employer"),
        Some(settings),
        PASSPHRASE,
    )
    .await
    .unwrap();
    let app = sigil_verifier::http::app(Arc::new(service));
    let body = json!({"type": "UniversityDegreeCredential"}).to_string();
    for _ in 0..3 {
        let (status, answer) = post(&app, "/api/requests", body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{answer:#}");
    }
    let request = Request::post("/api/requests")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    let (status, _) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK, "reading is not limited");
}

/// `POST path` with `body` as JSON.
async fn vc_api(app: &Router, path: &str, body: &Value) -> (StatusCode, Value) {
    post(app, path, body.to_string()).await
}

fn check_ids(entries: &Value) -> Vec<String> {
    entries
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| entry["check"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_verify_answers_200_only_when_verified_and_400_with_the_report_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let genuine: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc).await).unwrap();
    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &json!({"verifiableCredential": genuine}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    assert_eq!(answer["verified"], true, "{answer:#}");
    assert!(
        answer["checks"].as_array().unwrap().contains(&json!("proof")),
        "{answer:#}"
    );
    assert_eq!(answer["errors"], json!([]), "{answer:#}");

    let mut tampered = genuine;
    tampered["credentialSubject"]["name"] = "Mallory".into();
    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &json!({"verifiableCredential": tampered}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert_eq!(answer["verified"], false, "{answer:#}");
    assert_eq!(
        check_ids(&answer["errors"]),
        vec!["proof".to_owned()],
        "{answer:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_verify_refuses_a_malformed_request_with_400_naming_the_fault() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let genuine: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc).await).unwrap();
    let (status, answer) = post(&app, "/credentials/verify", "not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    for (body, named) in [
        (json!({"credential": genuine}), "verifiableCredential"),
        (json!({"verifiableCredential": 7}), "verifiableCredential"),
        (
            json!({"verifiableCredential": genuine, "options": "all"}),
            "options",
        ),
        (
            json!({"verifiableCredential": genuine, "options": {"checks": "proof"}}),
            "checks",
        ),
        (
            json!({"verifiableCredential": genuine, "options": {"checks": ["proof", "astrology"]}}),
            "astrology",
        ),
        (
            json!({"verifiableCredential": genuine, "options": {"challenge": 7}}),
            "challenge",
        ),
        (
            json!({"verifiableCredential": genuine, "options": {"requireAccreditation": "yes"}}),
            "requireAccreditation",
        ),
        (
            json!({"verifiableCredential": genuine, "options": {"expectedColour": "red"}}),
            "expectedColour",
        ),
    ] {
        let (status, answer) = vc_api(&app, "/credentials/verify", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer:#}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{body}: {message}");
    }
    let (status, answer) = vc_api(
        &app,
        "/presentations/verify",
        &json!({"verifiablePresentation": genuine, "options": {"challenge": "c1", "domain": "d"}}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a credential is not a presentation: {answer:#}"
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("VerifiablePresentation")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_verify_refuses_a_credential_sent_as_a_json_string_and_opens_its_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let jwt = diploma(CredentialFormat::VcJwt).await;
    let (status, answer) = vc_api(&app, "/credentials/verify", &json!({"verifiableCredential": jwt})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("EnvelopedVerifiableCredential"),
        "{answer:#}"
    );

    let enveloped = sigil_core::jose::envelope(&jwt);
    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &json!({"verifiableCredential": enveloped}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    assert_eq!(answer["verified"], true, "{answer:#}");

    let mut forged = enveloped.clone();
    forged["id"] = format!("data:application/vc+jwt,{}x", jwt).into();
    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &json!({"verifiableCredential": forged}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert_eq!(answer["verified"], false, "{answer:#}");

    let mut mdoc = enveloped;
    mdoc["id"] = "data:application/mdoc,AAAA".into();
    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &json!({"verifiableCredential": mdoc}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer:#}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("application/mdoc")
    );
}

/// A did:key diploma whose status list lives at a host nobody can reach.
async fn diploma_with_unreachable_status() -> Value {
    let university = SigningKey::generate();
    let student = SigningKey::generate();
    let request = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
        issuer: university.did_key(),
        subject: Some(student.did_key()),
        claims: serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap(),
        valid_from: now() - chrono::Duration::days(1),
        valid_until: None,
        status: Some(json!({
            "id": "https://status.invalid/lists/1#7",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://status.invalid/lists/1"
        })),
        schema: None,
        holder_key: Some(student.public_key()),
    };
    let signed = request
        .issue(
            CredentialFormat::LdpVc,
            &university,
            &university.did_key_method(),
            now(),
        )
        .await
        .unwrap();
    serde_json::from_str(&signed).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_status_left_out_of_options_checks_is_not_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let credential = diploma_with_unreachable_status().await;

    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &json!({"verifiableCredential": credential}),
    )
    .await;
    assert_ne!(
        status,
        StatusCode::OK,
        "an unreadable status list cannot verify: {answer:#}"
    );

    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &json!({"verifiableCredential": credential, "options": {"checks": ["proof"]}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    assert_eq!(answer["verified"], true, "{answer:#}");
    assert!(
        answer["notRequested"]
            .as_array()
            .unwrap()
            .contains(&json!("status")),
        "{answer:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_options_checks_decide_which_checks_count_and_name_the_ones_not_requested() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let day = chrono::Duration::days(1);
    let expired: Value = serde_json::from_str(
        &diploma_for(
            CredentialFormat::LdpVc,
            &SigningKey::generate(),
            now() - day * 2,
            Some(now() - day),
        )
        .await,
    )
    .unwrap();

    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &json!({"verifiableCredential": expired}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "every check counts by default: {answer:#}"
    );
    assert_eq!(
        check_ids(&answer["errors"]),
        vec!["validity".to_owned()],
        "{answer:#}"
    );

    let only_proof = json!({"verifiableCredential": expired, "options": {"checks": ["proof"]}});
    let (status, answer) = vc_api(&app, "/credentials/verify", &only_proof).await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    assert_eq!(answer["verified"], true, "{answer:#}");
    assert!(
        check_ids(&answer["warnings"]).contains(&"validity".to_owned()),
        "{answer:#}"
    );
    assert_eq!(
        answer["notRequested"],
        json!(["status", "validity", "trust"]),
        "{answer:#}"
    );

    let with_expiration =
        json!({"verifiableCredential": expired, "options": {"checks": ["proof", "expiration"]}});
    let (status, answer) = vc_api(&app, "/credentials/verify", &with_expiration).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert_eq!(
        check_ids(&answer["errors"]),
        vec!["validity".to_owned()],
        "{answer:#}"
    );
    assert_eq!(answer["notRequested"], json!(["status", "trust"]), "{answer:#}");

    // The signature counts whatever is asked: a tampered credential never verifies.
    let mut tampered = expired;
    tampered["credentialSubject"]["name"] = "Mallory".into();
    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &json!({"verifiableCredential": tampered, "options": {"checks": []}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert!(
        check_ids(&answer["errors"]).contains(&"proof".to_owned()),
        "{answer:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_presentations_are_verified_against_the_callers_challenge_and_domain() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let student = SigningKey::generate();
    let credential: Value =
        serde_json::from_str(&diploma_for(CredentialFormat::LdpVc, &student, now(), None).await).unwrap();
    let presentation = sigil_core::issue::data_integrity_presentation(
        vec![credential],
        &student.did_key(),
        &student,
        &student.did_key_method(),
        "challenge-1",
        "employer.example",
        now(),
    )
    .await
    .unwrap();
    let body = |challenge: &str, domain: &str| {
        json!({
            "verifiablePresentation": presentation,
            "options": {"challenge": challenge, "domain": domain, "requireHolderBinding": true},
        })
    };
    let (status, answer) = vc_api(
        &app,
        "/presentations/verify",
        &body("challenge-1", "employer.example"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    assert_eq!(answer["verified"], true, "{answer:#}");

    for (challenge, domain) in [
        ("challenge-2", "employer.example"),
        ("challenge-1", "elsewhere.example"),
    ] {
        let (status, answer) = vc_api(&app, "/presentations/verify", &body(challenge, domain)).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{challenge} {domain}: {answer:#}"
        );
        assert_eq!(answer["verified"], false, "{answer:#}");
    }

    let (status, answer) = vc_api(
        &app,
        "/presentations/verify",
        &json!({"verifiablePresentation": "eyJhbGciOiJFZERTQSJ9.e30.c2ln"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("EnvelopedVerifiablePresentation"),
        "{answer:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_credential_verify_fails_a_challenge_or_a_proof_purpose_a_credential_cannot_meet() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let genuine: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc).await).unwrap();
    let with_options = |options: Value| json!({"verifiableCredential": genuine, "options": options});

    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &with_options(json!({"expectedProofPurpose": "assertionMethod"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");

    let (status, answer) = vc_api(
        &app,
        "/credentials/verify",
        &with_options(json!({"expectedProofPurpose": "authentication"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert_eq!(answer["verified"], false, "{answer:#}");
    assert_eq!(
        check_ids(&answer["errors"]),
        vec!["proof".to_owned()],
        "{answer:#}"
    );

    // A challenge or a domain asks for a presentation; a bare credential cannot answer it.
    for options in [
        json!({"challenge": "1235abcd6789"}),
        json!({"domain": "domain.example"}),
    ] {
        let (status, answer) = vc_api(&app, "/credentials/verify", &with_options(options.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{options}: {answer:#}");
        assert_eq!(answer["verified"], false, "{options}: {answer:#}");
    }
}
