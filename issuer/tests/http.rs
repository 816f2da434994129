//! The issuer's HTTP handlers, in-process: requests go straight into `http::app` through
//! `tower::ServiceExt::oneshot`. The registry the issuer registers on and publishes its status
//! lists to is a real one, started in this process on a loopback port.

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

const PASSPHRASE: &str = "in-process test passphrase";
const PRE_AUTHORIZED: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

/// An institution registered on a fresh registry, its whole router and an API token.
async fn university() -> (tempfile::TempDir, Router, String) {
    let (dir, _, app, token) = university_on_registry().await;
    (dir, app, token)
}

/// [`university`], and the registry's URL, to verify what it issues.
async fn university_on_registry() -> (tempfile::TempDir, url::Url, Router, String) {
    let dir = tempfile::tempdir().unwrap();
    let registry = sigil_tests::in_process::registry(dir.path()).await;
    let institution = Institution {
        data_dir: dir.path().join("university"),
    };
    institution::init(
        &institution,
        &registry.clone().into(),
        "Example University",
        PASSPHRASE,
        sigil_core::time::now(),
        &dir.path().join("university.next.key"),
    )
    .await
    .unwrap();
    let issuer = Issuer::open(institution, None, PASSPHRASE).await.unwrap();
    let token = sigil_issuer::accounts::create_token(&issuer.store, "tests")
        .await
        .unwrap();
    (dir, registry, sigil_issuer::http::app(Arc::new(issuer)), token)
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

fn get(path: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).unwrap()
}

fn token_request(code: &str, pin: &str) -> Request<Body> {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", PRE_AUTHORIZED)
        .append_pair("pre-authorized_code", code)
        .append_pair("tx_code", pin)
        .finish();
    Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap()
}

/// Offers the sample diploma; returns the offer's id, its path on the issuer, its code and PIN.
async fn offer(app: &Router, token: &str) -> (String, String, String, String) {
    let claims: Value = serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    let body = json!({"type": "UniversityDegreeCredential", "claims": claims, "format": "ldp_vc"});
    let (status, offer) = send(app, api("/api/offers", Some(token), &body)).await;
    assert_eq!(status, StatusCode::CREATED, "{offer:#}");
    let link = url::Url::parse(offer["offer_uri"].as_str().unwrap()).unwrap();
    let by_reference = link
        .query_pairs()
        .find(|(name, _)| name == "credential_offer_uri")
        .map(|(_, value)| url::Url::parse(&value).unwrap())
        .unwrap();
    let path = by_reference.path().to_owned();
    let code = path.rsplit('/').next().unwrap().to_owned();
    (
        offer["credential_id"].as_str().unwrap().to_owned(),
        path,
        code,
        offer["tx_code"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_metadata_names_every_format_and_the_api_needs_its_token() {
    let (_dir, app, token) = university().await;
    let (status, metadata) = send(&app, get("/.well-known/openid-credential-issuer", None)).await;
    assert_eq!(status, StatusCode::OK);
    let configurations = metadata["credential_configurations_supported"]
        .as_object()
        .unwrap();
    for id in [
        "UniversityDegreeCredential_ldp_vc",
        "UniversityDegreeCredential_jwt_vc_json",
        "UniversityDegreeCredential_sd_jwt",
    ] {
        assert!(configurations.contains_key(id), "{id}: {metadata:#}");
    }
    // Each claim, and the type, is named in English and Chinese (OpenID4VCI 1.0 §12.2.4).
    let ldp = &configurations["UniversityDegreeCredential_ldp_vc"]["credential_metadata"];
    let display = |value: &Value, locale: &str| {
        value["display"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["locale"] == locale)
            .map(|entry| entry["name"].as_str().unwrap().to_owned())
    };
    assert_eq!(display(ldp, "zh-CN").as_deref(), Some("学位证书"), "{ldp:#}");
    let degree = ldp["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|claim| claim["path"] == json!(["credentialSubject", "degree", "name"]))
        .unwrap();
    assert_eq!(display(degree, "en").as_deref(), Some("Degree"));
    assert_eq!(display(degree, "zh-CN").as_deref(), Some("学位"));

    let body = json!({"type": "UniversityDegreeCredential", "claims": {}});
    let (status, _) = send(&app, api("/api/offers", None, &body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(&app, api("/api/offers", Some("sigil_guessed"), &body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, refused) = send(&app, api("/api/offers", Some(&token), &body)).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "claims the type's schema requires: {refused:#}"
    );
    assert_eq!(refused["error"]["code"], "invalid_claims");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_is_redeemed_once_and_only_with_its_pin_which_may_be_guessed_five_times() {
    let (_dir, app, token) = university().await;
    let (_, offer_path, code, pin) = offer(&app, &token).await;
    let (status, offer_object) = send(&app, get(&offer_path, None)).await;
    assert_eq!(status, StatusCode::OK, "{offer_object:#}");
    assert_eq!(
        offer_object["grants"][PRE_AUTHORIZED]["pre-authorized_code"],
        code
    );

    let (status, granted) = send(&app, token_request(&code, &pin)).await;
    assert_eq!(status, StatusCode::OK, "{granted:#}");
    assert!(granted["access_token"].is_string(), "{granted:#}");
    let (status, again) = send(&app, token_request(&code, &pin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error"], "invalid_grant", "{again:#}");

    let (_, _, code, pin) = offer(&app, &token).await;
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    for attempts_left in (0..5).rev() {
        let (status, refused) = send(&app, token_request(&code, wrong)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let description = refused["error_description"].as_str().unwrap();
        if attempts_left > 0 {
            assert!(
                description.contains(&format!("{attempts_left} attempts left")),
                "{description}"
            );
        } else {
            assert!(description.contains("locked"), "{description}");
        }
    }
    let (status, refused) = send(&app, token_request(&code, &pin)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the right PIN after the lock: {refused:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offer_revoked_before_it_is_collected_is_withdrawn_and_cannot_be_suspended() {
    let (_dir, app, token) = university().await;
    let (id, offer_path, code, pin) = offer(&app, &token).await;
    let (status, refused) = send(
        &app,
        api(
            &format!("/api/credentials/{id}/suspend"),
            Some(&token),
            &json!({}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused:#}");
    let (status, withdrawn) = send(
        &app,
        api(&format!("/api/credentials/{id}/revoke"), Some(&token), &json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{withdrawn:#}");
    assert_eq!(withdrawn["status"], "withdrawn");

    let (status, gone) = send(&app, get(&offer_path, None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(gone["error_description"], "the issuer withdrew this offer");
    let (status, refused) = send(&app, token_request(&code, &pin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refused["error_description"], "the issuer withdrew this offer");
    let (_, shown) = send(&app, get(&format!("/api/credentials/{id}"), Some(&token))).await;
    assert_eq!(shown["state"], "withdrawn", "{shown:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vc_api_signs_what_it_is_given_and_the_university_can_revoke_it() {
    let (_dir, app, token) = university().await;
    let holder = sigil_core::key::SigningKey::generate().did_key().to_string();
    let claims: Value = serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    let mut subject = claims;
    subject["id"] = holder.clone().into();
    let credential = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2"
        ],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "credentialSubject": subject,
    });
    let (status, signed) = send(
        &app,
        api(
            "/credentials/issue",
            Some(&token),
            &json!({"credential": credential, "options": {}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{signed:#}");
    let signed = &signed["verifiableCredential"];
    assert_eq!(signed["proof"]["cryptosuite"], "eddsa-rdfc-2022", "{signed:#}");
    assert_eq!(signed["credentialSubject"]["id"], holder.as_str());

    let (_, listed) = send(&app, get("/api/credentials?q=", Some(&token))).await;
    let id = listed["credentials"][0]["id"].as_str().unwrap().to_owned();
    let (status, revoked) = send(
        &app,
        api(&format!("/api/credentials/{id}/revoke"), Some(&token), &json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{revoked:#}");
    assert_eq!(revoked["status"], "revoked");
    assert!(revoked["receipts"][0]["height"].as_u64().is_some(), "{revoked:#}");
    let (status, again) = send(
        &app,
        api(
            &format!("/api/credentials/{id}/reinstate"),
            Some(&token),
            &json!({}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "revocation is final: {again:#}");
}

/// A sign-in form as a browser posts it, from `client`, with the form token `csrf` in both the
/// form and its cookie.
fn sign_in(client: &str, username: &str, password: &str, csrf: &str) -> Request<Body> {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("username", username)
        .append_pair("password", password)
        .append_pair("csrf", csrf)
        .finish();
    let mut request = Request::post("/portal/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("sigil_login={csrf}"))
        .body(Body::from(form))
        .unwrap();
    let peer: std::net::SocketAddr = format!("{client}:40000").parse().unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    request
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused_before_any_password_is_checked() {
    let (_dir, app, _) = university().await;
    let form_page = app.clone().oneshot(get("/portal/login", None)).await.unwrap();
    let cookie = form_page.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("sigil_login="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/portal/login"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    // A cross-site form carries no cookie of ours; a form with a token of its own is no better.
    let mut forged = sign_in("10.0.0.1", "registrar", "guess", "attacker-token");
    forged.headers_mut().remove(header::COOKIE);
    let (status, _) = send(&app, forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut mismatched = sign_in("10.0.0.1", "registrar", "guess", "attacker-token");
    mismatched
        .headers_mut()
        .insert(header::COOKIE, "sigil_login=another".parse().unwrap());
    let (status, _) = send(&app, mismatched).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A GET of a portal page with `headers`: status, `Content-Language` and the page.
async fn portal_page(
    app: &Router,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, String, String) {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let language = response
        .headers()
        .get(header::CONTENT_LANGUAGE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, language, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_speaks_the_browser_s_language_or_the_one_the_registrar_chose() {
    let (dir, app, _) = university().await;
    let store = sigil_issuer::store::Store::open(&dir.path().join("university").join("issuer.db"))
        .await
        .unwrap();
    sigil_issuer::accounts::add_registrar(&store, "registrar", "the right password")
        .await
        .unwrap();

    // Nothing asked: English, as before.
    let (status, language, page) = portal_page(&app, "/portal/login", &[]).await;
    assert_eq!((status, language.as_str()), (StatusCode::OK, "en"));
    assert!(
        page.contains(r#"<html lang="en">"#) && page.contains("Registrar sign-in"),
        "{page}"
    );
    assert!(
        page.contains(r#"href="?lang=zh-CN""#),
        "a switch to Chinese: {page}"
    );

    // A Chinese browser gets the sign-in page in Chinese.
    let chinese_browser = [(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9,en;q=0.8")];
    let (status, language, page) = portal_page(&app, "/portal/login", &chinese_browser).await;
    assert_eq!((status, language.as_str()), (StatusCode::OK, "zh-CN"));
    assert!(
        page.contains(r#"<html lang="zh-CN">"#) && page.contains("教务人员登录"),
        "{page}"
    );
    assert!(page.contains(r#"href="?lang=en""#), "a switch to English: {page}");
    assert!(!page.contains("Registrar sign-in"), "{page}");

    // The switch remembers the choice in a cookie and comes back without the parameter.
    let response = app
        .clone()
        .oneshot(
            Request::get("/portal/credentials?q=Lovelace&lang=zh-CN")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/portal/credentials?q=Lovelace"
    );
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("sigil_lang=zh-CN;"), "{cookie}");
    let choice = cookie.split(';').next().unwrap().to_owned();

    // A registrar who chose Chinese reads the signed-in pages in Chinese, whatever the browser.
    let signed_in = app
        .clone()
        .oneshot(sign_in("10.0.0.3", "registrar", "the right password", "t"))
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = session_cookie(&signed_in);
    let cookies = format!("{session}; {choice}");
    let english_browser = [
        (header::COOKIE, cookies.as_str()),
        (header::ACCEPT_LANGUAGE, "en"),
    ];
    let (status, language, page) = portal_page(&app, "/portal/credentials", &english_browser).await;
    assert_eq!((status, language.as_str()), (StatusCode::OK, "zh-CN"));
    assert!(
        page.contains(r#"<html lang="zh-CN">"#) && page.contains("没有凭证。"),
        "{page}"
    );
    assert!(page.contains("退出登录 registrar"), "{page}");
    let (_, _, keys) = portal_page(&app, "/portal/keys", &english_browser).await;
    assert!(
        keys.contains("例行轮换") && keys.contains("本机构（默认）"),
        "{keys}"
    );
    let (_, _, form) = portal_page(
        &app,
        "/portal/issue?type=UniversityDegreeCredential",
        &english_browser,
    )
    .await;
    assert!(
        form.contains("学位证书") && form.contains("毕业日期"),
        "type and claims named in Chinese: {form}"
    );

    // The switch on a page that answers a form comes back to the form's address: a GET there
    // leads to the page the form is on.
    for (path, back) in [
        ("/portal/keys/rotate", "/portal/keys"),
        ("/portal/keys/recover", "/portal/keys"),
        (
            "/portal/credentials/0f8fad5b-d9cb-469f-a165-70867728950e/status",
            "/portal/credentials/0f8fad5b-d9cb-469f-a165-70867728950e",
        ),
        ("/portal/credentials/a%0Ab/status", "/portal/credentials"),
    ] {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()[header::LOCATION], back, "{path}");
    }

    // The same session without the choice: English.
    let (status, language, page) =
        portal_page(&app, "/portal/credentials", &[(header::COOKIE, session.as_str())]).await;
    assert_eq!((status, language.as_str()), (StatusCode::OK, "en"));
    assert!(page.contains("No credentials."), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_guesses_gets_five_tries_and_the_right_password_is_then_refused() {
    let (dir, app, _) = university().await;
    let store = sigil_issuer::store::Store::open(&dir.path().join("university").join("issuer.db"))
        .await
        .unwrap();
    sigil_issuer::accounts::add_registrar(&store, "registrar", "the right password")
        .await
        .unwrap();
    let guesses: Vec<_> = (0..41)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                send(&app, sign_in("10.0.0.1", "registrar", &format!("guess {n}"), "t"))
                    .await
                    .0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.unwrap());
    }
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let paused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((tried, paused), (5, 36), "{statuses:?}");
    let (status, _) = send(&app, sign_in("10.0.0.1", "registrar", "the right password", "t")).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account is paused, whatever the password"
    );
}

#[tokio::test]
async fn the_vc_api_checks_the_types_schema_and_keeps_the_status_entries_its_own() {
    let (_dir, app, token) = university().await;
    let holder = sigil_core::key::SigningKey::generate().did_key().to_string();
    let diploma = |subject: Value| {
        json!({"credential": {
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/sigil/contexts/v1"],
            "type": ["VerifiableCredential", "UniversityDegreeCredential"],
            "credentialSubject": subject,
        }})
    };
    let mut claims: Value = serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    claims["id"] = holder.into();

    let mut bad_date = claims.clone();
    bad_date["graduationDate"] = "last summer".into();
    let (status, answer) = send(&app, api("/credentials/issue", Some(&token), &diploma(bad_date))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert!(
        answer.to_string().contains("UniversityDegreeCredential schema"),
        "{answer:#}"
    );

    let mut missing_claim = claims.clone();
    missing_claim.as_object_mut().unwrap().remove("name");
    let (status, answer) = send(
        &app,
        api("/credentials/issue", Some(&token), &diploma(missing_claim)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert!(answer.to_string().contains("name"), "{answer:#}");

    // A status entry of the caller's choosing would point where the portal cannot revoke.
    let mut own_status = diploma(claims.clone());
    own_status["credential"]["credentialStatus"] = json!({
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://elsewhere.example/lists/1",
    });
    let (status, answer) = send(&app, api("/credentials/issue", Some(&token), &own_status)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert!(answer.to_string().contains("credentialStatus"), "{answer:#}");

    let (status, answer) = send(&app, api("/credentials/issue", Some(&token), &diploma(claims))).await;
    assert_eq!(status, StatusCode::CREATED, "{answer:#}");
    let entries = answer["verifiableCredential"]["credentialStatus"].to_string();
    assert!(!entries.contains("elsewhere.example"), "{entries}");
}

#[tokio::test]
async fn nonce_requests_past_a_clients_limit_are_told_to_wait() {
    let (dir, _, _) = university().await;
    let settings = sigil_issuer::config::ServiceSettings {
        writes_per_minute: 2,
        ..Default::default()
    };
    let institution = Institution {
        data_dir: dir.path().join("university"),
    };
    let issuer = Issuer::open(institution, Some(settings), PASSPHRASE)
        .await
        .unwrap();
    let app = sigil_issuer::http::app(Arc::new(issuer));
    for _ in 0..2 {
        let (status, _) = send(&app, api("/nonce", None, &json!({}))).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, answer) = send(&app, api("/nonce", None, &json!({}))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn revocations_in_quick_succession_all_land_and_no_list_is_dated_ahead_of_the_clock() {
    let (_dir, app, token) = university().await;
    let mut claims: Value = serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    claims["id"] = sigil_core::key::SigningKey::generate()
        .did_key()
        .to_string()
        .into();
    let credential = json!({"credential": {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/sigil/contexts/v1"],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "credentialSubject": claims,
    }});
    for _ in 0..3 {
        let (status, _) = send(&app, api("/credentials/issue", Some(&token), &credential)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, listed) = send(&app, get("/api/credentials?q=", Some(&token))).await;
    let ids: Vec<String> = listed["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    let revocations: Vec<_> = ids
        .iter()
        .map(|id| {
            let (app, request) = (
                app.clone(),
                api(&format!("/api/credentials/{id}/revoke"), Some(&token), &json!({})),
            );
            tokio::spawn(async move { send(&app, request).await })
        })
        .collect();
    for revocation in revocations {
        let (status, answer) = revocation.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{answer:#}");
    }
    let (_, list) = send(&app, get("/status/revocation/1", None)).await;
    let valid_from = sigil_core::time::parse_datetime(list["validFrom"].as_str().unwrap()).unwrap();
    assert!(
        valid_from <= sigil_core::time::now(),
        "the newest list is dated {valid_from}, ahead of the clock: the registry would soon refuse every revocation"
    );
}

/// A diploma for the VC API: the sample claims about a fresh holder, in VCDM 2.0.
fn vc_api_diploma() -> Value {
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

/// Verifies what the issuer answered (JSON, or the JWT inside an envelope) against the
/// registry, as any verifier would.
async fn verify_issued(registry: &url::Url, issued: &Value) -> sigil_core::verify::VerificationReport {
    use sigil_core::did::StandardResolver;
    use sigil_core::registry::RegistryClient;

    let resolver = StandardResolver::with_registry(RegistryClient::new(registry.clone()));
    let lists = RegistryClient::new(registry.clone());
    let mut verifier = sigil_core::verify::Verifier::new(&resolver);
    verifier.status = Some(&lists);
    verifier.history = Some(&lists);
    let input = match sigil_core::model::presentation::envelope_contents(issued) {
        Some((_, jwt)) => jwt.to_owned(),
        None => issued.to_string(),
    };
    verifier
        .verify(&input, &sigil_core::verify::Expectations::default())
        .await
        .unwrap()
}

/// A change that breaks one rule of the data model.
type Change = dyn Fn(&mut Value);

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_issue_refuses_a_credential_that_breaks_a_data_model_must_with_400_naming_it() {
    let (_dir, app, token) = university().await;
    let v2_context = sigil_core::contexts::CREDENTIALS_V2;
    let cases: Vec<(&str, Box<Change>, &str)> = vec![
        ("id is a URL", Box::new(|c| c["id"] = "diploma 17".into()), "id"),
        (
            "issuer is a URL",
            Box::new(|c| c["issuer"] = "Example University".into()),
            "issuer",
        ),
        (
            "subject ids are URLs",
            Box::new(|c| c["credentialSubject"]["id"] = "student 4".into()),
            "credentialSubject.id",
        ),
        (
            "credentialSubject is required",
            Box::new(|c| {
                c.as_object_mut().unwrap().remove("credentialSubject");
            }),
            "credentialSubject",
        ),
        (
            "a subject is not empty",
            Box::new(|c| c["credentialSubject"] = json!({})),
            "credentialSubject",
        ),
        (
            "credentialStatus has a type",
            Box::new(|c| c["credentialStatus"] = json!({"id": "https://example.org/status/1#3"})),
            "credentialStatus",
        ),
        (
            "credentialSchema has a type",
            Box::new(|c| c["credentialSchema"] = json!({"id": "https://example.org/schema.json"})),
            "credentialSchema",
        ),
        (
            "credentialSchema has an id",
            Box::new(|c| c["credentialSchema"] = json!({"type": "JsonSchema"})),
            "credentialSchema",
        ),
        (
            "termsOfUse has a type",
            Box::new(|c| c["termsOfUse"] = json!({"id": "https://example.org/terms"})),
            "termsOfUse",
        ),
        (
            "evidence has a type",
            Box::new(|c| c["evidence"] = json!([{"id": "https://example.org/evidence/1"}])),
            "evidence[0]",
        ),
        (
            "refreshService has a type",
            Box::new(|c| c["refreshService"] = json!({"id": "https://example.org/refresh"})),
            "refreshService",
        ),
        (
            "relatedResource ids are unique",
            Box::new(move |c| {
                let resource = json!({"id": v2_context, "digestSRI": context_sri(v2_context)});
                c["relatedResource"] = json!([resource, resource]);
            }),
            "relatedResource",
        ),
        (
            "a bundled relatedResource matches its digest",
            Box::new(move |c| {
                let other = context_sri(sigil_core::contexts::CREDENTIALS_V1);
                c["relatedResource"] = json!([{"id": v2_context, "digestSRI": other}]);
            }),
            "relatedResource[0].digestSRI",
        ),
        (
            "a digestMultibase is well formed",
            Box::new(|c| {
                c["relatedResource"] =
                    json!([{"id": "https://example.org/a.json", "digestMultibase": "not multibase"}]);
            }),
            "relatedResource[0].digestMultibase",
        ),
        (
            "validFrom is a dateTimeStamp",
            Box::new(|c| c["validFrom"] = "2025-01-01T00:00:00".into()),
            "validFrom",
        ),
        (
            "validUntil is not before validFrom",
            Box::new(|c| {
                c["validFrom"] = "2025-06-01T00:00:00Z".into();
                c["validUntil"] = "2025-01-01T00:00:00Z".into();
            }),
            "validUntil",
        ),
        (
            "terms are defined by the contexts",
            Box::new(|c| c["favouriteColour"] = "red".into()),
            "favouriteColour",
        ),
        (
            "types are defined by the contexts",
            Box::new(|c| c["type"] = json!(["VerifiableCredential", "MadeUpCredential"])),
            "MadeUpCredential",
        ),
    ];
    for (rule, change, named) in &cases {
        let mut credential = vc_api_diploma();
        change(&mut credential);
        let (status, answer) = send(
            &app,
            api(
                "/credentials/issue",
                Some(&token),
                &json!({"credential": credential}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{rule}: {answer:#}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(named), "{rule}: {message}");
    }
    let (_, listed) = send(&app, get("/api/credentials?q=", Some(&token))).await;
    assert_eq!(listed["credentials"], json!([]), "nothing was signed: {listed:#}");

    // The same entries, well formed, are signed.
    let mut credential = vc_api_diploma();
    credential["id"] = "urn:uuid:5e3f0c1a-8d2b-4f6e-9a7c-2b1d0e9f8a7b".into();
    credential["validFrom"] = "2025-01-01T00:00:00Z".into();
    credential["validUntil"] = "2035-01-01T00:00:00Z".into();
    credential["credentialSchema"] = json!({"id": "https://example.org/schema.json", "type": "JsonSchema"});
    credential["relatedResource"] = json!([{"id": v2_context, "digestSRI": context_sri(v2_context)}]);
    let (status, answer) = send(
        &app,
        api(
            "/credentials/issue",
            Some(&token),
            &json!({"credential": credential}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer:#}");
}

/// The `digestSRI` (sha384) of a bundled context's bytes.
fn context_sri(url: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let bytes = sigil_core::contexts::find(url).unwrap().document.as_bytes();
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(bytes))
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_issue_allocates_the_status_entries_options_credential_status_asks_for() {
    let (_dir, registry, app, token) = university_on_registry().await;
    let request =
        |status: Value| json!({"credential": vc_api_diploma(), "options": {"credentialStatus": status}});

    let (status, answer) = send(
        &app,
        api(
            "/credentials/issue",
            Some(&token),
            &request(json!({"type": "BitstringStatusListEntry", "statusPurpose": "suspension"})),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer:#}");
    let issued = &answer["verifiableCredential"];
    let entries = issued["credentialStatus"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{issued:#}");
    assert_eq!(entries[0]["type"], "BitstringStatusListEntry");
    assert_eq!(entries[0]["statusPurpose"], "suspension");
    let report = verify_issued(&registry, issued).await;
    assert!(report.valid, "{report:#?}");

    for (refused, named) in [
        (
            json!({"type": "BitstringStatusListEntry", "statusPurpose": "message"}),
            "message",
        ),
        (
            json!({"type": "StatusList2021Entry", "statusPurpose": "revocation"}),
            "StatusList2021Entry",
        ),
    ] {
        let (status, answer) = send(&app, api("/credentials/issue", Some(&token), &request(refused))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(named),
            "{answer:#}"
        );
    }
    let (status, answer) = send(
        &app,
        api(
            "/credentials/issue",
            Some(&token),
            &json!({"credential": vc_api_diploma(), "options": {"mandatoryPointers": ["/issuer"]}}),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an option not honoured is refused: {answer:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_issue_returns_an_enveloped_vc_jwt_when_options_format_asks_for_one() {
    let (_dir, registry, app, token) = university_on_registry().await;
    let (status, answer) = send(
        &app,
        api(
            "/credentials/issue",
            Some(&token),
            &json!({"credential": vc_api_diploma(), "options": {"format": "vc+jwt"}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer:#}");
    let issued = &answer["verifiableCredential"];
    assert_eq!(issued["type"], "EnvelopedVerifiableCredential", "{issued:#}");
    assert_eq!(
        issued["@context"],
        sigil_core::contexts::CREDENTIALS_V2,
        "{issued:#}"
    );
    let id = issued["id"].as_str().unwrap();
    let jwt = id.strip_prefix("data:application/vc+jwt,").unwrap();
    let decoded = sigil_core::jose::decode_unverified(jwt).unwrap();
    assert_eq!(decoded.payload["type"][1], "UniversityDegreeCredential");
    let report = verify_issued(&registry, issued).await;
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.format, sigil_core::format::CredentialFormat::VcJwt);

    let (_, listed) = send(&app, get("/api/credentials?q=", Some(&token))).await;
    assert_eq!(listed["credentials"][0]["format"], "vc+jwt", "{listed:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn vc_api_issue_signs_a_vcdm_1_1_credential_as_vcdm_1_1() {
    let (_dir, registry, app, token) = university_on_registry().await;
    // The VCDM 1.1 context does not define `name`, so the claims are those of Sigil's own.
    let credential = json!({
        "@context": [sigil_core::contexts::CREDENTIALS_V1, sigil_core::contexts::SIGIL_V1],
        "type": ["VerifiableCredential"],
        "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": sigil_core::key::SigningKey::generate().did_key().to_string(),
            "fieldOfStudy": "Mathematics",
        },
    });
    let (status, answer) = send(
        &app,
        api(
            "/credentials/issue",
            Some(&token),
            &json!({"credential": credential}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer:#}");
    let issued = &answer["verifiableCredential"];
    assert_eq!(
        issued["@context"][0],
        sigil_core::contexts::CREDENTIALS_V1,
        "{issued:#}"
    );
    assert!(
        issued["@context"]
            .as_array()
            .unwrap()
            .contains(&json!(sigil_core::contexts::DATA_INTEGRITY_V2)),
        "{issued:#}"
    );
    assert_eq!(issued["issuanceDate"], "2025-01-01T00:00:00Z");
    assert!(
        issued.get("validFrom").is_none(),
        "not converted to VCDM 2.0: {issued:#}"
    );
    let report = verify_issued(&registry, issued).await;
    assert!(report.valid, "{report:#?}");

    for (options, named) in [
        (json!({"format": "vc+jwt"}), "vc+jwt"),
        (
            json!({"credentialStatus": {"type": "BitstringStatusListEntry"}}),
            "credentialStatus",
        ),
    ] {
        let (status, answer) = send(
            &app,
            api(
                "/credentials/issue",
                Some(&token),
                &json!({"credential": credential, "options": options}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{options}: {answer:#}");
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(named),
            "{answer:#}"
        );
    }
}

/// A diploma another issuer signed with its `did:key`, for the university to endorse.
async fn diploma_signed_elsewhere() -> Value {
    use sigil_core::issue::CredentialRequest;
    use sigil_core::model::CredentialType;

    let other = sigil_core::key::SigningKey::generate();
    let student = sigil_core::key::SigningKey::generate();
    let request = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
        issuer: other.did_key(),
        subject: Some(student.did_key()),
        claims: serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap(),
        valid_from: sigil_core::time::now() - chrono::Duration::days(1),
        valid_until: None,
        status: None,
        schema: None,
        holder_key: None,
    };
    let signed = request
        .issue(
            sigil_core::format::CredentialFormat::LdpVc,
            &other,
            &other.did_key_method(),
            sigil_core::time::now(),
        )
        .await
        .unwrap();
    serde_json::from_str(&signed).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_university_endorses_a_credential_that_verifies_and_nothing_else() {
    let (_dir, registry, app, token) = university_on_registry().await;
    let credential = diploma_signed_elsewhere().await;

    let (status, answer) = send(
        &app,
        api(
            "/api/credentials/endorse",
            Some(&token),
            &json!({"verifiableCredential": credential}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer:#}");
    let endorsed = &answer["verifiableCredential"];
    let proofs = endorsed["proof"].as_array().unwrap();
    assert_eq!(proofs.len(), 2, "{endorsed:#}");
    assert!(
        proofs[1]["verificationMethod"]
            .as_str()
            .unwrap()
            .starts_with("did:sigil:")
    );
    let report = verify_issued(&registry, endorsed).await;
    assert!(report.valid, "{report:#?}");

    // The endorsement covers what was endorsed: a changed claim breaks it.
    let mut changed = endorsed.clone();
    changed["credentialSubject"]["name"] = "Mallory".into();
    assert!(!verify_issued(&registry, &changed).await.valid);

    // Nothing that does not verify is endorsed, and a chain must name proofs that exist.
    let mut forged = credential.clone();
    forged["credentialSubject"]["name"] = "Mallory".into();
    let (status, answer) = send(
        &app,
        api(
            "/api/credentials/endorse",
            Some(&token),
            &json!({"verifiableCredential": forged}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    assert!(answer.to_string().contains("does not verify"), "{answer:#}");
    let (status, answer) = send(
        &app,
        api(
            "/api/credentials/endorse",
            Some(&token),
            &json!({"verifiableCredential": credential, "options": {"previousProof": "urn:uuid:nowhere"}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer:#}");
    let (status, _) = send(
        &app,
        api(
            "/api/credentials/endorse",
            None,
            &json!({"verifiableCredential": credential}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Where the paper diplomas of [`printing_university`] lead.
const PAPER_VERIFIER: &str = "https://verifier.example";

/// A university whose portal prints paper diplomas for [`PAPER_VERIFIER`] (`None`: for no
/// verifier), with a registrar signed in: its directory, the registry, the issuer, its router,
/// an API token, the session cookie and the session's CSRF token.
async fn printing_university(
    paper_verifier: Option<&str>,
) -> (
    tempfile::TempDir,
    url::Url,
    Arc<Issuer>,
    Router,
    String,
    String,
    String,
) {
    let dir = tempfile::tempdir().unwrap();
    let registry = sigil_tests::in_process::registry(dir.path()).await;
    let institution = Institution {
        data_dir: dir.path().join("university"),
    };
    institution::init(
        &institution,
        &registry.clone().into(),
        "Example University",
        PASSPHRASE,
        sigil_core::time::now(),
        &dir.path().join("university.next.key"),
    )
    .await
    .unwrap();
    let settings = sigil_issuer::config::ServiceSettings {
        paper_verifier: paper_verifier.map(str::to_owned),
        ..Default::default()
    };
    let issuer = Arc::new(
        Issuer::open(institution, Some(settings), PASSPHRASE)
            .await
            .unwrap(),
    );
    let token = sigil_issuer::accounts::create_token(&issuer.store, "tests")
        .await
        .unwrap();
    sigil_issuer::accounts::add_registrar(&issuer.store, "registrar", "the right password")
        .await
        .unwrap();
    let app = sigil_issuer::http::app(issuer.clone());
    let signed_in = app
        .clone()
        .oneshot(sign_in("10.0.0.7", "registrar", "the right password", "t"))
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = session_cookie(&signed_in);
    let (_, _, form) = portal_page(&app, "/portal/issue", &[(header::COOKIE, session.as_str())]).await;
    let csrf = between(&form, r#"name="csrf" value=""#, "\"").to_owned();
    (dir, registry, issuer, app, token, session, csrf)
}

/// The portal session's cookie (`name=value`) a sign-in answer sets.
fn session_cookie(signed_in: &axum::response::Response) -> String {
    signed_in
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap())
        .find(|value| value.starts_with("sigil_portal="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// The text of `page` between the first `before` and the next `after`.
fn between<'a>(page: &'a str, before: &str, after: &str) -> &'a str {
    let found = page.find(before);
    assert!(found.is_some(), "{before} in {page}");
    let start = found.unwrap() + before.len();
    let length = page[start..].find(after).unwrap();
    &page[start..start + length]
}

/// A portal form posted with `session`'s cookie, in the language `accept_language`.
async fn post_form(
    app: &Router,
    path: &str,
    session: &str,
    accept_language: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, session)
        .header(header::ACCEPT_LANGUAGE, accept_language)
        .body(Body::from(form))
        .unwrap();
    let (status, body) = send(app, request).await;
    (
        status,
        body.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| body.to_string()),
    )
}

/// The paper credential a print page's verifier link holds, decoded.
fn paper_credential(page: &str) -> String {
    let code = between(page, &format!(r#"<a href="{PAPER_VERIFIER}/P/"#), "\"");
    sigil_core::paper::decode(code).unwrap()
}

/// Verifies a compact credential against the registry, as the verifier's `/P/` page would.
async fn verify_compact(registry: &url::Url, credential: &str) -> sigil_core::verify::VerificationReport {
    use sigil_core::did::StandardResolver;
    use sigil_core::registry::RegistryClient;

    let resolver = StandardResolver::with_registry(RegistryClient::new(registry.clone()));
    let lists = RegistryClient::new(registry.clone());
    let mut verifier = sigil_core::verify::Verifier::new(&resolver);
    verifier.status = Some(&lists);
    verifier.history = Some(&lists);
    verifier
        .verify(credential, &sigil_core::verify::Expectations::default())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_prints_an_offers_paper_diploma_which_verifies_until_the_credential_is_revoked() {
    let (_dir, registry, issuer, app, token, session, csrf) = printing_university(Some(PAPER_VERIFIER)).await;

    // The answer to the issue form offers the print, with the session's token.
    let claims = [
        ("name", "Ada Lovelace"),
        ("studentId", "S-1815-042"),
        ("dateOfBirth", "1815-12-10"),
        ("degree.type", "BachelorDegree"),
        ("degree.name", "Bachelor of Science in Mathematics"),
        ("fieldOfStudy", "Mathematics"),
        ("graduationDate", "2026-06-30"),
    ];
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("type", "UniversityDegreeCredential"),
        ("format", "ldp_vc"),
    ];
    fields.extend(claims);
    let (status, answer) = post_form(&app, "/portal/issue", &session, "en", &fields).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = between(
        &answer,
        r#"<form method="post" action="/portal/credentials/"#,
        "/print\"",
    )
    .to_owned();
    assert!(
        answer.contains(&format!(r#"name="csrf" value="{csrf}""#)),
        "{answer}"
    );
    let (_, _, record_page) = portal_page(
        &app,
        &format!("/portal/credentials/{id}"),
        &[(header::COOKIE, session.as_str())],
    )
    .await;
    assert!(
        record_page.contains(&format!("/portal/credentials/{id}/print")),
        "{record_page}"
    );

    // The print: one page with the claims, labelled, and the QR code.
    let print_path = format!("/portal/credentials/{id}/print");
    let (status, page) = post_form(&app, &print_path, &session, "en", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for expected in [
        "<p class=\"issuer\"><strong>Example University</strong></p>",
        "<p class=\"kind\">University degree</p>",
        "<dt>Full name</dt><dd>Ada Lovelace</dd>",
        "<dt>Degree</dt><dd>Bachelor of Science in Mathematics</dd>",
        "<img src=\"data:image/svg+xml;base64,",
        "check this diploma at verifier.example.",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }

    // What the code holds: a vc+jwt of the offer's claims, about no DID, bound to no key,
    // with the offer's own status entries.
    let paper = paper_credential(&page);
    let payload = sigil_core::jose::decode_unverified(&paper).unwrap().payload;
    let subject = &payload["credentialSubject"];
    assert_eq!(subject["name"], "Ada Lovelace", "{payload:#}");
    assert_eq!(subject["degree"]["name"], "Bachelor of Science in Mathematics");
    for absent in ["sub", "cnf"] {
        assert!(payload.get(absent).is_none(), "{absent}: {payload:#}");
    }
    assert!(subject.get("id").is_none(), "{payload:#}");
    assert!(
        payload["id"].as_str().unwrap().starts_with("urn:uuid:"),
        "{payload:#}"
    );
    let offered = issuer.store.offer(&id).await.unwrap().unwrap();
    assert_eq!(
        payload["credentialStatus"],
        sigil_issuer::status::entries(&issuer.public_url, offered.position),
        "{payload:#}"
    );
    let report = verify_compact(&registry, &paper).await;
    assert!(report.valid, "{report:#?}");

    // The print is in the audit log, with the copy's hash.
    let hash = sigil_core::verify::credential_hash(&sigil_core::verify::IssuedForm::Jws(&paper)).unwrap();
    let (_, _, audit) = portal_page(&app, "/portal/audit", &[(header::COOKIE, session.as_str())]).await;
    assert!(
        audit.contains(&format!("vc+jwt paper copy, hash {hash}")),
        "{audit}"
    );

    // The wallet collects the credential (an API offer, so the test has its code and PIN):
    // its paper copy printed before is revoked with it, and no copy can be printed after.
    let (id, _, code, pin) = offer(&app, &token).await;
    let (status, page) = post_form(
        &app,
        &format!("/portal/credentials/{id}/print"),
        &session,
        "en",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let paper = paper_credential(&page);
    let (status, granted) = send(&app, token_request(&code, &pin)).await;
    assert_eq!(status, StatusCode::OK, "{granted:#}");
    let redeemed = issuer.store.offer(&id).await.unwrap().unwrap();
    let now = sigil_core::time::now();
    let spent = redeemed
        .accept_token(granted["access_token"].as_str().unwrap(), now)
        .unwrap();
    let holder = sigil_core::key::SigningKey::generate();
    issuer
        .sign_for_holder(&redeemed, &spent, &holder.did_key(), &holder.public_key(), now)
        .await
        .unwrap();
    let (status, refused) = post_form(
        &app,
        &format!("/portal/credentials/{id}/print"),
        &session,
        "en",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused.contains("can only be printed before the wallet collects the credential"),
        "{refused}"
    );
    assert!(verify_compact(&registry, &paper).await.valid);
    let (status, revoked) = post_form(
        &app,
        &format!("/portal/credentials/{id}/status"),
        &session,
        "en",
        &[("csrf", &csrf), ("action", "revoke")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    let report = verify_compact(&registry, &paper).await;
    assert!(!report.valid, "a revoked diploma's paper copy: {report:#?}");
    assert_eq!(
        report.outcome(sigil_core::verify::check_id::STATUS),
        Some(sigil_core::verify::Outcome::Failed),
        "{report:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn printing_refuses_unknown_records_foreign_forms_and_speaks_chinese_when_asked() {
    let (_dir, registry, _, app, token, session, csrf) = printing_university(Some(PAPER_VERIFIER)).await;
    let (status, page) = post_form(
        &app,
        "/portal/credentials/0f8fad5b-d9cb-469f-a165-70867728950e/print",
        &session,
        "en",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    assert!(page.contains("No such credential"), "{page}");

    let (id, _, _, _) = offer(&app, &token).await;
    let print_path = format!("/portal/credentials/{id}/print");
    let (status, page) = post_form(&app, &print_path, &session, "en", &[("csrf", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("This form has expired"), "{page}");

    let (status, page) = post_form(&app, &print_path, &session, "zh-CN,zh;q=0.9", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for expected in [
        r#"<html lang="zh-CN">"#,
        "<p class=\"kind\">学位证书</p>",
        "<dt>姓名</dt><dd>Ada Lovelace</dd>",
        "扫描二维码",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    assert!(!page.contains("Full name"), "{page}");

    // Withdrawing the offer revokes the paper copy printed from it; a withdrawn offer is
    // printed for no one.
    let paper = paper_credential(&page);
    assert!(verify_compact(&registry, &paper).await.valid);
    let (status, _) = post_form(
        &app,
        &format!("/portal/credentials/{id}/status"),
        &session,
        "en",
        &[("csrf", &csrf), ("action", "revoke")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, page) = post_form(&app, &print_path, &session, "en", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("A withdrawn offer has no paper diploma."), "{page}");
    let report = verify_compact(&registry, &paper).await;
    assert_eq!(
        report.outcome(sigil_core::verify::check_id::STATUS),
        Some(sigil_core::verify::Outcome::Failed),
        "a withdrawn offer's paper copy: {report:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_paper_verifier_the_portal_offers_no_print_and_says_why() {
    let (_dir, _, _, app, token, session, csrf) = printing_university(None).await;
    let (id, _, _, _) = offer(&app, &token).await;
    let (_, _, record_page) = portal_page(
        &app,
        &format!("/portal/credentials/{id}"),
        &[(header::COOKIE, session.as_str())],
    )
    .await;
    assert!(!record_page.contains("/print\""), "{record_page}");
    assert!(
        record_page.contains("Paper diplomas are not printed here"),
        "{record_page}"
    );
    let (status, page) = post_form(
        &app,
        &format!("/portal/credentials/{id}/print"),
        &session,
        "en",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    assert!(page.contains("Paper diplomas are not printed here"), "{page}");
}
