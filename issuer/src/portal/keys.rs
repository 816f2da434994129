//! The signing key and the identities it signs as (the institution's DID and its profiles'
//! `did:key`s): which key signs now, and rotating it — routinely, or after a theft with
//! the cold key the registrar uploads for that one use ([`recover`]); the page then hands out
//! the next cold key, which the service does not keep.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sigil_service::language::{Lang, PageLang};
use sigil_templates::issuer::{IssuerText, KeysPage, ProfileView};

use super::Portal;
use super::pages::{error_page, forbidden, frame, multipart_fields, page};
use super::session::Registrar;
use crate::institution::Rotation;

/// What a rotation leaves to show on the page.
#[derive(Debug, Default)]
struct Outcome {
    message: Option<String>,
    error: Option<String>,
    /// The next cold key's file text, after a compromise rotation.
    next_cold_key: Option<String>,
}

impl Outcome {
    fn error(error: String) -> Self {
        Outcome {
            error: Some(error),
            ..Outcome::default()
        }
    }
}

fn keys_page(portal: &Portal, registrar: &Registrar, lang: Lang, outcome: Outcome) -> Response {
    let Outcome {
        message,
        error,
        next_cold_key,
    } = outcome;
    let key = portal.issuer.active_key();
    page(
        lang,
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &KeysPage {
            lang,
            t: IssuerText::for_lang(lang),
            frame: frame(portal, registrar, "keys"),
            did: key.did.to_string(),
            signing_key: key.method.clone(),
            profiles: portal
                .issuer
                .profiles()
                .iter()
                .map(|profile| ProfileView {
                    name: profile.name.clone(),
                    did: profile.did.to_string(),
                })
                .collect(),
            next_cold_key,
            message,
            error,
        },
    )
}

/// `GET /portal/keys`
pub async fn keys(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
) -> Response {
    keys_page(&portal, &registrar, lang, Outcome::default())
}

/// `GET /portal/keys/rotate` and `GET /portal/keys/recover`: the rotation forms post there, so
/// the language switch on the page that answers them comes back here; the keys page is what
/// was meant.
pub async fn back_to_keys() -> Response {
    Redirect::to("/portal/keys").into_response()
}

#[derive(Debug, Deserialize)]
pub struct RotateForm {
    csrf: String,
}

/// Reads a `datetime-local` value (taken as UTC) or an RFC 3339 date-time.
fn parse_since(text: &str) -> Option<sigil_core::time::Timestamp> {
    sigil_core::time::parse_datetime(text).or_else(|| {
        ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
            .map(|naive| naive.and_utc())
    })
}

/// `POST /portal/keys/rotate`: a routine rotation.
pub async fn rotate(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    Form(form): Form<RotateForm>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal, lang);
    }
    let t = IssuerText::for_lang(lang);
    let outcome = match portal.issuer.rotate(&Rotation::Routine, &registrar.actor()).await {
        Ok(fragment) => Outcome {
            message: Some(t.rotation_recorded_sentence(&fragment)),
            ..Outcome::default()
        },
        Err(e) => Outcome::error(format!("{} {e:#}", t.nothing_changed)),
    };
    keys_page(&portal, &registrar, lang, outcome)
}

/// `POST /portal/keys/recover`: multipart with `csrf`, `since` and the cold key file
/// `cold_key`, after a theft.
pub async fn recover(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    multipart: Multipart,
) -> Response {
    let t = IssuerText::for_lang(lang);
    let fields = match multipart_fields(multipart).await {
        Ok(fields) => fields,
        Err(e) => {
            return error_page(
                &portal,
                lang,
                StatusCode::BAD_REQUEST,
                t.unreadable_form_title,
                &e,
            );
        }
    };
    let field = |name: &str| fields.get(name).map_or("", String::as_str);
    if !registrar.check_csrf(field("csrf")) {
        return forbidden(&portal, lang);
    }
    let Some(since) = parse_since(field("since").trim()) else {
        let error = format!("{:?} {}", field("since"), t.not_a_datetime);
        return keys_page(&portal, &registrar, lang, Outcome::error(error));
    };
    if field("cold_key").trim().is_empty() {
        let error = t.choose_cold_key.to_owned();
        return keys_page(&portal, &registrar, lang, Outcome::error(error));
    }
    let outcome = match portal
        .issuer
        .recover(since, field("cold_key"), &registrar.actor())
        .await
    {
        Ok((fragment, next_cold_key)) => Outcome {
            message: Some(t.rotation_recorded_sentence(&fragment)),
            error: None,
            next_cold_key: Some(next_cold_key),
        },
        Err(e) => Outcome::error(format!("{} {e:#}", t.nothing_changed)),
    };
    keys_page(&portal, &registrar, lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::parse_since;

    #[test]
    fn a_browser_datetime_is_read_as_utc() {
        let since = parse_since("2026-11-28T09:30").unwrap();
        assert_eq!(sigil_core::time::format_datetime(since), "2026-11-28T09:30:00Z");
        assert!(parse_since("2026-11-28T09:30:15Z").is_some());
        assert!(parse_since("yesterday").is_none());
    }
}
