//! The wallet's local web UI (`sigil-wallet serve`): bound to loopback only and answering only
//! requests addressed to that address (`host`), locked until the passphrase is typed in the
//! browser (with a back-off against guessing, `backoff`), then one session cookie
//! (`HttpOnly`, `SameSite=Strict`) with a CSRF token in every form — every action that
//! changes something or makes the wallet fetch a URL is a POST that carries it. Works
//! without JavaScript.
//!
//! Pages: credentials as cards (status checked afresh), a credential's details, receive an
//! offer, present — with a consent page that lists what goes to whom and, for SD-JWT VC, lets
//! the holder pick claims — the history, and backup export/import. This module holds the
//! router, the session and what every page shares; each page (or group) has its own file:
//! `unlock`, `credentials`, `receive`, `present`, `history`, `backup`.
//!
//! Every page is in the visitor's language (`sigil_service::language`: the switch on each
//! page, else the browser's), with the words of `sigil_templates::wallet::WalletText`; so are
//! the names issuers and registries give in several languages. What the wallet was told by
//! others (a verifier's or an issuer's error, a check's details) stays in English.

pub mod backoff;
mod backup;
mod credentials;
mod history;
pub mod host;
mod present;
mod receive;
mod unlock;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use sigil_service::language::{Lang, localized};
use sigil_templates::wallet::{Frame, WalletText};
use tower_http::limit::RequestBodyLimitLayer;

use crate::config::ServiceSettings;
use crate::holder::{Holder, WalletDir};
use crate::present::{Match, Request};
use crate::store::{Held, Store};
use crate::targets::Targets;
use backoff::{Backoff, Clock, SystemClock};
use host::AllowedHosts;

/// The session cookie.
const COOKIE: &str = "sigil_wallet";

/// An unlocked wallet, for one browser session.
#[derive(Debug)]
pub struct Session {
    id: String,
    csrf: String,
    /// Whether insecure targets are allowed (every page then says so).
    insecure_targets: bool,
    pub holder: Holder,
    pub store: Store,
}

/// The UI's state.
#[derive(Debug)]
pub struct Ui {
    dir: WalletDir,
    session: RwLock<Option<Arc<Session>>>,
    /// Presentation requests waiting for consent, by a random id.
    pending: Mutex<present::PendingConsents<(Request, Match)>>,
    /// Where offers and requests may send the wallet.
    targets: Targets,
    /// Failed unlocks.
    backoff: Backoff,
    /// The verifier printed credentials' QR codes lead to, if any.
    paper_verifier: Option<url::Url>,
}

/// How the UI is set up.
#[derive(Debug, Clone)]
pub struct UiOptions {
    /// The address the UI listens on; requests naming another host are refused.
    pub address: SocketAddr,
    /// Where offers and requests may send the wallet.
    pub targets: Targets,
    /// The unlock back-off's clock.
    pub clock: Arc<dyn Clock>,
    /// The verifier printed credentials' QR codes lead to; none, the wallet does not print.
    pub paper_verifier: Option<url::Url>,
}

impl UiOptions {
    /// The options of a UI listening on `address` with the system clock.
    pub fn new(address: SocketAddr, targets: Targets) -> Self {
        UiOptions {
            address,
            targets,
            clock: Arc::new(SystemClock),
            paper_verifier: None,
        }
    }
}

use sigil_service::pages::cookie;
use sigil_service::tokens;

/// Renders a page written in `lang`.
fn page(lang: Lang, status: StatusCode, template: &impl askama::Template) -> Response {
    localized(lang, sigil_service::pages::page(status, template))
}

/// A message for a person that is no page (a form that expired, a credential not found), in
/// `lang`.
fn plain(lang: Lang, status: StatusCode, message: &'static str) -> Response {
    localized(
        lang,
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response(),
    )
}

/// The unlocked session of the request's cookie.
#[derive(Debug)]
pub struct Unlocked(pub Arc<Session>);

impl FromRequestParts<Arc<Ui>> for Unlocked {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, ui: &Arc<Ui>) -> Result<Self, Response> {
        let to_unlock = || Redirect::to("/unlock").into_response();
        let given = cookie(&parts.headers, COOKIE).ok_or_else(to_unlock)?;
        let session = ui
            .session
            .read()
            .ok()
            .and_then(|s| s.clone())
            .ok_or_else(to_unlock)?;
        if !tokens::constant_time_eq(given, &session.id) {
            return Err(to_unlock());
        }
        Ok(Unlocked(session))
    }
}

impl Session {
    fn frame(&self, section: &'static str) -> Frame {
        Frame {
            csrf: self.csrf.clone(),
            section,
            message: None,
            error: None,
            error_detail: None,
            insecure_targets: self.insecure_targets,
        }
    }

    fn csrf_ok(&self, given: &str) -> bool {
        tokens::check_csrf(&self.csrf, given)
    }
}

/// The answer to a form whose CSRF token does not match, in `lang`.
fn forbidden(lang: Lang) -> Response {
    plain(
        lang,
        StatusCode::FORBIDDEN,
        WalletText::for_lang(lang).form_expired,
    )
}

/// The routes.
pub fn app(dir: WalletDir, options: UiOptions) -> Router {
    let hosts = AllowedHosts::of(options.address);
    let ui = Arc::new(Ui {
        dir,
        session: RwLock::new(None),
        pending: Mutex::new(present::PendingConsents::default()),
        targets: options.targets,
        backoff: Backoff::new(options.clock),
        paper_verifier: options.paper_verifier,
    });
    Router::new()
        .route("/", get(credentials::cards))
        .route("/unlock", get(unlock::unlock_form).post(unlock::unlock))
        .route("/lock", post(unlock::lock))
        .route("/credentials/{id}", get(credentials::credential))
        .route("/credentials/{id}/delete", post(credentials::delete))
        .route("/credentials/{id}/print", get(credentials::print))
        .route("/receive", get(receive::receive_form).post(receive::receive))
        .route(
            "/present",
            get(present::present_form).post(present::present_request),
        )
        .route("/present/{pending}", post(present::present_decision))
        .route("/history", get(history::history))
        .route("/backup", get(backup::backup_page))
        .route("/backup/export", post(backup::export))
        .route("/backup/import", post(backup::import))
        .route(
            sigil_templates::STYLESHEET_PATH,
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    sigil_templates::STYLESHEET,
                )
            }),
        )
        .layer(axum::middleware::from_fn(sigil_service::language::switch))
        .layer(axum::middleware::from_fn_with_state(hosts, host::check_host))
        .layer(sigil_service::pages::security_headers())
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(8 * 1024 * 1024))
        .with_state(ui)
}

/// Serves the UI on a loopback address (over HTTPS when the settings name a certificate)
/// until Ctrl-C or SIGTERM; calls `ready` with its URL once listening.
pub async fn serve(
    dir: WalletDir,
    settings: &ServiceSettings,
    ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let listen = settings.listen;
    if !listen.ip().is_loopback() {
        anyhow::bail!("the wallet's UI listens on this computer only (127.0.0.1 or ::1), not {listen}");
    }
    dir.config()?;
    let tls = settings.tls_files(&dir.0)?;
    let listener = sigil_service::serve::Listener::bind(listen, tls.as_ref()).await?;
    let address = listener.local_addr();
    let targets = Targets::new(settings.allow_insecure_targets)?;
    ready(&listener.url());
    let paper_verifier = settings
        .paper_verifier
        .as_deref()
        .map(|text| {
            url::Url::parse(text).map_err(|e| anyhow::anyhow!("paper_verifier {text:?} is not a URL: {e}"))
        })
        .transpose()?;
    let options = UiOptions {
        paper_verifier,
        ..UiOptions::new(address, targets)
    };
    let app = app(dir, options);
    sigil_service::serve::serve(listener, app, sigil_service::shutdown::signal()).await?;
    Ok(())
}

/// A form that carries only its CSRF token.
#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// A time for people.
fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// A credential type for people, in `lang`.
fn type_label(type_name: &str, lang: Lang) -> String {
    let t = WalletText::for_lang(lang);
    let short = type_name.rsplit(['#', '/']).next().unwrap_or(type_name);
    match short {
        "UniversityDegreeCredential" => t.type_university_degree.into(),
        "ProductInspectionCertificate" => t.type_product_inspection.into(),
        other => other.to_owned(),
    }
}

/// A held credential's type in words: the issuer's name for it (its metadata's, in `lang`)
/// when it gave one, else Sigil's.
fn held_type_label(held: &Held, lang: Lang) -> String {
    crate::receive::labels::in_language(&held.record.type_names, lang.tag())
        .map_or_else(|| type_label(&held.row.type_name, lang), str::to_owned)
}

/// The issuer's label, in `lang`, for the claim at the dotted `path`, else the path itself.
fn claim_label(held: &Held, path: &str, lang: Lang) -> String {
    held.record
        .claim_labels
        .get(path)
        .and_then(|names| crate::receive::labels::in_language(names, lang.tag()))
        .map_or_else(|| path.to_owned(), str::to_owned)
}

/// A held credential's claims as (label in `lang`, value), in the order the credential gives
/// them.
fn labelled_claims(held: &Held, lang: Lang) -> Vec<(String, String)> {
    sigil_core::model::claims::flatten(&held.record.claims)
        .into_iter()
        .map(|(path, value)| (claim_label(held, &path, lang), value))
        .collect()
}

/// A card's title: the degree's name, a product's name, else the type (in `lang`).
fn title(held: &Held, lang: Lang) -> String {
    let claims = &held.record.claims;
    claims
        .pointer("/degree/name")
        .or_else(|| claims.get("productName"))
        .or_else(|| claims.get("name"))
        .and_then(Value::as_str)
        .map_or_else(|| held_type_label(held, lang), str::to_owned)
}

/// The issuer's name to show: the legal name its accreditation recorded (in `lang`), else the
/// one its metadata gave (self-asserted).
fn issuer_name(held: &Held, lang: Lang) -> String {
    held.record.issuer_legal_name.as_ref().map_or_else(
        || held.row.issuer_name.clone(),
        |name| name.in_language(lang.tag()).to_owned(),
    )
}
