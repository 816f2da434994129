//! Test fixtures shared by the chain, replay and node tests: fixed keys, a genesis, and fresh
//! DID inceptions.

use sigil_core::key::SigningKey;
use sigil_core::time::parse_datetime;

use crate::chain::Genesis;
use crate::ledger::Transaction;
use crate::ledger::operation::{self, Purpose};

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
