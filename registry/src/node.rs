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

use crate::chain::{ChainError, Genesis, Produced, Receipt, Tip, produce};
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

/// A block handed to the consensus and not yet known to be committed, and the chain after
/// it: what the next block is produced on meanwhile.
struct Committing {
    /// Whether the block was committed (its submissions are answered either way).
    committed: tokio::task::JoinHandle<bool>,
    after: ChainView,
}

/// A block produced from a batch, with the batch's submissions.
struct Cut {
    transactions: Vec<Transaction>,
    replies: Vec<oneshot::Sender<Result<Receipt, SubmitError>>>,
    produced: Produced,
}

impl Producer {
    /// Cuts blocks from the submissions. Each block is produced — its signatures checked,
    /// its transactions applied — while the block before it is still being committed, on the
    /// state that block leads to; it is handed to the consensus only once that block is
    /// committed, so nothing is acknowledged before every block under it is durable. Should
    /// that block fail, the next one is produced again on the chain as it stands.
    async fn run(self, mut receiver: mpsc::Receiver<Submission>) {
        let producer = Arc::new(self);
        let mut committing: Option<Committing> = None;
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + producer.policy.interval;
            while batch.len() < producer.policy.max_transactions {
                match tokio::time::timeout_at(deadline, receiver.recv()).await {
                    Ok(Some(submission)) => batch.push(submission),
                    Ok(None) | Err(_) => break,
                }
            }
            committing = producer.cut_block(batch, committing).await;
        }
        if let Some(last) = committing {
            let _ = last.committed.await;
        }
    }

    /// Produces a block from `batch` and starts committing it; what is being committed then.
    async fn cut_block(
        self: &Arc<Self>,
        batch: Vec<Submission>,
        committing: Option<Committing>,
    ) -> Option<Committing> {
        let (transactions, replies): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|s| (s.transaction, s.reply)).unzip();
        if let Err(error) = self.consensus.ready().await {
            refuse_all(replies, &error);
            return committing;
        }
        let base = match &committing {
            Some(previous) => previous.after.clone(),
            None => self.view.read().await.clone(),
        };
        let mut produced = self.produce(&base, &transactions);
        if let Some(previous) = committing {
            if !previous.committed.await.unwrap_or(false) {
                let current = self.view.read().await.clone();
                produced = self.produce(&current, &transactions);
            }
        }
        let produced = match produced {
            Ok(produced) => produced,
            Err(error) => {
                tracing::error!(%error, "could not produce a block");
                let error = SubmitError::Unavailable("the block could not be produced".into());
                refuse_all(replies, &error);
                return None;
            }
        };
        let cut = Cut {
            transactions,
            replies,
            produced,
        };
        if cut.produced.block.transactions.is_empty() {
            cut.answer();
            return None;
        }
        let after = match Tip::after(&cut.produced.block.header) {
            Ok(tip) => ChainView {
                state: cut.produced.state.clone(),
                tip,
            },
            Err(error) => {
                refuse_all(cut.replies, &SubmitError::Unavailable(error.to_string()));
                return None;
            }
        };
        let consensus = Arc::clone(&self.consensus);
        let committed = tokio::spawn(async move {
            match consensus.commit(&cut.produced).await {
                Ok(()) => {
                    cut.answer();
                    true
                }
                Err(error) => {
                    refuse_all(cut.replies, &error);
                    false
                }
            }
        });
        Some(Committing { committed, after })
    }

    fn produce(&self, on: &ChainView, transactions: &[Transaction]) -> Result<Produced, ChainError> {
        produce(
            &self.chain_id,
            &on.state,
            &on.tip,
            transactions.to_vec(),
            sigil_core::time::now(),
            &self.validator,
        )
    }
}

impl Cut {
    /// Answers each submission: its receipt, or why the ledger refused it.
    fn answer(self) {
        for (reply, answer) in self
            .replies
            .into_iter()
            .zip(answers(&self.transactions, &self.produced))
        {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;
    use crate::fixtures::{VALIDATOR, create, genesis, key};

    /// The node's own consensus, except that the first block it is handed fails, as a block
    /// does when the write fails or the lead is lost.
    struct FirstBlockFails {
        single: SingleNode,
        failed: AtomicBool,
    }

    #[async_trait]
    impl Consensus for FirstBlockFails {
        async fn ready(&self) -> Result<(), SubmitError> {
            self.single.ready().await
        }

        async fn commit(&self, produced: &Produced) -> Result<(), SubmitError> {
            if !self.failed.swap(true, Ordering::SeqCst) {
                return Err(SubmitError::Unavailable("the first block fails".into()));
            }
            self.single.commit(produced).await
        }
    }

    #[tokio::test]
    async fn a_block_produced_on_one_that_failed_is_produced_again_on_the_chain_as_it_stands() {
        let genesis = genesis();
        let store = Store::in_memory().await.unwrap();
        let view = ChainView {
            state: LedgerState::from_genesis(&genesis).unwrap(),
            tip: Tip::genesis(&genesis).unwrap(),
        };
        let genesis_hash = view.tip.hash.clone();
        let chain = SharedChain::new(view, Vec::new());
        let consensus = Arc::new(FirstBlockFails {
            single: SingleNode {
                store: store.clone(),
                chain: chain.clone(),
            },
            failed: AtomicBool::new(false),
        });
        let policy = BlockPolicy {
            interval: Duration::from_millis(10),
            max_transactions: 1,
            ..BlockPolicy::default()
        };
        let node = Node::assemble(genesis, store, chain, consensus, None, key(VALIDATOR), policy);

        let first = node.submit(create(1)).await;
        assert!(matches!(first, Err(SubmitError::Unavailable(_))), "{first:?}");
        // The next block is produced on the failed one, where this very transaction is
        // applied already and so a replay; produced again on the chain as it stands, it goes in.
        let again = node.submit(create(1)).await.unwrap();
        assert_eq!(again.height, 1);
        assert_eq!(again.header.prev_hash, genesis_hash);
        assert!(again.verify());
        assert_eq!(node.view().await.tip.height, 1);
        assert_eq!(node.store().height().await.unwrap(), 1);
    }
}
