//! Ordering blocks on several nodes (docs/consensus.md): the validators named in genesis run
//! Raft (openraft, pinned) to agree on one sequence of blocks. Raft only orders; it trusts no
//! leader with the content. Every node checks every block it is given with the pure ledger
//! before applying it — a block that is not a valid successor of the state all nodes share is
//! skipped by every node alike — and signs the header of each block it applied, so a header
//! signed by a quorum of validators is final and answers proven against it need no trust in
//! the node that gives them.
//!
//! - [`log_store`]: the Raft log and vote, on the node's store;
//! - [`state_machine`]: applies blocks with the ledger, builds and installs snapshots;
//! - [`directory`]: each validator's node id, key and URL, from genesis and governance;
//! - [`network`]: Raft's messages over the nodes' HTTP, each request signed with the sender's
//!   validator key and checked against genesis by the receiver ([`peer_auth`]);
//! - [`cluster`]: starting a node's Raft, and the [`Consensus`](crate::node::Consensus) it
//!   gives the block producer;
//! - [`local`]: a cluster of nodes in one process, for the tests and the benchmark.

pub mod cluster;
pub mod directory;
pub mod local;
pub mod log_store;
pub mod network;
pub mod peer_auth;
pub mod state_machine;

#[cfg(test)]
mod tests;

use std::io::Cursor;

use serde::{Deserialize, Serialize};

use crate::chain::Block;

pub use cluster::{Cluster, ClusterTiming, start_cluster};

/// A node as Raft's membership knows it: where its HTTP API is. Which key it signs with comes
/// from genesis or the governance change that added it, by its id ([`directory`]), never from
/// the membership.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Peer {
    /// The node's base URL, e.g. `https://registry-2.example.org/`.
    pub url: String,
}

/// What applying a log entry did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Applied {
    /// The block at this height is now part of the chain.
    Block { height: u64 },
    /// The block was not a valid successor of the chain, so no node applied it.
    Skipped { reason: String },
    /// A membership change or a leader's blank entry: no block.
    Nothing,
}

openraft::declare_raft_types!(
    /// The registry's Raft: its entries carry blocks.
    pub TypeConfig:
        D = Block,
        R = Applied,
        NodeId = u64,
        Node = Peer,
);

/// A node's Raft handle.
pub type Raft = openraft::Raft<TypeConfig>;
/// A Raft node id: the order in which its validator joined the chain ([`directory`]).
pub type NodeId = u64;
/// Errors the storage gives Raft.
pub type StorageError = openraft::StorageError<NodeId>;
