//! The wallet's local web UI, in-process: requests go straight into `ui::app` through
//! `tower::ServiceExt::oneshot`, against a wallet created in a temporary directory.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sigil_core::keystore::KdfParams;
use sigil_wallet::holder::{self, DidMethod, WalletDir};
use sigil_wallet::targets::Targets;
use sigil_wallet::ui::UiOptions;
use sigil_wallet::ui::backoff::ManualClock;
use tower::ServiceExt as _;

const PASSPHRASE: &str = "correct horse battery staple";

/// The address the UI under test says it listens on; requests name it in `Host`.
const HOST: &str = "127.0.0.1:7403";

/// A UI over a new wallet, its back-off reading `clock`, reaching strangers as `targets` says.
async fn wallet_with(dir: &std::path::Path, clock: Arc<ManualClock>, targets: Targets) -> Router {
    let wallet = WalletDir(dir.join("wallet"));
    holder::init(&wallet, None, DidMethod::Key, PASSPHRASE, KdfParams::default())
        .await
        .unwrap();
    let options = UiOptions {
        address: HOST.parse().unwrap(),
        targets,
        clock,
        paper_verifier: Some(url::Url::parse("https://verifier.example/").unwrap()),
    };
    sigil_wallet::ui::app(wallet, options)
}

async fn wallet(dir: &std::path::Path) -> Router {
    wallet_with(dir, Arc::default(), Targets::new(false).unwrap()).await
}

/// Status, `Set-Cookie` or `Location` when there is one, and the body.
async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Option<String>, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let header_text = [header::SET_COOKIE, header::LOCATION]
        .iter()
        .find_map(|name| response.headers().get(name))
        .map(|value| value.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, header_text, String::from_utf8_lossy(&body).into_owned())
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path).header(header::HOST, HOST);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

fn post_form(path: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(form.to_owned())).unwrap()
}

/// The unlock form's token and the cookie that goes with it, as a browser gets them.
async fn unlock_form(app: &Router) -> (String, String) {
    let response = app.clone().oneshot(get("/unlock", None)).await.unwrap();
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (cookie, csrf_of(&String::from_utf8_lossy(&body)))
}

/// Posts `passphrase` to the unlock form as a browser that opened it would.
async fn unlock(app: &Router, passphrase: &str) -> (StatusCode, Option<String>, String) {
    let (cookie, csrf) = unlock_form(app).await;
    let form = format!("csrf={csrf}&passphrase={}", passphrase.replace(' ', "+"));
    send(app, post_form("/unlock", Some(&cookie), &form)).await
}

/// The session cookie of a wallet unlocked with the right passphrase.
async fn session(app: &Router) -> String {
    let (status, cookie, page) = unlock(app, PASSPHRASE).await;
    assert!(status.is_redirection(), "{status}: {page}");
    cookie.unwrap().split(';').next().unwrap().to_owned()
}

/// The CSRF token a page's forms carry.
fn csrf_of(page: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = page.find(marker).unwrap() + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wallet_opens_only_to_its_passphrase_and_only_for_the_session_that_typed_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    let app = wallet_with(dir.path(), clock.clone(), Targets::new(false).unwrap()).await;

    let (status, location, _) = send(&app, get("/", None)).await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(location.as_deref(), Some("/unlock"));
    let (status, _, page) = send(&app, get("/unlock", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("passphrase"), "{page}");

    let (status, cookie, page) = unlock(&app, "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    assert!(cookie.is_none(), "no session for a wrong passphrase");

    // The right passphrase, too soon after a wrong one, waits its turn.
    let (status, _, page) = unlock(&app, PASSPHRASE).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    clock.advance(Duration::from_secs(1));
    let (status, cookie, _) = unlock(&app, PASSPHRASE).await;
    assert!(status.is_redirection(), "{status}");
    let cookie = cookie.unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();

    let (status, _, cards) = send(&app, get("/", Some(&session))).await;
    assert_eq!(status, StatusCode::OK, "{cards}");
    let (status, _, _) = send(&app, get("/credentials/no-such-credential", Some(&session))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another browser, guessing or forging a session id, is sent to the unlock page.
    let (status, location, _) = send(&app, get("/", Some("sigil_wallet=guessed"))).await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(location.as_deref(), Some("/unlock"));

    // A form posted from elsewhere lacks the token and is refused; with it, the wallet locks.
    let (status, _, _) = send(&app, post_form("/lock", Some(&session), "csrf=forged")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(&app, get("/", Some(&session))).await;
    assert_eq!(status, StatusCode::OK, "still unlocked after a forged lock");
    let form = format!("csrf={}", csrf_of(&cards));
    let (status, _, _) = send(&app, post_form("/lock", Some(&session), &form)).await;
    assert!(status.is_redirection(), "{status}");
    let (status, location, _) = send(&app, get("/", Some(&session))).await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(location.as_deref(), Some("/unlock"));
}

/// `request` with `name: value` added.
fn with_header(mut request: Request<Body>, name: header::HeaderName, value: &str) -> Request<Body> {
    request
        .headers_mut()
        .insert(name, header::HeaderValue::from_str(value).unwrap());
    request
}

/// The response's `Content-Language`, and its body.
async fn language_and_body(app: &Router, request: Request<Body>) -> (StatusCode, String, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let language = response
        .headers()
        .get(header::CONTENT_LANGUAGE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, language, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_reading_chinese_or_a_visitor_who_chose_it_gets_the_pages_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet(dir.path()).await;
    hold_diploma(dir.path(), "held", "BachelorDegree").await;

    // The browser's language, before anything is unlocked.
    let chinese_browser = with_header(
        get("/unlock", None),
        header::ACCEPT_LANGUAGE,
        "zh-CN,zh;q=0.9,en;q=0.8",
    );
    let (status, language, page) = language_and_body(&app, chinese_browser).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(language, "zh-CN");
    assert!(page.contains(r#"<html lang="zh-CN">"#), "{page}");
    assert!(page.contains("解锁您的钱包"), "{page}");
    assert!(
        page.contains(r#"href="?lang=en""#),
        "the switch leads to English: {page}"
    );

    // The visitor's choice, remembered in the cookie, on the pages of the unlocked wallet.
    let session = session(&app).await;
    let chose_chinese = format!("{session}; sigil_lang=zh-CN");
    let (status, language, cards) = language_and_body(&app, get("/", Some(&chose_chinese))).await;
    assert_eq!(status, StatusCode::OK, "{cards}");
    assert_eq!(language, "zh-CN");
    assert!(
        cards.contains("我的凭证") && cards.contains("学位证书"),
        "{cards}"
    );
    let (_, language, credential) =
        language_and_body(&app, get("/credentials/held", Some(&chose_chinese))).await;
    assert_eq!(language, "zh-CN");
    assert!(
        credential.contains("签发机构") && credential.contains("签名"),
        "{credential}"
    );
    for path in [
        "/receive",
        "/present",
        "/history",
        "/backup",
        "/credentials/held/print",
    ] {
        let (status, language, page) = language_and_body(&app, get(path, Some(&chose_chinese))).await;
        assert_eq!(
            (status, language.as_str()),
            (StatusCode::OK, "zh-CN"),
            "{path}: {page}"
        );
        assert!(page.contains(r#"<html lang="zh-CN">"#), "{path}: {page}");
    }
    let (status, _, missing) =
        language_and_body(&app, get("/credentials/no-such-credential", Some(&chose_chinese))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("没有这份凭证"), "{missing}");

    // The choice outranks the browser; without either, English.
    let chose_english = with_header(
        get("/", Some(&format!("{session}; sigil_lang=en"))),
        header::ACCEPT_LANGUAGE,
        "zh-CN",
    );
    let (_, language, cards) = language_and_body(&app, chose_english).await;
    assert_eq!(language, "en");
    assert!(
        cards.contains("My credentials") && cards.contains("University degree"),
        "{cards}"
    );
    let (_, language, cards) = language_and_body(&app, get("/", Some(&session))).await;
    assert_eq!(language, "en");
    assert!(cards.contains(r#"<html lang="en">"#), "{cards}");

    // What the wallet says of a wrong passphrase is in the page's language too.
    let (cookie, csrf) = unlock_form(&app).await;
    let wrong = with_header(
        post_form("/unlock", Some(&cookie), &format!("csrf={csrf}&passphrase=wrong")),
        header::ACCEPT_LANGUAGE,
        "zh-CN",
    );
    let (status, language, page) = language_and_body(&app, wrong).await;
    assert_eq!((status, language.as_str()), (StatusCode::UNAUTHORIZED, "zh-CN"));
    assert!(page.contains("密码错误"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_language_switch_remembers_the_choice_and_returns_to_the_same_page() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet(dir.path()).await;
    let session = session(&app).await;
    for (path, back) in [
        ("/unlock?lang=zh-CN", "/unlock"),
        ("/present?request=x&lang=zh-CN", "/present?request=x"),
    ] {
        let response = app.clone().oneshot(get(path, Some(&session))).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()[header::LOCATION], back);
        let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with("sigil_lang=zh-CN; Path=/;"), "{cookie}");
    }
    // A request naming another host is refused before anything is switched.
    let elsewhere = Request::get("/unlock?lang=zh-CN")
        .header(header::HOST, "evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, elsewhere).await.0, StatusCode::MISDIRECTED_REQUEST);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offer_that_is_no_offer_is_explained_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet(dir.path()).await;
    let session = session(&app).await;
    let (status, _, page) = send(&app, get("/receive", Some(&session))).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let form = format!("csrf={csrf}&offer=not-an-offer&pin=");
    let (status, _, page) = send(&app, post_form("/receive", Some(&session), &form)).await;
    assert!(status.is_client_error(), "{status}: {page}");
    let (_, _, cards) = send(&app, get("/", Some(&session))).await;
    assert!(!cards.contains("/credentials/"), "{cards}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_unlock_form_needs_its_token_so_a_page_elsewhere_cannot_post_guesses() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet(dir.path()).await;
    let form = format!("passphrase={}", PASSPHRASE.replace(' ', "+"));
    let (status, cookie, _) = send(&app, post_form("/unlock", None, &form)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(cookie.is_none());
    let (cookie, _) = unlock_form(&app).await;
    let forged = format!("csrf=forged&{form}");
    let (status, _, _) = send(&app, post_form("/unlock", Some(&cookie), &forged)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_wrong_passphrases_are_counted_before_they_are_tried() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    let app = wallet_with(dir.path(), clock.clone(), Targets::new(false).unwrap()).await;
    let guesses: Vec<_> = (0..20)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move { unlock(&app, &format!("guess {n}")).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        let (status, _, _) = guess.await.unwrap();
        statuses.push(status);
    }
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((tried, refused), (1, 19), "{statuses:?}");

    // The wait doubles with each failure, and a success starts the count again.
    clock.advance(Duration::from_secs(1));
    assert_eq!(unlock(&app, "wrong").await.0, StatusCode::UNAUTHORIZED);
    clock.advance(Duration::from_secs(1));
    let response = {
        let (cookie, csrf) = unlock_form(&app).await;
        let form = format!("csrf={csrf}&passphrase=wrong");
        app.clone()
            .oneshot(post_form("/unlock", Some(&cookie), &form))
            .await
            .unwrap()
    };
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    clock.advance(Duration::from_secs(1));
    session(&app).await;
    assert_eq!(unlock(&app, "wrong").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_that_names_another_host_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet(dir.path()).await;
    for host in ["evil.example", "evil.example:7403", "127.0.0.1:9999"] {
        let request = Request::get("/unlock")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        let (status, cookie, _) = send(&app, request).await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert!(cookie.is_none(), "{host}");
    }
    let without = Request::get("/unlock").body(Body::empty()).unwrap();
    assert_eq!(send(&app, without).await.0, StatusCode::MISDIRECTED_REQUEST);
    for host in ["127.0.0.1:7403", "localhost:7403", "[::1]:7403"] {
        let request = Request::get("/unlock")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, request).await.0, StatusCode::OK, "{host}");
    }
}

/// A loopback listener that counts connections and answers each with a 404.
async fn counting_server() -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer).await;
            let answer = "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    (address, hits)
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A presentation request URI whose `request_uri` is `request_uri`.
fn request_link(request_uri: &str) -> String {
    format!(
        "openid4vp://?client_id={}&request_uri={}",
        encoded("decentralized_identifier:did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
        encoded(request_uri)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_a_request_is_a_post_with_the_token_and_a_get_fetches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Insecure targets allowed, so that only the CSRF rule stands between a page and the fetch.
    let app = wallet_with(dir.path(), Arc::default(), Targets::new(true).unwrap()).await;
    let session = session(&app).await;
    let (address, hits) = counting_server().await;
    let link = request_link(&format!("http://{address}/request"));

    let (status, _, page) = send(
        &app,
        get(&format!("/present?request={}", encoded(&link)), Some(&session)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(r#"method="post" action="/present""#), "{page}");
    let request_uri = encoded(&format!("http://{address}/request"));
    assert!(page.contains(&request_uri), "the link fills the form: {page}");
    assert!(page.contains("Development setting"), "{page}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a GET made the wallet fetch");

    let forged = format!("csrf=forged&request={}", encoded(&link));
    let (status, _, _) = send(&app, post_form("/present", Some(&session), &forged)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "a forged form made the wallet fetch"
    );

    let form = format!("csrf={}&request={}", csrf_of(&page), encoded(&link));
    let (status, _, page) = send(&app, post_form("/present", Some(&session), &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("404"), "{page}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_pointing_into_this_computer_is_refused_without_a_connection() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet(dir.path()).await;
    let session = session(&app).await;
    let (_, _, page) = send(&app, get("/present", Some(&session))).await;
    assert!(!page.contains("Development setting"), "{page}");
    let csrf = csrf_of(&page);
    let (address, hits) = counting_server().await;
    let port = address.rsplit(':').next().unwrap();
    for target in [
        format!("http://{address}/request"),
        format!("https://{address}/request"),
        format!("https://localhost:{port}/request"),
    ] {
        let form = format!("csrf={csrf}&request={}", encoded(&request_link(&target)));
        let (status, _, page) = send(&app, post_form("/present", Some(&session), &form)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{target}: {page}");
        assert!(page.contains("the request was refused"), "{target}: {page}");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the wallet connected to this computer"
    );
}

/// What the stand-in verifier of [`stand_in_verifier`] was sent.
type Posted = Arc<std::sync::Mutex<Vec<Vec<(String, String)>>>>;

/// A verifier on a loopback port that serves one signed request object for `dcql_query` and
/// answers its `direct_post` with the result page's address (the same-device flow); its
/// `openid4vp://` link, its result page, and the forms it was posted.
async fn stand_in_verifier(dcql_query: serde_json::Value) -> (String, String, Posted) {
    use axum::routing::{get as get_route, post as post_route};
    let key = sigil_core::key::SigningKey::from_seed(&[9; 32]);
    let client_id = format!("decentralized_identifier:{}", key.did_key());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let result_page = format!("{base}/result?response_code=fresh-code");
    let object = serde_json::json!({
        "iss": client_id, "aud": "https://self-issued.me/v2", "client_id": client_id,
        "response_type": "vp_token", "response_mode": "direct_post",
        "response_uri": format!("{base}/response"), "nonce": "n-1", "state": "s-1",
        "dcql_query": dcql_query,
        "client_metadata": {"client_name": "Example Employer"},
    });
    let jwt =
        sigil_core::jose::sign_compact(&object, "oauth-authz-req+jwt", &key.did_key_method(), &key).unwrap();
    let posted = Posted::default();
    let (answer, recorder) = (result_page.clone(), posted.clone());
    let app = Router::new()
        .route("/request.jwt", get_route(move || async move { jwt }))
        .route(
            "/response",
            post_route(
                move |axum::Form(form): axum::Form<Vec<(String, String)>>| async move {
                    recorder.lock().unwrap().push(form);
                    axum::Json(serde_json::json!({ "redirect_uri": answer }))
                },
            ),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let link = format!(
        "openid4vp://?client_id={}&request_uri={}",
        encoded(&client_id),
        encoded(&format!("{base}/request.jwt"))
    );
    (link, result_page, posted)
}

/// Puts a Data Integrity diploma of `degree_type`, issued to the wallet's holder by a
/// `did:key` university, into the wallet in `dir`.
async fn hold_diploma(dir: &std::path::Path, id: &str, degree_type: &str) {
    let wallet = WalletDir(dir.join("wallet"));
    let holder = holder::unlock(&wallet, PASSPHRASE).unwrap();
    let store = sigil_wallet::store::Store::open(&wallet.database_path())
        .await
        .unwrap();
    let university = sigil_core::key::SigningKey::generate();
    let mut claims: serde_json::Value =
        serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    claims["degree"]["type"] = degree_type.into();
    let now = sigil_core::time::now();
    let credential = sigil_core::issue::CredentialRequest {
        credential_type: sigil_core::model::CredentialType::find_builtin("UniversityDegreeCredential")
            .unwrap(),
        issuer: university.did_key(),
        subject: Some(holder.did.clone()),
        claims: claims.as_object().unwrap().clone(),
        valid_from: now,
        valid_until: None,
        status: None,
        schema: None,
        holder_key: Some(holder.key.public_key()),
    }
    .issue(
        sigil_core::format::CredentialFormat::LdpVc,
        &university,
        &university.did_key_method(),
        now,
    )
    .await
    .unwrap();
    let row = sigil_wallet::store::credential::Model {
        id: id.into(),
        format: "ldp_vc".into(),
        type_name: "UniversityDegreeCredential".into(),
        issuer: university.did_key().to_string(),
        issuer_name: "Example University".into(),
        received_at: now.timestamp(),
        valid_until: None,
        sealed: String::new(),
    };
    let record = sigil_wallet::store::CredentialRecord {
        credential,
        claims,
        accreditation: None,
        issuer_legal_name: None,
        accreditor_name: None,
        claim_labels: Default::default(),
        type_names: Default::default(),
        checks: vec![],
    };
    store
        .insert_credential(&holder.vault, row, &record)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_credential_prints_with_a_qr_code_holding_it_for_the_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet(dir.path()).await;
    hold_diploma(dir.path(), "held", "BachelorDegree").await;
    let session = session(&app).await;
    let (status, _, credential) = send(&app, get("/credentials/held", Some(&session))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        credential.contains(r#"href="/credentials/held/print""#),
        "{credential}"
    );
    let (status, _, print) = send(&app, get("/credentials/held/print", Some(&session))).await;
    assert_eq!(status, StatusCode::OK, "{print}");
    assert!(print.contains(r#"<article class="diploma">"#), "{print}");
    assert!(
        print.contains(r#"<img src="data:image/svg+xml;base64,"#),
        "a QR code: {print}"
    );
    assert!(print.contains("verifier.example"), "{print}");
    assert!(
        print.contains("self-asserted"),
        "no accreditation vouches for the name: {print}"
    );
    let (status, _, _) = send(&app, get("/credentials/held/print", None)).await;
    assert_ne!(status, StatusCode::OK, "only the unlocked session prints");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_credentials_asked_for_together_are_shown_shared_and_followed_by_the_verifiers_result() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet_with(dir.path(), Arc::default(), Targets::new(true).unwrap()).await;
    hold_diploma(dir.path(), "held-master", "MasterDegree").await;
    hold_diploma(dir.path(), "held-bachelor", "BachelorDegree").await;
    let degree = "https://w3id.org/sigil/vocab#UniversityDegreeCredential";
    let (link, result_page, posted) = stand_in_verifier(serde_json::json!({
        "credentials": [
            {"id": "bachelor", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
             "claims": [{"path": ["credentialSubject", "degree", "type"], "values": ["BachelorDegree"]}]},
            {"id": "master", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
             "claims": [{"path": ["credentialSubject", "degree", "type"], "values": ["MasterDegree"]}]}
        ],
        "credential_sets": [{"options": [["bachelor", "master"]]}]
    }))
    .await;
    let session = session(&app).await;
    let (_, _, page) = send(&app, get("/present", Some(&session))).await;
    let form = format!("csrf={}&request={}", csrf_of(&page), encoded(&link));
    let (status, _, consent) = send(&app, post_form("/present", Some(&session), &form)).await;
    assert_eq!(status, StatusCode::OK, "{consent}");
    // What each query asks, and the held credential that answers it.
    assert!(consent.contains("asks for 2 credentials"), "{consent}");
    for query in ["bachelor", "master"] {
        assert!(consent.contains(&format!("<code>{query}</code>")), "{consent}");
    }
    assert!(consent.contains("MasterDegree"), "{consent}");
    assert!(
        posted.lock().unwrap().is_empty(),
        "nothing is sent before consent"
    );

    let pending = consent
        .split("/present/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let form = format!("csrf={}&decision=share", csrf_of(&consent));
    let (status, _, shared) = send(
        &app,
        post_form(&format!("/present/{pending}"), Some(&session), &form),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{shared}");
    assert!(shared.contains("Shared with Example Employer"), "{shared}");
    // The page sends the browser on to the verifier's result page at once.
    let escaped = result_page.replace('&', "&#38;");
    assert!(
        shared.contains(&format!(
            r#"<meta http-equiv="refresh" content="0; url={escaped}">"#
        )),
        "{shared}"
    );

    // One direct_post, one presentation per credential query, each with its own diploma.
    let forms = posted.lock().unwrap().clone();
    assert_eq!(forms.len(), 1);
    let field = |name: &str| forms[0].iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(field("state").as_deref(), Some("s-1"));
    let vp_token: serde_json::Value = serde_json::from_str(&field("vp_token").unwrap()).unwrap();
    for (query, kind) in [("bachelor", "BachelorDegree"), ("master", "MasterDegree")] {
        let presentations = vp_token[query].as_array().unwrap();
        assert_eq!(presentations.len(), 1, "{vp_token:#}");
        let degree = &presentations[0]["verifiableCredential"][0]["credentialSubject"]["degree"]["type"];
        assert_eq!(degree, kind, "{vp_token:#}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_required_set_the_wallet_cannot_answer_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet_with(dir.path(), Arc::default(), Targets::new(true).unwrap()).await;
    hold_diploma(dir.path(), "held-bachelor", "BachelorDegree").await;
    let degree = "https://w3id.org/sigil/vocab#UniversityDegreeCredential";
    let (link, _, posted) = stand_in_verifier(serde_json::json!({
        "credentials": [
            {"id": "bachelor", "format": "ldp_vc", "meta": {"type_values": [[degree]]}},
            {"id": "master", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
             "claims": [{"path": ["credentialSubject", "degree", "type"], "values": ["MasterDegree"]}]}
        ]
    }))
    .await;
    let session = session(&app).await;
    let (_, _, page) = send(&app, get("/present", Some(&session))).await;
    let form = format!("csrf={}&request={}", csrf_of(&page), encoded(&link));
    let (status, _, refused) = send(&app, post_form("/present", Some(&session), &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused.contains("it needs every credential it names, and nothing in this wallet is a UniversityDegreeCredential (ldp_vc)"),
        "{refused}"
    );
    assert!(refused.contains("nothing was sent"), "{refused}");
    assert!(posted.lock().unwrap().is_empty());
}
