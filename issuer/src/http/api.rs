//! The JSON API under `/api/` (docs/design.md §7): everything the registrar portal does, for
//! scripts and student-information systems, authenticated by tokens from
//! `sigil-issuer token create`.
//!
//! ```text
//! POST /api/offers                          {type, claims, format?} -> offer
//! POST /api/offers/batch?type=T&format=F    CSV body -> {batch, offers} (all rows or none)
//! GET  /api/credentials?q=TEXT              search
//! GET  /api/credentials/{id}                one credential, with its anchor proof once anchored
//! POST /api/credentials/{id}/revoke | /suspend | /reinstate
//! POST /api/keys/rotate                     {compromisedSince?}
//! POST /api/anchors                         anchor pending credentials now
//! GET  /api/audit                           the audit log
//! ```

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sigil_core::issue::CredentialFormat;
use sigil_core::lifecycle::StatusAction;
use sigil_core::time::{Timestamp, format_datetime};

use super::error::ApiError;
use super::oid4vci::bearer;
use crate::anchoring::AnchorOutcome;
use crate::domain::CredentialRecord;
use crate::institution::Rotation;
use crate::issuance::{OfferHandout, OfferRequest};
use crate::service::Issuer;
use crate::store::entities::audit;
use sigil_service::tokens::digest;

/// A caller holding a valid API token; the label names it in the audit log.
#[derive(Debug)]
pub struct ApiCaller(pub String);

impl FromRequestParts<Arc<Issuer>> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, issuer: &Arc<Issuer>) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let row = issuer
            .store
            .api_token(&digest(token))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(ApiCaller(format!("token:{}", row.label)))
    }
}

/// An offer as the API answers it.
pub fn offer_json(offer: &OfferHandout) -> Value {
    json!({
        "credential_id": offer.credential_id,
        "offer_uri": offer.offer_uri,
        "tx_code": offer.tx_code,
        "expires_at": format_datetime(offer.expires_at),
        "summary": offer.summary,
    })
}

/// An offer or issued credential as the API answers it at `now` (no claims, no secrets).
pub fn credential_json(record: &CredentialRecord, now: Timestamp) -> Value {
    let facts = record.facts();
    let issued = match record {
        CredentialRecord::Issued(credential) => Some(credential),
        CredentialRecord::Offered(_) => None,
    };
    json!({
        "id": facts.id,
        "type": facts.type_name,
        "format": facts.format.name(),
        "summary": facts.summary,
        "status": record.status().as_str(),
        "state": record.state_name(now),
        "subject": issued.and_then(|c| c.subject.as_deref()),
        "created": format_datetime(facts.created_at),
        "created_by": facts.created_by,
        "issued": issued.map(|c| format_datetime(c.issued_at)),
        "batch": facts.batch,
        "credential_hash": issued.map(|c| c.credential_hash.as_str()),
        "anchor_root": issued.and_then(|c| c.anchor_root.as_deref()),
        // The issuer profile's DID it was signed as; null: the institution's DID.
        "profile_did": record.profile_did(),
    })
}

fn parse_format(name: Option<&str>) -> Result<CredentialFormat, ApiError> {
    match name {
        None => Ok(CredentialFormat::LdpVc),
        Some(name) => CredentialFormat::parse(name).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "unknown format {name:?}; use ldp_vc, vc+jwt or dc+sd-jwt"
            ))
        }),
    }
}

#[derive(Debug, Deserialize)]
pub struct NewOffer {
    #[serde(rename = "type")]
    type_name: String,
    claims: Map<String, Value>,
    format: Option<String>,
}

/// `POST /api/offers`
pub async fn create_offer(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let text =
        std::str::from_utf8(&body).map_err(|_| ApiError::BadRequest("the body is not UTF-8".into()))?;
    let value = sigil_core::json::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let request: NewOffer = serde_json::from_value(value)
        .map_err(|e| ApiError::BadRequest(format!("not an offer request: {e}")))?;
    let format = parse_format(request.format.as_deref())?;
    let offers = issuer
        .create_offers(
            vec![OfferRequest {
                type_name: request.type_name,
                claims: request.claims,
                format,
            }],
            &actor,
            None,
            sigil_core::time::now(),
        )
        .await?;
    let offer = offers
        .first()
        .ok_or_else(|| ApiError::internal("no offer was made"))?;
    Ok((StatusCode::CREATED, Json(offer_json(offer))))
}

#[derive(Debug, Deserialize)]
pub struct BatchQuery {
    #[serde(rename = "type")]
    type_name: String,
    format: Option<String>,
}

/// `POST /api/offers/batch`: a CSV body.
pub async fn create_batch(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    Query(query): Query<BatchQuery>,
    body: String,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let format = parse_format(query.format.as_deref())?;
    let (batch, offers) = issue_csv(&issuer, &query.type_name, format, &body, &actor).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"batch": batch, "offers": offers.iter().map(offer_json).collect::<Vec<_>>()})),
    ))
}

/// Checks a CSV class and makes its offers, all or none. Problems are reported by CSV line
/// (the `index` of [`ApiError::Invalid`] is the line number).
pub async fn issue_csv(
    issuer: &Issuer,
    type_name: &str,
    format: CredentialFormat,
    text: &str,
    actor: &str,
) -> Result<(String, Vec<OfferHandout>), ApiError> {
    let definition = issuer
        .types
        .get(type_name)
        .ok_or_else(|| ApiError::BadRequest(format!("unknown credential type {type_name:?}")))?;
    let requests = crate::csv_batch::parse(text, definition, format)
        .map_err(|problems| ApiError::Invalid(problems.into_iter().map(|p| (p.line, p.errors)).collect()))?;
    let batch = format!("batch-{}", uuid::Uuid::new_v4().simple());
    let offers = issuer
        .create_offers(requests, actor, Some(&batch), sigil_core::time::now())
        .await
        .map_err(|e| match e {
            // Positions in the batch are rows after the header.
            crate::issuance::OfferError::Invalid(problems) => {
                ApiError::Invalid(problems.into_iter().map(|(i, e)| (i + 2, e)).collect())
            }
            other => other.into(),
        })?;
    Ok((batch, offers))
}

#[derive(Debug, Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

/// `GET /api/credentials?q=`
pub async fn search(
    State(issuer): State<Arc<Issuer>>,
    _caller: ApiCaller,
    Query(search): Query<Search>,
) -> Result<Json<Value>, ApiError> {
    let records = issuer.store.search_credentials(&search.q, 200).await?;
    let now = sigil_core::time::now();
    let answers: Vec<Value> = records.iter().map(|r| credential_json(r, now)).collect();
    Ok(Json(json!({ "credentials": answers })))
}

/// `GET /api/credentials/{id}`
pub async fn show(
    State(issuer): State<Arc<Issuer>>,
    _caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = issuer
        .store
        .credential(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no credential {id}")))?;
    let mut answer = credential_json(&record, sigil_core::time::now());
    let anchored_hash = match &record {
        CredentialRecord::Issued(credential) if credential.anchor_root.is_some() => {
            Some(credential.credential_hash.as_str())
        }
        _ => None,
    };
    if let Some(hash) = anchored_hash {
        let proof = issuer
            .anchor_proof(hash)
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?
            .unwrap_or(Value::Null);
        super::set_member(&mut answer, "anchor", proof);
    }
    Ok(Json(answer))
}

/// `POST /api/credentials/{id}/{action}`
pub async fn change_status(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    Path((id, action)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let action =
        StatusAction::parse(&action).ok_or_else(|| ApiError::NotFound(format!("no action {action:?}")))?;
    let change = if action == StatusAction::Revoke {
        match issuer.revoke(&id, &actor).await? {
            Some(change) => change,
            None => return Ok(Json(json!({"id": id, "status": "withdrawn", "receipts": []}))),
        }
    } else {
        issuer.set_status(&id, action, &actor).await?
    };
    Ok(Json(json!({
        "id": change.credential_id,
        "status": change.status.as_str(),
        "receipts": change.receipts,
    })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateRequest {
    compromised_since: Option<String>,
    /// The cold key file's text, brought back for a compromise rotation.
    cold_key: Option<String>,
}

/// `POST /api/keys/rotate`: routine; or, when `compromisedSince` is given, with the cold key
/// the caller sends in `coldKey` — the answer's `next_cold_key` is the next one, which the
/// service does not keep: the caller must store it offline.
pub async fn rotate(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let request: RotateRequest = if body.is_empty() {
        RotateRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(format!("the body: {e}")))?
    };
    let refused = |e: anyhow::Error| ApiError::Refused(format!("{e:#}"));
    let (fragment, next_cold_key) = match (request.compromised_since, request.cold_key) {
        (None, None) => (
            issuer.rotate(&Rotation::Routine, &actor).await.map_err(refused)?,
            None,
        ),
        (Some(text), Some(cold_key)) => {
            let since = sigil_core::time::parse_datetime(&text)
                .ok_or_else(|| ApiError::BadRequest(format!("{text:?} is not an RFC 3339 date-time")))?;
            let (fragment, next) = issuer.recover(since, &cold_key, &actor).await.map_err(refused)?;
            (fragment, Some(next))
        }
        (Some(_), None) => {
            return Err(ApiError::BadRequest(
                "a compromise rotation needs the cold key: send its file's text as `coldKey`".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::BadRequest(
                "`coldKey` is only used with `compromisedSince`".into(),
            ));
        }
    };
    let signing_key = format!("{}#{fragment}", issuer.did());
    Ok(Json(match next_cold_key {
        None => json!({"signing_key": signing_key}),
        Some(next) => json!({"signing_key": signing_key, "next_cold_key": next}),
    }))
}

/// `POST /api/anchors`
pub async fn anchor_now(
    State(issuer): State<Arc<Issuer>>,
    _caller: ApiCaller,
) -> Result<Json<Value>, ApiError> {
    let outcome = issuer
        .anchor_pending()
        .await
        .map_err(|e| ApiError::Unavailable(format!("{e:#}")))?;
    Ok(Json(match outcome {
        AnchorOutcome::Idle => json!({"anchored": 0}),
        AnchorOutcome::Anchored {
            merkle_root,
            size,
            height,
        } => json!({"anchored": size, "merkle_root": merkle_root, "block_height": height}),
    }))
}

/// An audit entry as JSON.
pub fn audit_json(entry: &audit::Model) -> Value {
    json!({
        "at": chrono::DateTime::from_timestamp(entry.at, 0).map(format_datetime),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "detail": entry.detail,
    })
}

/// `GET /api/audit`
pub async fn audit_log(
    State(issuer): State<Arc<Issuer>>,
    _caller: ApiCaller,
) -> Result<Json<Value>, ApiError> {
    let entries = issuer.store.audit_log(500).await?;
    Ok(Json(
        json!({"entries": entries.iter().map(audit_json).collect::<Vec<_>>()}),
    ))
}
