//! The wallet's local web UI, in-process: requests go straight into `ui::app` through
//! `tower::ServiceExt::oneshot`, against a wallet created in a temporary directory.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sigil_core::keystore::KdfParams;
use sigil_wallet::holder::{self, DidMethod, WalletDir};
use tower::ServiceExt as _;

const PASSPHRASE: &str = "correct horse battery staple";

async fn wallet(dir: &std::path::Path) -> Router {
    let wallet = WalletDir(dir.join("wallet"));
    holder::init(&wallet, None, DidMethod::Key, PASSPHRASE, KdfParams::default())
        .await
        .unwrap();
    sigil_wallet::ui::app(wallet)
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
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

fn post_form(path: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(form.to_owned())).unwrap()
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
    let app = wallet(dir.path()).await;

    let (status, location, _) = send(&app, get("/", None)).await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(location.as_deref(), Some("/unlock"));
    let (status, _, page) = send(&app, get("/unlock", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("passphrase"), "{page}");

    let (status, cookie, page) = send(&app, post_form("/unlock", None, "passphrase=wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    assert!(cookie.is_none(), "no session for a wrong passphrase");

    let form = format!("passphrase={}", PASSPHRASE.replace(' ', "+"));
    let (status, cookie, _) = send(&app, post_form("/unlock", None, &form)).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn an_offer_that_is_no_offer_is_explained_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let app = wallet(dir.path()).await;
    let form = format!("passphrase={}", PASSPHRASE.replace(' ', "+"));
    let (_, cookie, _) = send(&app, post_form("/unlock", None, &form)).await;
    let session = cookie.unwrap().split(';').next().unwrap().to_owned();
    let (status, _, page) = send(&app, get("/receive", Some(&session))).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let form = format!("csrf={csrf}&offer=not-an-offer&pin=");
    let (status, _, page) = send(&app, post_form("/receive", Some(&session), &form)).await;
    assert!(status.is_client_error(), "{status}: {page}");
    let (_, _, cards) = send(&app, get("/", Some(&session))).await;
    assert!(!cards.contains("/credentials/"), "{cards}");
}
