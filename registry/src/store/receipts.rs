//! Receipts without reading blocks: each committed block's header and the levels of its
//! transactions' Merkle tree, kept in memory, so that a resolution's receipt (which every
//! `did:sigil` answer carries) costs a hash-table lookup and one sibling per level.
//!
//! Building a receipt from the database means finding the transaction, loading its block's
//! every transaction, parsing it, writing it in JCS and hashing it — milliseconds per request
//! on a block of 500. Here the tree is built once, from the hashes the store computes anyway
//! when it writes the block, and only after the write has committed; transactions are found
//! by a 64-bit key made from their hash, confirmed against the leaf. Blocks written before
//! the process started are read once, the first time one of their receipts is asked for. The
//! cache holds at most [`MAX_HASHES`] tree hashes (32 bytes each), dropping the oldest blocks
//! first; a chain of a million operations fits whole.
//!
//! The tree is RFC 6962's (`sigil_core::merkle`), built level by level: at each level nodes
//! pair up left to right, and a last node without a partner moves up unchanged. That gives
//! the same root and audit paths as RFC 6962's recursive split, which a test checks.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex};

use crate::chain::merkle::{self, Hash};
use crate::chain::{BlockHeader, Receipt};

/// Tree hashes kept across all cached blocks (64 MiB).
const MAX_HASHES: usize = 2_000_000;

/// One block's header and the levels of its transactions' Merkle tree, leaves first.
#[derive(Debug)]
pub struct BlockTree {
    header: BlockHeader,
    levels: Vec<Vec<Hash>>,
    /// The [`key`] of each transaction's hash, in block order.
    keys: Vec<u64>,
}

impl BlockTree {
    /// From a block's header and its transactions' hashes (hex, in block order).
    pub fn new(header: BlockHeader, transaction_hashes: &[String]) -> Self {
        let leaves: Vec<Hash> = transaction_hashes
            .iter()
            .map(|hash| merkle::leaf_hash(hash.as_bytes()))
            .collect();
        let mut levels = vec![leaves];
        while let Some(below) = levels.last().filter(|level| level.len() > 1) {
            let above = below
                .chunks(2)
                .map(|pair| match pair {
                    [left, right] => merkle::node_hash(left, right),
                    [single] => *single,
                    _ => [0; 32],
                })
                .collect();
            levels.push(above);
        }
        BlockTree {
            header,
            levels,
            keys: transaction_hashes.iter().map(|hash| key(hash)).collect(),
        }
    }

    fn size(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }

    fn leaves(&self) -> &[Hash] {
        self.levels.first().map_or(&[], Vec::as_slice)
    }

    /// The receipt of the transaction `tx_hash` at `index`, if it is the one there.
    pub fn receipt(&self, index: usize, tx_hash: &str) -> Option<Receipt> {
        if self.leaves().get(index) != Some(&merkle::leaf_hash(tx_hash.as_bytes())) {
            return None;
        }
        let mut path = Vec::with_capacity(self.levels.len());
        let mut position = index;
        for level in &self.levels {
            if let Some(sibling) = level.get(position ^ 1) {
                path.push(merkle::hex(sibling));
            }
            position /= 2;
        }
        Some(Receipt {
            tx_hash: tx_hash.to_owned(),
            height: self.header.height,
            index,
            block_size: self.leaves().len(),
            inclusion_proof: path,
            header: self.header.clone(),
        })
    }
}

/// The key a transaction hash is found by: 64 bits hashed from its text, which is a
/// multibase digest (`zQm…`, the same first characters for every transaction).
fn key(hash: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    hash.hash(&mut hasher);
    hasher.finish()
}

/// Blocks' trees by height, oldest first out, and where each transaction is.
#[derive(Debug)]
pub(super) struct ReceiptCache {
    inner: Mutex<Cached>,
    max_hashes: usize,
}

impl Default for ReceiptCache {
    fn default() -> Self {
        ReceiptCache {
            inner: Mutex::default(),
            max_hashes: MAX_HASHES,
        }
    }
}

#[derive(Debug, Default)]
struct Cached {
    blocks: HashMap<u64, Arc<BlockTree>>,
    /// A transaction hash's [`key`] → its block and index. Two transactions that share one
    /// (vanishingly rare) leave one here; the other is found in the database.
    locations: HashMap<u64, (u64, usize)>,
    /// Heights in the order they were cached.
    order: VecDeque<u64>,
    hashes: usize,
}

impl Cached {
    fn forget(&mut self, height: u64) {
        if let Some(tree) = self.blocks.remove(&height) {
            self.hashes -= tree.size();
            for key in &tree.keys {
                if self.locations.get(key).is_some_and(|(at, _)| *at == height) {
                    self.locations.remove(key);
                }
            }
        }
    }
}

impl ReceiptCache {
    /// The cached tree of the block at `height`.
    pub fn get(&self, height: u64) -> Option<Arc<BlockTree>> {
        self.inner.lock().ok()?.blocks.get(&height).cloned()
    }

    /// The receipt of `tx_hash` when its block is cached.
    pub fn receipt(&self, tx_hash: &str) -> Option<Receipt> {
        let (tree, index) = {
            let cached = self.inner.lock().ok()?;
            let (height, index) = *cached.locations.get(&key(tx_hash))?;
            (cached.blocks.get(&height)?.clone(), index)
        };
        tree.receipt(index, tx_hash)
    }

    /// Keeps a committed block's tree.
    pub fn remember(&self, height: u64, tree: Arc<BlockTree>) {
        let Ok(mut cached) = self.inner.lock() else {
            return;
        };
        cached.forget(height);
        cached.hashes += tree.size();
        for (index, key) in tree.keys.iter().enumerate() {
            cached.locations.insert(*key, (height, index));
        }
        cached.blocks.insert(height, tree);
        cached.order.retain(|at| *at != height);
        cached.order.push_back(height);
        while cached.hashes > self.max_hashes {
            let Some(oldest) = cached.order.pop_front() else {
                break;
            };
            cached.forget(oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use sigil_core::time::parse_datetime;

    use super::*;
    use crate::chain::{Tip, produce, receipt};
    use crate::fixtures::{VALIDATOR, create, genesis, key};
    use crate::ledger::LedgerState;
    use crate::store::Store;

    #[tokio::test]
    async fn receipts_from_the_cache_and_from_a_reopened_store_are_the_blocks_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.db");
        let store = Store::open(&path).await.unwrap();
        let genesis = genesis();
        let mut state = LedgerState::from_genesis(&genesis).unwrap();
        let mut tip = Tip::genesis(&genesis).unwrap();
        let mut blocks = Vec::new();
        for block in 0..2u8 {
            let time = parse_datetime(&format!("2026-01-0{}T00:00:00Z", block + 2)).unwrap();
            let transactions = (0..3).map(|i| create(block * 10 + i + 1)).collect();
            let produced = produce(
                &genesis.chain_id,
                &state,
                &tip,
                transactions,
                time,
                &key(VALIDATOR),
            )
            .unwrap();
            store.append(&produced.block).await.unwrap();
            tip = Tip::after(&produced.block.header).unwrap();
            state = produced.state;
            blocks.push(produced.block);
        }
        let reopened = Store::open(&path).await.unwrap();
        let read_first = Store::open(&path).await.unwrap();
        for block in &blocks {
            for (index, transaction) in block.transactions.iter().enumerate() {
                let hash = transaction.hash().unwrap();
                let expected = receipt(block, index).unwrap();
                assert!(expected.verify());
                assert_eq!(
                    store.receipts.receipt(&hash),
                    Some(expected.clone()),
                    "the store's cache finds a transaction of a block it wrote"
                );
                assert_eq!(store.receipt(&hash).await.unwrap(), Some(expected.clone()));
                assert_eq!(
                    read_first.receipt_in(block, index, &hash).unwrap(),
                    Some(expected.clone()),
                    "a block a handler has read gives its receipts, cached or not"
                );
                assert_eq!(reopened.receipt(&hash).await.unwrap(), Some(expected));
            }
        }
        assert_eq!(store.receipt(&"0".repeat(64)).await.unwrap(), None);
        let other = blocks[1].transactions[0].hash().unwrap();
        assert_eq!(
            store.receipt_in(&blocks[0], 0, &other).unwrap(),
            None,
            "a transaction is not given the receipt of another's place"
        );
    }

    fn header(height: u64) -> BlockHeader {
        BlockHeader {
            chain_id: "sigil:test".into(),
            height,
            prev_hash: String::new(),
            time: "2026-01-02T00:00:00Z".into(),
            tx_root: String::new(),
            state_root: String::new(),
            state_tree_root: None,
            proposer: String::new(),
            signature: None,
        }
    }

    #[test]
    fn the_oldest_blocks_leave_the_cache_first() {
        let cache = ReceiptCache {
            inner: Mutex::default(),
            max_hashes: 8,
        };
        let hashes = |height: u64| [format!("{height:064x}"), format!("{:064x}", height + 100)];
        for height in 1..=3 {
            cache.remember(height, Arc::new(BlockTree::new(header(height), &hashes(height))));
        }
        // Three hashes a block (two leaves and their root): nine are over eight.
        assert!(cache.get(1).is_none(), "block 1 goes first");
        assert!(
            cache.receipt(&hashes(1)[0]).is_none(),
            "and so does where its transactions are"
        );
        assert!(cache.get(2).is_some() && cache.get(3).is_some());
        let receipt = cache.receipt(&hashes(3)[1]).unwrap();
        assert_eq!((receipt.height, receipt.index, receipt.block_size), (3, 1, 2));
        assert!(
            cache.get(3).unwrap().receipt(0, &hashes(3)[1]).is_none(),
            "not the transaction at 0"
        );
    }

    #[test]
    fn paths_from_the_levels_are_rfc_6962_paths() {
        for size in 1..=40usize {
            let hashes: Vec<String> = (0..size).map(|i| format!("{i:064x}")).collect();
            let tree = BlockTree::new(header(1), &hashes);
            let leaves: Vec<Hash> = hashes
                .iter()
                .map(|hash| merkle::leaf_hash(hash.as_bytes()))
                .collect();
            assert_eq!(
                tree.levels.last().unwrap(),
                &vec![merkle::root(&leaves)],
                "size {size}"
            );
            for (index, hash) in hashes.iter().enumerate() {
                let expected: Vec<String> = merkle::audit_path(&leaves, index)
                    .iter()
                    .map(merkle::hex)
                    .collect();
                assert_eq!(
                    tree.receipt(index, hash).unwrap().inclusion_proof,
                    expected,
                    "size {size}, index {index}"
                );
            }
        }
    }
}
