//! Uploading a graduating class as CSV: every row checked before the batch starts.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sigil_core::issue::CredentialFormat;
use sigil_service::language::{Lang, PageLang};
use sigil_templates::issuer::{IssuerText, LineProblem, UploadPage};

use super::Portal;
use super::pages::{error_page, forbidden, frame, page, type_choices};
use super::session::Registrar;

/// The upload form in `lang`, with `selected` picked and the lines of the last file that need
/// correcting.
fn upload_page(
    portal: &Portal,
    registrar: &Registrar,
    lang: Lang,
    selected: &str,
    problems: Vec<LineProblem>,
) -> UploadPage {
    let t = IssuerText::for_lang(lang);
    UploadPage {
        lang,
        t,
        frame: frame(portal, registrar, "upload"),
        types: type_choices(portal, lang, selected),
        formats: t.formats(),
        problems,
    }
}

/// `GET /portal/upload`
pub async fn upload_form(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
) -> Response {
    page(
        lang,
        StatusCode::OK,
        &upload_page(&portal, &registrar, lang, "", vec![]),
    )
}

/// `POST /portal/upload`: multipart with `csrf`, `type`, `format` and `file`. A type or
/// format the issuer does not have (the form offers none) is answered with the error page;
/// a file with lines to correct, with the form again and every problem by line.
pub async fn upload(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    multipart: Multipart,
) -> Response {
    let t = IssuerText::for_lang(lang);
    let parts = match super::pages::multipart_fields(multipart).await {
        Ok(parts) => parts,
        Err(reason) => {
            return error_page(
                &portal,
                lang,
                StatusCode::BAD_REQUEST,
                t.upload_failed_title,
                &reason,
            );
        }
    };
    if !registrar.check_csrf(parts.get("csrf").map_or("", String::as_str)) {
        return forbidden(&portal, lang);
    }
    let type_name = parts.get("type").cloned().unwrap_or_default();
    let Some(definition) = portal.issuer.types.get(&type_name) else {
        return error_page(
            &portal,
            lang,
            StatusCode::BAD_REQUEST,
            t.unknown_type_title,
            &type_name,
        );
    };
    let format_name = parts.get("format").map_or("", String::as_str);
    let Some(format) = CredentialFormat::parse(format_name) else {
        return error_page(
            &portal,
            lang,
            StatusCode::BAD_REQUEST,
            t.unknown_format_title,
            format_name,
        );
    };
    let text = parts.get("file").map_or("", String::as_str);
    match crate::csv_batch::parse(text, definition, format) {
        Err(lines) => {
            let problems = lines
                .into_iter()
                .map(|l| LineProblem {
                    line: l.line,
                    errors: l.errors,
                })
                .collect();
            page(
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                &upload_page(&portal, &registrar, lang, &type_name, problems),
            )
        }
        Ok(requests) => {
            let batch = format!("batch-{}", uuid::Uuid::new_v4().simple());
            portal.batches.start(
                portal.issuer.clone(),
                batch.clone(),
                requests,
                &registrar.username,
            );
            Redirect::to(&format!("/portal/batches/{batch}")).into_response()
        }
    }
}
