//! What every portal page shares: rendering in the page's language (a failure becomes the
//! error page), the error pages, the frame around each page and how times and type menus are
//! shown. Each page lives in its own module next to this one.

use axum::http::StatusCode;
use axum::response::Response;
use sigil_service::language::{Lang, localized};
use sigil_templates::issuer::{ErrorPage, Frame, IssuerText, TypeChoice};

use super::Portal;
use super::session::Registrar;

/// Renders a page written in `lang` (a failure is logged and answered "internal error"), and
/// says which language it is in.
pub(super) fn page(lang: Lang, status: StatusCode, template: &impl askama::Template) -> Response {
    localized(lang, sigil_service::pages::page(status, template))
}

/// The error page: `title` and `message`, in `lang`.
pub(super) fn error_page(
    portal: &Portal,
    lang: Lang,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    page(
        lang,
        status,
        &ErrorPage {
            lang,
            t: IssuerText::for_lang(lang),
            institution: portal.issuer.name.clone(),
            title: title.to_owned(),
            message: message.to_owned(),
        },
    )
}

/// The page for a failure that is not the registrar's doing, in `lang`; the detail goes to
/// the log.
pub fn internal(portal: &Portal, lang: Lang, detail: impl std::fmt::Display) -> Response {
    tracing::error!(%detail, "portal: internal error");
    let t = IssuerText::for_lang(lang);
    error_page(
        portal,
        lang,
        StatusCode::INTERNAL_SERVER_ERROR,
        t.went_wrong_title,
        t.went_wrong,
    )
}

/// The page for a form whose CSRF token is not the session's, in `lang`.
pub(super) fn forbidden(portal: &Portal, lang: Lang) -> Response {
    let t = IssuerText::for_lang(lang);
    error_page(
        portal,
        lang,
        StatusCode::FORBIDDEN,
        t.form_expired_title,
        t.form_expired,
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

/// The configured credential types, for a form's type menu, named in `lang`.
pub(super) fn type_choices(portal: &Portal, lang: Lang, selected: &str) -> Vec<TypeChoice> {
    portal
        .issuer
        .types
        .iter()
        .map(|t| TypeChoice {
            name: t.name().to_owned(),
            display_name: t.display_name.in_language(lang.tag()).to_owned(),
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
