//! Finding credentials, one credential's page, and suspending, reinstating or revoking it.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sigil_core::lifecycle::{CredentialStatus, StatusAction};
use sigil_service::language::{Lang, PageLang};
use sigil_templates::issuer::{
    AnchorView, CredentialPage, CredentialRow, CredentialsPage, IssuerText, ReceiptView,
    status_change_refused,
};

use super::Portal;
use super::pages::{error_page, forbidden, frame, internal, page, time};
use super::session::Registrar;

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
    PageLang(lang): PageLang,
    Query(query): Query<SearchQuery>,
) -> Response {
    let records = match portal.issuer.store.search_credentials(&query.q, 200).await {
        Ok(records) => records,
        Err(e) => return internal(&portal, lang, e),
    };
    let t = IssuerText::for_lang(lang);
    let now = sigil_core::time::now();
    page(
        lang,
        StatusCode::OK,
        &CredentialsPage {
            lang,
            t,
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
                        signer: signer_label(&portal.issuer, t, record.profile_did()),
                    }
                })
                .collect(),
        },
    )
}

/// The identity a credential is signed as, in the words of `t`: `the institution`,
/// `profile NAME`, or the DID of a profile `issuer.toml` no longer lists.
fn signer_label(issuer: &Issuer, t: &IssuerText, profile_did: Option<&str>) -> String {
    match profile_did {
        None => t.the_institution.to_owned(),
        Some(did) => match issuer.profile_with_did(did) {
            Some(profile) => format!("{} {}", t.profile, profile.name),
            None => format!("{} {did}", t.former_profile),
        },
    }
}

/// The button that offers `action`: (form value, label in the words of `t`).
fn action_button(t: &IssuerText, action: StatusAction) -> (&'static str, &'static str) {
    let label = match action {
        StatusAction::Suspend => t.suspend,
        StatusAction::Reinstate => t.reinstate,
        StatusAction::Revoke => t.revoke,
    };
    (action.as_str(), label)
}

/// What a status change did, in the words of `t`.
fn status_changed(t: &IssuerText, status: CredentialStatus) -> &'static str {
    match status {
        CredentialStatus::Active => t.now_active,
        CredentialStatus::Suspended => t.now_suspended,
        CredentialStatus::Revoked => t.now_revoked,
    }
}

/// Why a status change did not happen, in `lang` (what the registry said stays as it said it).
fn status_error(lang: Lang, error: &StatusError) -> String {
    let t = IssuerText::for_lang(lang);
    match error {
        StatusError::NotFound(id) => format!("{} {id}", t.no_credential),
        StatusError::NotIssued(id) => format!("{id} {}", t.still_an_offer),
        StatusError::NoStatusEntry { id, profile_did } => {
            format!("{id} {} {profile_did} {}", t.signed_as_profile, t.no_status_entry)
        }
        StatusError::NotAllowed(refused) => {
            status_change_refused(lang, refused.from.as_str(), refused.action.outcome().as_str())
        }
        StatusError::Refused { code, message } => format!("{} ({code}): {message}", t.registry_refused),
        StatusError::Unavailable(detail) => format!("{} {detail}", t.registry_unreachable),
        // Answered with the error page before it gets here; its detail is for the log only.
        StatusError::Internal(_) => t.went_wrong.to_owned(),
    }
}

/// What the page shows after an action.
#[derive(Debug, Default)]
struct Outcome {
    message: Option<String>,
    error: Option<String>,
    receipts: Vec<sigil_core::transaction::Receipt>,
}

async fn credential_page(
    portal: &Portal,
    registrar: &Registrar,
    lang: Lang,
    id: &str,
    outcome: Outcome,
) -> Response {
    let t = IssuerText::for_lang(lang);
    let record = match portal.issuer.store.credential(id).await {
        Ok(Some(record)) => record,
        Ok(None) => {
            return error_page(
                portal,
                lang,
                StatusCode::NOT_FOUND,
                t.no_such_credential_title,
                id,
            );
        }
        Err(e) => return internal(portal, lang, e),
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
            Err(e) => return internal(portal, lang, e),
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
            .map(|action| action_button(t, action))
            .collect(),
        (None, CredentialRecord::Offered(offer)) if offer.withdraw().is_ok() => {
            vec![(StatusAction::Revoke.as_str(), t.withdraw_offer)]
        }
        (None, _) => vec![],
    };
    let (can_print, print_note) = super::print::print_availability(portal, t, &record);
    let facts = record.facts();
    page(
        lang,
        if outcome.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &CredentialPage {
            lang,
            t,
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
            signer: signer_label(&portal.issuer, t, record.profile_did()),
            created: time(facts.created_at.timestamp()),
            created_by: facts.created_by.to_owned(),
            issued: issued.map(|c| time(c.issued_at.timestamp())),
            status_list: facts.position.list,
            status_index: facts.position.index,
            anchor,
            actions,
            can_print,
            print_note,
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
    PageLang(lang): PageLang,
    Path(id): Path<String>,
) -> Response {
    credential_page(&portal, &registrar, lang, &id, Outcome::default()).await
}

/// `GET /portal/credentials/{id}/status` (and `…/print`): the status and print forms post
/// there, so the language switch on the page that answers them comes back here; the
/// credential's page is what was meant.
pub async fn back_to_credential(Path(id): Path<String>) -> Response {
    // A record id is a UUID; anything else goes to the list rather than into a header.
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Redirect::to(&format!("/portal/credentials/{id}")).into_response()
    } else {
        Redirect::to("/portal/credentials").into_response()
    }
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
    PageLang(lang): PageLang,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal, lang);
    }
    let t = IssuerText::for_lang(lang);
    let Some(action) = StatusAction::parse(&form.action) else {
        return error_page(
            &portal,
            lang,
            StatusCode::BAD_REQUEST,
            t.unknown_action_title,
            &form.action,
        );
    };
    let actor = registrar.actor();
    let changed = match action {
        StatusAction::Revoke => portal.issuer.revoke(&id, &actor).await,
        _ => portal.issuer.set_status(&id, action, &actor).await.map(Some),
    };
    let outcome = match changed {
        Ok(Some(change)) => Outcome {
            message: Some(status_changed(t, change.status).to_owned()),
            error: None,
            receipts: change.receipts,
        },
        Ok(None) => Outcome {
            message: Some(t.offer_withdrawn.to_owned()),
            error: None,
            receipts: vec![],
        },
        Err(StatusError::Internal(e)) => return internal(&portal, lang, format!("{e:#}")),
        Err(e) => Outcome {
            message: None,
            error: Some(status_error(lang, &e)),
            receipts: vec![],
        },
    };
    credential_page(&portal, &registrar, lang, &id, outcome).await
}
