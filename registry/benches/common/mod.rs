//! What both registry benchmarks submit: DID creations under keys derived from a number, so
//! that every run signs the same operations.

use sigil_core::did::Did;
use sigil_core::key::SigningKey;
use sigil_core::time::parse_datetime;
use sigil_registry::ledger::Transaction;
use sigil_registry::ledger::operation::{self, Purpose};

/// The key of DID `n` in `role` (0 controller, 1 pre-rotation, 2 signing).
pub fn key(n: u64, role: u8) -> SigningKey {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&n.to_le_bytes());
    seed[8] = role;
    SigningKey::from_seed(&seed)
}

/// The creation of DID `n`, and the DID it creates.
pub fn inception(n: u64) -> (Did, Transaction) {
    let methods = vec![operation::method(
        "key-1",
        &key(n, 2).public_key(),
        &[Purpose::AssertionMethod],
    )];
    let time = parse_datetime("2026-01-01T00:00:00Z").expect("a time");
    let op = operation::create(&key(n, 0), &key(n, 1).public_key(), methods, time).expect("an operation");
    (op.created_did().expect("a DID"), Transaction::Did(op))
}
