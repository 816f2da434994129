//! Finding credentials, one credential's page, and suspending, reinstating or revoking it.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sigil_templates::issuer::{AnchorView, CredentialPage, CredentialRow, CredentialsPage, ReceiptView};

use super::Portal;
use super::pages::{error_page, forbidden, frame, internal, page, time};
use super::session::Registrar;
use sigil_core::lifecycle::StatusAction;

use crate::domain::CredentialRecord;
use crate::service::Issuer;
use crate::status::StatusError;

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
    let records = match portal.issuer.store.search_credentials(&query.q, 200).await {
        Ok(records) => records,
        Err(e) => return internal(&portal, e),
    };
    let now = sigil_core::time::now();
    page(
        StatusCode::OK,
        &CredentialsPage {
            frame: frame(&portal, &registrar, "credentials"),
            query: query.q,
            rows: records
                .iter()
                .map(|record| {
                    let facts = record.facts();
                    CredentialRow {
                        id: facts.id.to_owned(),
                        summary: facts.summary.to_owned(),
                        type_name: facts.type_name.to_owned(),
                        format: facts.format.name().to_owned(),
                        state: record.state_name(now).to_owned(),
                        status: record.status().as_str().to_owned(),
                        created: time(facts.created_at.timestamp()),
                        signer: signer_label(&portal.issuer, record.profile_did()),
                    }
                })
                .collect(),
        },
    )
}

/// The identity a credential is signed as, in words: `the institution`, `profile NAME`, or
/// the DID of a profile `issuer.toml` no longer lists.
fn signer_label(issuer: &Issuer, profile_did: Option<&str>) -> String {
    match profile_did {
        None => "the institution".to_owned(),
        Some(did) => match issuer.profile_with_did(did) {
            Some(profile) => format!("profile {}", profile.name),
            None => format!("a former profile, {did}"),
        },
    }
}

/// The button that offers `action`: (form value, label).
fn action_button(action: StatusAction) -> (&'static str, &'static str) {
    let label = match action {
        StatusAction::Suspend => "Suspend",
        StatusAction::Reinstate => "Reinstate",
        StatusAction::Revoke => "Revoke",
    };
    (action.as_str(), label)
}

/// What the page shows after an action.
#[derive(Debug, Default)]
struct Outcome {
    message: Option<String>,
    error: Option<String>,
    receipts: Vec<sigil_core::transaction::Receipt>,
}

async fn credential_page(portal: &Portal, registrar: &Registrar, id: &str, outcome: Outcome) -> Response {
    let record = match portal.issuer.store.credential(id).await {
        Ok(Some(record)) => record,
        Ok(None) => return error_page(portal, StatusCode::NOT_FOUND, "No such credential", id),
        Err(e) => return internal(portal, e),
    };
    let issued = match &record {
        CredentialRecord::Issued(credential) => Some(credential),
        CredentialRecord::Offered(_) => None,
    };
    let anchor = match issued.and_then(|c| c.anchor_root.as_deref()) {
        Some(root) => match portal.issuer.store.anchor(root).await {
            Ok(anchor) => anchor.map(|a| AnchorView {
                merkle_root: a.merkle_root,
                block_height: a.block_height,
            }),
            Err(e) => return internal(portal, e),
        },
        None => None,
    };
    // An offer has no status until it is issued; while it is open it can be withdrawn. A
    // profile's credential names no status list, so it has no status to change.
    let actions = match (issued, &record) {
        (Some(credential), _) if credential.profile_did.is_some() => vec![],
        (Some(credential), _) => credential
            .status
            .allowed_actions()
            .into_iter()
            .map(action_button)
            .collect(),
        (None, CredentialRecord::Offered(offer)) if offer.withdraw().is_ok() => {
            vec![(StatusAction::Revoke.as_str(), "Withdraw the offer")]
        }
        (None, _) => vec![],
    };
    let facts = record.facts();
    page(
        if outcome.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &CredentialPage {
            frame: frame(portal, registrar, "credentials"),
            id: facts.id.to_owned(),
            summary: facts.summary.to_owned(),
            type_name: facts.type_name.to_owned(),
            format: facts.format.name().to_owned(),
            state: record.state_name(sigil_core::time::now()).to_owned(),
            status: record.status().as_str().to_owned(),
            subject: issued.and_then(|c| c.subject.clone()),
            signer_did: record
                .profile_did()
                .map_or_else(|| portal.issuer.did().to_string(), str::to_owned),
            signer: signer_label(&portal.issuer, record.profile_did()),
            created: time(facts.created_at.timestamp()),
            created_by: facts.created_by.to_owned(),
            issued: issued.map(|c| time(c.issued_at.timestamp())),
            status_list: facts.position.list,
            status_index: facts.position.index,
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
    let Some(action) = StatusAction::parse(&form.action) else {
        return error_page(&portal, StatusCode::BAD_REQUEST, "Unknown action", &form.action);
    };
    let actor = registrar.actor();
    let changed = match action {
        StatusAction::Revoke => portal.issuer.revoke(&id, &actor).await,
        _ => portal.issuer.set_status(&id, action, &actor).await.map(Some),
    };
    let outcome = match changed {
        Ok(Some(change)) => Outcome {
            message: Some(format!(
                "The credential is now {}; the new status list is on the registry.",
                change.status.as_str()
            )),
            error: None,
            receipts: change.receipts,
        },
        Ok(None) => Outcome {
            message: Some("The offer is withdrawn: its link and PIN no longer work.".into()),
            error: None,
            receipts: vec![],
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
