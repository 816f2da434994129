//! Signing in (throttled, argon2id) and out of the portal.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sigil_templates::issuer::LoginPage;

use super::Portal;
use super::pages::{error_page, forbidden, internal, page};
use super::session::{self, Registrar};
use crate::accounts;

/// `GET /portal/login`
pub async fn login_form(State(portal): State<Arc<Portal>>) -> Response {
    page(
        StatusCode::OK,
        &LoginPage {
            institution: portal.issuer.name.clone(),
            username: String::new(),
            error: None,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
}

/// `POST /portal/login`
pub async fn login(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Form(form): Form<Credentials>,
) -> Response {
    let address = client.ip().to_string();
    let now = std::time::Instant::now();
    if let Some(wait) = portal.throttle.wait(&form.username, &address, now) {
        let minutes = wait.as_secs().div_ceil(60);
        return error_page(
            &portal,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed sign-ins",
            &format!("Sign-in is paused for this account or address. Try again in {minutes} minute(s)."),
        );
    }
    let account = match portal.issuer.store.registrar(&form.username).await {
        Ok(account) => account,
        Err(e) => return internal(&portal, e),
    };
    let stored = account
        .as_ref()
        .map_or(accounts::decoy_hash(), |a| a.password_hash.as_str())
        .to_owned();
    let password = form.password.clone();
    let matches = tokio::task::spawn_blocking(move || accounts::password_matches(&password, &stored))
        .await
        .unwrap_or(false);
    if !(matches && account.is_some()) {
        portal.throttle.failed(&form.username, &address, now);
        return page(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                institution: portal.issuer.name.clone(),
                username: form.username,
                error: Some("Wrong username or password.".into()),
            },
        );
    }
    portal.throttle.succeeded(&form.username);
    let cookie = match session::start(&portal, &form.username).await {
        Ok(cookie) => cookie,
        Err(e) => return internal(&portal, e),
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
    ([(header::SET_COOKIE, cookie)], Redirect::to("/portal")).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// `POST /portal/logout`
pub async fn logout(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal);
    }
    match session::end(&portal, &registrar).await {
        Ok(cookie) => ([(header::SET_COOKIE, cookie)], Redirect::to("/portal/login")).into_response(),
        Err(e) => internal(&portal, e),
    }
}
