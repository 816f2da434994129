//! Replaying the stored chain from genesis, checking every hash, signature and transition —
//! what `sigil-registry verify-chain` reports on, and how a node rebuilds its state when it
//! starts.

use crate::chain::{ChainError, Genesis, Tip, verify_block};
use crate::ledger::LedgerState;
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
    let mut state = LedgerState::from_genesis(genesis)?;
    let mut tip = Tip::genesis(genesis).map_err(|e| ReplayError::BadBlock {
        height: 0,
        reason: e.to_string(),
    })?;
    let last = store.height().await.map_err(ReplayError::Store)?;
    for height in 1..=last {
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
        }
        state
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
