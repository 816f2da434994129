//! Equivocation evidence (docs/registry-proofs.md): `POST /evidence` takes two headers one
//! validator signed at one height — what a client keeps when it meets them — checks them
//! against this chain's genesis and keeps them; `GET /evidence` lists what is kept, and the
//! explorer shows it. Anyone may send evidence: it convicts by its signatures alone, so a
//! sender needs no standing, and what does not check out is refused unread.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sigil_core::state::commit::ChainTrust;
use sigil_core::state::evidence::Equivocation;
use sigil_core::time::{format_datetime, now};

use super::AppError;
use crate::node::Node;

/// Most pieces of evidence `GET /evidence` lists.
pub(super) const LISTED: u64 = 100;

/// `POST /evidence`: 201 when the evidence is new, 200 when it was kept already, 400 when it
/// proves no equivocation on this chain.
pub(super) async fn post_evidence(
    State(node): State<Node>,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let body = body.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    let text =
        std::str::from_utf8(&body).map_err(|_| AppError::BadRequest("the body is not UTF-8".into()))?;
    let value = sigil_core::json::parse(text).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let evidence: Equivocation = serde_json::from_value(value)
        .map_err(|e| AppError::BadRequest(format!("not equivocation evidence: {e}")))?;
    let trust = ChainTrust::new(node.genesis()).map_err(|e| AppError::Internal(e.to_string()))?;
    evidence
        .check(&trust)
        .map_err(|e| AppError::BadRequest(format!("the evidence proves no equivocation: {e}")))?;
    let new = node
        .store()
        .record_equivocation(&evidence, &format_datetime(now()))
        .await?;
    if new {
        tracing::error!(
            validator = evidence.validator,
            height = evidence.first.header.height,
            "equivocation evidence recorded: a validator signed two blocks at one height"
        );
    }
    let status = if new { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json!({"recorded": new}))))
}

/// `GET /evidence`: the evidence kept, newest first.
pub(super) async fn get_evidence(State(node): State<Node>) -> Result<Json<Value>, AppError> {
    let kept = node.store().equivocations(LISTED).await?;
    let evidence: Vec<Value> = kept
        .into_iter()
        .map(|(evidence, recorded_at)| json!({"recordedAt": recorded_at, "evidence": evidence}))
        .collect();
    Ok(Json(json!({ "equivocations": evidence })))
}
