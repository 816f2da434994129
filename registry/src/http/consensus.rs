//! The routes nodes of one chain talk over (docs/consensus.md): Raft's messages, each signed by
//! the sending validator and refused unless it verifies against genesis, and the signatures
//! this node holds over a header, which anyone may read — each proves itself.

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sigil_core::state::commit::ValidatorSignature;

use super::AppError;
use crate::consensus::cluster::SIGNATURES_PATH;
use crate::consensus::network::{APPEND_PATH, SNAPSHOT_PATH, VOTE_PATH};
use crate::consensus::{Cluster, NodeId};
use crate::node::Node;

/// Largest consensus request: a few blocks of the largest size, or a snapshot chunk.
const MAX_CONSENSUS_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The consensus routes; every one answers 404 on a node that is the whole chain.
pub(super) fn routes() -> Router<Node> {
    Router::new()
        .route(VOTE_PATH, post(vote))
        .route(APPEND_PATH, post(append))
        .route(SNAPSHOT_PATH, post(snapshot))
        .layer(DefaultBodyLimit::max(MAX_CONSENSUS_BODY_BYTES))
        .route(SIGNATURES_PATH, get(signatures))
        .route(STATUS_PATH, get(status))
}

/// Where a node says how it sees the cluster.
pub const STATUS_PATH: &str = "/consensus/status";

/// How this node sees the cluster.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    /// This node's id (the order its validator joined the chain in).
    pub id: NodeId,
    /// `Leader`, `Follower`, `Candidate` or `Learner`.
    pub role: String,
    /// The leader it follows, if it knows one.
    pub leader: Option<NodeId>,
    pub term: u64,
    /// The height of the last block it applied.
    pub height: u64,
    /// The height of the newest header a quorum signed, as it holds it.
    pub final_height: Option<u64>,
    /// The URLs of the cluster's nodes, voters and learners, by id.
    pub peers: Vec<String>,
    /// The ids of the nodes that vote: the validators in force.
    #[serde(default)]
    pub voters: Vec<NodeId>,
}

/// How `node`, one of several, sees the cluster.
pub async fn node_status(node: &Node, cluster: &Cluster) -> NodeStatus {
    let metrics = cluster.raft().metrics().borrow().clone();
    NodeStatus {
        id: cluster.id(),
        role: format!("{:?}", metrics.state),
        leader: metrics.current_leader,
        term: metrics.current_term,
        height: node.view().await.tip.height,
        final_height: node.finalized().map(|f| f.commit.header.height),
        peers: cluster.members().into_iter().map(|(_, peer)| peer.url).collect(),
        voters: metrics.membership_config.membership().voter_ids().collect(),
    }
}

/// `GET /consensus/status`: how this node sees the cluster.
async fn status(State(node): State<Node>) -> Result<Json<NodeStatus>, AppError> {
    let cluster = cluster(&node)?;
    Ok(Json(node_status(&node, cluster).await))
}

fn cluster(node: &Node) -> Result<&Cluster, AppError> {
    node.cluster().ok_or_else(|| {
        AppError::NotFound("this registry is a single node: it takes no consensus messages".into())
    })
}

/// Checks the request's signature and that its sender is not cut off; reads its body.
fn authenticated<T: DeserializeOwned>(
    cluster: &Cluster,
    headers: &HeaderMap,
    uri: &Uri,
    body: &[u8],
) -> Result<(NodeId, T), AppError> {
    let now = sigil_core::time::now().timestamp();
    let sender = cluster
        .auth()
        .check(headers, uri.path(), body, now)
        .map_err(|e| AppError::Forbidden(e.to_string()))?;
    if cluster.links().is_cut(sender) {
        return Err(AppError::Unavailable(format!("the link to node {sender} is cut")));
    }
    let request = serde_json::from_slice(body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok((sender, request))
}

async fn vote(
    State(node): State<Node>,
    headers: HeaderMap,
    uri: Uri,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let cluster = cluster(&node)?;
    let (_, request) = authenticated(cluster, &headers, &uri, &body)?;
    answer(cluster.raft().vote(request).await)
}

async fn append(
    State(node): State<Node>,
    headers: HeaderMap,
    uri: Uri,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let cluster = cluster(&node)?;
    let (_, request) = authenticated(cluster, &headers, &uri, &body)?;
    answer(cluster.raft().append_entries(request).await)
}

async fn snapshot(
    State(node): State<Node>,
    headers: HeaderMap,
    uri: Uri,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let cluster = cluster(&node)?;
    let (_, request) = authenticated(cluster, &headers, &uri, &body)?;
    answer(cluster.raft().install_snapshot(request).await)
}

/// Raft's result, as the sender's Raft reads it back.
fn answer<T: serde::Serialize, E: serde::Serialize>(
    result: Result<T, E>,
) -> Result<Json<serde_json::Value>, AppError> {
    serde_json::to_value(result)
        .map(Json)
        .map_err(|e| AppError::Internal(e.to_string()))
}

#[derive(Debug, Deserialize)]
pub(super) struct HeightQuery {
    height: u64,
}

/// `GET /consensus/signatures?height=`: the validators' signatures this node holds over the
/// header it applied at that height.
async fn signatures(
    State(node): State<Node>,
    Query(query): Query<HeightQuery>,
) -> Result<Json<Vec<ValidatorSignature>>, AppError> {
    let cluster = cluster(&node)?;
    if let Some(signatures) = cluster.chain().finality.signatures(query.height) {
        return Ok(Json(signatures));
    }
    let rows = node.store().header_signatures(query.height).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| ValidatorSignature {
                validator: row.validator,
                signature: row.signature,
            })
            .collect(),
    ))
}
