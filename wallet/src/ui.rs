//! The wallet's local web UI (`sigil-wallet serve`): bound to loopback only, locked until the
//! passphrase is typed in the browser, then one session cookie (`HttpOnly`,
//! `SameSite=Strict`) with a CSRF token in every form. Works without JavaScript.
//!
//! Pages: credentials as cards (status checked afresh), a credential's details, receive an
//! offer, present — with a consent page that lists what goes to whom and, for SD-JWT VC, lets
//! the holder pick claims — the history, and backup export/import.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Form;
use axum::Router;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use sigil_core::format::CredentialFormat;
use sigil_core::verify::{Expectations, Outcome};
use sigil_service::pages::{cookie, page};
use sigil_service::tokens;
use sigil_templates::wallet::{
    BackupPage, Card, CardsPage, CheckLine, ConsentPage, CredentialPage, Frame, HistoryLine, HistoryPage,
    PresentPage, ReceivePage, UnlockPage,
};
use tower_http::limit::RequestBodyLimitLayer;

use crate::holder::{self, Holder, WalletDir};
use crate::present::{self, Match, Request};
use crate::store::{Held, Store};

/// The session cookie.
const COOKIE: &str = "sigil_wallet";

/// An unlocked wallet, for one browser session.
#[derive(Debug)]
pub struct Session {
    id: String,
    csrf: String,
    pub holder: Holder,
    pub store: Store,
}

/// The UI's state.
#[derive(Debug)]
pub struct Ui {
    dir: WalletDir,
    session: RwLock<Option<Arc<Session>>>,
    /// Presentation requests waiting for consent, by a random id.
    pending: Mutex<HashMap<String, (Request, Match)>>,
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
        }
    }

    fn csrf_ok(&self, given: &str) -> bool {
        tokens::check_csrf(&self.csrf, given)
    }
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        "This form has expired (its security token did not match). Go back, reload and try again.",
    )
        .into_response()
}

/// The routes.
pub fn app(dir: WalletDir) -> Router {
    let ui = Arc::new(Ui {
        dir,
        session: RwLock::new(None),
        pending: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/", get(cards))
        .route("/unlock", get(unlock_form).post(unlock))
        .route("/lock", post(lock))
        .route("/credentials/{id}", get(credential))
        .route("/credentials/{id}/delete", post(delete))
        .route("/receive", get(receive_form).post(receive))
        .route("/present", get(present_request))
        .route("/present/{pending}", post(present_decision))
        .route("/history", get(history))
        .route("/backup", get(backup_page))
        .route("/backup/export", post(export))
        .route("/backup/import", post(import))
        .route(
            sigil_templates::STYLESHEET_PATH,
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    sigil_templates::STYLESHEET,
                )
            }),
        )
        .layer(sigil_service::pages::security_headers())
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(8 * 1024 * 1024))
        .with_state(ui)
}

/// Serves the UI on a loopback address until Ctrl-C or SIGTERM.
pub async fn serve(dir: WalletDir, listen: SocketAddr, ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    if !listen.ip().is_loopback() {
        anyhow::bail!("the wallet's UI listens on this computer only (127.0.0.1 or ::1), not {listen}");
    }
    dir.config()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    ready(listener.local_addr()?);
    axum::serve(listener, app(dir))
        .with_graceful_shutdown(sigil_service::shutdown::signal())
        .await?;
    Ok(())
}

// --- Unlocking -------------------------------------------------------------------------

async fn unlock_form() -> Response {
    page(StatusCode::OK, &UnlockPage { error: None })
}

#[derive(Debug, Deserialize)]
struct UnlockForm {
    passphrase: String,
}

async fn unlock(State(ui): State<Arc<Ui>>, Form(form): Form<UnlockForm>) -> Response {
    let dir = ui.dir.clone();
    let opened = tokio::task::spawn_blocking(move || holder::unlock(&dir, &form.passphrase)).await;
    let holder = match opened {
        Ok(Ok(holder)) => holder,
        Ok(Err(e)) => {
            // A wrong passphrase costs an argon2id derivation; pause a little more anyway.
            tokio::time::sleep(Duration::from_millis(500)).await;
            return page(
                StatusCode::UNAUTHORIZED,
                &UnlockPage {
                    error: Some(format!("{e:#}")),
                },
            );
        }
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let store = match Store::open(&ui.dir.database_path()).await {
        Ok(store) => store,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let session = Arc::new(Session {
        id: tokens::random_secret(),
        csrf: tokens::random_secret(),
        holder,
        store,
    });
    let cookie = format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict", session.id);
    if let Ok(mut slot) = ui.session.write() {
        *slot = Some(session);
    }
    let cookie = HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""));
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn lock(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden();
    }
    if let Ok(mut slot) = ui.session.write() {
        *slot = None;
    }
    if let Ok(mut pending) = ui.pending.lock() {
        pending.clear();
    }
    let clear = HeaderValue::from_static("sigil_wallet=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/unlock")).into_response()
}

// --- Credentials ------------------------------------------------------------------------

fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn type_label(type_name: &str) -> String {
    let short = type_name.rsplit(['#', '/']).next().unwrap_or(type_name);
    match short {
        "UniversityDegreeCredential" => "University degree".into(),
        "ProductInspectionCertificate" => "Product inspection certificate".into(),
        other => other.to_owned(),
    }
}

/// A card's title: the degree's name, a product's name, else the type.
fn title(held: &Held) -> String {
    let claims = &held.record.claims;
    claims
        .pointer("/degree/name")
        .or_else(|| claims.get("productName"))
        .or_else(|| claims.get("name"))
        .and_then(Value::as_str)
        .map_or_else(|| type_label(&held.row.type_name), str::to_owned)
}

/// The status of a fresh check, in words and as a CSS class.
async fn status_of(session: &Session, held: &Held) -> (String, String, Vec<CheckLine>) {
    match crate::verification::verify(&session.holder, &held.record.credential, &Expectations::default())
        .await
    {
        Err(e) => (
            "Could not check now".into(),
            "unknown".into(),
            vec![CheckLine {
                outcome: "not_applicable".into(),
                label: "Check".into(),
                sentence: e.to_string(),
            }],
        ),
        Ok(report) => {
            let checks = report
                .checks
                .iter()
                .map(|c| CheckLine {
                    outcome: serde_json::to_value(c.outcome)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    label: sigil_templates::verifier::check_label(c.id).to_owned(),
                    sentence: c.message.clone(),
                })
                .collect();
            let failed: Vec<&String> = report
                .checks
                .iter()
                .filter(|c| c.outcome == Outcome::Failed && c.id != "trust")
                .map(|c| &c.message)
                .collect();
            let (status, class) = if failed.iter().any(|m| m.starts_with("Revoked")) {
                ("Revoked", "revoked")
            } else if failed.iter().any(|m| m.starts_with("Suspended")) {
                ("Suspended", "suspended")
            } else if failed.is_empty() {
                ("Valid", "valid")
            } else {
                ("Not valid", "invalid")
            };
            (status.into(), class.into(), checks)
        }
    }
}

async fn cards(Unlocked(session): Unlocked) -> Response {
    let held = match session.store.all(&session.holder.vault).await {
        Ok(held) => held,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let mut cards = Vec::new();
    for credential in &held {
        let (status, status_class, _) = status_of(&session, credential).await;
        cards.push(Card {
            id: credential.row.id.clone(),
            title: title(credential),
            type_label: type_label(&credential.row.type_name),
            issuer_name: credential.row.issuer_name.clone(),
            accreditation: if credential.record.accreditation.is_some() {
                "Accredited by a root of trust".into()
            } else {
                "Not accredited by a root of trust".into()
            },
            status,
            status_class,
            validity: credential
                .row
                .valid_until
                .map_or_else(|| "No expiry".into(), |t| format!("Valid until {}", time(t))),
        });
    }
    page(
        StatusCode::OK,
        &CardsPage {
            frame: session.frame("cards"),
            cards,
        },
    )
}

async fn credential(Unlocked(session): Unlocked, Path(id): Path<String>) -> Response {
    let held = match session.store.get(&session.holder.vault, &id).await {
        Ok(Some(held)) => held,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such credential").into_response(),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let (_, _, checks) = status_of(&session, &held).await;
    page(
        StatusCode::OK,
        &CredentialPage {
            frame: session.frame("cards"),
            id: held.row.id.clone(),
            title: title(&held),
            type_label: type_label(&held.row.type_name),
            format: held.row.format.clone(),
            issuer: held.row.issuer.clone(),
            issuer_name: held.row.issuer_name.clone(),
            accreditation: held
                .record
                .accreditation
                .clone()
                .unwrap_or_else(|| "Not accredited by a root of trust".into()),
            received: time(held.row.received_at),
            claims: sigil_core::model::claims::flatten(&held.record.claims),
            checks,
        },
    )
}

async fn delete(Unlocked(session): Unlocked, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden();
    }
    match session.store.delete(&id).await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

// --- Receiving --------------------------------------------------------------------------

async fn receive_form(Unlocked(session): Unlocked) -> Response {
    page(
        StatusCode::OK,
        &ReceivePage {
            frame: session.frame("receive"),
            offer: String::new(),
        },
    )
}

#[derive(Debug, Deserialize)]
struct ReceiveForm {
    csrf: String,
    offer: String,
    #[serde(default)]
    pin: String,
}

async fn receive(Unlocked(session): Unlocked, Form(form): Form<ReceiveForm>) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden();
    }
    let http = sigil_core::http_client::client();
    let pin = Some(form.pin.trim()).filter(|p| !p.is_empty());
    let outcome = match crate::receive::open_offer(&http, &form.offer).await {
        Ok(offer) => crate::receive::receive(&session.holder, &session.store, &offer, pin).await,
        Err(e) => Err(e),
    };
    let mut frame = session.frame("receive");
    match outcome {
        Ok(received) => {
            frame.message = Some(format!(
                "Received your {} from {}.",
                type_label(&received.type_name),
                received.issuer_name
            ));
            return Redirect::to(&format!("/credentials/{}", received.id)).into_response();
        }
        Err(e) => frame.error = Some(e.to_string()),
    }
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ReceivePage {
            frame,
            offer: form.offer,
        },
    )
}

// --- Presenting -------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct PresentQuery {
    request: Option<String>,
}

async fn present_request(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Query(query): Query<PresentQuery>,
) -> Response {
    let Some(uri) = query.request.filter(|r| !r.trim().is_empty()) else {
        return page(
            StatusCode::OK,
            &PresentPage {
                frame: session.frame("present"),
                request: String::new(),
            },
        );
    };
    let mut frame = session.frame("present");
    let request = match present::open_request(&session.holder, &uri).await {
        Ok(request) => request,
        Err(e) => {
            frame.error = Some(e.to_string());
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PresentPage { frame, request: uri },
            );
        }
    };
    let found = match present::match_query(&session.holder, &session.store, &request).await {
        Ok(found) => found,
        Err(e) => {
            frame.error = Some(format!("{e} — nothing was sent."));
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PresentPage { frame, request: uri },
            );
        }
    };
    let selectable = found.held.row.format == CredentialFormat::SdJwt.name();
    let claims: Vec<(String, bool)> = if selectable {
        // Every disclosable top-level claim, ticked if the verifier asked for it.
        top_level(&found.held.record.claims)
            .into_iter()
            .map(|name| {
                let asked = found.sd_claims.contains(&name);
                (name, asked)
            })
            .collect()
    } else {
        found.disclosed.iter().map(|c| (c.clone(), true)).collect()
    };
    let verifier = request
        .verifier_name
        .clone()
        .unwrap_or_else(|| request.verifier.to_string());
    let pending = tokens::random_secret();
    let consent = ConsentPage {
        frame,
        pending: pending.clone(),
        verifier,
        verifier_did: request.verifier.to_string(),
        type_label: type_label(&found.held.row.type_name),
        credential_title: title(&found.held),
        issuer_name: found.held.row.issuer_name.clone(),
        selectable,
        claims,
    };
    if let Ok(mut waiting) = ui.pending.lock() {
        waiting.insert(pending, (request, found));
    }
    page(StatusCode::OK, &consent)
}

fn top_level(claims: &Value) -> Vec<String> {
    claims
        .as_object()
        .map(|o| o.keys().filter(|k| *k != "id").cloned().collect())
        .unwrap_or_default()
}

async fn present_decision(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Path(pending): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if !session.csrf_ok(field("csrf").unwrap_or_default()) {
        return forbidden();
    }
    let Some((request, mut found)) = ui.pending.lock().ok().and_then(|mut p| p.remove(&pending)) else {
        return (StatusCode::NOT_FOUND, "this request was already answered").into_response();
    };
    let mut frame = session.frame("present");
    let verifier = request
        .verifier_name
        .clone()
        .unwrap_or_else(|| request.verifier.to_string());
    let outcome = if field("decision") == Some("share") {
        if found.held.row.format == CredentialFormat::SdJwt.name() {
            let chosen: Vec<String> = fields
                .iter()
                .filter(|(k, _)| k == "claim")
                .map(|(_, v)| v.clone())
                .collect();
            found
                .disclosed
                .retain(|path| chosen.iter().any(|c| path.split('.').next() == Some(c.as_str())));
            found.sd_claims = chosen;
        }
        present::respond(&session.holder, &session.store, &request, &found)
            .await
            .map(|()| format!("Shared with {verifier}."))
    } else {
        present::decline(&session.holder, &session.store, &request)
            .await
            .map(|()| format!("Declined; {verifier} was told."))
    };
    match outcome {
        Ok(message) => frame.message = Some(message),
        Err(e) => frame.error = Some(e.to_string()),
    }
    page(
        StatusCode::OK,
        &PresentPage {
            frame,
            request: String::new(),
        },
    )
}

// --- History and backup -----------------------------------------------------------------

async fn history(Unlocked(session): Unlocked) -> Response {
    match session.store.history(&session.holder.vault).await {
        Ok(entries) => page(
            StatusCode::OK,
            &HistoryPage {
                frame: session.frame("history"),
                entries: entries
                    .into_iter()
                    .map(|e| HistoryLine {
                        at: time(e.at),
                        event: e.event,
                        party: e.party,
                        claims: e.claims.join(", "),
                    })
                    .collect(),
            },
        ),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn backup_page(Unlocked(session): Unlocked) -> Response {
    page(
        StatusCode::OK,
        &BackupPage {
            frame: session.frame("backup"),
        },
    )
}

#[derive(Debug, Deserialize)]
struct ExportForm {
    csrf: String,
    passphrase: String,
}

async fn export(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Form(form): Form<ExportForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden();
    }
    match crate::backup::export_text(&ui.dir, &form.passphrase).await {
        Ok((sealed, _)) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"sigil-wallet.backup\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            sealed,
        )
            .into_response(),
        Err(e) => {
            let mut frame = session.frame("backup");
            frame.error = Some(format!("{e:#}"));
            page(StatusCode::UNPROCESSABLE_ENTITY, &BackupPage { frame })
        }
    }
}

async fn import(Unlocked(session): Unlocked, mut multipart: Multipart) -> Response {
    let mut parts: HashMap<String, String> = HashMap::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if let Ok(text) = field.text().await {
            parts.insert(name, text);
        }
    }
    if !session.csrf_ok(parts.get("csrf").map_or("", String::as_str)) {
        return forbidden();
    }
    let mut frame = session.frame("backup");
    let text = parts.get("file").map_or("", String::as_str);
    let passphrase = parts.get("passphrase").map_or("", String::as_str);
    match crate::backup::merge(&session.holder, &session.store, text, passphrase).await {
        Ok(added) => frame.message = Some(format!("Imported {added} credential(s).")),
        Err(e) => frame.error = Some(format!("{e:#}")),
    }
    page(StatusCode::OK, &BackupPage { frame })
}
