//! The registrar portal: server-rendered pages (askama, in `sigil-templates`) that work without
//! JavaScript. Registrars sign in with argon2id-hashed passwords (throttled, [`throttle`]),
//! hold a session cookie with a CSRF token for every form ([`session`]), and do everything the
//! JSON API does: issue one credential through a form, a graduating class from a CSV upload
//! ([`batches`]), every offer shown as a QR code, link and PIN; search, revoke,
//! suspend and reinstate; rotate the signing key; read the audit log. One module per page
//! ([`sign_in`], [`dashboard`], [`issue_form`], [`upload`], [`batch_pages`], [`offers`],
//! [`credentials`], [`print`] of an offer's paper diploma, [`keys`], [`audit`]); [`pages`]
//! holds what they share. Every page is in English or Simplified Chinese, as the registrar's
//! browser or choice asks (`sigil_service::language`; the words are
//! `sigil_templates::issuer::IssuerText`).

pub mod audit;
pub mod batch_pages;
pub mod batches;
pub mod credentials;
pub mod dashboard;
pub mod issue_form;
pub mod keys;
pub mod offers;
pub mod pages;
pub mod print;
pub mod session;
pub mod sign_in;
pub mod throttle;
pub mod upload;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::service::Issuer;

/// The portal's state: the issuer, plus what only the portal needs.
#[derive(Debug)]
pub struct Portal {
    pub issuer: Arc<Issuer>,
    pub throttle: throttle::LoginThrottle,
    /// Bounds concurrent argon2id password checks.
    pub password_checks: sigil_service::blocking::BlockingLimit,
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
        password_checks: sigil_service::blocking::BlockingLimit::per_core(),
        batches: batches::BatchJobs::default(),
    });
    Router::new()
        .route("/portal", get(dashboard::dashboard))
        .route("/portal/login", get(sign_in::login_form).post(sign_in::login))
        .route("/portal/logout", post(sign_in::logout))
        .route(
            "/portal/issue",
            get(issue_form::issue_form).post(issue_form::issue),
        )
        .route("/portal/upload", get(upload::upload_form).post(upload::upload))
        .route("/portal/batches/{batch}", get(batch_pages::batch))
        .route("/portal/batches/{batch}/offers", get(batch_pages::batch_offers))
        .route("/portal/batches/{batch}/offers.csv", get(batch_pages::batch_csv))
        .route("/portal/credentials", get(credentials::credentials))
        .route("/portal/credentials/{id}", get(credentials::credential))
        .route(
            "/portal/credentials/{id}/status",
            get(credentials::back_to_credential).post(credentials::change_status),
        )
        .route(
            "/portal/credentials/{id}/print",
            get(credentials::back_to_credential).post(print::print),
        )
        .route("/portal/keys", get(keys::keys))
        .route("/portal/keys/rotate", get(keys::back_to_keys).post(keys::rotate))
        .route(
            "/portal/keys/recover",
            get(keys::back_to_keys).post(keys::recover),
        )
        .route("/portal/audit", get(audit::audit))
        .with_state(portal)
}
