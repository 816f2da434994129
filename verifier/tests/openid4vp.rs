//! The verifier's OpenID4VP endpoints in-process, for requests of several credentials and
//! the same-device flow: the answer to a wallet's `direct_post` names the request's result
//! page with a fresh response code, the page refuses another code, and an answer to part of a
//! required credential set is recorded as rejected with the reason. Each request goes straight
//! into `http::app`; the registry is a real one, started in this process on a loopback port.

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

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn get(app: &Router, path: &str) -> (StatusCode, String) {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

/// Opens a request for `dcql_query`: its id and the `state` its signed request object carries.
async fn open(app: &Router, dcql_query: Value) -> (String, String) {
    let (status, created) = send(
        app,
        Request::post("/api/requests")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "dcql_query": dcql_query }).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let created: Value = serde_json::from_str(&created).unwrap();
    let id = created["request_id"].as_str().unwrap().to_owned();
    let (_, jwt) = get(app, &format!("/requests/{id}/request.jwt")).await;
    let object = sigil_core::jose::decode_unverified(&jwt).unwrap().payload;
    assert_eq!(
        object["dcql_query"], dcql_query,
        "the query is asked as it was sent"
    );
    (id, object["state"].as_str().unwrap().to_owned())
}

/// Posts a wallet's `direct_post` form to request `id`.
async fn respond(app: &Router, id: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let (status, text) = send(
        app,
        Request::post(format!("/requests/{id}/response"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn state(app: &Router, id: &str) -> Value {
    let (_, text) = get(app, &format!("/api/requests/{id}")).await;
    serde_json::from_str(&text).unwrap()
}

/// A bachelor's and a master's degree, both required.
fn two_degrees() -> Value {
    let degree = "https://w3id.org/sigil/vocab#UniversityDegreeCredential";
    json!({
        "credentials": [
            {"id": "bachelor", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
             "claims": [{"path": ["credentialSubject", "degree", "type"], "values": ["BachelorDegree"]}]},
            {"id": "master", "format": "dc+sd-jwt",
             "meta": {"vct_values": ["https://w3id.org/sigil/types/UniversityDegreeCredential"]},
             "claims": [{"path": ["degree", "type"], "values": ["MasterDegree"]}]}
        ],
        "credential_sets": [{"options": [["bachelor", "master"]]}]
    })
}

/// The path and query of a URL the verifier gave, to send to the router.
fn path_of(url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wallet_is_sent_back_to_a_result_page_that_only_its_response_code_opens() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let (id, request_state) = open(&app, two_degrees()).await;

    let (status, answer) = respond(
        &app,
        &id,
        &[
            ("error", "access_denied"),
            ("error_description", "the holder declined to share"),
            ("state", &request_state),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    let redirect = answer["redirect_uri"].as_str().unwrap();
    assert!(
        redirect.contains(&format!("/requests/{id}?response_code=")),
        "{redirect}"
    );

    let (status, page) = get(&app, &path_of(redirect)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("The holder declined to share"), "{page}");

    let (status, page) = get(&app, &format!("/requests/{id}?response_code=guessed")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        page.contains("not the one the verifier gave the wallet"),
        "{page}"
    );
    let (status, _) = get(&app, &format!("/requests/{id}?response_code=")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an empty code opens nothing");

    // The page the relying party watches (cross-device) needs no code.
    let (status, page) = get(&app, &format!("/requests/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("The holder declined to share"), "{page}");

    // A pending request has no response code yet: no code opens its page that way.
    let (pending, _) = open(&app, two_degrees()).await;
    let code = redirect.split("response_code=").nth(1).unwrap();
    let (status, _) = get(&app, &format!("/requests/{pending}?response_code={code}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "one request's code opens no other");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_to_part_of_a_required_credential_set_is_rejected_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let app = verifier(dir.path(), &sigil_tests::in_process::registry(dir.path()).await).await;
    let (id, request_state) = open(&app, two_degrees()).await;

    // A presentation for an id the request does not have is no answer: the request stays open.
    let stranger = json!({"diploma": ["eyJ.x.y~"]}).to_string();
    let (status, refused) = respond(&app, &id, &[("vp_token", &stranger), ("state", &request_state)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused:#}");
    assert!(
        refused["error_description"]
            .as_str()
            .unwrap()
            .contains("\"diploma\", which the request does not ask for"),
        "{refused:#}"
    );
    assert_eq!(state(&app, &id).await["state"], "pending");

    // Only the bachelor's degree: the required set needs both.
    let half = json!({"bachelor": [{"type": ["VerifiablePresentation"]}]}).to_string();
    let (status, answer) = respond(&app, &id, &[("vp_token", &half), ("state", &request_state)]).await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    assert!(answer["redirect_uri"].is_string());
    let recorded = state(&app, &id).await;
    assert_eq!(recorded["state"], "rejected", "{recorded:#}");
    assert_eq!(
        recorded["outcome"]["reason"],
        "the presentations do not answer the request: required credential set 0 is not answered: \
         it needs bachelor and master"
    );
    assert_eq!(recorded["outcome"]["presentations"][0]["query_id"], "bachelor");

    let (_, page) = get(&app, &format!("/requests/{id}")).await;
    assert!(
        page.contains("required credential set 0 is not answered") && page.contains("<code>bachelor</code>"),
        "{page}"
    );

    // Answered once: a second answer is refused.
    let (status, _) = respond(&app, &id, &[("vp_token", &half), ("state", &request_state)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
