//! Printing an offer's paper diploma: the form on the offer's pages posts here, the issuer
//! signs a paper copy of the credential ([`crate::paper_copy`]) and the answer is the page to
//! print, its QR code leading to the verifier's page for credentials on paper.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sigil_service::language::{Lang, PageLang};
use sigil_templates::issuer::{IssuerText, PrintPage};

use super::Portal;
use super::pages::{error_page, forbidden, frame, internal, page};
use super::session::Registrar;
use crate::domain::CredentialRecord;
use crate::paper_copy::{PaperCopy, PaperCopyError, printable_offer};

/// Whether the paper diploma of `record` can be printed now, and if not, why — when that is
/// worth saying on its page (a withdrawn offer's page says it is withdrawn already).
pub(super) fn print_availability(
    portal: &Portal,
    t: &IssuerText,
    record: &CredentialRecord,
) -> (bool, Option<&'static str>) {
    match printable_offer(record) {
        Ok(_) if portal.issuer.paper_verifier.is_some() => (true, None),
        Ok(_) => (false, Some(t.no_paper_verifier)),
        Err(PaperCopyError::Collected(_)) => (false, Some(t.paper_only_before_collection)),
        Err(_) => (false, None),
    }
}

#[derive(Debug, Deserialize)]
pub struct PrintForm {
    csrf: String,
}

/// `POST /portal/credentials/{id}/print`
pub async fn print(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    Path(id): Path<String>,
    Form(form): Form<PrintForm>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal, lang);
    }
    let t = IssuerText::for_lang(lang);
    let now = sigil_core::time::now();
    let refused =
        |status: StatusCode, message: &str| error_page(&portal, lang, status, t.cannot_print_title, message);
    match portal.issuer.sign_paper_copy(&id, &registrar.actor(), now).await {
        Ok(copy) => print_page(&portal, &registrar, lang, &copy),
        Err(PaperCopyError::NotFound(id)) => error_page(
            &portal,
            lang,
            StatusCode::NOT_FOUND,
            t.no_such_credential_title,
            &id,
        ),
        Err(PaperCopyError::NoVerifier) => refused(StatusCode::NOT_FOUND, t.no_paper_verifier),
        Err(PaperCopyError::Collected(_)) => refused(StatusCode::CONFLICT, t.paper_only_before_collection),
        Err(PaperCopyError::Withdrawn(_)) => refused(StatusCode::CONFLICT, t.paper_not_for_withdrawn),
        Err(PaperCopyError::Closed(_)) => refused(StatusCode::CONFLICT, t.paper_not_for_closed),
        Err(PaperCopyError::UnknownType(_)) => refused(StatusCode::CONFLICT, t.paper_type_gone),
        Err(PaperCopyError::Internal(e)) => internal(&portal, lang, format!("{e:#}")),
    }
}

/// The page to print for `copy`, in `lang`.
fn print_page(portal: &Portal, registrar: &Registrar, lang: Lang, copy: &PaperCopy) -> Response {
    let t = IssuerText::for_lang(lang);
    let offer = &copy.offer;
    let definition = portal.issuer.types.get(&offer.type_name);
    let qr_data_uri = sigil_templates::qr::paper_data_uri(&copy.address);
    let verifier_host = portal
        .issuer
        .paper_verifier
        .as_ref()
        .and_then(|url| url.host_str())
        .unwrap_or_default()
        .to_owned();
    page(
        lang,
        StatusCode::OK,
        &PrintPage {
            lang,
            t,
            frame: frame(portal, registrar, "credentials"),
            id: offer.id.clone(),
            type_label: definition.map_or_else(
                || offer.type_name.clone(),
                |d| d.display_name.in_language(lang.tag()).to_owned(),
            ),
            title: offer.summary.clone(),
            claims: definition
                .map(|d| d.labelled_claims(&offer.claims, lang.tag()))
                .unwrap_or_default(),
            issued: copy.signed_at.format("%Y-%m-%d").to_string(),
            problem: qr_data_uri.is_none().then(|| t.too_long_for_qr.to_owned()),
            qr_data_uri,
            verifier_host,
            address: copy.address.clone(),
        },
    )
}
