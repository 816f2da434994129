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
use crate::status::{Status, StatusError};
use crate::store::entities::credential;

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
