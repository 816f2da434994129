//! Unlocking the wallet in the browser with its passphrase, and locking it again: the one
//! session and its cookie begin and end here.

use std::sync::Arc;
use std::time::Duration;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sigil_templates::wallet::UnlockPage;

use super::{COOKIE, CsrfForm, Session, Ui, Unlocked, forbidden, page};
use crate::holder;
use crate::store::Store;

pub(super) async fn unlock_form() -> Response {
    page(StatusCode::OK, &UnlockPage { error: None })
}

#[derive(Debug, Deserialize)]
pub(super) struct UnlockForm {
    passphrase: String,
}

pub(super) async fn unlock(State(ui): State<Arc<Ui>>, Form(form): Form<UnlockForm>) -> Response {
    let dir = ui.dir.clone();
    let opened = tokio::task::spawn_blocking(move || holder::unlock(&dir, &form.passphrase)).await;
    let holder = match opened {
        Ok(Ok(holder)) => holder,
        Ok(Err(e)) => {
            // A wrong passphrase costs an argon2id derivation; pause a little more anyway.
            tokio::time::sleep(Duration::from_millis(500)).await;
            return page(
                StatusCode::UNAUTHORIZED,
                &UnlockPage {
                    error: Some(format!("{e:#}")),
                },
            );
        }
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let store = match Store::open(&ui.dir.database_path()).await {
        Ok(store) => store,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let session = Arc::new(Session {
        id: sigil_service::tokens::random_secret(),
        csrf: sigil_service::tokens::random_secret(),
        holder,
        store,
    });
    let cookie = format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict", session.id);
    if let Ok(mut slot) = ui.session.write() {
        *slot = Some(session);
    }
    let cookie = HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""));
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

pub(super) async fn lock(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden();
    }
    if let Ok(mut slot) = ui.session.write() {
        *slot = None;
    }
    if let Ok(mut pending) = ui.pending.lock() {
        pending.clear();
    }
    let clear = HeaderValue::from_static("sigil_wallet=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/unlock")).into_response()
}
