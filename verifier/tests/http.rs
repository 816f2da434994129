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
        Some(registry),
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
    let university = SigningKey::generate();
    let student = SigningKey::generate();
    let request = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
        issuer: university.did_key(),
        subject: student.did_key(),
        claims: serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap(),
        valid_from: now(),
        valid_until: None,
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

#[tokio::test(flavor = "multi_thread")]
async fn a_genuine_diploma_is_valid_in_every_format_and_a_tampered_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    for format in [
        CredentialFormat::LdpVc,
        CredentialFormat::VcJwt,
        CredentialFormat::SdJwt,
    ] {
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
        Some(&registry),
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
