//! The signing key: which one signs now, and rotating it (routine, or after a theft).

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sigil_templates::issuer::KeysPage;

use super::Portal;
use super::pages::{error_page, forbidden, frame, page};
use super::session::Registrar;
use crate::institution::Rotation;

fn keys_page(
    portal: &Portal,
    registrar: &Registrar,
    message: Option<String>,
    error: Option<String>,
) -> Response {
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
            cold_key_present: portal.issuer.institution.cold_key_path().exists(),
            message,
            error,
        },
    )
}

/// `GET /portal/keys`
pub async fn keys(State(portal): State<Arc<Portal>>, registrar: Registrar) -> Response {
    keys_page(&portal, &registrar, None, None)
}

#[derive(Debug, Deserialize)]
pub struct RotateForm {
    csrf: String,
    mode: String,
    #[serde(default)]
    since: String,
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

/// `POST /portal/keys/rotate`
pub async fn rotate(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    Form(form): Form<RotateForm>,
) -> Response {
    if !registrar.check_csrf(&form.csrf) {
        return forbidden(&portal);
    }
    let rotation = match form.mode.as_str() {
        "routine" => Rotation::Routine,
        "compromised" => match parse_since(form.since.trim()) {
            Some(since) => Rotation::Compromised {
                since,
                next_key: portal.issuer.institution.cold_key_path(),
            },
            None => {
                let error = format!("{:?} is not a date and time.", form.since);
                return keys_page(&portal, &registrar, None, Some(error));
            }
        },
        other => return error_page(&portal, StatusCode::BAD_REQUEST, "Unknown rotation", other),
    };
    match portal.issuer.rotate(&rotation, &registrar.actor()).await {
        Ok(fragment) => keys_page(
            &portal,
            &registrar,
            Some(format!(
                "The registry recorded the rotation: new credentials are signed with #{fragment}."
            )),
            None,
        ),
        Err(e) => keys_page(
            &portal,
            &registrar,
            None,
            Some(format!("Nothing was changed: {e:#}")),
        ),
    }
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
