//! Test fixtures shared by the chain, replay, node, HTTP and client tests: fixed keys, a
//! genesis, fresh DID inceptions, blocks signed whatever they hold, and a running node.

use sigil_core::key::SigningKey;
use sigil_core::time::{Timestamp, format_datetime, parse_datetime};

use crate::chain::{Block, BlockHeader, Genesis, Tip, merkle};
use crate::ledger::operation::{self, Purpose};
use crate::ledger::{LedgerState, Transaction};
use crate::node::{BlockPolicy, ChainView, Node};
use crate::store::Store;

/// The key from a one-byte seed.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_seed(&[seed; 32])
}

/// The seed of the validator's key.
pub const VALIDATOR: u8 = 90;
/// The seed of the root of trust's key.
pub const ROOT_OF_TRUST: u8 = 50;

/// A test chain's genesis: one validator, one root of trust.
pub fn genesis() -> Genesis {
    Genesis {
        chain_id: "sigil-test".into(),
        time: "2026-01-01T00:00:00Z".into(),
        validators: vec![key(VALIDATOR).public_key().to_multikey()],
        roots_of_trust: vec![key(ROOT_OF_TRUST).did_key().to_string()],
        root_names: [(
            key(ROOT_OF_TRUST).did_key().to_string(),
            sigil_core::names::LegalName::new("en", "Ministry of Education").expect("a name"),
        )]
        .into(),
    }
}

/// An inception for a fresh DID controlled by key `seed` (next key `seed + 1`, signing key
/// `seed + 100`).
pub fn create(seed: u8) -> Transaction {
    let methods = vec![operation::method(
        "key-1",
        &key(seed + 100).public_key(),
        &[Purpose::AssertionMethod],
    )];
    let time = parse_datetime("2026-01-02T00:00:00Z").expect("a time");
    Transaction::Did(
        operation::create(&key(seed), &key(seed + 1).public_key(), methods, time).expect("an inception"),
    )
}

/// A block with exactly `transactions`, correct roots and a valid signature by the validator —
/// what a dishonest validator could sign — whether the ledger accepts them or not.
pub fn forge_block(genesis: &Genesis, tip: &Tip, transactions: Vec<Transaction>, time: Timestamp) -> Block {
    let leaves: Vec<_> = transactions
        .iter()
        .map(|tx| merkle::leaf_hash(tx.hash().expect("a hash").as_bytes()))
        .collect();
    let tx_root = merkle::hex(&merkle::root(&leaves));
    let state_root = crate::ledger::hash::digest(format!("{}{tx_root}", tip.state_root).as_bytes());
    let mut header = BlockHeader {
        chain_id: genesis.chain_id.clone(),
        height: tip.height + 1,
        prev_hash: tip.hash.clone(),
        time: format_datetime(time),
        tx_root,
        state_root,
        // Left out: a forger need not know the state its transactions would produce, and
        // the ledger refuses them before the root would be compared.
        state_tree_root: None,
        proposer: key(VALIDATOR).public_key().to_multikey(),
        signature: None,
    };
    let bytes = serde_jcs::to_vec(&header).expect("a JCS header");
    header.signature = Some(format!(
        "z{}",
        bs58::encode(key(VALIDATOR).sign(&bytes)).into_string()
    ));
    Block { header, transactions }
}

/// A node on an empty in-memory chain of [`genesis`], cutting blocks at the clock's time.
pub async fn node() -> Node {
    let genesis = genesis();
    let store = Store::in_memory().await.expect("a store");
    let view = ChainView {
        state: LedgerState::from_genesis(&genesis).expect("a genesis"),
        tip: Tip::genesis(&genesis).expect("a genesis"),
    };
    Node::start(genesis, store, view, key(VALIDATOR), BlockPolicy::default()).expect("a genesis")
}
