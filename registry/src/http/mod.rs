//! The registry's HTTP API (axum): submit transactions, resolve DIDs in the Universal
//! Resolver driver shape, read blocks and transactions with their proofs. Bodies are limited
//! in size and requests in time; every error is JSON with a stable code.

mod error;
mod explorer;
mod records;

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use sigil_core::did::{Did, ResolutionError, ResolutionOptions};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use error::AppError;

use crate::chain::Receipt;
use crate::ledger::Transaction;
use crate::ledger::resolve::resolve;
use crate::node::Node;

/// Largest request body: a status list credential is the biggest transaction.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Longest a request may take; a submission waits for its block, well under this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The registry's routes.
pub fn app(node: Node) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/openapi.json", get(openapi))
        .route("/transactions", post(submit_transaction))
        .route("/transactions/{hash}", get(get_transaction))
        .route("/1.0/identifiers/{did}", get(resolve_identifier))
        .route("/height", get(get_height))
        .route("/blocks/latest", get(get_latest_block))
        .route("/blocks/{height}", get(get_block))
        .route("/dids/{did}/history", get(records::get_did_history))
        .route("/status-lists", get(records::get_status_list))
        .route("/anchors", get(records::get_anchor))
        .route("/accreditations", get(records::get_accreditations))
        .merge(explorer::routes())
        .layer(sigil_service::pages::security_headers())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(node)
}

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// The body goes through the bounded parser (sizes, depth, no key written twice) before it is
/// read as a transaction, like every other JSON Sigil takes from strangers.
async fn submit_transaction(
    State(node): State<Node>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Receipt>), AppError> {
    let text =
        std::str::from_utf8(&body).map_err(|_| AppError::BadRequest("the body is not UTF-8".into()))?;
    let value = sigil_core::json::parse(text).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let transaction: Transaction =
        serde_json::from_value(value).map_err(|e| AppError::BadRequest(format!("not a transaction: {e}")))?;
    let receipt = node.submit(transaction).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

async fn get_transaction(
    State(node): State<Node>,
    Path(hash): Path<String>,
) -> Result<Json<Value>, AppError> {
    let not_found = || AppError::NotFound(format!("no transaction {hash}"));
    let location = node.store().locate(&hash).await?.ok_or_else(not_found)?;
    let block = node.store().block(location.height).await?.ok_or_else(not_found)?;
    let receipt = crate::chain::receipt(&block, location.index).ok_or_else(not_found)?;
    let transaction = block
        .transactions
        .get(location.index)
        .cloned()
        .ok_or_else(not_found)?;
    Ok(Json(json!({"transaction": transaction, "receipt": receipt})))
}

/// `GET /height`: the chain's height, so clients can tell whether their cached answers are
/// still current without asking for them again.
async fn get_height(State(node): State<Node>) -> Json<Value> {
    let tip = node.view().await.tip;
    Json(json!({"height": tip.height, "hash": tip.hash}))
}

async fn get_latest_block(State(node): State<Node>) -> Result<Json<Value>, AppError> {
    let height = node.view().await.tip.height;
    block_at(&node, height).await
}

async fn get_block(State(node): State<Node>, Path(height): Path<u64>) -> Result<Json<Value>, AppError> {
    block_at(&node, height).await
}

async fn block_at(node: &Node, height: u64) -> Result<Json<Value>, AppError> {
    let unencodable = |e: &dyn std::fmt::Display| AppError::Internal(e.to_string());
    if height == 0 {
        let hash = node.genesis().hash().map_err(|e| unencodable(&e))?;
        return Ok(Json(
            json!({"height": 0, "genesis": node.genesis(), "hash": hash}),
        ));
    }
    let block = node
        .store()
        .block(height)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no block {height}")))?;
    let hash = block.header.hash().map_err(|e| unencodable(&e))?;
    Ok(Json(json!({"hash": hash, "block": block})))
}

/// The receipt of a stored transaction, if it is in a block.
async fn operation_receipt(node: &Node, transaction: &str) -> Result<Option<Receipt>, AppError> {
    let Some(location) = node.store().locate(transaction).await? else {
        return Ok(None);
    };
    let block = node.store().block(location.height).await?;
    Ok(block.and_then(|block| crate::chain::receipt(&block, location.index)))
}

/// DID Resolution parameters.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResolutionQuery {
    version_time: Option<String>,
    version_id: Option<String>,
}

/// `GET /1.0/identifiers/{did}`: the Universal Resolver driver API (DID Resolution §7.1).
async fn resolve_identifier(
    State(node): State<Node>,
    Path(did): Path<String>,
    Query(query): Query<ResolutionQuery>,
) -> Response {
    let failure = |status: StatusCode, error: &str, message: String| {
        let body = json!({
            "@context": "https://w3id.org/did-resolution/v1",
            "didDocument": null,
            "didResolutionMetadata": {"error": error, "errorMessage": message},
            "didDocumentMetadata": {},
        });
        (status, Json(body)).into_response()
    };
    let did = match Did::parse(&did) {
        Ok(did) if did.method() == "sigil" => did,
        Ok(did) => {
            return failure(
                StatusCode::NOT_IMPLEMENTED,
                "methodNotSupported",
                format!("{} is not did:sigil", did),
            );
        }
        Err(e) => return failure(StatusCode::BAD_REQUEST, "invalidDid", e.to_string()),
    };
    let version_time = match query
        .version_time
        .as_deref()
        .map(sigil_core::time::parse_datetime)
    {
        Some(None) => {
            return failure(
                StatusCode::BAD_REQUEST,
                "invalidOptions",
                "versionTime is not RFC 3339".into(),
            );
        }
        Some(Some(time)) => Some(time),
        None => None,
    };
    let options = ResolutionOptions {
        version_time,
        version_id: query.version_id,
    };
    let view = node.view().await;
    match resolve(&view.state, &did, &options) {
        Ok(resolution) => {
            let mut metadata = resolution.metadata;
            // docs/design.md §3: the block height and inclusion proof of the operation that
            // produced this version.
            if let Some(transaction) = metadata.extra.get("sigilTransaction").and_then(Value::as_str) {
                match operation_receipt(&node, transaction).await {
                    Ok(Some(receipt)) => {
                        metadata.extra.insert("blockHeight".into(), receipt.height.into());
                        metadata.extra.insert("receipt".into(), json!(receipt));
                    }
                    Ok(None) => {}
                    Err(error) => return error.into_response(),
                }
            }
            let body = json!({
                "@context": "https://w3id.org/did-resolution/v1",
                "didDocument": resolution.document,
                "didResolutionMetadata": {"contentType": "application/did+ld+json"},
                "didDocumentMetadata": metadata,
            });
            (StatusCode::OK, Json(body)).into_response()
        }
        Err(ResolutionError::NotFound(message)) => failure(StatusCode::NOT_FOUND, "notFound", message),
        Err(error) => failure(StatusCode::BAD_REQUEST, "invalidOptions", error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use axum::http::header::CONTENT_TYPE;
    use sigil_core::time::format_datetime;
    use tower::ServiceExt as _;

    use super::*;
    use crate::fixtures::{key, node};
    use crate::ledger::operation;

    #[tokio::test]
    async fn a_refused_submission_is_answered_with_the_rules_code() {
        let tomorrow = sigil_core::time::now() + chrono::Duration::days(1);
        let op = operation::create(&key(1), &key(2).public_key(), vec![], tomorrow).unwrap();
        let request = Request::post("/transactions")
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(&Transaction::Did(op)).unwrap()))
            .unwrap();
        let response = app(node().await).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "dated_in_the_future");
        let message = body["error"]["message"].as_str().unwrap();
        let expected = format!(
            "dated {}, more than 300 s after its block's time",
            format_datetime(tomorrow)
        );
        assert!(message.starts_with(&expected), "{message}");
    }

    #[tokio::test]
    async fn a_transaction_with_a_key_written_twice_is_refused_as_a_bad_request() {
        let op = operation::create(&key(1), &key(2).public_key(), vec![], sigil_core::time::now()).unwrap();
        let text = serde_json::to_string(&Transaction::Did(op)).unwrap();
        // The same member twice, as a stranger could send it.
        let doubled = text.replacen("{\"did\":{", "{\"did\":{\"prev\":null,\"prev\":null,", 1);
        assert_ne!(doubled, text);
        let request = Request::post("/transactions")
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(doubled))
            .unwrap();
        let response = app(node().await).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "bad_request");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("duplicate key \"prev\""),
            "{body}"
        );
    }

    /// Every route `app` serves is described in `openapi.json`, and nothing more.
    #[test]
    fn the_openapi_document_describes_every_route() {
        let source = include_str!("mod.rs");
        let routes: std::collections::BTreeSet<&str> = source
            .lines()
            .filter_map(|line| line.trim().strip_prefix(".route(\""))
            .filter_map(|rest| rest.split('"').next())
            .collect();
        let document: Value = serde_json::from_str(OPENAPI).unwrap();
        let paths: std::collections::BTreeSet<&str> = document["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(routes, paths);
    }
}
