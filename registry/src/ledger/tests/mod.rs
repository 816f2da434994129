//! Tests of the ledger core, one file per kind of transaction, sharing the fixtures here: a
//! university whose DID was created with controller key 1, next key 2, and diploma key 10.

mod did_operations;
mod statements;

use sigil_core::did::Did;
use sigil_core::key::SigningKey;
use sigil_core::time::{Timestamp, parse_datetime};

use crate::ledger::operation::{self, DidOperation, OperationKind, Purpose};
use crate::ledger::{LedgerError, LedgerState, Transaction, apply, hash};

fn time(text: &str) -> Timestamp {
    parse_datetime(text).unwrap()
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_seed(&[seed; 32])
}

/// Controller keys: 1 now, 2 committed next, 3 after that. Key 10 signs diplomas.
const CONTROLLER: u8 = 1;
const NEXT: u8 = 2;
const AFTER_NEXT: u8 = 3;
const DIPLOMA_KEY: u8 = 10;

fn inception() -> DidOperation {
    let methods = vec![operation::method(
        "key-1",
        &key(DIPLOMA_KEY).public_key(),
        &[Purpose::AssertionMethod, Purpose::Authentication],
    )];
    operation::create(
        &key(CONTROLLER),
        &key(NEXT).public_key(),
        methods,
        time("2026-01-01T00:00:00Z"),
    )
    .unwrap()
}

fn tx(op: &DidOperation) -> Transaction {
    Transaction::Did(op.clone())
}

/// A ledger holding the university's DID; returns it with the DID.
fn with_university() -> (LedgerState, Did) {
    let op = inception();
    let did = op.created_did().unwrap();
    (apply(&LedgerState::default(), &tx(&op)).unwrap(), did)
}

fn latest_hash(state: &LedgerState, did: &Did) -> String {
    state.dids[did].latest().unwrap().operation.clone()
}

/// An unsigned follow-up operation on `did` at `at`.
fn follow_up(state: &LedgerState, did: &Did, kind: OperationKind, at: &str) -> DidOperation {
    let mut op = DidOperation::new(kind, time(at));
    op.did = Some(did.to_string());
    op.prev = Some(latest_hash(state, did));
    op
}

fn rotation(state: &LedgerState, did: &Did, at: &str) -> DidOperation {
    let mut op = follow_up(state, did, OperationKind::Rotate, at);
    op.controller_key = Some(key(NEXT).public_key().to_multikey());
    op.next_key_commitment = Some(hash::key_commitment(&key(AFTER_NEXT).public_key().to_multikey()));
    op
}

/// Asserts that `transaction` is refused with `expected` and leaves `state` as it was.
fn assert_refused(state: &LedgerState, transaction: &Transaction, expected: &LedgerError) {
    let before = state.clone();
    assert_eq!(apply(state, transaction).as_ref().err(), Some(expected));
    assert_eq!(state, &before, "a refused transaction changed the state");
}
