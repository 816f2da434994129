//! The state machine Raft applies committed entries to: the chain. A block entry is checked
//! with the pure ledger against the chain every node shares ([`verify_block`]) — a valid
//! successor is stored with the log id it was applied at, in one database transaction, and
//! this node signs its header; anything else is skipped, by every node alike, since all apply
//! the same entries to the same chain. Apply reads no clock and draws no randomness: the
//! block's time is in its header.
//!
//! A snapshot is the chain's blocks up to the last one applied. Installing one checks every
//! block the node lacks as applying would, and refuses a snapshot that disagrees with a block
//! the node already holds.

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use openraft::storage::{RaftStateMachine, Snapshot, SnapshotMeta};
use openraft::{Entry, EntryPayload, LogId, RaftSnapshotBuilder, StorageIOError, StoredMembership};
use serde::{Deserialize, Serialize};
use sigil_core::key::SigningKey;
use sigil_core::state::commit::ValidatorSignature;

use super::{Applied, NodeId, Peer, StorageError, TypeConfig};
use crate::chain::{Block, Genesis, Tip, verify_block};
use crate::node::SharedChain;
use crate::store::{HeaderSignatureRow, RaftValue, Store};

type Membership = StoredMembership<NodeId, Peer>;
/// The snapshot last built or installed, with its data, shared with the snapshot builder.
type CurrentSnapshot = Arc<Mutex<Option<(SnapshotMeta<NodeId, Peer>, Vec<u8>)>>>;

/// Where the state machine stands: the last log id applied, the membership then, and the
/// chain's height.
#[derive(Debug, Clone, Default)]
struct Position {
    applied: Option<LogId<NodeId>>,
    membership: Membership,
    height: u64,
}

/// The chain as of a snapshot.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SnapshotBody {
    chain_id: String,
    blocks: Vec<Block>,
}

/// The registry's state machine.
pub struct StateMachine {
    genesis: Arc<Genesis>,
    key: SigningKey,
    store: Store,
    chain: SharedChain,
    position: Position,
    current: CurrentSnapshot,
    signed: Arc<tokio::sync::Notify>,
    own: OwnBlock,
}

/// The block this node produced last, with the tip it built on and the state it reached:
/// when Raft gives that very block back to apply on that very tip, the ledger already ran on
/// it here, so its state is taken as produced instead of computed a second time.
#[derive(Debug, Clone, Default)]
pub struct OwnBlock(Arc<Mutex<Option<(String, String, crate::ledger::LedgerState)>>>);

impl OwnBlock {
    /// Remembers `produced`, built on the tip whose hash is `tip_hash`.
    pub fn remember(&self, tip_hash: &str, produced: &crate::chain::Produced) {
        if let Ok(hash) = produced.block.header.hash() {
            *lock(&self.0) = Some((hash, tip_hash.to_owned(), produced.state.clone()));
        }
    }

    /// The state `block` produced here on the tip `tip_hash`, if this node produced it.
    fn state_after(&self, block: &Block, tip_hash: &str) -> Option<crate::ledger::LedgerState> {
        let hash = block.header.hash().ok()?;
        let remembered = lock(&self.0).take()?;
        (remembered.0 == hash && remembered.1 == tip_hash).then_some(remembered.2)
    }
}

impl std::fmt::Debug for StateMachine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateMachine")
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl StateMachine {
    /// The state machine over `store`, whose chain (replayed from it) is `chain`; it signs
    /// the headers it applies with `key` and wakes `signed` when it has.
    pub async fn open(
        genesis: Arc<Genesis>,
        key: SigningKey,
        store: Store,
        chain: SharedChain,
        signed: Arc<tokio::sync::Notify>,
        own: OwnBlock,
    ) -> anyhow::Result<StateMachine> {
        let read = |text: Option<String>| -> anyhow::Result<Option<serde_json::Value>> {
            Ok(text.map(|text| serde_json::from_str(&text)).transpose()?)
        };
        let applied = read(store.raft_value(RaftValue::Applied).await?)?
            .map(serde_json::from_value)
            .transpose()?
            .flatten();
        let membership = read(store.raft_value(RaftValue::Membership).await?)?
            .map(serde_json::from_value)
            .transpose()?
            .unwrap_or_default();
        let height = chain.view.read().await.tip.height;
        Ok(StateMachine {
            genesis,
            key,
            store,
            chain,
            position: Position {
                applied,
                membership,
                height,
            },
            current: Arc::new(Mutex::new(None)),
            signed,
            own,
        })
    }

    /// Records that `log_id` was applied — storing `block` with it, if the entry added one.
    async fn record(
        &mut self,
        log_id: LogId<NodeId>,
        block: Option<&Block>,
        membership: Option<Membership>,
    ) -> Result<(), StorageError> {
        let mut values = vec![(
            RaftValue::Applied,
            serde_json::to_string(&Some(log_id)).map_err(|e| StorageIOError::apply(log_id, &e))?,
        )];
        if let Some(membership) = &membership {
            values.push((
                RaftValue::Membership,
                serde_json::to_string(membership).map_err(|e| StorageIOError::apply(log_id, &e))?,
            ));
        }
        self.store
            .apply_entry(block, &values)
            .await
            .map_err(|e| StorageIOError::apply(log_id, &e))?;
        self.position.applied = Some(log_id);
        if let Some(membership) = membership {
            self.position.membership = membership;
        }
        if let Some(block) = block {
            self.position.height = block.header.height;
        }
        Ok(())
    }

    /// Checks `block` against the chain; if it is the next valid block, stores it (with
    /// `log_id`, when applying an entry) and signs its header.
    async fn apply_block(
        &mut self,
        log_id: Option<LogId<NodeId>>,
        block: &Block,
    ) -> Result<Result<(), String>, StorageError> {
        let view = self.chain.view.read().await.clone();
        let checked = match self.own.state_after(block, &view.tip.hash) {
            Some(state) => Tip::after(&block.header).map(|tip| (tip, state)),
            None => verify_block(&self.genesis, &view.state, &view.tip, block)
                .and_then(|state| Ok((Tip::after(&block.header)?, state))),
        };
        let (tip, state) = match checked {
            Ok(checked) => checked,
            Err(error) => return Ok(Err(error.to_string())),
        };
        match log_id {
            Some(log_id) => self.record(log_id, Some(block), None).await?,
            None => {
                self.store
                    .append(block)
                    .await
                    .map_err(|e| StorageIOError::write_snapshot(None, &e))?;
                self.position.height = block.header.height;
            }
        }
        // A validator in force after the block signs it; a learner's node, or a removed
        // validator's, signs nothing: its signature would count for nothing.
        let own = state
            .validators
            .contains(&self.key.public_key())
            .then(|| ValidatorSignature::sign(&block.header, &self.key).ok())
            .flatten();
        if let (Some(own), Ok(header_hash)) = (&own, block.header.hash()) {
            let row = HeaderSignatureRow {
                height: block.header.height,
                validator: own.validator.clone(),
                header_hash,
                signature: own.signature.clone(),
            };
            if let Err(error) = self.store.record_header_signature(&row).await {
                tracing::warn!(%error, "could not keep this node's signature over a header");
            }
        }
        self.chain.advance(tip, state, own.into_iter().collect()).await;
        self.signed.notify_one();
        Ok(Ok(()))
    }

    fn snapshot_id(&self) -> String {
        let (index, term) = self
            .position
            .applied
            .map_or((0, 0), |log_id| (log_id.index, log_id.leader_id.term));
        format!("{}-{index}-{term}", self.position.height)
    }
}

/// The height a snapshot id names (its first field).
fn snapshot_height(id: &str) -> Option<u64> {
    id.split('-').next()?.parse().ok()
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId<NodeId>>, Membership), StorageError> {
        Ok((self.position.applied, self.position.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<Applied>, StorageError>
    where
        I: IntoIterator<Item = Entry<TypeConfig>> + Send,
        I::IntoIter: Send,
    {
        let mut answers = Vec::new();
        for entry in entries {
            let log_id = entry.log_id;
            match entry.payload {
                EntryPayload::Blank => {
                    self.record(log_id, None, None).await?;
                    answers.push(Applied::Nothing);
                }
                EntryPayload::Membership(membership) => {
                    self.record(
                        log_id,
                        None,
                        Some(StoredMembership::new(Some(log_id), membership)),
                    )
                    .await?;
                    answers.push(Applied::Nothing);
                }
                EntryPayload::Normal(block) => match self.apply_block(Some(log_id), &block).await? {
                    Ok(()) => answers.push(Applied::Block {
                        height: block.header.height,
                    }),
                    Err(reason) => {
                        tracing::warn!(height = block.header.height, %reason, "a committed block is not a valid successor; every node skips it");
                        self.record(log_id, None, None).await?;
                        answers.push(Applied::Skipped { reason });
                    }
                },
            }
        }
        Ok(answers)
    }

    async fn get_snapshot_builder(&mut self) -> SnapshotBuilder {
        SnapshotBuilder {
            chain_id: self.genesis.chain_id.clone(),
            store: self.store.clone(),
            meta: SnapshotMeta {
                last_log_id: self.position.applied,
                last_membership: self.position.membership.clone(),
                snapshot_id: self.snapshot_id(),
            },
            height: self.position.height,
            current: self.current.clone(),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<NodeId, Peer>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError> {
        let data = snapshot.into_inner();
        let unreadable = |reason: String| {
            StorageIOError::read_snapshot(Some(meta.signature()), &std::io::Error::other(reason))
        };
        let body: SnapshotBody = serde_json::from_slice(&data).map_err(|e| unreadable(e.to_string()))?;
        if body.chain_id != self.genesis.chain_id {
            return Err(unreadable(format!("the snapshot is of chain {}", body.chain_id)).into());
        }
        for block in &body.blocks {
            let height = block.header.height;
            if height <= self.position.height {
                let held = self
                    .store
                    .block_hash(height)
                    .await
                    .map_err(|e| StorageIOError::read_snapshot(Some(meta.signature()), &e))?;
                if held != Some(block.header.hash().map_err(|e| unreadable(e.to_string()))?) {
                    return Err(unreadable(format!(
                        "the snapshot's block {height} is not the one this node holds"
                    ))
                    .into());
                }
                continue;
            }
            if let Err(reason) = self.apply_block(None, block).await? {
                return Err(
                    unreadable(format!("the snapshot's block {height} does not verify: {reason}")).into(),
                );
            }
        }
        if let Some(last) = meta.last_log_id {
            self.record(last, None, Some(meta.last_membership.clone()))
                .await?;
        }
        let text = serde_json::to_string(meta)
            .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), &e))?;
        self.store
            .set_raft_value(RaftValue::Snapshot, &text)
            .await
            .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), &e))?;
        *lock(&self.current) = Some((meta.clone(), data));
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<TypeConfig>>, StorageError> {
        if let Some((meta, data)) = lock(&self.current).clone() {
            return Ok(Some(Snapshot {
                meta,
                snapshot: Box::new(Cursor::new(data)),
            }));
        }
        // After a restart: the snapshot is rebuilt from the blocks it covered.
        let Some(text) = self
            .store
            .raft_value(RaftValue::Snapshot)
            .await
            .map_err(|e| StorageIOError::read_snapshot(None, &e))?
        else {
            return Ok(None);
        };
        let meta: SnapshotMeta<NodeId, Peer> =
            serde_json::from_str(&text).map_err(|e| StorageIOError::read_snapshot(None, &e))?;
        let height = snapshot_height(&meta.snapshot_id).unwrap_or(0);
        let data = chain_snapshot(&self.store, &self.genesis.chain_id, height)
            .await
            .map_err(|e| StorageIOError::read_snapshot(Some(meta.signature()), &std::io::Error::other(e)))?;
        *lock(&self.current) = Some((meta.clone(), data.clone()));
        Ok(Some(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        }))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The snapshot body of the chain up to `height`.
async fn chain_snapshot(store: &Store, chain_id: &str, height: u64) -> Result<Vec<u8>, String> {
    let mut blocks = Vec::new();
    for at in 1..=height {
        let block = store
            .block(at)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("block {at} is missing"))?;
        blocks.push(block);
    }
    serde_json::to_vec(&SnapshotBody {
        chain_id: chain_id.to_owned(),
        blocks,
    })
    .map_err(|e| e.to_string())
}

/// Builds a snapshot of the chain as the state machine stood when it was asked for one.
#[derive(Debug)]
pub struct SnapshotBuilder {
    chain_id: String,
    store: Store,
    meta: SnapshotMeta<NodeId, Peer>,
    height: u64,
    current: CurrentSnapshot,
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError> {
        let signature = Some(self.meta.signature());
        let data = chain_snapshot(&self.store, &self.chain_id, self.height)
            .await
            .map_err(|e| StorageIOError::write_snapshot(signature.clone(), &std::io::Error::other(e)))?;
        let text = serde_json::to_string(&self.meta)
            .map_err(|e| StorageIOError::write_snapshot(signature.clone(), &e))?;
        self.store
            .set_raft_value(RaftValue::Snapshot, &text)
            .await
            .map_err(|e| StorageIOError::write_snapshot(signature, &e))?;
        *lock(&self.current) = Some((self.meta.clone(), data.clone()));
        Ok(Snapshot {
            meta: self.meta.clone(),
            snapshot: Box::new(Cursor::new(data)),
        })
    }
}
