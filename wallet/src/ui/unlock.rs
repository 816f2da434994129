//! Unlocking the wallet in the browser with its passphrase, and locking it again: the one
//! session and its cookie begin and end here. Before there is a session, the unlock form's
//! CSRF token is a random value in a `SameSite=Strict` cookie that the form must repeat, so a
//! page elsewhere cannot post guesses (and run up the back-off) in the holder's browser.
//! Guesses are slowed by the [`super::backoff::Backoff`].

use std::sync::Arc;
use std::time::Duration;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sigil_service::language::{Lang, PageLang};
use sigil_service::pages::cookie;
use sigil_service::tokens;
use sigil_templates::wallet::{UnlockPage, WalletText};

use super::{COOKIE, CsrfForm, Session, Ui, Unlocked, forbidden, page};
use crate::holder;
use crate::store::Store;

/// The cookie holding the unlock form's CSRF token.
const UNLOCK_COOKIE: &str = "sigil_wallet_unlock";

/// Why the wallet did not open: in the page's language, and the details in English.
type Refusal = (Option<String>, Option<String>);

/// The unlock page in `lang` saying `refusal`, its form carrying the browser's unlock token (a
/// new one, set as a cookie, if the browser has none).
fn unlock_page(ui: &Ui, headers: &HeaderMap, lang: Lang, status: StatusCode, refusal: Refusal) -> Response {
    let existing = cookie(headers, UNLOCK_COOKIE).filter(|token| token.len() >= 32);
    let csrf = existing.map_or_else(tokens::random_secret, str::to_owned);
    let (error, error_detail) = refusal;
    let mut response = page(
        lang,
        status,
        &UnlockPage {
            lang,
            t: WalletText::for_lang(lang),
            error,
            error_detail,
            csrf: csrf.clone(),
            insecure_targets: ui.targets.allows_insecure(),
        },
    );
    if existing.is_none() {
        let cookie = format!("{UNLOCK_COOKIE}={csrf}; Path=/unlock; HttpOnly; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}

pub(super) async fn unlock_form(
    State(ui): State<Arc<Ui>>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
) -> Response {
    unlock_page(&ui, &headers, lang, StatusCode::OK, (None, None))
}

#[derive(Debug, Deserialize)]
pub(super) struct UnlockForm {
    #[serde(default)]
    csrf: String,
    passphrase: String,
}

/// "Try again in N seconds", answered as 429 with `Retry-After`.
fn too_soon(ui: &Ui, headers: &HeaderMap, lang: Lang, wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = unlock_page(
        ui,
        headers,
        lang,
        StatusCode::TOO_MANY_REQUESTS,
        (Some(WalletText::for_lang(lang).too_many_attempts(seconds)), None),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

pub(super) async fn unlock(
    State(ui): State<Arc<Ui>>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Form(form): Form<UnlockForm>,
) -> Response {
    let expected = cookie(&headers, UNLOCK_COOKIE).unwrap_or_default();
    if !tokens::check_csrf(expected, &form.csrf) {
        return forbidden(lang);
    }
    // Counted before the passphrase is derived: concurrent guesses wait their turn.
    let attempt = match ui.backoff.begin() {
        Ok(attempt) => attempt,
        Err(wait) => return too_soon(&ui, &headers, lang, wait),
    };
    let dir = ui.dir.clone();
    let opened = tokio::task::spawn_blocking(move || {
        let _running = attempt;
        holder::unlock(&dir, &form.passphrase)
    })
    .await;
    let holder = match opened {
        Ok(Ok(holder)) => holder,
        Ok(Err(e)) => {
            let t = WalletText::for_lang(lang);
            let refusal = if e.downcast_ref::<holder::WrongPassphrase>().is_some() {
                (Some(t.wrong_passphrase.to_owned()), None)
            } else {
                (Some(t.could_not_unlock.to_owned()), Some(format!("{e:#}")))
            };
            return unlock_page(&ui, &headers, lang, StatusCode::UNAUTHORIZED, refusal);
        }
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    ui.backoff.succeeded();
    let store = match Store::open(&ui.dir.database_path()).await {
        Ok(store) => store,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let session = Arc::new(Session {
        id: tokens::random_secret(),
        csrf: tokens::random_secret(),
        insecure_targets: ui.targets.allows_insecure(),
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
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden(lang);
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
