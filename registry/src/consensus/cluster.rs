//! A node of several: its Raft, started over the node's store, and the [`Consensus`] the block
//! producer commits through. The node produces blocks only while it leads, on a chain it has
//! confirmed is current (a linearizable read), and a block is acknowledged once Raft committed
//! it on a majority and this node applied it.
//!
//! Alongside Raft, each node collects its peers' signatures over the newest header it applied
//! and not yet final (`GET /consensus/signatures?height=`), keeping each only once it checked it
//! against its own header, until a quorum of validators signed — which makes the header final.
//! A peer's signature by a validator that also signed this node's header at that height, but
//! over another header, is equivocation: the evidence is kept, as a client's report would be.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use openraft::error::{ClientWriteError, RaftError};
use openraft::{Config, ServerState, SnapshotPolicy};
use sigil_core::key::SigningKey;
use sigil_core::state::commit::{ChainTrust, Commit, ValidatorSignature};
use sigil_core::state::evidence::{Equivocation, SignedHeader};

use super::log_store::LogStore;
use super::network::{Links, Network};
use super::peer_auth::PeerAuth;
use super::state_machine::{OwnBlock, StateMachine};
use super::{Applied, NodeId, Peer, Raft};
use crate::chain::{BlockHeader, Genesis, Produced};
use crate::finality::Kept;
use crate::node::{Consensus, SharedChain, SubmitError};
use crate::store::{HeaderSignatureRow, Store};

/// The path peers read a header's signatures from.
pub const SIGNATURES_PATH: &str = "/consensus/signatures";

/// How often Raft's leader beats and how long a follower waits before it stands for election.
#[derive(Debug, Clone, Copy)]
pub struct ClusterTiming {
    pub heartbeat: Duration,
    pub election_min: Duration,
    pub election_max: Duration,
}

impl Default for ClusterTiming {
    /// For nodes on one network. A follower stands for election once it has heard nothing
    /// for the leader's lease (openraft takes `election_max`) plus a random election timeout:
    /// a lost leader is replaced after 1.5 to 2 seconds, or a round later on a split vote.
    fn default() -> Self {
        ClusterTiming {
            heartbeat: Duration::from_millis(100),
            election_min: Duration::from_millis(500),
            election_max: Duration::from_millis(1_000),
        }
    }
}

/// A node's place in its cluster.
#[derive(Clone)]
pub struct Cluster {
    raft: Raft,
    id: NodeId,
    peers: Arc<Vec<Peer>>,
    links: Links,
    auth: Arc<PeerAuth>,
    chain: SharedChain,
    store: Store,
    own: OwnBlock,
    trust: Arc<ChainTrust>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("id", &self.id)
            .field("peers", &self.peers)
            .finish_non_exhaustive()
    }
}

/// Starts this node's Raft: `peers` are the nodes' URLs in the order genesis names their
/// validators, and this node is the one whose validator key is `key`. Every node proposes the
/// same initial membership (all of them), which Raft accepts however many do.
pub async fn start_cluster(
    genesis: &Genesis,
    store: Store,
    chain: SharedChain,
    key: SigningKey,
    peers: Vec<Peer>,
    timing: ClusterTiming,
) -> anyhow::Result<Cluster> {
    if peers.len() != genesis.validators.len() {
        anyhow::bail!(
            "{} peers are configured but genesis names {} validators: list every validator's node, in genesis order",
            peers.len(),
            genesis.validators.len()
        );
    }
    let own = key.public_key().to_multikey();
    let id = genesis
        .validators
        .iter()
        .position(|validator| *validator == own)
        .ok_or_else(|| anyhow::anyhow!("this node's validator key is not a validator in genesis"))?;
    let id = NodeId::try_from(id)?;
    let config = Config {
        cluster_name: genesis.chain_id.clone(),
        heartbeat_interval: millis(timing.heartbeat),
        election_timeout_min: millis(timing.election_min),
        election_timeout_max: millis(timing.election_max),
        // A block can be large: few per message.
        max_payload_entries: 16,
        // A snapshot holds every block (consensus::state_machine): built rarely, for a node
        // so far behind that the leader has purged the entries it lacks.
        snapshot_policy: SnapshotPolicy::LogsSinceLast(20_000),
        max_in_snapshot_log_to_keep: 1_000,
        ..Config::default()
    };
    let config = Arc::new(config.validate()?);
    let auth = Arc::new(PeerAuth::new(
        &genesis.chain_id,
        id,
        key.clone(),
        genesis.validator_keys()?,
    ));
    let links = Links::default();
    let network = Network {
        auth: auth.clone(),
        links: links.clone(),
        http: sigil_core::http_client::client(),
    };
    let signed = Arc::new(tokio::sync::Notify::new());
    let own = OwnBlock::default();
    let state_machine = StateMachine::open(
        Arc::new(genesis.clone()),
        key,
        store.clone(),
        chain.clone(),
        signed.clone(),
        own.clone(),
    )
    .await?;
    let raft = Raft::new(id, config, network, LogStore::new(store.clone()), state_machine).await?;
    let members: std::collections::BTreeMap<NodeId, Peer> = (0..).zip(peers.iter().cloned()).collect();
    if !raft.is_initialized().await? {
        // Refused when a peer's proposal reached this node first: the same membership.
        if let Err(error) = raft.initialize(members).await {
            tracing::debug!(%error, "the cluster was already initialised");
        }
    }
    let cluster = Cluster {
        raft,
        id,
        peers: Arc::new(peers),
        links,
        auth,
        chain,
        store,
        own,
        trust: Arc::new(ChainTrust::new(genesis)?),
    };
    tokio::spawn(cluster.clone().collect_signatures(signed));
    Ok(cluster)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Cluster {
    /// This node's id: its validator's position in genesis.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The node's Raft handle.
    pub fn raft(&self) -> &Raft {
        &self.raft
    }

    /// Checks requests from peers and signs this node's.
    pub fn auth(&self) -> &PeerAuth {
        &self.auth
    }

    /// The links this node may cut.
    pub fn links(&self) -> &Links {
        &self.links
    }

    /// The chain as this node applied it.
    pub fn chain(&self) -> &SharedChain {
        &self.chain
    }

    /// The nodes, in genesis order.
    pub fn peers(&self) -> &[Peer] {
        &self.peers
    }

    /// The leader this node knows of, if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.raft.metrics().borrow().current_leader
    }

    /// Whether this node leads now.
    pub fn is_leader(&self) -> bool {
        self.raft.metrics().borrow().state == ServerState::Leader
    }

    /// Waits until this node knows a leader, for at most `patience`.
    pub async fn await_leader(&self, patience: Duration) {
        let _ = self
            .raft
            .wait(Some(patience))
            .metrics(|metrics| metrics.current_leader.is_some(), "a leader")
            .await;
    }

    /// Waits until this node knows a leader other than the one at `url` (which could not be
    /// reached), for at most `patience`.
    pub async fn await_leader_other_than(&self, url: &str, patience: Duration) {
        let _ = self
            .raft
            .wait(Some(patience))
            .metrics(
                |metrics| {
                    metrics.current_leader.is_some_and(|leader| {
                        usize::try_from(leader)
                            .ok()
                            .and_then(|index| self.peers.get(index))
                            .is_none_or(|peer| peer.url != url)
                    })
                },
                "another leader",
            )
            .await;
    }

    /// The leader's URL when it is another node.
    pub fn leader_elsewhere(&self) -> Option<String> {
        let leader = self.leader()?;
        if leader == self.id {
            return None;
        }
        let index = usize::try_from(leader).ok()?;
        self.peers.get(index).map(|peer| peer.url.clone())
    }

    /// Stops this node's Raft (its HTTP server is the caller's to stop).
    pub async fn shutdown(&self) {
        if let Err(error) = self.raft.shutdown().await {
            tracing::warn!(%error, "Raft did not stop cleanly");
        }
    }

    /// Collects the peers' signatures over the newest header this node applied and not yet
    /// final, woken by each block applied and retrying every `RETRY` until it is final.
    async fn collect_signatures(self, signed: Arc<tokio::sync::Notify>) {
        const RETRY: Duration = Duration::from_millis(100);
        let http = sigil_core::http_client::client();
        loop {
            let _ = tokio::time::timeout(RETRY, signed.notified()).await;
            if self.raft.metrics().borrow().running_state.is_err() {
                return;
            }
            let Some(height) = self.chain.finality.awaiting() else {
                continue;
            };
            for (index, peer) in self.peers.iter().enumerate() {
                let peer_id = NodeId::try_from(index).unwrap_or(NodeId::MAX);
                if peer_id == self.id || self.links.is_cut(peer_id) {
                    continue;
                }
                let url = format!(
                    "{}{SIGNATURES_PATH}?height={height}",
                    peer.url.trim_end_matches('/')
                );
                let Ok(url) = url::Url::parse(&url) else {
                    continue;
                };
                let Ok(Some(answer)) = sigil_core::http_client::get_json(&http, url).await else {
                    continue;
                };
                let Ok(signatures) = serde_json::from_value::<Vec<ValidatorSignature>>(answer) else {
                    continue;
                };
                let mut not_over_ours = Vec::new();
                for signature in signatures {
                    if self.keep(height, signature.clone()).await == Kept::No {
                        not_over_ours.push(signature);
                    }
                }
                if !not_over_ours.is_empty() {
                    self.look_for_equivocation(&http, &peer.url, height, not_over_ours)
                        .await;
                }
            }
        }
    }

    /// A peer gave signatures at `height` that are not over the header this node applied
    /// there: over its own header, then. Where one is by a validator that also signed this
    /// node's header, that validator signed two headers at one height — kept as evidence
    /// (`GET /evidence`, the explorer), as if a client had reported it.
    pub async fn look_for_equivocation(
        &self,
        http: &reqwest::Client,
        peer: &str,
        height: u64,
        signatures: Vec<ValidatorSignature>,
    ) {
        let Ok(Some(ours)) = self.store.block(height).await else {
            return;
        };
        // The signatures this node holds over its header: the proposer's, in the header, and
        // those it kept.
        let held: Vec<ValidatorSignature> = Commit::proposed(ours.header.clone())
            .signatures
            .into_iter()
            .chain(
                self.store
                    .header_signatures(height)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .map(|row| ValidatorSignature {
                        validator: row.validator,
                        signature: row.signature,
                    }),
            )
            .collect();
        let Ok(url) = url::Url::parse(&format!("{}/blocks/{height}", peer.trim_end_matches('/'))) else {
            return;
        };
        let Ok(Some(answer)) = sigil_core::http_client::get_json(http, url).await else {
            return;
        };
        let Some(theirs) = answer
            .pointer("/block/header")
            .and_then(|header| serde_json::from_value::<BlockHeader>(header.clone()).ok())
        else {
            return;
        };
        for signature in signatures {
            let Some(our_copy) = held.iter().find(|held| held.validator == signature.validator) else {
                continue;
            };
            let evidence = Equivocation {
                validator: signature.validator.clone(),
                first: SignedHeader {
                    header: ours.header.clone(),
                    signature: our_copy.clone(),
                },
                second: SignedHeader {
                    header: theirs.clone(),
                    signature,
                },
            };
            if evidence.check(&self.trust).is_err() {
                continue;
            }
            let now = sigil_core::time::format_datetime(sigil_core::time::now());
            match self.store.record_equivocation(&evidence, &now).await {
                Ok(true) => tracing::error!(
                    validator = evidence.validator,
                    height,
                    peer,
                    "equivocation: a validator signed two headers at one height; evidence kept"
                ),
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "could not keep equivocation evidence"),
            }
        }
    }

    /// Keeps `signature` over the header this node applied at `height`, if it is valid.
    async fn keep(&self, height: u64, signature: ValidatorSignature) -> Kept {
        let kept = self.chain.finality.add(height, signature.clone());
        if kept != Kept::New {
            return kept;
        }
        let Ok(Some(header_hash)) = self.store.block_hash(height).await else {
            return kept;
        };
        let row = HeaderSignatureRow {
            height,
            validator: signature.validator,
            header_hash,
            signature: signature.signature,
        };
        if let Err(error) = self.store.record_header_signature(&row).await {
            tracing::warn!(%error, "could not keep a peer's signature over a header");
        }
        kept
    }
}

#[async_trait]
impl Consensus for Cluster {
    async fn ready(&self) -> Result<(), SubmitError> {
        if !self.is_leader() {
            return Err(SubmitError::Unavailable(
                "this node does not order blocks now; submit to the leader".into(),
            ));
        }
        self.raft
            .ensure_linearizable()
            .await
            .map(|_| ())
            .map_err(|e| SubmitError::Unavailable(format!("this node cannot confirm it leads: {e}")))
    }

    async fn commit(&self, produced: &Produced) -> Result<(), SubmitError> {
        let tip_hash = produced.block.header.prev_hash.clone();
        self.own.remember(&tip_hash, produced);
        let written = self.raft.client_write(produced.block.clone()).await;
        match written {
            Ok(response) => match response.data {
                Applied::Block { .. } => Ok(()),
                Applied::Skipped { reason } => Err(SubmitError::Unavailable(format!(
                    "the block was ordered after another and no node applied it ({reason}); submit again"
                ))),
                Applied::Nothing => Err(SubmitError::Unavailable("the block was not applied".into())),
            },
            Err(RaftError::APIError(ClientWriteError::ForwardToLeader(_))) => Err(SubmitError::Unavailable(
                "this node lost the lead before the block was committed; submit again".into(),
            )),
            Err(error) => {
                tracing::error!(%error, "could not commit a block");
                Err(SubmitError::Unavailable(format!(
                    "the block was not committed: {error}"
                )))
            }
        }
    }
}
