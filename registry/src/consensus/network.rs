//! Raft's messages between nodes, over their HTTP APIs: `POST /consensus/{vote,append,snapshot}`
//! with a JSON body, each request signed ([`PeerAuth`]). The answer is the receiver's Raft
//! result as JSON, so a refusal by the peer's Raft reaches this node's Raft as a remote error.
//!
//! [`Links`] cuts chosen peers off in both directions — what an operator does to fence a node
//! off, and what the tests use to partition a cluster without touching the host's network.

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

use openraft::error::{InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::peer_auth::PeerAuth;
use super::{NodeId, Peer, TypeConfig};

/// The paths of the consensus routes.
pub const VOTE_PATH: &str = "/consensus/vote";
pub const APPEND_PATH: &str = "/consensus/append";
pub const SNAPSHOT_PATH: &str = "/consensus/snapshot";

/// The peers this node is cut off from.
#[derive(Debug, Clone, Default)]
pub struct Links {
    cut: Arc<RwLock<BTreeSet<NodeId>>>,
}

impl Links {
    /// Cuts this node off from `peers`: nothing is sent to them or taken from them.
    pub fn cut(&self, peers: impl IntoIterator<Item = NodeId>) {
        self.write().extend(peers);
    }

    /// Restores every link.
    pub fn heal(&self) {
        self.write().clear();
    }

    /// Whether the link to `peer` is cut.
    pub fn is_cut(&self, peer: NodeId) -> bool {
        self.cut
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&peer)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeSet<NodeId>> {
        self.cut
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Makes a connection to each peer.
#[derive(Debug, Clone)]
pub struct Network {
    pub(super) auth: Arc<PeerAuth>,
    pub(super) links: Links,
    pub(super) http: reqwest::Client,
}

impl RaftNetworkFactory<TypeConfig> for Network {
    type Network = Connection;

    async fn new_client(&mut self, target: NodeId, node: &Peer) -> Connection {
        Connection {
            network: self.clone(),
            target,
            base: node.url.trim_end_matches('/').to_owned(),
        }
    }
}

/// This node's connection to one peer.
#[derive(Debug)]
pub struct Connection {
    network: Network,
    target: NodeId,
    base: String,
}

/// Why a request got no Raft answer.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Failure(String);

impl Connection {
    /// Sends `request` to `path`; the peer's answer is its Raft's `Result<Answer, E>`.
    async fn call<Request, Answer, E>(
        &self,
        path: &str,
        request: &Request,
        option: &RPCOption,
    ) -> Result<Answer, RPCError<NodeId, Peer, RaftError<NodeId, E>>>
    where
        Request: Serialize,
        Answer: DeserializeOwned,
        E: std::error::Error + DeserializeOwned,
    {
        if self.network.links.is_cut(self.target) {
            return Err(RPCError::Unreachable(Unreachable::new(&Failure(format!(
                "the link to node {} is cut",
                self.target
            )))));
        }
        let body = serde_json::to_vec(request).map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        let now = sigil_core::time::now().timestamp();
        let mut builder = self
            .network
            .http
            .post(format!("{}{path}", self.base))
            .timeout(option.hard_ttl())
            .header("content-type", "application/json");
        for (name, value) in self.network.auth.sign(self.target, path, &body, now) {
            builder = builder.header(name, value);
        }
        let response = builder.body(body).send().await.map_err(|e| {
            if e.is_connect() {
                RPCError::Unreachable(Unreachable::new(&e))
            } else {
                RPCError::Network(NetworkError::new(&e))
            }
        })?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes);
            return Err(RPCError::Unreachable(Unreachable::new(&Failure(format!(
                "node {} answered HTTP {status}: {text}",
                self.target
            )))));
        }
        let answer: Result<Answer, RaftError<NodeId, E>> =
            serde_json::from_slice(&bytes).map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        answer.map_err(|e| RPCError::RemoteError(RemoteError::new(self.target, e)))
    }
}

impl RaftNetwork<TypeConfig> for Connection {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, RPCError<NodeId, Peer, RaftError<NodeId>>> {
        self.call(APPEND_PATH, &rpc, &option).await
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<
        InstallSnapshotResponse<NodeId>,
        RPCError<NodeId, Peer, RaftError<NodeId, InstallSnapshotError>>,
    > {
        self.call(SNAPSHOT_PATH, &rpc, &option).await
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, RPCError<NodeId, Peer, RaftError<NodeId>>> {
        self.call(VOTE_PATH, &rpc, &option).await
    }
}
