//! Signing in (throttled, argon2id) and out of the portal.
//!
//! The sign-in form is protected from cross-site posts before there is a session: the form page
//! sets a random token in a `SameSite=Strict` cookie scoped to `/portal/login` and puts the same
//! token in the form, and a sign-in is only tried when the two match (a double-submit token).
//! Password checks run through a [`BlockingLimit`](sigil_service::blocking::BlockingLimit), so a
//! flood of sign-ins waits its turn instead of running argon2id hundreds of times at once.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sigil_service::language::{Lang, PageLang};
use sigil_service::pages::cookie;
use sigil_service::tokens;
use sigil_templates::issuer::{IssuerText, LoginPage};

use super::Portal;
use super::pages::{error_page, forbidden, internal, page};
use super::session::{self, Registrar};
use crate::accounts;

/// The cookie holding the sign-in form's token.
pub const FORM_COOKIE: &str = "sigil_login";
/// How long a sign-in form stays usable.
const FORM_SECONDS: i64 = 3600;

/// `GET /portal/login`: the form, with a fresh token in it and in its cookie.
pub async fn login_form(State(portal): State<Arc<Portal>>, PageLang(lang): PageLang) -> Response {
    let token = tokens::random_secret();
    let form = login_page(&portal, lang, StatusCode::OK, String::new(), None, &token);
    with_form_cookie(&portal, form, &token, FORM_SECONDS)
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /portal/login`
pub async fn login(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Response {
    let t = IssuerText::for_lang(lang);
    let form_token = cookie(&headers, FORM_COOKIE).unwrap_or_default();
    if !tokens::check_csrf(form_token, &form.csrf) {
        return error_page(
            &portal,
            lang,
            StatusCode::FORBIDDEN,
            t.sign_in_expired_title,
            t.sign_in_expired,
        );
    }
    let address = client.ip().to_string();
    if let Err(wait) = portal
        .throttle
        .begin(&form.username, &address, std::time::Instant::now())
    {
        let minutes = wait.as_secs().div_ceil(60);
        let message = format!("{} {}", t.sign_in_paused, t.try_again_in_minutes(minutes));
        return error_page(
            &portal,
            lang,
            StatusCode::TOO_MANY_REQUESTS,
            t.too_many_sign_ins,
            &message,
        );
    }
    let account = match portal.issuer.store.registrar(&form.username).await {
        Ok(account) => account,
        Err(e) => return internal(&portal, lang, e),
    };
    let stored = account
        .as_ref()
        .map_or(accounts::decoy_hash(), |a| a.password_hash.as_str())
        .to_owned();
    let password = form.password.clone();
    let checked = portal
        .password_checks
        .run(move || accounts::password_matches(&password, &stored))
        .await;
    let Ok(matches) = checked else {
        return error_page(
            &portal,
            lang,
            StatusCode::SERVICE_UNAVAILABLE,
            t.busy_title,
            t.busy,
        );
    };
    if !(matches && account.is_some()) {
        let error = Some(t.wrong_password.to_owned());
        return login_page(
            &portal,
            lang,
            StatusCode::UNAUTHORIZED,
            form.username,
            error,
            &form.csrf,
        );
    }
    portal.throttle.succeeded(&form.username, &address);
    let cookie = match session::start(&portal, &form.username).await {
        Ok(cookie) => cookie,
        Err(e) => return internal(&portal, lang, e),
    };
    portal
        .issuer
        .audit(
            &format!("registrar:{}", form.username),
            "sign in",
            &form.username,
            &address,
        )
        .await;
    let signed_in = ([(header::SET_COOKIE, cookie)], Redirect::to("/portal")).into_response();
    with_form_cookie(&portal, signed_in, "", 0)
}

fn login_page(
    portal: &Portal,
    lang: Lang,
    status: StatusCode,
    username: String,
    error: Option<String>,
    csrf: &str,
) -> Response {
    let institution = portal.issuer.name.clone();
    let csrf = csrf.to_owned();
    page(
        lang,
        status,
        &LoginPage {
            lang,
            t: IssuerText::for_lang(lang),
            institution,
            username,
            error,
            csrf,
        },
    )
}

/// Adds the `Set-Cookie` of the sign-in form's token (`max_age` 0 clears it).
fn with_form_cookie(portal: &Portal, mut response: Response, token: &str, max_age: i64) -> Response {
    let secure = if portal.secure_cookies { "; Secure" } else { "" };
    let text = format!(
        "{FORM_COOKIE}={token}; Path=/portal/login; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    if let Ok(value) = HeaderValue::from_str(&text) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// `POST /portal/logout`
pub async fn logout(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal, lang);
    }
    match session::end(&portal, &registrar).await {
        Ok(cookie) => ([(header::SET_COOKIE, cookie)], Redirect::to("/portal/login")).into_response(),
        Err(e) => internal(&portal, lang, e),
    }
}
