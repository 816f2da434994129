//! Registrar sessions: a random session id in an `HttpOnly`, `SameSite=Strict` cookie scoped to
//! `/portal` (and `Secure` when the issuer is served over HTTPS), stored only as its digest,
//! expiring after [`SESSION_HOURS`]. Each session has its own CSRF token, which every form
//! carries and every POST handler checks with [`Registrar::check_csrf`].

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

use super::Portal;
use crate::store::entities::session;
use sigil_service::tokens::{self, digest, random_secret};

/// The session cookie's name.
pub const COOKIE: &str = "sigil_portal";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;

/// A signed-in registrar.
#[derive(Debug, Clone)]
pub struct Registrar {
    pub username: String,
    pub csrf: String,
    id_hash: String,
}

impl Registrar {
    /// Whether a form's CSRF token is this session's (compared in constant time).
    pub fn check_csrf(&self, given: &str) -> bool {
        tokens::check_csrf(&self.csrf, given)
    }

    /// The audit log's name for this registrar.
    pub fn actor(&self) -> String {
        format!("registrar:{}", self.username)
    }
}

fn session_id(headers: &HeaderMap) -> Option<&str> {
    sigil_service::pages::cookie(headers, COOKIE)
}

impl FromRequestParts<Arc<Portal>> for Registrar {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Arc<Portal>) -> Result<Self, Response> {
        let to_login = || Redirect::to("/portal/login").into_response();
        let id = session_id(&parts.headers).ok_or_else(to_login)?;
        let now = sigil_core::time::now().timestamp();
        let row = portal
            .issuer
            .store
            .session(&digest(id), now)
            .await
            .map_err(|e| {
                let lang = sigil_service::language::of_headers(&parts.headers);
                super::pages::internal(portal, lang, e)
            })?
            .ok_or_else(to_login)?;
        Ok(Registrar {
            username: row.username,
            csrf: row.csrf,
            id_hash: row.id_hash,
        })
    }
}

/// Starts a session for `username`; returns the `Set-Cookie` value.
pub async fn start(portal: &Portal, username: &str) -> Result<HeaderValue, sea_orm::DbErr> {
    let id = random_secret();
    let now = sigil_core::time::now().timestamp();
    portal
        .issuer
        .store
        .insert_session(
            session::Model {
                id_hash: digest(&id),
                username: username.to_owned(),
                csrf: random_secret(),
                expires_at: now + SESSION_HOURS * 3600,
            },
            now,
        )
        .await?;
    Ok(cookie(&id, SESSION_HOURS * 3600, portal.secure_cookies))
}

/// Ends a session; returns the `Set-Cookie` value that clears the cookie.
pub async fn end(portal: &Portal, registrar: &Registrar) -> Result<HeaderValue, sea_orm::DbErr> {
    portal.issuer.store.delete_session(&registrar.id_hash).await?;
    Ok(cookie("", 0, portal.secure_cookies))
}

fn cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text =
        format!("{COOKIE}={value}; Path=/portal; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("sigil_portal=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_must_match_exactly() {
        let registrar = Registrar {
            username: "r".into(),
            csrf: "token".into(),
            id_hash: String::new(),
        };
        assert!(registrar.check_csrf("token"));
        assert!(!registrar.check_csrf("tokeN"));
        assert!(!registrar.check_csrf("token2"));
        assert!(!registrar.check_csrf(""));
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_over_https() {
        let value = cookie("id", 60, true);
        let text = value.to_str().unwrap();
        for part in ["HttpOnly", "SameSite=Strict", "Path=/portal", "Secure"] {
            assert!(text.contains(part), "{text}");
        }
        assert!(!cookie("id", 60, false).to_str().unwrap().contains("Secure"));
    }
}
