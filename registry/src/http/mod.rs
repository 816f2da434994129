//! The registry's HTTP API (axum): submit transactions, resolve DIDs in the Universal
//! Resolver driver shape, read blocks and transactions with their proofs. Bodies are limited
//! in size and requests in time; every error is JSON with a stable code.

mod consensus;
mod error;
mod evidence;
mod explorer;
mod proofs;
mod records;
mod story;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use sigil_core::did::{Did, ResolutionError, ResolutionOptions};
use sigil_service::rate_limit::{self, RateLimit};
use tower_http::timeout::TimeoutLayer;

pub use error::AppError;

use crate::ledger::limits::{self, MAX_TRANSACTION_BYTES};
use crate::ledger::resolve::resolve;
use crate::ledger::{LedgerError, Transaction};
use crate::node::Node;

/// Largest request body: twice [`MAX_TRANSACTION_BYTES`], room for the whitespace and
/// escapes a client may write around the largest transaction the ledger takes (which is
/// measured in its canonical form once read). Anything larger is answered 413 unread.
pub const MAX_BODY_BYTES: usize = 2 * MAX_TRANSACTION_BYTES;
/// Longest a request may take; a submission waits for its block, well under this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The registry's routes. Submissions are rate-limited per client address by `writes`
/// (`RateLimit::per_minute(0)` for none).
pub fn app(node: Node, writes: Arc<RateLimit>) -> Router {
    let submit = post(submit_transaction).layer(axum::middleware::from_fn_with_state(
        writes.clone(),
        rate_limit::enforce,
    ));
    let evidence = post(evidence::post_evidence)
        .layer(axum::middleware::from_fn_with_state(writes, rate_limit::enforce))
        .get(evidence::get_evidence);
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/openapi.json", get(openapi))
        .route("/transactions", submit)
        .route("/transactions/{hash}", get(get_transaction))
        .route("/1.0/identifiers/{did}", get(resolve_identifier))
        .route("/height", get(get_height))
        .route("/blocks/latest", get(get_latest_block))
        .route("/blocks/{height}", get(get_block))
        .route("/dids/{did}/history", get(records::get_did_history))
        .route("/status-lists", get(records::get_status_list))
        .route("/anchors", get(records::get_anchor))
        .route("/accreditations", get(records::get_accreditations))
        .route("/proofs", get(proofs::get_proof))
        .route("/genesis", get(proofs::get_genesis))
        .route("/governance", get(proofs::get_governance))
        .route("/evidence", evidence)
        .merge(explorer::routes())
        .merge(consensus::routes())
        .layer(sigil_service::pages::security_headers())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
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
/// read as a transaction, like every other JSON Sigil takes from strangers; a transaction over
/// a size limit is refused here, before it is queued, as the ledger would refuse it.
async fn submit_transaction(
    State(node): State<Node>,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::BodyTooLarge(format!(
                "the body is over the registry's limit of {MAX_BODY_BYTES} bytes (MAX_BODY_BYTES); \
                 a transaction is at most {MAX_TRANSACTION_BYTES} bytes (MAX_TRANSACTION_BYTES)"
            ))
        } else {
            AppError::BadRequest(rejection.body_text())
        }
    })?;
    let text =
        std::str::from_utf8(&body).map_err(|_| AppError::BadRequest("the body is not UTF-8".into()))?;
    let value = sigil_core::json::parse(text).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let transaction: Transaction =
        serde_json::from_value(value).map_err(|e| AppError::BadRequest(format!("not a transaction: {e}")))?;
    limits::check(&transaction).map_err(|e| AppError::Refused(LedgerError::TooLarge(e)))?;
    let mut leader = node.leader_elsewhere().await;
    // A leader that cannot be reached was lost: once another is elected, it takes the
    // submission — which the lost one never received, so it cannot be recorded twice.
    for _ in 0..MAX_FORWARDS {
        let Some(url) = leader else {
            break;
        };
        match forward(&url, &headers, body.clone()).await {
            Err(Forward::Unreachable) => leader = node.leader_elsewhere_than(&url).await,
            Err(Forward::Failed(error)) => return Err(error),
            Ok(response) => return Ok(response),
        }
    }
    if let Some(url) = leader {
        return Err(AppError::Unavailable(format!(
            "the leader at {url} cannot be reached; submit again"
        )));
    }
    let receipt = node.submit(transaction).await?;
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

/// How many leaders one submission is offered to before it is refused.
const MAX_FORWARDS: usize = 3;

/// Why a forwarded submission got no answer from the leader.
enum Forward {
    /// The leader could not be reached: it did not receive the submission.
    Unreachable,
    /// Anything else.
    Failed(AppError),
}

/// How many times a submission has been passed from node to node.
const FORWARDED_HEADER: &str = "sigil-forwarded";
/// The most times a submission is passed on: to the leader a node knows, and once more if
/// that one has just learnt of a newer leader.
const MAX_HOPS: u8 = 2;

/// Passes a submission this node cannot order to the node that leads, and its answer back
/// as given: the receipt proves itself, and a refusal keeps its code.
async fn forward(
    leader: &str,
    headers: &axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Forward> {
    let unavailable = |message: String| Forward::Failed(AppError::Unavailable(message));
    let hops = headers
        .get(FORWARDED_HEADER)
        .and_then(|value| value.to_str().ok())
        .map_or(0, |value| value.parse::<u8>().unwrap_or(MAX_HOPS));
    if hops >= MAX_HOPS {
        return Err(unavailable(
            "the cluster is electing a leader: submit again".into(),
        ));
    }
    let url = format!("{}/transactions", leader.trim_end_matches('/'));
    let response = sigil_core::http_client::client()
        .post(url)
        .header(FORWARDED_HEADER, (hops + 1).to_string())
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .timeout(REQUEST_TIMEOUT)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            if e.is_connect() {
                Forward::Unreachable
            } else {
                unavailable(format!("the leader at {leader} did not answer: {e}"))
            }
        })?;
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let answer = sigil_core::http_client::read_limited(response, sigil_core::http_client::MAX_RESPONSE_BYTES)
        .await
        .map_err(|e| unavailable(format!("the leader at {leader} did not answer: {e}")))?;
    Ok((
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        answer,
    )
        .into_response())
}

async fn get_transaction(
    State(node): State<Node>,
    Path(hash): Path<String>,
) -> Result<Json<Value>, AppError> {
    let not_found = || AppError::NotFound(format!("no transaction {hash}"));
    let location = node.store().locate(&hash).await?.ok_or_else(not_found)?;
    let block = node.store().block(location.height).await?.ok_or_else(not_found)?;
    let receipt = node
        .store()
        .receipt_in(&block, location.index, &hash)?
        .ok_or_else(not_found)?;
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
                match node.store().receipt(transaction).await {
                    Ok(Some(receipt)) => {
                        metadata.extra.insert("blockHeight".into(), receipt.height.into());
                        metadata.extra.insert("receipt".into(), json!(receipt));
                    }
                    Ok(None) => {}
                    Err(error) => return AppError::from(error).into_response(),
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
    async fn a_client_submitting_past_its_limit_is_told_to_wait_before_anything_is_checked() {
        let app = app(node().await, RateLimit::per_minute(2));
        let submit = || {
            Request::post("/transactions")
                .header(CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap()
        };
        for _ in 0..2 {
            let response = app.clone().oneshot(submit()).await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "read, and refused as no transaction"
            );
        }
        let response = app.clone().oneshot(submit()).await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let height = Request::get("/height").body(Body::empty()).unwrap();
        assert_eq!(
            app.oneshot(height).await.unwrap().status(),
            StatusCode::OK,
            "reads go on"
        );
    }

    /// A header at `height` of the fixtures' chain, signed by the fixtures' validator.
    fn signed_header(height: u64, time: &str) -> sigil_core::state::evidence::SignedHeader {
        let genesis = crate::fixtures::genesis();
        let header = crate::chain::BlockHeader {
            chain_id: genesis.chain_id,
            height,
            prev_hash: "zPrev".into(),
            time: time.into(),
            tx_root: "00".repeat(32),
            state_root: "zState".into(),
            state_tree_root: None,
            proposer: key(crate::fixtures::VALIDATOR).public_key().to_multikey(),
            signature: None,
        };
        let signature =
            sigil_core::state::commit::ValidatorSignature::sign(&header, &key(crate::fixtures::VALIDATOR))
                .unwrap();
        sigil_core::state::evidence::SignedHeader { header, signature }
    }

    #[tokio::test]
    async fn equivocation_evidence_is_checked_kept_once_listed_and_shown_in_the_explorer() {
        let app = app(node().await, RateLimit::per_minute(0));
        let first = signed_header(5, "2026-06-01T00:00:00Z");
        let evidence = sigil_core::state::evidence::Equivocation {
            validator: first.signature.validator.clone(),
            first,
            second: signed_header(5, "2026-06-01T00:00:09Z"),
        };
        let post = |body: String| {
            Request::post("/evidence")
                .header(CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap()
        };
        let body = serde_json::to_string(&evidence).unwrap();
        let created = app.clone().oneshot(post(body.clone())).await.unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let again = app.clone().oneshot(post(body)).await.unwrap();
        assert_eq!(again.status(), StatusCode::OK, "kept once");

        // Two headers at different heights, or one header twice, convict nobody.
        let mut not_evidence = evidence.clone();
        not_evidence.second = signed_header(6, "2026-06-01T00:00:09Z");
        let refused = app
            .clone()
            .oneshot(post(serde_json::to_string(&not_evidence).unwrap()))
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let mut same = evidence.clone();
        same.second = same.first.clone();
        let refused = app
            .clone()
            .oneshot(post(serde_json::to_string(&same).unwrap()))
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

        let listed = app
            .clone()
            .oneshot(Request::get("/evidence").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let bytes = axum::body::to_bytes(listed.into_body(), usize::MAX)
            .await
            .unwrap();
        let listed: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(listed["equivocations"].as_array().unwrap().len(), 1);
        assert_eq!(
            listed["equivocations"][0]["evidence"],
            serde_json::to_value(&evidence).unwrap()
        );

        let page = app
            .oneshot(Request::get("/explorer").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let bytes = axum::body::to_bytes(page.into_body(), usize::MAX).await.unwrap();
        let html = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(html.contains("Equivocation evidence") && html.contains(&evidence.validator));
    }

    #[tokio::test]
    async fn a_refused_submission_is_answered_with_the_rules_code() {
        let tomorrow = sigil_core::time::now() + chrono::Duration::days(1);
        let op = operation::create(&key(1), &key(2).public_key(), vec![], tomorrow).unwrap();
        let request = Request::post("/transactions")
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(&Transaction::Did(op)).unwrap()))
            .unwrap();
        let response = app(node().await, RateLimit::per_minute(0))
            .oneshot(request)
            .await
            .unwrap();
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
        let response = app(node().await, RateLimit::per_minute(0))
            .oneshot(request)
            .await
            .unwrap();
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

    /// POSTs `body` to `/transactions`; the status and the JSON answer.
    async fn post_transaction(node: Node, body: Vec<u8>) -> (StatusCode, Value) {
        let request = Request::post("/transactions")
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let response = app(node, RateLimit::per_minute(0))
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    /// A signed inception carrying `services`.
    fn create_with_services(services: Vec<Value>) -> Vec<u8> {
        let mut op =
            operation::create(&key(1), &key(2).public_key(), vec![], sigil_core::time::now()).unwrap();
        op.services = Some(services);
        serde_json::to_vec(&Transaction::Did(op.sign(&key(1)).unwrap())).unwrap()
    }

    #[tokio::test]
    async fn a_create_with_a_service_of_1_9_mb_is_answered_413_naming_the_limit() {
        let endpoint = format!("https://example.org/{}", "a".repeat(1_900_000));
        let body = create_with_services(vec![
            json!({"id": "#s", "type": "T", "serviceEndpoint": endpoint}),
        ]);
        let (status, answer) = post_transaction(node().await, body).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(answer["error"]["code"], "too_large");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("limit of 131072 bytes (MAX_BODY_BYTES)"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_create_with_too_many_services_is_answered_413_naming_the_limit() {
        let service = json!({"id": "#s", "type": "LinkedDomains", "serviceEndpoint": "https://u.example"});
        let body = create_with_services(vec![service; limits::MAX_SERVICES + 1]);
        let (status, answer) = post_transaction(node().await, body).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(answer["error"]["code"], "too_large");
        assert_eq!(
            answer["error"]["message"],
            "too large: services is 17 entries, over the registry's limit of 16 (MAX_SERVICES)"
        );
    }

    #[tokio::test]
    async fn a_transaction_whose_fields_pass_but_whose_whole_is_over_the_limit_is_answered_413() {
        // Sixteen services each at their own limit come to more than 64 KiB.
        let mut service =
            json!({"id": "#s", "type": "T", "serviceEndpoint": "https://u.example", "note": ""});
        let padding = limits::MAX_SERVICE_BYTES - serde_json::to_vec(&service).unwrap().len();
        service["note"] = json!("n".repeat(padding));
        let body = create_with_services(vec![service; limits::MAX_SERVICES]);
        assert!(body.len() < MAX_BODY_BYTES);
        let (status, answer) = post_transaction(node().await, body).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains("(MAX_TRANSACTION_BYTES)"), "{message}");
    }

    #[tokio::test]
    async fn a_full_anchor_is_accepted_over_http() {
        let node = node().await;
        let inception = match crate::fixtures::create(5) {
            Transaction::Did(op) => Some(op),
            _ => None,
        }
        .unwrap();
        let did = inception.created_did().unwrap();
        node.submit(Transaction::Did(inception)).await.unwrap();
        let hashes = (0..crate::ledger::anchor::MAX_BATCH)
            .map(|i| format!("{i:064x}"))
            .collect();
        let now = format_datetime(sigil_core::time::now());
        let mut anchor = crate::ledger::anchor::unsigned(did.as_str(), hashes, &now);
        anchor.proof =
            Some(crate::ledger::statement::sign(&anchor, &key(105), &format!("{did}#key-1")).unwrap());
        let body = serde_json::to_vec(&Transaction::Anchor(anchor)).unwrap();
        let (status, answer) = post_transaction(node, body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }

    /// Every route `app` serves is described in `openapi.json`, and nothing more.
    #[test]
    fn the_openapi_document_describes_every_route() {
        let source = include_str!("mod.rs");
        let routes: std::collections::BTreeSet<&str> = source
            .lines()
            .filter_map(|line| line.trim().strip_prefix(".route(\""))
            .filter_map(|rest| rest.split('"').next())
            .chain([
                crate::consensus::network::VOTE_PATH,
                crate::consensus::network::APPEND_PATH,
                crate::consensus::network::SNAPSHOT_PATH,
                crate::consensus::cluster::SIGNATURES_PATH,
                consensus::STATUS_PATH,
            ])
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
