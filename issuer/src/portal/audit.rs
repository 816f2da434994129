//! The audit log page, and how an audit entry is shown wherever it appears.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use sigil_service::language::PageLang;
use sigil_templates::issuer::{AuditPage, AuditRow, IssuerText};

use super::Portal;
use super::pages::{frame, internal, page, time};
use super::session::Registrar;
use crate::store::entities::audit;

/// An audit entry as the log records it (the page puts the actions and the fixed actors in
/// words).
pub(super) fn audit_row(entry: &audit::Model) -> AuditRow {
    AuditRow {
        at: time(entry.at),
        actor: entry.actor.clone(),
        action: entry.action.clone(),
        target: entry.target.clone(),
        detail: entry.detail.clone(),
    }
}

/// `GET /portal/audit`
pub async fn audit(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
) -> Response {
    match portal.issuer.store.audit_log(500).await {
        Ok(entries) => page(
            lang,
            StatusCode::OK,
            &AuditPage {
                lang,
                t: IssuerText::for_lang(lang),
                frame: frame(&portal, &registrar, "audit"),
                entries: entries.iter().map(audit_row).collect(),
            },
        ),
        Err(e) => internal(&portal, lang, e),
    }
}
