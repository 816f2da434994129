//! Replaying the stored chain, checking every hash, signature and transition: from genesis
//! ([`replay`], what `sigil-registry verify-chain` reports on), or from the node's newest state
//! snapshot ([`resume`], how a node rebuilds its state when it starts).

use crate::chain::{ChainError, Genesis, Tip, verify_block};
use crate::ledger::{LedgerState, snapshot};
use crate::store::{Store, StoreError};

/// The chain as replayed: the state and tip after its last block.
#[derive(Debug, Clone)]
pub struct Replayed {
    pub state: LedgerState,
    pub tip: Tip,
}

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The store could not be read.
    #[error(transparent)]
    Store(StoreError),
    /// The genesis file is unusable.
    #[error(transparent)]
    Genesis(#[from] crate::chain::genesis::GenesisError),
    /// A block is bad: the first bad block is named.
    #[error("block {height} is invalid: {reason}")]
    BadBlock { height: u64, reason: String },
}

/// Replays every stored block, in order, from `genesis`.
pub async fn replay(store: &Store, genesis: &Genesis) -> Result<Replayed, ReplayError> {
    let state = LedgerState::from_genesis(genesis)?;
    let tip = Tip::genesis(genesis).map_err(|e| ReplayError::BadBlock {
        height: 0,
        reason: e.to_string(),
    })?;
    replay_from(store, genesis, Replayed { state, tip }).await
}

/// Rebuilds the chain's state from the newest state snapshot the store keeps and the blocks
/// after it; from genesis when there is no snapshot, or when the snapshot does not match the
/// stored chain — its block's hash, or that block's state tree root — which is logged.
pub async fn resume(store: &Store, genesis: &Genesis) -> Result<Replayed, ReplayError> {
    match from_snapshot(store, genesis).await {
        Ok(Some(start)) => {
            tracing::info!(height = start.tip.height, "resuming from the state snapshot");
            replay_from(store, genesis, start).await
        }
        Ok(None) => replay(store, genesis).await,
        Err(reason) => {
            tracing::warn!(%reason, "the state snapshot is not used: replaying from genesis");
            replay(store, genesis).await
        }
    }
}

/// The state and tip the store's snapshot gives, once checked against the stored block it
/// is after: the block's hash, and its header's state tree root against the rebuilt tree's.
async fn from_snapshot(store: &Store, genesis: &Genesis) -> Result<Option<Replayed>, String> {
    let Some(entries) = store.state_snapshot().await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let restored = snapshot::restore(entries).map_err(|e| e.to_string())?;
    if restored.state.chain_id != genesis.chain_id {
        return Err(format!("it is of chain {}", restored.state.chain_id));
    }
    let block = store
        .block(restored.height)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("block {} is not stored", restored.height))?;
    let tip = Tip::after(&block.header).map_err(|e| e.to_string())?;
    if tip.hash != restored.block_hash {
        return Err(format!(
            "block {} is not the one it was taken after",
            restored.height
        ));
    }
    if block.header.state_tree_root.as_deref() != Some(restored.tree_root.as_str()) {
        return Err(format!(
            "its records do not make block {}'s state tree root",
            restored.height
        ));
    }
    Ok(Some(Replayed {
        state: restored.state,
        tip,
    }))
}

/// Replays the stored blocks after `start`'s tip, in order.
async fn replay_from(store: &Store, genesis: &Genesis, start: Replayed) -> Result<Replayed, ReplayError> {
    let Replayed { mut state, mut tip } = start;
    let last = store.height().await.map_err(ReplayError::Store)?;
    for height in tip.height + 1..=last {
        let bad = |reason: String| ReplayError::BadBlock { height, reason };
        let block = match store.block(height).await {
            Ok(Some(block)) => block,
            Ok(None) => return Err(bad("it is missing".into())),
            Err(StoreError::Corrupt { reason, .. }) => return Err(bad(reason)),
            Err(e) => return Err(ReplayError::Store(e)),
        };
        if block.header.height != height {
            return Err(bad(format!("its header says height {}", block.header.height)));
        }
        state = verify_block(genesis, &state, &tip, &block).map_err(|e: ChainError| bad(e.to_string()))?;
        let next = Tip::after(&block.header).map_err(|e| bad(e.to_string()))?;
        if store
            .block_hash(height)
            .await
            .map_err(ReplayError::Store)?
            .as_deref()
            != Some(&next.hash)
        {
            return Err(bad("the stored block hash does not match its header".into()));
        }
        tip = next;
    }
    Ok(Replayed { state, tip })
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait as _;
    use sigil_core::time::parse_datetime;

    use super::*;
    use crate::chain::produce;
    use crate::fixtures::{VALIDATOR, create, forge_block, genesis, key};

    /// Three blocks of two DIDs each, stored in `store`; returns the final state.
    async fn three_blocks(store: &Store) -> LedgerState {
        blocks(store).await.pop().unwrap()
    }

    /// Three blocks of two DIDs each, stored in `store`; returns the state after each.
    async fn blocks(store: &Store) -> Vec<LedgerState> {
        let mut states = Vec::new();
        let genesis = genesis();
        let mut state = LedgerState::from_genesis(&genesis).unwrap();
        let mut tip = Tip::genesis(&genesis).unwrap();
        for block in 0..3u8 {
            let time = parse_datetime(&format!("2026-01-0{}T00:00:00Z", block + 2)).unwrap();
            let produced = produce(
                &genesis.chain_id,
                &state,
                &tip,
                vec![create(block * 10 + 1), create(block * 10 + 5)],
                time,
                &key(VALIDATOR),
            )
            .unwrap();
            store.append(&produced.block).await.unwrap();
            tip = Tip::after(&produced.block.header).unwrap();
            state = produced.state;
            states.push(state.clone());
        }
        states
    }

    /// `state` without its tree, which is compared by its root.
    fn without_tree(state: &LedgerState) -> LedgerState {
        LedgerState {
            tree: Default::default(),
            ..state.clone()
        }
    }

    #[tokio::test]
    async fn a_node_resumes_from_its_state_snapshot_without_reading_the_blocks_before_it() {
        let store = Store::in_memory().await.unwrap();
        let states = blocks(&store).await;
        let hash = store.block_hash(2).await.unwrap().unwrap();
        let entries = snapshot::entries(&states[1], 2, &hash);
        store.write_state_snapshot(2, &entries).await.unwrap();
        assert_eq!(store.state_snapshot_height().await.unwrap(), Some(2));
        // Block 1 becomes unreadable: a replay from genesis stops there, a resume never reads it.
        store
            .connection()
            .execute_unprepared("UPDATE transactions SET body = 'damaged' WHERE height = 1")
            .await
            .unwrap();
        let resumed = resume(&store, &genesis()).await.unwrap();
        assert_eq!(resumed.tip.height, 3);
        assert_eq!(without_tree(&resumed.state), without_tree(&states[2]));
        assert_eq!(resumed.state.tree.root(), states[2].tree.root());
        assert!(matches!(
            replay(&store, &genesis()).await,
            Err(ReplayError::BadBlock { height: 1, .. })
        ));
    }

    #[tokio::test]
    async fn a_snapshot_that_does_not_match_the_stored_chain_is_not_used() {
        let store = Store::in_memory().await.unwrap();
        let states = blocks(&store).await;
        let hash = store.block_hash(2).await.unwrap().unwrap();
        // Block 1 is unreadable, so a resume that ignores the snapshot and replays from
        // genesis stops there, where one that used it would not.
        store
            .connection()
            .execute_unprepared("UPDATE transactions SET body = 'damaged' WHERE height = 1")
            .await
            .unwrap();
        let from_genesis = |resumed: Result<Replayed, ReplayError>| {
            matches!(resumed, Err(ReplayError::BadBlock { height: 1, .. }))
        };
        // The state after block 1 claimed as the state after block 2: its records do not make
        // block 2's state tree root.
        let stale = snapshot::entries(&states[0], 2, &hash);
        store.write_state_snapshot(2, &stale).await.unwrap();
        assert!(from_genesis(resume(&store, &genesis()).await));
        // Taken after another block than the one stored at its height.
        let other = snapshot::entries(&states[1], 2, "zSomeOtherBlock");
        store.write_state_snapshot(2, &other).await.unwrap();
        assert!(from_genesis(resume(&store, &genesis()).await));
        // The right one is used.
        let right = snapshot::entries(&states[1], 2, &hash);
        store.write_state_snapshot(2, &right).await.unwrap();
        assert_eq!(resume(&store, &genesis()).await.unwrap().tip.height, 3);
    }

    #[tokio::test]
    async fn a_stored_chain_replays_to_the_same_state_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.db");
        let state = three_blocks(&Store::open(&path).await.unwrap()).await;
        let reopened = Store::open(&path).await.unwrap();
        let replayed = replay(&reopened, &genesis()).await.unwrap();
        assert_eq!(replayed.state, state);
        assert_eq!(replayed.tip.height, 3);
    }

    #[tokio::test]
    async fn an_altered_transaction_row_names_its_block() {
        let store = Store::in_memory().await.unwrap();
        three_blocks(&store).await;
        store
            .connection()
            .execute_unprepared(
                "UPDATE transactions SET body = replace(body, '2026-01-02', '2026-01-03') WHERE height = 2",
            )
            .await
            .unwrap();
        let error = replay(&store, &genesis()).await.unwrap_err();
        assert!(
            matches!(error, ReplayError::BadBlock { height: 2, .. }),
            "{error}"
        );
    }

    #[tokio::test]
    async fn an_altered_header_names_its_block() {
        let store = Store::in_memory().await.unwrap();
        three_blocks(&store).await;
        store
            .connection()
            .execute_unprepared(
                "UPDATE blocks SET header = replace(header, '2026-01-04', '2026-01-05') WHERE height = 3",
            )
            .await
            .unwrap();
        let error = replay(&store, &genesis()).await.unwrap_err();
        assert!(
            matches!(error, ReplayError::BadBlock { height: 3, .. }),
            "{error}"
        );
        assert!(error.to_string().starts_with("block 3 is invalid"), "{error}");
    }

    #[tokio::test]
    async fn a_deleted_block_is_named() {
        let store = Store::in_memory().await.unwrap();
        three_blocks(&store).await;
        store
            .connection()
            .execute_unprepared("DELETE FROM blocks WHERE height = 2")
            .await
            .unwrap();
        let error = replay(&store, &genesis()).await.unwrap_err();
        assert!(
            matches!(error, ReplayError::BadBlock { height: 2, .. }),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_stored_block_holding_a_transaction_dated_past_its_time_is_named() {
        // What `verify-chain` reports on a chain a validator let a future-dated operation into:
        // `create` is dated 2026-01-02T00:00:00Z, 301 s after the block.
        let store = Store::in_memory().await.unwrap();
        let genesis = genesis();
        let block = forge_block(
            &genesis,
            &Tip::genesis(&genesis).unwrap(),
            vec![create(1)],
            parse_datetime("2026-01-01T23:54:59Z").unwrap(),
        );
        store.append(&block).await.unwrap();
        let error = replay(&store, &genesis).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "block 1 is invalid: block 1, transaction 0: dated 2026-01-02T00:00:00Z, more than 300 s \
             after its block's time 2026-01-01T23:54:59Z"
        );
    }
}
