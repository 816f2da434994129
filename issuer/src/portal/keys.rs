//! The signing key and the identities it signs as (the institution's DID and its profiles'
//! `did:key`s): which key signs now, and rotating it — routinely, or after a theft with
//! the cold key the registrar uploads for that one use ([`recover`]); the page then hands out
//! the next cold key, which the service does not keep.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sigil_templates::issuer::{KeysPage, ProfileView};

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

fn keys_page(portal: &Portal, registrar: &Registrar, outcome: Outcome) -> Response {
    let Outcome {
        message,
        error,
        next_cold_key,
    } = outcome;
    let key = portal.issuer.active_key();
    page(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &KeysPage {
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
pub async fn keys(State(portal): State<Arc<Portal>>, registrar: Registrar) -> Response {
    keys_page(&portal, &registrar, Outcome::default())
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
    Form(form): Form<RotateForm>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal);
    }
    let outcome = match portal.issuer.rotate(&Rotation::Routine, &registrar.actor()).await {
        Ok(fragment) => Outcome {
            message: Some(recorded(&fragment)),
            ..Outcome::default()
        },
        Err(e) => Outcome::error(format!("Nothing was changed: {e:#}")),
    };
    keys_page(&portal, &registrar, outcome)
}

/// `POST /portal/keys/recover`: multipart with `csrf`, `since` and the cold key file
/// `cold_key`, after a theft.
pub async fn recover(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    multipart: Multipart,
) -> Response {
    let fields = match multipart_fields(multipart).await {
        Ok(fields) => fields,
        Err(e) => return error_page(&portal, StatusCode::BAD_REQUEST, "Unreadable form", &e),
    };
    let field = |name: &str| fields.get(name).map_or("", String::as_str);
    if !registrar.check_csrf(field("csrf")) {
        return forbidden(&portal);
    }
    let Some(since) = parse_since(field("since").trim()) else {
        let error = format!("{:?} is not a date and time.", field("since"));
        return keys_page(&portal, &registrar, Outcome::error(error));
    };
    if field("cold_key").trim().is_empty() {
        let error = "Choose the cold key file (next.key) kept offline.".to_owned();
        return keys_page(&portal, &registrar, Outcome::error(error));
    }
    let outcome = match portal
        .issuer
        .recover(since, field("cold_key"), &registrar.actor())
        .await
    {
        Ok((fragment, next_cold_key)) => Outcome {
            message: Some(recorded(&fragment)),
            error: None,
            next_cold_key: Some(next_cold_key),
        },
        Err(e) => Outcome::error(format!("Nothing was changed: {e:#}")),
    };
    keys_page(&portal, &registrar, outcome)
}

fn recorded(fragment: &str) -> String {
    format!("The registry recorded the rotation: new credentials are signed with #{fragment}.")
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
