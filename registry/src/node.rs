//! The node: holds the chain's current state, takes submissions, and cuts blocks — every
//! `block_interval` or `max_block_transactions`, whichever comes first — committing each
//! through the [`Consensus`] before it answers any submitter. An acknowledgement therefore
//! always means "in a durable block", with the receipt to prove it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sigil_core::key::SigningKey;
use tokio::sync::{RwLock, mpsc, oneshot};

use crate::chain::{Block, Genesis, Receipt, Tip, produce};
use crate::ledger::{LedgerError, LedgerState, Transaction};
use crate::store::{Store, StoreError};

/// How blocks are cut.
#[derive(Debug, Clone, Copy)]
pub struct BlockPolicy {
    /// The longest a submission waits for its block.
    pub interval: Duration,
    /// The most transactions in one block.
    pub max_transactions: usize,
}

impl Default for BlockPolicy {
    fn default() -> Self {
        BlockPolicy {
            interval: Duration::from_millis(200),
            max_transactions: 500,
        }
    }
}

/// Orders and commits blocks. One node commits to its own store; a later issue runs several
/// nodes behind the same trait on openraft.
#[async_trait]
pub trait Consensus: Send + Sync {
    /// Makes `block` durable and final; returns once it is.
    async fn commit(&self, block: &Block) -> Result<(), StoreError>;
}

/// The single-node consensus: a block is final once it is in the local store.
#[derive(Debug, Clone)]
pub struct SingleNode(pub Store);

#[async_trait]
impl Consensus for SingleNode {
    async fn commit(&self, block: &Block) -> Result<(), StoreError> {
        self.0.append(block).await
    }
}

/// Why a submission was not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// The ledger refused the transaction.
    #[error(transparent)]
    Refused(#[from] LedgerError),
    /// The node could not make the block durable, or is shutting down; the transaction was
    /// not recorded and may be submitted again.
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
    view: Arc<RwLock<ChainView>>,
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
    /// Starts a node from a replayed chain; spawns its block producer on the current runtime.
    pub fn start(
        genesis: Genesis,
        store: Store,
        view: ChainView,
        consensus: Arc<dyn Consensus>,
        validator: SigningKey,
        policy: BlockPolicy,
    ) -> Node {
        let (submissions, receiver) = mpsc::channel(policy.max_transactions.max(1) * 4);
        let node = Node {
            genesis: Arc::new(genesis),
            store,
            view: Arc::new(RwLock::new(view)),
            submissions,
        };
        let producer = Producer {
            chain_id: node.genesis.chain_id.clone(),
            view: node.view.clone(),
            consensus,
            validator,
            policy,
        };
        tokio::spawn(producer.run(receiver));
        node
    }

    /// Submits a transaction; answers once it is in a durable block, or refused.
    pub async fn submit(&self, transaction: Transaction) -> Result<Receipt, SubmitError> {
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
        self.view.read().await.clone()
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
        let current = self.view.read().await.clone();
        let (transactions, replies): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|s| (s.transaction, s.reply)).unzip();
        let produced = produce(
            &self.chain_id,
            &current.state,
            &current.tip,
            transactions.clone(),
            sigil_core::time::now(),
            &self.validator,
        )
        .and_then(|produced| Ok((Tip::after(&produced.block.header)?, produced)));
        let (tip, produced) = match produced {
            Ok(produced) => produced,
            Err(error) => {
                tracing::error!(%error, "could not produce a block");
                return refuse_all(replies, "the block could not be produced");
            }
        };
        if !produced.block.transactions.is_empty() {
            if let Err(error) = self.consensus.commit(&produced.block).await {
                tracing::error!(%error, height = produced.block.header.height, "could not commit a block");
                return refuse_all(replies, "storage failed");
            }
            *self.view.write().await = ChainView {
                tip,
                state: produced.state,
            };
        }
        for (transaction, reply) in transactions.iter().zip(replies) {
            let answer = match produced.block.transactions.iter().position(|t| t == transaction) {
                Some(index) => crate::chain::receipt(&produced.block, index)
                    .ok_or_else(|| SubmitError::Unavailable("receipt could not be made".into())),
                None => Err(produced
                    .refused
                    .iter()
                    .find(|(refused, _)| refused == transaction)
                    .map(|(_, error)| SubmitError::Refused(error.clone()))
                    .unwrap_or_else(|| SubmitError::Unavailable("the transaction was dropped".into()))),
            };
            let _ = reply.send(answer);
        }
    }
}

/// Answers every submission of a block that was not made: none of them was acknowledged.
fn refuse_all(replies: Vec<oneshot::Sender<Result<Receipt, SubmitError>>>, why: &str) {
    for reply in replies {
        let _ = reply.send(Err(SubmitError::Unavailable(why.into())));
    }
}
