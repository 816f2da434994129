//! Receiving a credential: the holder pastes an OpenID4VCI offer (and its PIN).

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sigil_service::language::PageLang;
use sigil_templates::wallet::{ReceivePage, WalletText};

use super::{Ui, Unlocked, forbidden, page};

pub(super) async fn receive_form(PageLang(lang): PageLang, Unlocked(session): Unlocked) -> Response {
    page(
        lang,
        StatusCode::OK,
        &ReceivePage {
            lang,
            t: WalletText::for_lang(lang),
            frame: session.frame("receive"),
            offer: String::new(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ReceiveForm {
    csrf: String,
    offer: String,
    #[serde(default)]
    pin: String,
}

/// Receives the offer the form names, and shows the credential; or the form again, saying why
/// not.
pub(super) async fn receive(
    State(ui): State<Arc<Ui>>,
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    Form(form): Form<ReceiveForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden(lang);
    }
    let pin = Some(form.pin.trim()).filter(|p| !p.is_empty());
    let outcome = match crate::receive::open_offer(&ui.targets, &form.offer).await {
        Ok(offer) => crate::receive::receive(&ui.targets, &session.holder, &session.store, &offer, pin).await,
        Err(e) => Err(e),
    };
    let error = match outcome {
        Ok(received) => return Redirect::to(&format!("/credentials/{}", received.id)).into_response(),
        Err(e) => e,
    };
    let t = WalletText::for_lang(lang);
    let mut frame = session.frame("receive");
    frame.error = Some(t.could_not_receive.to_owned());
    frame.error_detail = Some(error.to_string());
    page(
        lang,
        StatusCode::UNPROCESSABLE_ENTITY,
        &ReceivePage {
            lang,
            t,
            frame,
            offer: form.offer,
        },
    )
}
