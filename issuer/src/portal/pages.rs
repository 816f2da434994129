//! The portal's pages and form handlers. Every POST checks the session's CSRF token first;
//! every failure is a page that says what went wrong, never a stack trace.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Form;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sigil_core::issue::CredentialFormat;
use sigil_templates::issuer::{
    AnchorView, AuditPage, AuditRow, BatchPage, CredentialPage, CredentialRow, CredentialsPage,
    DashboardPage, ErrorPage, FORMATS, FieldView, Frame, IssuePage, KeysPage, LineProblem, LoginPage,
    OfferView, OffersPage, ReceiptView, TypeChoice, UploadPage,
};

use super::Portal;
use super::session::{self, Registrar};
use crate::accounts;
use crate::credential_types::{Input, TypeDefinition};
use crate::institution::Rotation;
use crate::issuance::{Offer, OfferError, OfferRequest};
use crate::status::{Status, StatusError};
use crate::store::entities::{audit, credential};
use sigil_service::pages::page;
use sigil_templates::qr;

fn error_page(portal: &Portal, status: StatusCode, title: &str, message: &str) -> Response {
    page(
        status,
        &ErrorPage {
            institution: portal.issuer.name.clone(),
            title: title.to_owned(),
            message: message.to_owned(),
        },
    )
}

/// The page for a failure that is not the registrar's doing; the detail goes to the log.
pub fn internal(portal: &Portal, detail: impl std::fmt::Display) -> Response {
    tracing::error!(%detail, "portal: internal error");
    error_page(
        portal,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The issuer could not complete this. Nothing was changed; please try again, and tell your administrator if it keeps happening.",
    )
}

fn forbidden(portal: &Portal) -> Response {
    error_page(
        portal,
        StatusCode::FORBIDDEN,
        "This form has expired",
        "The form was not sent from this session (its security token did not match). Go back, reload the page and try again.",
    )
}

fn frame(portal: &Portal, registrar: &Registrar, section: &'static str) -> Frame {
    Frame {
        institution: portal.issuer.name.clone(),
        username: registrar.username.clone(),
        csrf: registrar.csrf.clone(),
        section,
    }
}

fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn audit_row(entry: &audit::Model) -> AuditRow {
    AuditRow {
        at: time(entry.at),
        actor: entry.actor.clone(),
        action: entry.action.clone(),
        target: entry.target.clone(),
        detail: entry.detail.clone(),
    }
}

fn type_choices(portal: &Portal, selected: &str) -> Vec<TypeChoice> {
    portal
        .issuer
        .types
        .iter()
        .map(|t| TypeChoice {
            name: t.name().to_owned(),
            display_name: t.core.display_name.clone(),
            selected: t.name() == selected,
            columns: t.claims.iter().map(|c| c.key()).collect::<Vec<_>>().join(", "),
        })
        .collect()
}

fn offer_view(offer: &Offer) -> OfferView {
    OfferView {
        credential_id: offer.credential_id.clone(),
        summary: offer.summary.clone(),
        offer_uri: offer.offer_uri.clone(),
        tx_code: offer.tx_code.clone(),
        qr_data_uri: qr::data_uri(&offer.offer_uri),
    }
}

fn offers_page(portal: &Portal, registrar: &Registrar, offers: &[Offer], batch: Option<String>) -> Response {
    let expires = offers
        .first()
        .map(|o| o.expires_at.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    page(
        StatusCode::OK,
        &OffersPage {
            frame: frame(
                portal,
                registrar,
                if batch.is_some() { "upload" } else { "issue" },
            ),
            offers: offers.iter().map(offer_view).collect(),
            batch,
            expires,
        },
    )
}

// --- Signing in and out ---------------------------------------------------------------

/// `GET /portal/login`
pub async fn login_form(State(portal): State<Arc<Portal>>) -> Response {
    page(
        StatusCode::OK,
        &LoginPage {
            institution: portal.issuer.name.clone(),
            username: String::new(),
            error: None,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
}

/// `POST /portal/login`
pub async fn login(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Form(form): Form<Credentials>,
) -> Response {
    let address = client.ip().to_string();
    let now = std::time::Instant::now();
    if let Some(wait) = portal.throttle.wait(&form.username, &address, now) {
        let minutes = wait.as_secs().div_ceil(60);
        return error_page(
            &portal,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed sign-ins",
            &format!("Sign-in is paused for this account or address. Try again in {minutes} minute(s)."),
        );
    }
    let account = match portal.issuer.store.registrar(&form.username).await {
        Ok(account) => account,
        Err(e) => return internal(&portal, e),
    };
    let stored = account
        .as_ref()
        .map_or(accounts::decoy_hash(), |a| a.password_hash.as_str())
        .to_owned();
    let password = form.password.clone();
    let matches = tokio::task::spawn_blocking(move || accounts::password_matches(&password, &stored))
        .await
        .unwrap_or(false);
    if !(matches && account.is_some()) {
        portal.throttle.failed(&form.username, &address, now);
        return page(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                institution: portal.issuer.name.clone(),
                username: form.username,
                error: Some("Wrong username or password.".into()),
            },
        );
    }
    portal.throttle.succeeded(&form.username);
    let cookie = match session::start(&portal, &form.username).await {
        Ok(cookie) => cookie,
        Err(e) => return internal(&portal, e),
    };
    portal
        .issuer
        .audit(
            &format!("registrar:{}", form.username),
            "sign in",
            &form.username,
            &address,
        )
        .await;
    ([(header::SET_COOKIE, cookie)], Redirect::to("/portal")).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// `POST /portal/logout`
pub async fn logout(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal);
    }
    match session::end(&portal, &registrar).await {
        Ok(cookie) => ([(header::SET_COOKIE, cookie)], Redirect::to("/portal/login")).into_response(),
        Err(e) => internal(&portal, e),
    }
}

// --- Dashboard and audit -------------------------------------------------------------

/// `GET /portal`
pub async fn dashboard(State(portal): State<Arc<Portal>>, registrar: Registrar) -> Response {
    let issuer = &portal.issuer;
    let (counts, entries) = match (issuer.store.counts().await, issuer.store.audit_log(10).await) {
        (Ok(counts), Ok(entries)) => (counts, entries),
        (Err(e), _) | (_, Err(e)) => return internal(&portal, e),
    };
    let key = issuer.active_key();
    page(
        StatusCode::OK,
        &DashboardPage {
            frame: frame(&portal, &registrar, "dashboard"),
            did: key.did.to_string(),
            signing_key: key.method.clone(),
            public_url: issuer.public_url.clone(),
            offered: counts.offered,
            issued: counts.issued,
            suspended: counts.suspended,
            revoked: counts.revoked,
            entries: entries.iter().map(audit_row).collect(),
        },
    )
}

/// `GET /portal/audit`
pub async fn audit(State(portal): State<Arc<Portal>>, registrar: Registrar) -> Response {
    match portal.issuer.store.audit_log(500).await {
        Ok(entries) => page(
            StatusCode::OK,
            &AuditPage {
                frame: frame(&portal, &registrar, "audit"),
                entries: entries.iter().map(audit_row).collect(),
            },
        ),
        Err(e) => internal(&portal, e),
    }
}

// --- Issuing one ------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct TypeQuery {
    #[serde(rename = "type")]
    type_name: Option<String>,
}

fn issue_page(
    portal: &Portal,
    registrar: &Registrar,
    definition: &TypeDefinition,
    values: &BTreeMap<String, String>,
    format: &str,
    errors: Vec<String>,
) -> IssuePage {
    IssuePage {
        frame: frame(portal, registrar, "issue"),
        types: type_choices(portal, definition.name()),
        type_name: definition.name().to_owned(),
        fields: definition
            .claims
            .iter()
            .map(|claim| FieldView {
                key: claim.key(),
                label: claim.label.clone(),
                input: match claim.input {
                    Input::Text => "text",
                    Input::Date => "date",
                    Input::Choice => "choice",
                }
                .to_owned(),
                choices: claim.choices.clone(),
                mandatory: claim.mandatory,
                value: values.get(&claim.key()).cloned().unwrap_or_default(),
            })
            .collect(),
        formats: FORMATS,
        format_name: format.to_owned(),
        errors,
    }
}

fn definition_or_first<'a>(portal: &'a Portal, name: Option<&str>) -> Option<&'a TypeDefinition> {
    name.and_then(|n| portal.issuer.types.get(n))
        .or_else(|| portal.issuer.types.iter().next())
}

/// `GET /portal/issue?type=T`
pub async fn issue_form(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Query(query): Query<TypeQuery>,
) -> Response {
    let Some(definition) = definition_or_first(&portal, query.type_name.as_deref()) else {
        return internal(&portal, "no credential types are configured");
    };
    page(
        StatusCode::OK,
        &issue_page(
            &portal,
            &registrar,
            definition,
            &BTreeMap::new(),
            "ldp_vc",
            vec![],
        ),
    )
}

/// `POST /portal/issue`: the form's fields are the claims' dotted keys, plus `csrf`, `type`
/// and `format`.
pub async fn issue(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Form(mut fields): Form<BTreeMap<String, String>>,
) -> Response {
    if !registrar.check_csrf(&fields.remove("csrf").unwrap_or_default()) {
        return forbidden(&portal);
    }
    let type_name = fields.remove("type").unwrap_or_default();
    let format_name = fields.remove("format").unwrap_or_else(|| "ldp_vc".into());
    let Some(definition) = portal.issuer.types.get(&type_name) else {
        return error_page(
            &portal,
            StatusCode::BAD_REQUEST,
            "Unknown credential type",
            &type_name,
        );
    };
    let Some(format) = CredentialFormat::parse(&format_name) else {
        let errors = vec![format!("Unknown format {format_name:?}.")];
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &issue_page(&portal, &registrar, definition, &fields, "ldp_vc", errors),
        );
    };
    let request = OfferRequest {
        type_name,
        claims: definition.claims_from_fields(&fields),
        format,
    };
    match portal
        .issuer
        .create_offers(vec![request], &registrar.actor(), None, sigil_core::time::now())
        .await
    {
        Ok(offers) => offers_page(&portal, &registrar, &offers, None),
        Err(OfferError::Invalid(problems)) => {
            let errors = problems.into_iter().flat_map(|(_, errors)| errors).collect();
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &issue_page(&portal, &registrar, definition, &fields, &format_name, errors),
            )
        }
        Err(OfferError::Internal(e)) => internal(&portal, format!("{e:#}")),
    }
}

// --- A graduating class -----------------------------------------------------------------

fn upload_page(
    portal: &Portal,
    registrar: &Registrar,
    selected: &str,
    problems: Vec<LineProblem>,
) -> UploadPage {
    UploadPage {
        frame: frame(portal, registrar, "upload"),
        types: type_choices(portal, selected),
        formats: FORMATS,
        problems,
    }
}

/// `GET /portal/upload`
pub async fn upload_form(State(portal): State<Arc<Portal>>, registrar: Registrar) -> Response {
    page(StatusCode::OK, &upload_page(&portal, &registrar, "", vec![]))
}

/// `POST /portal/upload`: multipart with `csrf`, `type`, `format` and `file`.
pub async fn upload(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    mut multipart: Multipart,
) -> Response {
    let mut parts: BTreeMap<String, String> = BTreeMap::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                match field.text().await {
                    Ok(text) => {
                        parts.insert(name, text);
                    }
                    Err(e) => {
                        return error_page(
                            &portal,
                            StatusCode::BAD_REQUEST,
                            "The upload failed",
                            &e.body_text(),
                        );
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                return error_page(
                    &portal,
                    StatusCode::BAD_REQUEST,
                    "The upload failed",
                    &e.body_text(),
                );
            }
        }
    }
    if !registrar.check_csrf(parts.get("csrf").map_or("", String::as_str)) {
        return forbidden(&portal);
    }
    let type_name = parts.get("type").cloned().unwrap_or_default();
    let problem = |line: usize, error: String| {
        vec![LineProblem {
            line,
            errors: vec![error],
        }]
    };
    let Some(definition) = portal.issuer.types.get(&type_name) else {
        let problems = problem(0, format!("Unknown credential type {type_name:?}."));
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &upload_page(&portal, &registrar, "", problems),
        );
    };
    let Some(format) = parts.get("format").and_then(|f| CredentialFormat::parse(f)) else {
        let problems = problem(0, "Unknown format.".into());
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &upload_page(&portal, &registrar, &type_name, problems),
        );
    };
    let text = parts.get("file").map_or("", String::as_str);
    match crate::csv_batch::parse(text, definition, format) {
        Err(lines) => {
            let problems = lines
                .into_iter()
                .map(|l| LineProblem {
                    line: l.line,
                    errors: l.errors,
                })
                .collect();
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &upload_page(&portal, &registrar, &type_name, problems),
            )
        }
        Ok(requests) => {
            let batch = format!("batch-{}", uuid::Uuid::new_v4().simple());
            portal.batches.start(
                portal.issuer.clone(),
                batch.clone(),
                requests,
                &registrar.username,
            );
            Redirect::to(&format!("/portal/batches/{batch}")).into_response()
        }
    }
}

/// A batch of the last hour that this registrar uploaded, or the page saying there is none.
fn own_batch(
    portal: &Portal,
    registrar: &Registrar,
    batch: &str,
) -> Result<Arc<super::batches::BatchJob>, Box<Response>> {
    portal
        .batches
        .get(batch)
        .filter(|job| job.owner == registrar.username)
        .ok_or_else(|| {
            Box::new(error_page(
                portal,
                StatusCode::NOT_FOUND,
                "No such batch",
                "Batches are kept for an hour after upload, for the registrar who uploaded them.",
            ))
        })
}

/// The finished offers of a batch the registrar owns, or the page to show instead.
fn finished_batch(portal: &Portal, registrar: &Registrar, batch: &str) -> Result<Vec<Offer>, Box<Response>> {
    let job = own_batch(portal, registrar, batch)?;
    let outcome = job.outcome.lock().ok().and_then(|o| o.clone());
    match outcome {
        Some(Ok(offers)) => Ok(offers),
        _ => Err(Box::new(
            Redirect::to(&format!("/portal/batches/{batch}")).into_response(),
        )),
    }
}

/// `GET /portal/batches/{batch}`: progress, then the outcome.
pub async fn batch(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Path(batch): Path<String>,
) -> Response {
    let job = match own_batch(&portal, &registrar, &batch) {
        Ok(job) => job,
        Err(page) => return *page,
    };
    let outcome = job.outcome.lock().ok().and_then(|o| o.clone());
    let (done, error) = match outcome {
        None => (false, None),
        Some(Ok(_)) => (true, None),
        Some(Err(error)) => (true, Some(error)),
    };
    page(
        StatusCode::OK,
        &BatchPage {
            frame: frame(&portal, &registrar, "upload"),
            batch,
            total: job.total,
            stored: job.stored.load(Ordering::Relaxed),
            done,
            error,
        },
    )
}

/// `GET /portal/batches/{batch}/offers`: every offer with its QR code.
pub async fn batch_offers(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Path(batch): Path<String>,
) -> Response {
    match finished_batch(&portal, &registrar, &batch) {
        Ok(offers) => offers_page(&portal, &registrar, &offers, Some(batch)),
        Err(response) => *response,
    }
}

/// `GET /portal/batches/{batch}/offers.csv`: the offers and PINs, for mail merge.
pub async fn batch_csv(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Path(batch): Path<String>,
) -> Response {
    let offers = match finished_batch(&portal, &registrar, &batch) {
        Ok(offers) => offers,
        Err(response) => return *response,
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["summary", "credential_id", "offer_uri", "tx_code", "expires_at"];
    let mut written = writer.write_record(header);
    for offer in &offers {
        let expires = sigil_core::time::format_datetime(offer.expires_at);
        let row = [
            offer.summary.as_str(),
            &offer.credential_id,
            &offer.offer_uri,
            &offer.tx_code,
            &expires,
        ];
        written = written.and_then(|()| writer.write_record(row));
    }
    match (written, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{batch}-offers.csv\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        _ => internal(&portal, "could not write the offers CSV"),
    }
}

// --- Credentials ------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /portal/credentials?q=`
pub async fn credentials(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Query(query): Query<SearchQuery>,
) -> Response {
    let rows = match portal.issuer.store.search_credentials(&query.q, 200).await {
        Ok(rows) => rows,
        Err(e) => return internal(&portal, e),
    };
    page(
        StatusCode::OK,
        &CredentialsPage {
            frame: frame(&portal, &registrar, "credentials"),
            query: query.q,
            rows: rows
                .iter()
                .map(|row| CredentialRow {
                    id: row.id.clone(),
                    summary: row.summary.clone(),
                    type_name: row.type_name.clone(),
                    format: row.format.clone(),
                    state: state_of(row).into(),
                    status: row.status.clone(),
                    created: time(row.created_at),
                })
                .collect(),
        },
    )
}

fn state_of(row: &credential::Model) -> &'static str {
    if row.issued_at.is_some() {
        "issued"
    } else {
        "offered"
    }
}

/// What the page shows after an action.
#[derive(Debug, Default)]
struct Outcome {
    message: Option<String>,
    error: Option<String>,
    receipts: Vec<sigil_core::transaction::Receipt>,
}

async fn credential_page(portal: &Portal, registrar: &Registrar, id: &str, outcome: Outcome) -> Response {
    let row = match portal.issuer.store.credential(id).await {
        Ok(Some(row)) => row,
        Ok(None) => return error_page(portal, StatusCode::NOT_FOUND, "No such credential", id),
        Err(e) => return internal(portal, e),
    };
    let anchor = match &row.anchor_root {
        Some(root) => match portal.issuer.store.anchor(root).await {
            Ok(anchor) => anchor.map(|a| AnchorView {
                merkle_root: a.merkle_root,
                block_height: a.block_height,
            }),
            Err(e) => return internal(portal, e),
        },
        None => None,
    };
    let actions = match crate::status::status_of(&row) {
        Status::Active => vec![("suspend", "Suspend"), ("revoke", "Revoke")],
        Status::Suspended => vec![("reinstate", "Reinstate"), ("revoke", "Revoke")],
        Status::Revoked => vec![],
    };
    page(
        if outcome.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &CredentialPage {
            frame: frame(portal, registrar, "credentials"),
            id: row.id.clone(),
            summary: row.summary.clone(),
            type_name: row.type_name.clone(),
            format: row.format.clone(),
            state: state_of(&row).into(),
            status: row.status.clone(),
            subject: row.subject.clone(),
            created: time(row.created_at),
            created_by: row.created_by.clone(),
            issued: row.issued_at.map(time),
            status_list: row.status_list,
            status_index: row.status_index,
            anchor,
            actions,
            receipts: outcome
                .receipts
                .iter()
                .map(|r| ReceiptView {
                    height: r.height.to_string(),
                    tx_hash: r.tx_hash.clone(),
                })
                .collect(),
            message: outcome.message,
            error: outcome.error,
        },
    )
}

/// `GET /portal/credentials/{id}`
pub async fn credential(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Path(id): Path<String>,
) -> Response {
    credential_page(&portal, &registrar, &id, Outcome::default()).await
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    csrf: String,
    action: String,
}

/// `POST /portal/credentials/{id}/status`
pub async fn change_status(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal);
    }
    let Some(status) = Status::after(&form.action) else {
        return error_page(&portal, StatusCode::BAD_REQUEST, "Unknown action", &form.action);
    };
    let outcome = match portal.issuer.set_status(&id, status, &registrar.actor()).await {
        Ok(change) => Outcome {
            message: Some(format!(
                "The credential is now {}; the new status list is on the registry.",
                change.status.name()
            )),
            error: None,
            receipts: change.receipts,
        },
        Err(StatusError::Internal(e)) => return internal(&portal, format!("{e:#}")),
        Err(e) => Outcome {
            message: None,
            error: Some(e.to_string()),
            receipts: vec![],
        },
    };
    credential_page(&portal, &registrar, &id, outcome).await
}

// --- Keys -------------------------------------------------------------------------------

fn keys_page(
    portal: &Portal,
    registrar: &Registrar,
    message: Option<String>,
    error: Option<String>,
) -> Response {
    let key = portal.issuer.active_key();
    page(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &KeysPage {
            frame: frame(portal, registrar, "keys"),
            did: key.did.to_string(),
            signing_key: key.method.clone(),
            cold_key_present: portal.issuer.institution.cold_key_path().exists(),
            message,
            error,
        },
    )
}

/// `GET /portal/keys`
pub async fn keys(State(portal): State<Arc<Portal>>, registrar: Registrar) -> Response {
    keys_page(&portal, &registrar, None, None)
}

#[derive(Debug, Deserialize)]
pub struct RotateForm {
    csrf: String,
    mode: String,
    #[serde(default)]
    since: String,
}

/// Reads a `datetime-local` value (taken as UTC) or an RFC 3339 date-time.
fn parse_since(text: &str) -> Option<sigil_core::time::Timestamp> {
    sigil_core::time::parse_datetime(text).or_else(|| {
        ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
            .map(|naive| naive.and_utc())
    })
}

/// `POST /portal/keys/rotate`
pub async fn rotate(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Form(form): Form<RotateForm>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal);
    }
    let rotation = match form.mode.as_str() {
        "routine" => Rotation::Routine,
        "compromised" => match parse_since(form.since.trim()) {
            Some(since) => Rotation::Compromised {
                since,
                next_key: portal.issuer.institution.cold_key_path(),
            },
            None => {
                let error = format!("{:?} is not a date and time.", form.since);
                return keys_page(&portal, &registrar, None, Some(error));
            }
        },
        other => return error_page(&portal, StatusCode::BAD_REQUEST, "Unknown rotation", other),
    };
    match portal.issuer.rotate(&rotation, &registrar.actor()).await {
        Ok(fragment) => keys_page(
            &portal,
            &registrar,
            Some(format!(
                "The registry recorded the rotation: new credentials are signed with #{fragment}."
            )),
            None,
        ),
        Err(e) => keys_page(
            &portal,
            &registrar,
            None,
            Some(format!("Nothing was changed: {e:#}")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_since;

    #[test]
    fn a_browser_datetime_is_read_as_utc() {
        let since = parse_since("2026-11-28T09:30").unwrap();
        assert_eq!(sigil_core::time::format_datetime(since), "2026-11-28T09:30:00Z");
        assert!(parse_since("2026-11-28T09:30:15Z").is_some());
        assert!(parse_since("yesterday").is_none());
    }
}
