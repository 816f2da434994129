//! Issuer profiles, in-process: the VC API signs as a profile's `did:key` on the profile's
//! endpoint or when the credential's `issuer` names it, and what it signs verifies with no
//! registry at all; unknown profiles and DIDs are refused; the portal names the signer.

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
use sigil_issuer::institution::{self, Institution};
use sigil_issuer::service::Issuer;
use tower::ServiceExt as _;

const PASSPHRASE: &str = "in-process profile test passphrase";

/// An institution on a fresh registry with the profile `w3c`: its router, an API token, the
/// institution's DID and the profile's DID.
struct University {
    dir: tempfile::TempDir,
    app: Router,
    token: String,
    did: String,
    profile_did: String,
}

async fn university() -> University {
    let dir = tempfile::tempdir().unwrap();
    let registry = sigil_tests::in_process::registry(dir.path()).await;
    let institution = Institution {
        data_dir: dir.path().join("university"),
    };
    let did = institution::init(
        &institution,
        &registry.clone().into(),
        "Example University",
        PASSPHRASE,
        sigil_core::time::now(),
        &dir.path().join("university.next.key"),
    )
    .await
    .unwrap();
    let profile_did = sigil_issuer::profiles::add(&institution, "w3c", PASSPHRASE).unwrap();
    let issuer = Issuer::open(institution, None, PASSPHRASE).await.unwrap();
    let token = sigil_issuer::accounts::create_token(&issuer.store, "tests")
        .await
        .unwrap();
    University {
        dir,
        app: sigil_issuer::http::app(Arc::new(issuer)),
        token,
        did: did.to_string(),
        profile_did: profile_did.to_string(),
    }
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&body).into_owned();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn api(path: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::from(body.to_string())).unwrap()
}

fn diploma() -> Value {
    let mut claims: Value = serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    claims["id"] = sigil_core::key::SigningKey::generate()
        .did_key()
        .to_string()
        .into();
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/sigil/contexts/v1"],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "credentialSubject": claims,
    })
}

/// Verifies `issued` (JSON, or the JWT inside an envelope) as a party that resolves only
/// `did:key` would: an offline resolver, no registry, no status lists.
async fn verify_offline(issued: &Value) -> sigil_core::verify::VerificationReport {
    let resolver = sigil_core::did::StandardResolver::offline();
    let verifier = sigil_core::verify::Verifier::new(&resolver);
    let input = match sigil_core::model::presentation::envelope_contents(issued) {
        Some((_, jwt)) => jwt.to_owned(),
        None => issued.to_string(),
    };
    verifier
        .verify(&input, &sigil_core::verify::Expectations::default())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_endpoint_signs_as_the_did_key_and_it_verifies_without_the_registry() {
    let university = university().await;
    for options in [
        json!({}),
        json!({"cryptosuite": "eddsa-jcs-2022"}),
        json!({"format": "vc+jwt"}),
    ] {
        let (status, answer) = send(
            &university.app,
            api(
                "/profiles/w3c/credentials/issue",
                Some(&university.token),
                &json!({"credential": diploma(), "options": options}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{options}: {answer:#}");
        let issued = &answer["verifiableCredential"];
        let report = verify_offline(issued).await;
        assert!(report.valid, "{options}: {report:#?}");
        assert_eq!(report.issuer.as_deref(), Some(university.profile_did.as_str()));
        if options.get("format").is_none() {
            assert_eq!(issued["issuer"], university.profile_did.as_str());
            assert!(
                issued["proof"]["verificationMethod"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{}#", university.profile_did)),
                "{issued:#}"
            );
            assert!(issued.get("credentialStatus").is_none(), "{issued:#}");

            let mut tampered = issued.clone();
            tampered["credentialSubject"]["name"] = "Ada Lovelacf".into();
            assert!(
                !verify_offline(&tampered).await.valid,
                "one changed character must fail"
            );
        }
    }

    // What the institution signs needs the registry: the same offline verifier cannot check it
    // (it answers that it could not, or that the credential is not valid).
    let (status, answer) = send(
        &university.app,
        api(
            "/credentials/issue",
            Some(&university.token),
            &json!({"credential": diploma()}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer:#}");
    assert_eq!(answer["verifiableCredential"]["issuer"], university.did.as_str());
    let resolver = sigil_core::did::StandardResolver::offline();
    let checked = sigil_core::verify::Verifier::new(&resolver)
        .verify(
            &answer["verifiableCredential"].to_string(),
            &sigil_core::verify::Expectations::default(),
        )
        .await;
    assert!(
        !matches!(checked, Ok(report) if report.valid),
        "a did:sigil credential cannot be checked without the registry"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_credentials_issuer_chooses_the_identity_and_unknown_ones_are_refused() {
    let university = university().await;
    let issue = |credential: Value| {
        api(
            "/credentials/issue",
            Some(&university.token),
            &json!({"credential": credential}),
        )
    };
    let profile_did = university.profile_did.as_str();
    for named in [
        json!(profile_did),
        json!({"id": profile_did, "name": "W3C test profile"}),
    ] {
        let mut credential = diploma();
        credential["issuer"] = named.clone();
        let (status, answer) = send(&university.app, issue(credential)).await;
        assert_eq!(status, StatusCode::CREATED, "{named}: {answer:#}");
        let issued = &answer["verifiableCredential"];
        assert_eq!(issued["issuer"], named, "the caller's issuer is kept as given");
        assert!(issued.get("credentialStatus").is_none(), "{issued:#}");
        assert!(verify_offline(issued).await.valid, "{issued:#}");
    }

    let mut credential = diploma();
    credential["issuer"] = university.did.as_str().into();
    let (status, answer) = send(&university.app, issue(credential)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer:#}");
    assert!(
        answer["verifiableCredential"]["credentialStatus"].is_array(),
        "the institution keeps its status entries: {answer:#}"
    );

    let stranger = sigil_core::key::SigningKey::generate().did_key().to_string();
    for named in [json!(stranger), json!({"id": stranger})] {
        let mut credential = diploma();
        credential["issuer"] = named.clone();
        let (status, answer) = send(&university.app, issue(credential)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{named}: {answer:#}");
        let message = answer.to_string();
        assert!(
            message.contains(&university.did) && message.contains(profile_did),
            "{message}"
        );
    }
    let mut credential = diploma();
    credential["issuer"] = json!({"name": "an issuer without an id"});
    let (status, answer) = send(&university.app, issue(credential)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_are_found_by_name_behind_the_token_and_refuse_status_and_other_issuers() {
    let university = university().await;
    let body = json!({"credential": diploma()});
    let (status, _) = send(
        &university.app,
        api("/profiles/w3c/credentials/issue", None, &body),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        &university.app,
        api("/profiles/nobody/credentials/issue", None, &body),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no token learns which profiles exist"
    );
    let (status, answer) = send(
        &university.app,
        api(
            "/profiles/nobody/credentials/issue",
            Some(&university.token),
            &body,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer:#}");

    let mut credential = diploma();
    credential["issuer"] = university.did.as_str().into();
    let (status, answer) = send(
        &university.app,
        api(
            "/profiles/w3c/credentials/issue",
            Some(&university.token),
            &json!({"credential": credential}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");

    let status_request = json!({"type": "BitstringStatusListEntry", "statusPurpose": "revocation"});
    let (status, answer) = send(
        &university.app,
        api(
            "/profiles/w3c/credentials/issue",
            Some(&university.token),
            &json!({"credential": diploma(), "options": {"credentialStatus": status_request}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert!(answer.to_string().contains("no status entries"), "{answer:#}");

    // Every validation of the institution's endpoint holds on a profile's too.
    let mut empty_subject = diploma();
    empty_subject["credentialSubject"] = json!({});
    let (status, answer) = send(
        &university.app,
        api(
            "/profiles/w3c/credentials/issue",
            Some(&university.token),
            &json!({"credential": empty_subject}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
}

/// Signs `registrar` in; returns the session cookie and the form token of a portal page.
async fn portal_session(university: &University) -> String {
    let store = sigil_issuer::store::Store::open(&university.dir.path().join("university").join("issuer.db"))
        .await
        .unwrap();
    sigil_issuer::accounts::add_registrar(&store, "registrar", "the registrar's password")
        .await
        .unwrap();
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("username", "registrar")
        .append_pair("password", "the registrar's password")
        .append_pair("csrf", "login-token")
        .finish();
    let mut request = Request::post("/portal/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, "sigil_login=login-token")
        .body(Body::from(form))
        .unwrap();
    let peer: std::net::SocketAddr = "10.0.0.2:40000".parse().unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    let response = university.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with("sigil_portal="))
        .unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

async fn portal_page(university: &University, session: &str, path: &str) -> String {
    let request = Request::get(path)
        .header(header::COOKIE, session)
        .body(Body::empty())
        .unwrap();
    let (status, page) = send(&university.app, request).await;
    assert_eq!(status, StatusCode::OK, "{path}: {page}");
    page.as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_names_the_identity_each_credential_is_signed_as() {
    let university = university().await;
    let (status, answer) = send(
        &university.app,
        api(
            "/profiles/w3c/credentials/issue",
            Some(&university.token),
            &json!({"credential": diploma()}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer:#}");
    let session = portal_session(&university).await;

    let keys = portal_page(&university, &session, "/portal/keys").await;
    assert!(keys.contains(&university.did), "{keys}");
    assert!(keys.contains(&university.profile_did), "{keys}");
    assert!(keys.contains("/profiles/w3c/credentials/issue"), "{keys}");

    let list = portal_page(&university, &session, "/portal/credentials").await;
    assert!(list.contains("profile w3c"), "{list}");

    let (_, listed) = send(
        &university.app,
        Request::get("/api/credentials?q=")
            .header(header::AUTHORIZATION, format!("Bearer {}", university.token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let id = listed["credentials"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        listed["credentials"][0]["profile_did"],
        university.profile_did.as_str()
    );
    let detail = portal_page(&university, &session, &format!("/portal/credentials/{id}")).await;
    assert!(detail.contains("profile w3c"), "{detail}");
    assert!(detail.contains(&university.profile_did), "{detail}");
    assert!(
        !detail.contains("/status\""),
        "no status actions are offered: {detail}"
    );

    // It names no status list, so its status cannot change.
    let (status, answer) = send(
        &university.app,
        api(
            &format!("/api/credentials/{id}/revoke"),
            Some(&university.token),
            &json!({}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer:#}");
    assert!(answer.to_string().contains("no status entry"), "{answer:#}");
}
