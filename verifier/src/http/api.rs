//! Sigil's own JSON API (docs/design.md §7); the W3C CCG VC API endpoints are in
//! [`super::vc_api`].
//!
//! ```text
//! POST /api/verify?challenge=&domain=&nonce=&audience=&require_holder_binding=&require_accreditation=
//!                        body: JSON, compact JWS or SD-JWT -> report
//! POST /api/requests     {policy} | {type, claims?, formats?} | {dcql_query} -> {request_id, request_uri}
//!                        (a DCQL query is asked as sent: several credentials, credential sets,
//!                        claim sets and values; each presentation is checked against it)
//! GET  /api/requests/{id}  -> {state, outcome}
//! ```
//!
//! 200 means verified; 400 not verified (the report or the reason in the body); 422 something
//! Sigil does not support and 503 a source it could not reach: no verdict, never "invalid".

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sigil_core::verify::{Expectations, VerificationError};

use crate::check::Verdict;
use crate::oid4vp::CreateError;
use crate::policy::Policy;
use crate::render;
use crate::service::VerifierService;

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message.into()}})),
    )
        .into_response()
}

/// The HTTP status of a verdict: 200 only for valid; 400 for not valid (the report, or the
/// reason the input is unusable, in the body); 422 for something Sigil does not support and
/// 503 for a source it could not reach (no verdict either way).
pub fn verdict_status(verdict: &Verdict) -> StatusCode {
    match verdict {
        Verdict::Valid(_) => StatusCode::OK,
        Verdict::Invalid(_) | Verdict::NoReport(VerificationError::Input(_)) => StatusCode::BAD_REQUEST,
        Verdict::NoReport(VerificationError::Unsupported(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        Verdict::NoReport(VerificationError::CouldNotCheck { .. }) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ExpectQuery {
    challenge: Option<String>,
    domain: Option<String>,
    nonce: Option<String>,
    audience: Option<String>,
    #[serde(default)]
    require_holder_binding: bool,
    #[serde(default)]
    require_accreditation: bool,
}

/// `POST /api/verify`
pub async fn verify(
    State(service): State<Arc<VerifierService>>,
    Query(query): Query<ExpectQuery>,
    body: String,
) -> Response {
    let expect = Expectations {
        challenge: query.challenge,
        domain: query.domain,
        nonce: query.nonce,
        audience: query.audience,
        issuer: None,
        require_holder_binding: query.require_holder_binding,
        require_accreditation: query.require_accreditation,
        require_presentation: false,
        skip_status: false,
    };
    let verdict = service.verify(&body, &expect, &[], sigil_core::time::now()).await;
    (verdict_status(&verdict), Json(render::json(&verdict))).into_response()
}

/// `POST /api/requests`
pub async fn create_request(
    State(service): State<Arc<VerifierService>>,
    body: axum::body::Bytes,
) -> Response {
    let text = String::from_utf8_lossy(&body);
    let request = match sigil_core::json::parse(&text) {
        Ok(request) => request,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e.to_string()),
    };
    let (policy, query) = match policy_for(&service, &request) {
        Ok(asked) => asked,
        Err(message) => return error(StatusCode::BAD_REQUEST, "bad_request", message),
    };
    match service.create_request(&policy, &query).await {
        Ok(created) => (
            StatusCode::CREATED,
            Json(json!({
                "request_id": created.id,
                "request_uri": created.request_uri,
                "expires_at": created.expires_at,
            })),
        )
            .into_response(),
        Err(full @ CreateError::TooManyOpen) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            full.to_string(),
        ),
        Err(CreateError::Internal(e)) => {
            tracing::error!(error = %e, "creating a request failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
        }
    }
}

/// The body of `POST /api/requests`: a configured policy by id, a type (with the claims and
/// formats to ask for), or a whole DCQL query.
#[derive(Debug, Deserialize)]
struct CreateRequest {
    policy: Option<String>,
    #[serde(rename = "type")]
    type_name: Option<String>,
    #[serde(default)]
    claims: Vec<String>,
    #[serde(default)]
    formats: Vec<String>,
    dcql_query: Option<Value>,
}

/// The policy an API request names or describes, and the DCQL query to send: the policy's
/// own, or the one the request gives whole.
fn policy_for(
    service: &VerifierService,
    request: &Value,
) -> Result<(Policy, sigil_core::dcql::Query), String> {
    let request = CreateRequest::deserialize(request).map_err(|e| e.to_string())?;
    let with_query = |policy: Policy| {
        let query = policy.dcql_query().map_err(|e| e.to_string())?;
        Ok((policy, query))
    };
    if let Some(id) = &request.policy {
        let policy = service
            .policy(id)
            .cloned()
            .ok_or_else(|| format!("no policy {id:?}"))?;
        return with_query(policy);
    }
    if let Some(query) = &request.dcql_query {
        let query = sigil_core::dcql::Query::from_value(query).map_err(|e| e.to_string())?;
        return Ok((Policy::from_dcql(&query), query));
    }
    let type_name = request
        .type_name
        .ok_or("give {policy}, {type, claims} or {dcql_query}")?;
    let mut policy = Policy::diploma();
    policy.id = "api".into();
    policy.label = format!("A {type_name}");
    policy.credential_types = vec![type_name];
    policy.claims = request.claims;
    let formats = request
        .formats
        .iter()
        .map(|name| {
            sigil_core::format::CredentialFormat::parse(name)
                .ok_or_else(|| format!("unknown format {name:?}; use ldp_vc, vc+jwt or dc+sd-jwt"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !formats.is_empty() {
        policy.formats = formats;
    }
    with_query(policy)
}

/// `GET /api/requests/{id}`
pub async fn request_state(State(service): State<Arc<VerifierService>>, Path(id): Path<String>) -> Response {
    match service.current(&id).await {
        Ok(Some(row)) => {
            let state = match row.state() {
                Ok(state) => state,
                Err(e) => {
                    tracing::error!(error = %e, "a stored request has no known state");
                    return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error");
                }
            };
            let outcome = row
                .outcome
                .as_deref()
                .and_then(|text| serde_json::from_str::<Value>(text).ok())
                .unwrap_or(Value::Null);
            Json(json!({"request_id": row.id, "state": state, "outcome": outcome})).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, "not_found", format!("no request {id}")),
        Err(e) => {
            tracing::error!(error = %e, "reading a request failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
        }
    }
}
