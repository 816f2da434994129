//! Presenting: the holder pastes an OpenID4VP request, sees on a consent page what would go to
//! whom (and, for SD-JWT VC, picks the claims), then shares or declines.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use sigil_core::format::CredentialFormat;
use sigil_templates::wallet::{ConsentPage, PresentPage};

use super::{Ui, Unlocked, forbidden, page, title, type_label};
use crate::present;

#[derive(Debug, Deserialize)]
pub(super) struct PresentQuery {
    request: Option<String>,
}

pub(super) async fn present_request(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Query(query): Query<PresentQuery>,
) -> Response {
    let Some(uri) = query.request.filter(|r| !r.trim().is_empty()) else {
        return page(
            StatusCode::OK,
            &PresentPage {
                frame: session.frame("present"),
                request: String::new(),
            },
        );
    };
    let mut frame = session.frame("present");
    let request = match present::open_request(&session.holder, &uri).await {
        Ok(request) => request,
        Err(e) => {
            frame.error = Some(e.to_string());
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PresentPage { frame, request: uri },
            );
        }
    };
    let found = match present::match_query(&session.holder, &session.store, &request).await {
        Ok(found) => found,
        Err(e) => {
            frame.error = Some(format!("{e} — nothing was sent."));
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PresentPage { frame, request: uri },
            );
        }
    };
    let selectable = found.held.row.format == CredentialFormat::SdJwt.name();
    let claims: Vec<(String, bool)> = if selectable {
        // Every disclosable top-level claim, ticked if the verifier asked for it.
        top_level(&found.held.record.claims)
            .into_iter()
            .map(|name| {
                let asked = found.sd_claims.contains(&name);
                (name, asked)
            })
            .collect()
    } else {
        found.disclosed.iter().map(|c| (c.clone(), true)).collect()
    };
    let verifier = request
        .verifier_name
        .clone()
        .unwrap_or_else(|| request.verifier.to_string());
    let pending = sigil_service::tokens::random_secret();
    let consent = ConsentPage {
        frame,
        pending: pending.clone(),
        verifier,
        verifier_did: request.verifier.to_string(),
        type_label: type_label(&found.held.row.type_name),
        credential_title: title(&found.held),
        issuer_name: found.held.row.issuer_name.clone(),
        selectable,
        claims,
    };
    if let Ok(mut waiting) = ui.pending.lock() {
        waiting.insert(pending, (request, found));
    }
    page(StatusCode::OK, &consent)
}

fn top_level(claims: &Value) -> Vec<String> {
    claims
        .as_object()
        .map(|o| o.keys().filter(|k| *k != "id").cloned().collect())
        .unwrap_or_default()
}

pub(super) async fn present_decision(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Path(pending): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if !session.csrf_ok(field("csrf").unwrap_or_default()) {
        return forbidden();
    }
    let Some((request, mut found)) = ui.pending.lock().ok().and_then(|mut p| p.remove(&pending)) else {
        return (StatusCode::NOT_FOUND, "this request was already answered").into_response();
    };
    let mut frame = session.frame("present");
    let verifier = request
        .verifier_name
        .clone()
        .unwrap_or_else(|| request.verifier.to_string());
    let outcome = if field("decision") == Some("share") {
        if found.held.row.format == CredentialFormat::SdJwt.name() {
            let chosen: Vec<String> = fields
                .iter()
                .filter(|(k, _)| k == "claim")
                .map(|(_, v)| v.clone())
                .collect();
            found
                .disclosed
                .retain(|path| chosen.iter().any(|c| path.split('.').next() == Some(c.as_str())));
            found.sd_claims = chosen;
        }
        present::respond(&session.holder, &session.store, &request, &found)
            .await
            .map(|()| format!("Shared with {verifier}."))
    } else {
        present::decline(&session.holder, &session.store, &request)
            .await
            .map(|()| format!("Declined; {verifier} was told."))
    };
    match outcome {
        Ok(message) => frame.message = Some(message),
        Err(e) => frame.error = Some(e.to_string()),
    }
    page(
        StatusCode::OK,
        &PresentPage {
            frame,
            request: String::new(),
        },
    )
}
