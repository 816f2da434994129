//! Uploading a graduating class as CSV: every row checked before the batch starts.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sigil_core::issue::CredentialFormat;
use sigil_templates::issuer::{FORMATS, LineProblem, UploadPage};

use super::Portal;
use super::pages::{error_page, forbidden, frame, page, type_choices};
use super::session::Registrar;

fn upload_page(
    portal: &Portal,
    registrar: &Registrar,
    selected: &str,
    problems: Vec<LineProblem>,
) -> UploadPage {
    UploadPage {
        frame: frame(portal, registrar, "upload"),
        types: type_choices(portal, selected),
        formats: FORMATS,
        problems,
    }
}

/// `GET /portal/upload`
pub async fn upload_form(State(portal): State<Arc<Portal>>, registrar: Registrar) -> Response {
    page(StatusCode::OK, &upload_page(&portal, &registrar, "", vec![]))
}

/// `POST /portal/upload`: multipart with `csrf`, `type`, `format` and `file`.
pub async fn upload(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    multipart: Multipart,
) -> Response {
    let parts = match super::pages::multipart_fields(multipart).await {
        Ok(parts) => parts,
        Err(reason) => return error_page(&portal, StatusCode::BAD_REQUEST, "The upload failed", &reason),
    };
    if !registrar.check_csrf(parts.get("csrf").map_or("", String::as_str)) {
        return forbidden(&portal);
    }
    let type_name = parts.get("type").cloned().unwrap_or_default();
    let problem = |line: usize, error: String| {
        vec![LineProblem {
            line,
            errors: vec![error],
        }]
    };
    let Some(definition) = portal.issuer.types.get(&type_name) else {
        let problems = problem(0, format!("Unknown credential type {type_name:?}."));
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &upload_page(&portal, &registrar, "", problems),
        );
    };
    let Some(format) = parts.get("format").and_then(|f| CredentialFormat::parse(f)) else {
        let problems = problem(0, "Unknown format.".into());
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &upload_page(&portal, &registrar, &type_name, problems),
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
                StatusCode::UNPROCESSABLE_ENTITY,
                &upload_page(&portal, &registrar, &type_name, problems),
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
