//! What every portal page shares: rendering (a failure becomes the error page), the error
//! pages, the frame around each page and how times and type menus are shown. Each page lives
//! in its own module next to this one.

use axum::http::StatusCode;
use axum::response::Response;
use sigil_templates::issuer::{ErrorPage, Frame, TypeChoice};

use super::Portal;
use super::session::Registrar;

/// Renders a page (the shared renderer: a failure is logged and answered "internal error").
pub(super) use sigil_service::pages::page;

pub(super) fn error_page(portal: &Portal, status: StatusCode, title: &str, message: &str) -> Response {
    page(
        status,
        &ErrorPage {
            institution: portal.issuer.name.clone(),
            title: title.to_owned(),
            message: message.to_owned(),
        },
    )
}

/// The page for a failure that is not the registrar's doing; the detail goes to the log.
pub fn internal(portal: &Portal, detail: impl std::fmt::Display) -> Response {
    tracing::error!(%detail, "portal: internal error");
    error_page(
        portal,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The issuer could not complete this. Nothing was changed; please try again, and tell your administrator if it keeps happening.",
    )
}

pub(super) fn forbidden(portal: &Portal) -> Response {
    error_page(
        portal,
        StatusCode::FORBIDDEN,
        "This form has expired",
        "The form was not sent from this session (its security token did not match). Go back, reload the page and try again.",
    )
}

pub(super) fn frame(portal: &Portal, registrar: &Registrar, section: &'static str) -> Frame {
    Frame {
        institution: portal.issuer.name.clone(),
        username: registrar.username.clone(),
        csrf: registrar.csrf.clone(),
        section,
    }
}

pub(super) fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The configured credential types, for a form's type menu.
pub(super) fn type_choices(portal: &Portal, selected: &str) -> Vec<TypeChoice> {
    portal
        .issuer
        .types
        .iter()
        .map(|t| TypeChoice {
            name: t.name().to_owned(),
            display_name: t.core.display_name.clone(),
            selected: t.name() == selected,
            columns: t.claims.iter().map(|c| c.key()).collect::<Vec<_>>().join(", "),
        })
        .collect()
}

/// Every field of a multipart form as text, by name; or why the form could not be read.
pub async fn multipart_fields(
    mut multipart: axum::extract::Multipart,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut fields = std::collections::BTreeMap::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_owned();
        let text = field.text().await.map_err(|e| e.body_text())?;
        fields.insert(name, text);
    }
    Ok(fields)
}
