//! The portal's front page: the institution's DID and key, counts, the latest audit entries.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use sigil_service::language::PageLang;
use sigil_templates::issuer::{DashboardPage, IssuerText};

use super::Portal;
use super::audit::audit_row;
use super::pages::{frame, internal, page};
use super::session::Registrar;

/// `GET /portal`
pub async fn dashboard(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
) -> Response {
    let issuer = &portal.issuer;
    let (counts, entries) = match (issuer.store.counts().await, issuer.store.audit_log(10).await) {
        (Ok(counts), Ok(entries)) => (counts, entries),
        (Err(e), _) | (_, Err(e)) => return internal(&portal, lang, e),
    };
    let key = issuer.active_key();
    page(
        lang,
        StatusCode::OK,
        &DashboardPage {
            lang,
            t: IssuerText::for_lang(lang),
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
