//! The node: holds the chain's current state, takes submissions, and cuts blocks — every
//! `block_interval` or `max_block_transactions`, whichever comes first — committing each
//! through the [`Consensus`] before it answers any submitter. An acknowledgement therefore
//! always means "in a durable block", with the receipt to prove it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sigil_core::key::SigningKey;
use tokio::sync::{RwLock, mpsc, oneshot};

use sigil_core::state::commit::ValidatorSignature;
use sigil_core::transaction::governance::{Governance, GovernanceChange, GovernanceError};

use crate::chain::{Genesis, Produced, Receipt, Tip, produce};
use crate::consensus::Cluster;
use crate::finality::{Finality, Finalized};
use crate::ledger::{LedgerError, LedgerState, Transaction};
use crate::store::{BlockTree, Store};

/// How long a submission waits for the cluster to have a leader.
const LEADER_PATIENCE: Duration = Duration::from_secs(5);

/// How blocks are cut.
#[derive(Debug, Clone, Copy)]
pub struct BlockPolicy {
    /// The longest a submission waits for its block.
    pub interval: Duration,
    /// The most transactions in one block.
    pub max_transactions: usize,
    /// How many blocks apart the node snapshots its state, to restart from the newest
    /// snapshot and the blocks after it.
    pub snapshot_every: u64,
}

impl Default for BlockPolicy {
    fn default() -> Self {
        BlockPolicy {
            interval: Duration::from_millis(200),
            max_transactions: 500,
            snapshot_every: 1_000,
        }
    }
}

/// Orders and commits blocks: on one node ([`SingleNode`]) a block is final once stored; on
/// several ([`Cluster`]) once Raft committed it and this node applied it.
#[async_trait]
pub trait Consensus: Send + Sync {
    /// Waits until this node may produce the next block on an up-to-date view of the chain,
    /// or says why it may not.
    async fn ready(&self) -> Result<(), SubmitError>;

    /// Orders `produced` after the tip it was produced on and makes it durable; returns once
    /// the node's [`SharedChain`] includes it. A refusal means no node applied the block.
    async fn commit(&self, produced: &Produced) -> Result<(), SubmitError>;
}

/// What the node and its consensus share: the chain as this node applied it, and which of its
/// headers are final.
#[derive(Debug, Clone)]
pub struct SharedChain {
    pub view: Arc<RwLock<ChainView>>,
    pub finality: Arc<Finality>,
}

impl SharedChain {
    /// The chain after `view`, whose tip (if any) is final by `signatures` — or by the
    /// proposer's alone when it is a quorum.
    pub fn new(view: ChainView, signatures: Vec<ValidatorSignature>) -> Self {
        let finality = Finality::default();
        if let Some(header) = &view.tip.header {
            finality.applied(header, view.state.clone(), signatures);
        }
        SharedChain {
            view: Arc::new(RwLock::new(view)),
            finality: Arc::new(finality),
        }
    }

    /// Makes `tip` and `state` the chain's, with the header's signatures held so far.
    pub async fn advance(&self, tip: Tip, state: LedgerState, signatures: Vec<ValidatorSignature>) {
        if let Some(header) = &tip.header {
            self.finality.applied(header, state.clone(), signatures);
        }
        *self.view.write().await = ChainView { state, tip };
    }
}

/// The single-node consensus: a block is final once it is in the local store.
#[derive(Debug, Clone)]
pub struct SingleNode {
    pub store: Store,
    pub chain: SharedChain,
}

#[async_trait]
impl Consensus for SingleNode {
    async fn ready(&self) -> Result<(), SubmitError> {
        Ok(())
    }

    async fn commit(&self, produced: &Produced) -> Result<(), SubmitError> {
        let hashes = &produced.transaction_hashes;
        self.store
            .append_hashed(&produced.block, hashes)
            .await
            .map_err(|error| {
                tracing::error!(%error, height = produced.block.header.height, "could not commit a block");
                SubmitError::Unavailable("storage failed".into())
            })?;
        let tip = Tip::after(&produced.block.header).map_err(|e| SubmitError::Unavailable(e.to_string()))?;
        self.chain.advance(tip, produced.state.clone(), Vec::new()).await;
        Ok(())
    }
}

/// Why a submission was not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// The ledger refused the transaction.
    #[error(transparent)]
    Refused(#[from] LedgerError),
    /// The node could not make the block durable, or is shutting down, or is not the one
    /// that orders blocks now; the transaction was not recorded and may be submitted again.
    #[error("the registry could not record the transaction: {0}")]
    Unavailable(String),
}

/// The chain as this node sees it.
#[derive(Debug, Clone)]
pub struct ChainView {
    pub state: LedgerState,
    pub tip: Tip,
}

struct Submission {
    transaction: Transaction,
    reply: oneshot::Sender<Result<Receipt, SubmitError>>,
}

/// A running node.
#[derive(Clone)]
pub struct Node {
    genesis: Arc<Genesis>,
    store: Store,
    chain: SharedChain,
    cluster: Option<Cluster>,
    submissions: mpsc::Sender<Submission>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("chain_id", &self.genesis.chain_id)
            .finish()
    }
}

impl Node {
    /// Starts a node that is the whole chain, from a replayed chain; spawns its block
    /// producer on the current runtime.
    pub fn start(
        genesis: Genesis,
        store: Store,
        view: ChainView,
        validator: SigningKey,
        policy: BlockPolicy,
    ) -> anyhow::Result<Node> {
        let chain = SharedChain::new(view, Vec::new());
        let consensus = Arc::new(SingleNode {
            store: store.clone(),
            chain: chain.clone(),
        });
        Ok(Node::assemble(
            genesis, store, chain, consensus, None, validator, policy,
        ))
    }

    /// Starts a node of a cluster: it produces blocks while Raft makes it the leader.
    pub fn start_in_cluster(
        genesis: Genesis,
        store: Store,
        cluster: Cluster,
        validator: SigningKey,
        policy: BlockPolicy,
    ) -> Node {
        let chain = cluster.chain().clone();
        let consensus = Arc::new(cluster.clone());
        Node::assemble(genesis, store, chain, consensus, Some(cluster), validator, policy)
    }

    fn assemble(
        genesis: Genesis,
        store: Store,
        chain: SharedChain,
        consensus: Arc<dyn Consensus>,
        cluster: Option<Cluster>,
        validator: SigningKey,
        policy: BlockPolicy,
    ) -> Node {
        let (submissions, receiver) = mpsc::channel(policy.max_transactions.max(1) * 4);
        let node = Node {
            genesis: Arc::new(genesis),
            store,
            chain,
            cluster,
            submissions,
        };
        let producer = Producer {
            chain_id: node.genesis.chain_id.clone(),
            view: node.chain.view.clone(),
            consensus,
            validator,
            policy,
        };
        tokio::spawn(producer.run(receiver));
        tokio::spawn(snapshot_state(
            node.store.clone(),
            node.chain.view.clone(),
            policy.snapshot_every,
        ));
        node
    }

    /// Submits a transaction; answers once it is in a durable block, or refused.
    pub async fn submit(&self, transaction: Transaction) -> Result<Receipt, SubmitError> {
        let grows = matches!(
            &transaction,
            Transaction::Governance(Governance {
                change: GovernanceChange::AddValidator { .. },
                ..
            })
        );
        if grows && self.cluster.is_none() {
            // Its blocks are in no Raft log, so a new validator's node could not take them.
            return Err(SubmitError::Refused(LedgerError::Governance(GovernanceError::Invalid(
                "this registry runs as a single node, which cannot grow its validator set: a chain that may grow runs under Raft from its first block, with `peers` naming its own node (docs/governance.md)".into(),
            ))));
        }
        let (reply, answer) = oneshot::channel();
        self.submissions
            .send(Submission { transaction, reply })
            .await
            .map_err(|_| SubmitError::Unavailable("the node is shutting down".into()))?;
        answer
            .await
            .map_err(|_| SubmitError::Unavailable("the node is shutting down".into()))?
    }

    /// A snapshot of the chain: cheap, the state is persistent.
    pub async fn view(&self) -> ChainView {
        self.chain.view.read().await.clone()
    }

    /// The newest final header, with its signatures, and the state after its block.
    pub fn finalized(&self) -> Option<Finalized> {
        self.chain.finality.finalized()
    }

    /// The node's cluster, when it is one of several.
    pub fn cluster(&self) -> Option<&Cluster> {
        self.cluster.as_ref()
    }

    /// Where submissions go when another node orders blocks now (the leader's URL); `None`
    /// when this node does. While the cluster elects a leader — just after it starts, or
    /// after the leader is lost — waits a few seconds for one; `None` if none comes.
    pub async fn leader_elsewhere(&self) -> Option<String> {
        let cluster = self.cluster.as_ref()?;
        cluster.await_leader(LEADER_PATIENCE).await;
        cluster.leader_elsewhere()
    }

    /// Like [`Node::leader_elsewhere`], once the cluster has a leader other than the one at
    /// `unreachable`: for a submission whose leader could not be reached.
    pub async fn leader_elsewhere_than(&self, unreachable: &str) -> Option<String> {
        let cluster = self.cluster.as_ref()?;
        cluster
            .await_leader_other_than(unreachable, LEADER_PATIENCE)
            .await;
        cluster.leader_elsewhere()
    }

    /// The block store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The chain's genesis.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }
}

struct Producer {
    chain_id: String,
    view: Arc<RwLock<ChainView>>,
    consensus: Arc<dyn Consensus>,
    validator: SigningKey,
    policy: BlockPolicy,
}

impl Producer {
    async fn run(self, mut receiver: mpsc::Receiver<Submission>) {
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + self.policy.interval;
            while batch.len() < self.policy.max_transactions {
                match tokio::time::timeout_at(deadline, receiver.recv()).await {
                    Ok(Some(submission)) => batch.push(submission),
                    Ok(None) | Err(_) => break,
                }
            }
            self.cut_block(batch).await;
        }
    }

    async fn cut_block(&self, batch: Vec<Submission>) {
        let (transactions, replies): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|s| (s.transaction, s.reply)).unzip();
        if let Err(error) = self.consensus.ready().await {
            return refuse_all(replies, &error);
        }
        let current = self.view.read().await.clone();
        let produced = produce(
            &self.chain_id,
            &current.state,
            &current.tip,
            transactions.clone(),
            sigil_core::time::now(),
            &self.validator,
        );
        let produced = match produced {
            Ok(produced) => produced,
            Err(error) => {
                tracing::error!(%error, "could not produce a block");
                let error = SubmitError::Unavailable("the block could not be produced".into());
                return refuse_all(replies, &error);
            }
        };
        if !produced.block.transactions.is_empty() {
            if let Err(error) = self.consensus.commit(&produced).await {
                return refuse_all(replies, &error);
            }
        }
        for (reply, answer) in replies.into_iter().zip(answers(&transactions, &produced)) {
            let _ = reply.send(answer);
        }
    }
}

/// The answer to each of `submitted`, in order: its receipt, or why the ledger refused it.
///
/// `produce` keeps the order of what it was given in both the block and the refusals, so one
/// walk through each pairs them up; the block's Merkle tree is built once for all receipts.
fn answers(submitted: &[Transaction], produced: &Produced) -> Vec<Result<Receipt, SubmitError>> {
    let tree = BlockTree::new(produced.block.header.clone(), &produced.transaction_hashes);
    let mut included = produced
        .block
        .transactions
        .iter()
        .zip(&produced.transaction_hashes)
        .enumerate()
        .peekable();
    let mut refused = produced.refused.iter().peekable();
    submitted
        .iter()
        .map(|transaction| {
            if let Some((index, (_, hash))) = included.next_if(|(_, (t, _))| *t == transaction) {
                return tree
                    .receipt(index, hash)
                    .ok_or_else(|| SubmitError::Unavailable("receipt could not be made".into()));
            }
            match refused.next_if(|(t, _)| t == transaction) {
                Some((_, error)) => Err(SubmitError::Refused(error.clone())),
                None => Err(SubmitError::Unavailable("the transaction was dropped".into())),
            }
        })
        .collect()
}

/// Answers every submission of a block that was not made: none of them was acknowledged.
fn refuse_all(replies: Vec<oneshot::Sender<Result<Receipt, SubmitError>>>, why: &SubmitError) {
    for reply in replies {
        let _ = reply.send(Err(why.clone()));
    }
}

/// Snapshots the state every `every` blocks (`crate::ledger::snapshot`), in the store, so the
/// node restarts from the newest snapshot and the blocks after it. It looks once a second;
/// serialising runs off the async threads, on a state that costs nothing to keep (it is
/// persistent). Ends with the node's runtime.
async fn snapshot_state(store: Store, view: Arc<RwLock<ChainView>>, every: u64) {
    const LOOK_EVERY: Duration = Duration::from_secs(1);
    if every == 0 {
        return;
    }
    let mut last = match store.state_snapshot_height().await {
        Ok(height) => height.unwrap_or(0),
        Err(error) => {
            tracing::warn!(%error, "cannot read the state snapshot's height; not snapshotting");
            return;
        }
    };
    loop {
        tokio::time::sleep(LOOK_EVERY).await;
        let current = view.read().await.clone();
        let height = current.tip.height;
        if height < last.saturating_add(every) {
            continue;
        }
        let hash = current.tip.hash.clone();
        let entries = tokio::task::spawn_blocking(move || {
            crate::ledger::snapshot::entries(&current.state, height, &hash)
        })
        .await;
        let written = match entries {
            Ok(entries) => store.write_state_snapshot(height, &entries).await,
            Err(error) => {
                tracing::error!(%error, "the state snapshot could not be made");
                continue;
            }
        };
        match written {
            Ok(()) => {
                tracing::info!(height, "state snapshot written");
                last = height;
            }
            Err(error) => tracing::warn!(%error, height, "the state snapshot could not be written"),
        }
    }
}
