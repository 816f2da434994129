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

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use openraft::error::{ClientWriteError, RaftError};
use openraft::{ChangeMembers, Config, ServerState, SnapshotPolicy};
use sigil_core::key::SigningKey;
use sigil_core::state::commit::{ChainTrust, Commit, GovernanceStep, ValidatorSignature};
use sigil_core::state::evidence::{Equivocation, SignedHeader};
use sigil_core::transaction::governance::GovernanceChange;

use super::directory::{Directory, SharedDirectory};
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
    directory: SharedDirectory,
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
            .finish_non_exhaustive()
    }
}

/// Starts this node's Raft: `peers` are the URLs of the nodes of the validators genesis
/// names, in genesis order. A node of genesis proposes the initial membership (all of them),
/// which Raft accepts however many do; a node of a validator a governance change added learns
/// the changes from its peers, checked from genesis, and waits for the leader to add it.
pub async fn start_cluster(
    genesis: &Genesis,
    store: Store,
    chain: SharedChain,
    key: SigningKey,
    peers: Vec<Peer>,
    timing: ClusterTiming,
) -> anyhow::Result<Cluster> {
    let mut directory = Directory::new(genesis, &peers)?;
    let own = key.public_key().to_multikey();
    let known = chain.view.read().await.state.governance.clone();
    directory.follow(known.iter().map(|entry| &entry.change));
    if directory.id_of(&own).is_none() {
        let steps = governance_from_peers(genesis, &peers, &own).await?;
        directory.follow(steps.iter().map(|step| &step.change.change));
    }
    let id = directory.id_of(&own).ok_or_else(|| {
        anyhow::anyhow!(
            "this node's key {own} is no member of the chain: genesis does not name it as a validator, and no governance change its peers know of added it as a validator or a learner"
        )
    })?;
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
        directory.keys(),
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
    let in_genesis = usize::try_from(id).is_ok_and(|index| index < genesis.validators.len());
    if in_genesis && !raft.is_initialized().await? {
        let members: BTreeMap<NodeId, Peer> = (0..).zip(peers.iter().cloned()).collect();
        // Refused when a peer's proposal reached this node first: the same membership.
        if let Err(error) = raft.initialize(members).await {
            tracing::debug!(%error, "the cluster was already initialised");
        }
    }
    let cluster = Cluster {
        raft,
        id,
        directory: Arc::new(std::sync::RwLock::new(directory)),
        links,
        auth,
        chain,
        store,
        own,
        trust: Arc::new(ChainTrust::new(genesis)?),
    };
    tokio::spawn(cluster.clone().collect_signatures(signed));
    tokio::spawn(cluster.clone().follow_governance());
    Ok(cluster)
}

/// The chain's governance changes, as the first of `peers` that knows of one adding the
/// validator `own` serves them, each checked from genesis as a client checks them: signed by a
/// quorum of the validators before it.
async fn governance_from_peers(
    genesis: &Genesis,
    peers: &[Peer],
    own: &str,
) -> anyhow::Result<Vec<GovernanceStep>> {
    let http = sigil_core::http_client::client();
    let mut failures = Vec::new();
    for peer in peers {
        let url = format!("{}/governance", peer.url.trim_end_matches('/'));
        let answer = match url::Url::parse(&url) {
            Ok(url) => sigil_core::http_client::get_json(&http, url).await,
            Err(error) => {
                failures.push(format!("{url}: {error}"));
                continue;
            }
        };
        let steps = match answer {
            Ok(Some(answer)) => serde_json::from_value::<Vec<GovernanceStep>>(answer)
                .map_err(|e| format!("{url}: unreadable: {e}")),
            Ok(None) => Err(format!("{url}: not served")),
            Err(error) => Err(format!("{url}: {error}")),
        };
        match steps {
            Ok(steps) => {
                let adds_own = steps.iter().any(|step| match &step.change.change {
                    GovernanceChange::AddValidator {
                        validator: member, ..
                    }
                    | GovernanceChange::AddLearner { learner: member, .. } => member == own,
                    _ => false,
                });
                let mut trust = ChainTrust::new(genesis)?;
                match trust.follow_all(&steps) {
                    Ok(()) if adds_own => return Ok(steps),
                    Ok(()) => failures.push(format!("{url}: knows of no change adding {own}")),
                    Err(error) => failures.push(format!("{url}: {error}")),
                }
            }
            Err(failure) => failures.push(failure),
        }
    }
    anyhow::bail!(
        "no peer served the chain's governance changes: {}",
        failures.join("; ")
    )
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

    /// The nodes of the cluster's membership, voters and learners, by id.
    pub fn members(&self) -> Vec<(NodeId, Peer)> {
        self.raft
            .metrics()
            .borrow()
            .membership_config
            .nodes()
            .map(|(id, peer)| (*id, peer.clone()))
            .collect()
    }

    /// The URL of node `id`, if it is a member.
    fn url_of(&self, id: NodeId) -> Option<String> {
        self.members()
            .into_iter()
            .find(|(member, _)| *member == id)
            .map(|(_, peer)| peer.url)
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
                        metrics
                            .membership_config
                            .nodes()
                            .find(|(id, _)| **id == leader)
                            .is_none_or(|(_, peer)| peer.url != url)
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
        self.url_of(leader)
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
            for (peer_id, peer) in self.members() {
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
        // The validators governance added sign too: follow the changes this node applied.
        let mut trust = (*self.trust).clone();
        let applied = self.chain.view.read().await.state.governance.clone();
        if let Ok(steps) = self.store.governance_steps(&applied, 0).await {
            if let Err(error) = trust.follow_all(&steps) {
                tracing::warn!(%error, "this node's own governance changes do not follow from genesis");
            }
        }
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
            if evidence.check(&trust).is_err() {
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

    /// Follows the members the chain's governance makes: takes each change this node applied
    /// into the directory, accepting the requests of a member's node once a change added it;
    /// and, while this node leads, makes Raft's membership the chain's — the validators in
    /// force vote (a new validator's node first a learner, until it has caught up), the
    /// learners governance added follow without voting, and every other node leaves.
    async fn follow_governance(self) {
        const EVERY: Duration = Duration::from_millis(250);
        loop {
            tokio::time::sleep(EVERY).await;
            if self.raft.metrics().borrow().running_state.is_err() {
                return;
            }
            let state = self.chain.view.read().await.state.clone();
            let (voters, learners) = {
                let mut directory = self
                    .directory
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if directory.changes() < state.governance.len() as u64 {
                    directory.follow(state.governance.iter().map(|entry| &entry.change));
                    for (id, key) in directory.keys() {
                        self.auth.admit(id, key);
                    }
                }
                (
                    directory.voters(&state.validators),
                    directory.learners(state.learners.keys()),
                )
            };
            if !self.is_leader() || voters.is_empty() {
                continue;
            }
            self.make_learners(&voters, &learners).await;
            self.make_voters(&voters).await;
        }
    }

    /// The nodes that vote in Raft now.
    fn voter_ids(&self) -> BTreeSet<NodeId> {
        self.raft
            .metrics()
            .borrow()
            .membership_config
            .membership()
            .voter_ids()
            .collect()
    }

    /// Adds the learners Raft lacks, and removes every node that is neither a voter nor a
    /// learner the chain names.
    async fn make_learners(&self, voters: &BTreeMap<NodeId, Peer>, learners: &BTreeMap<NodeId, Peer>) {
        let nodes: BTreeSet<NodeId> = self.members().into_iter().map(|(id, _)| id).collect();
        for (id, peer) in learners {
            if nodes.contains(id) {
                continue;
            }
            match self.raft.add_learner(*id, peer.clone(), false).await {
                Ok(_) => tracing::info!(node = id, url = peer.url, "a learner's node follows the chain"),
                Err(error) => tracing::warn!(%error, node = id, "could not add a learner's node"),
            }
        }
        let voting: BTreeSet<NodeId> = self.voter_ids();
        let stale: BTreeSet<NodeId> = nodes
            .into_iter()
            .filter(|id| !voting.contains(id) && !voters.contains_key(id) && !learners.contains_key(id))
            .collect();
        if stale.is_empty() {
            return;
        }
        match self
            .raft
            .change_membership(ChangeMembers::RemoveNodes(stale.clone()), false)
            .await
        {
            Ok(_) => tracing::info!(nodes = ?stale, "nodes the chain no longer names left"),
            Err(error) => tracing::warn!(%error, "could not remove the nodes the chain no longer names"),
        }
    }

    /// Makes Raft's voters `voters`: each new one added as a learner first and promoted once it
    /// has caught up.
    async fn make_voters(&self, voters: &BTreeMap<NodeId, Peer>) {
        /// How long the leader waits for a new validator's node to catch up before it looks
        /// again (the node stays a learner meanwhile).
        const CATCH_UP: Duration = Duration::from_secs(10);
        let current: BTreeSet<NodeId> = self.voter_ids();
        let wanted: BTreeSet<NodeId> = voters.keys().copied().collect();
        if current == wanted {
            return;
        }
        for (id, peer) in voters {
            if current.contains(id) {
                continue;
            }
            let added = self.raft.add_learner(*id, peer.clone(), true);
            match tokio::time::timeout(CATCH_UP, added).await {
                Ok(Ok(_)) => {
                    tracing::info!(
                        node = id,
                        url = peer.url,
                        "a new validator's node caught up as a learner"
                    );
                }
                Ok(Err(error)) => {
                    tracing::warn!(%error, node = id, "could not add a new validator's node as a learner");
                    return;
                }
                Err(_) => {
                    tracing::info!(
                        node = id,
                        "a new validator's node is still catching up as a learner"
                    );
                    return;
                }
            }
        }
        match self.raft.change_membership(wanted.clone(), false).await {
            Ok(_) => tracing::info!(voters = ?wanted, "Raft's voters are the validators in force"),
            Err(error) => {
                tracing::warn!(%error, "could not change Raft's voters to the validators in force");
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
