//! The page that hands offers out: each as a QR code, a link and a PIN.

use axum::http::StatusCode;
use axum::response::Response;
use sigil_service::language::Lang;
use sigil_templates::issuer::{IssuerText, OfferView, OffersPage};
use sigil_templates::qr;

use super::Portal;
use super::pages::{frame, page};
use super::session::Registrar;
use crate::issuance::OfferHandout;

fn offer_view(offer: &OfferHandout) -> OfferView {
    OfferView {
        credential_id: offer.credential_id.clone(),
        summary: offer.summary.clone(),
        offer_uri: offer.offer_uri.clone(),
        tx_code: offer.tx_code.clone(),
        qr_data_uri: qr::data_uri(&offer.offer_uri),
    }
}

/// The page handing out `offers` (of `batch`, when they are a class's), in `lang`.
pub(super) fn offers_page(
    portal: &Portal,
    registrar: &Registrar,
    lang: Lang,
    offers: &[OfferHandout],
    batch: Option<String>,
) -> Response {
    let expires = offers
        .first()
        .map(|o| o.expires_at.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    page(
        lang,
        StatusCode::OK,
        &OffersPage {
            lang,
            t: IssuerText::for_lang(lang),
            frame: frame(
                portal,
                registrar,
                if batch.is_some() { "upload" } else { "issue" },
            ),
            offers: offers.iter().map(offer_view).collect(),
            batch,
            expires,
            can_print: portal.issuer.paper_verifier.is_some(),
        },
    )
}
