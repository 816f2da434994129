//! Receiving a credential: the holder pastes an OpenID4VCI offer (and its PIN).

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sigil_templates::wallet::ReceivePage;

use super::{Ui, Unlocked, forbidden, page, type_label};

pub(super) async fn receive_form(Unlocked(session): Unlocked) -> Response {
    page(
        StatusCode::OK,
        &ReceivePage {
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

pub(super) async fn receive(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Form(form): Form<ReceiveForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden();
    }
    let pin = Some(form.pin.trim()).filter(|p| !p.is_empty());
    let outcome = match crate::receive::open_offer(&ui.targets, &form.offer).await {
        Ok(offer) => crate::receive::receive(&ui.targets, &session.holder, &session.store, &offer, pin).await,
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
