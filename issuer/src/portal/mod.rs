//! The registrar portal: server-rendered pages (askama, in `sigil-templates`) that work without
//! JavaScript. Registrars sign in with argon2id-hashed passwords (throttled, [`throttle`]),
//! hold a session cookie with a CSRF token for every form ([`session`]), and do everything the
//! JSON API does: issue one credential through a form, a graduating class from a CSV upload
//! ([`batches`]), every offer shown as a QR code, link and PIN; search, revoke,
//! suspend and reinstate; rotate the signing key; read the audit log ([`pages`]).

pub mod batches;
pub mod pages;
pub mod session;
pub mod throttle;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::service::Issuer;

/// The portal's state: the issuer, plus what only the portal needs.
#[derive(Debug)]
pub struct Portal {
    pub issuer: Arc<Issuer>,
    pub throttle: throttle::LoginThrottle,
    pub batches: batches::BatchJobs,
    /// Whether cookies get `Secure` (the issuer is served over HTTPS).
    pub secure_cookies: bool,
}

/// The portal's routes, under `/portal`.
pub fn router(issuer: Arc<Issuer>) -> Router {
    let portal = Arc::new(Portal {
        secure_cookies: issuer.public_url.starts_with("https://"),
        issuer,
        throttle: throttle::LoginThrottle::default(),
        batches: batches::BatchJobs::default(),
    });
    Router::new()
        .route("/portal", get(pages::dashboard))
        .route("/portal/login", get(pages::login_form).post(pages::login))
        .route("/portal/logout", post(pages::logout))
        .route("/portal/issue", get(pages::issue_form).post(pages::issue))
        .route("/portal/upload", get(pages::upload_form).post(pages::upload))
        .route("/portal/batches/{batch}", get(pages::batch))
        .route("/portal/batches/{batch}/offers", get(pages::batch_offers))
        .route("/portal/batches/{batch}/offers.csv", get(pages::batch_csv))
        .route("/portal/credentials", get(pages::credentials))
        .route("/portal/credentials/{id}", get(pages::credential))
        .route("/portal/credentials/{id}/status", post(pages::change_status))
        .route("/portal/keys", get(pages::keys))
        .route("/portal/keys/rotate", post(pages::rotate))
        .route("/portal/audit", get(pages::audit))
        .with_state(portal)
}
