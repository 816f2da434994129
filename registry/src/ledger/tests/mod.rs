//! Tests of the ledger core, one file per kind of transaction, sharing the fixtures here: a
//! university whose DID was created with controller key 1, next key 2, and diploma key 10,
//! and a block time later than every date the tests write, unless a test names its block.

mod did_operations;
mod governance;
mod limits;
mod prepared;
mod snapshot;
mod statements;

use sigil_core::did::Did;
use sigil_core::key::SigningKey;
use sigil_core::time::{Timestamp, parse_datetime};

use crate::ledger::operation::{self, DidOperation, OperationKind, Purpose};
use crate::ledger::{BlockContext, LedgerError, LedgerState, Transaction, apply, hash};

fn time(text: &str) -> Timestamp {
    parse_datetime(text).unwrap()
}

/// The block a transaction goes into when its time is not what the test is about.
fn block() -> BlockContext {
    block_at("2028-01-01T00:00:00Z")
}

fn block_at(at: &str) -> BlockContext {
    BlockContext {
        height: 1,
        time: time(at),
    }
}

/// The block the tests of dates put transactions in; the latest date it accepts (300 s, the
/// clock skew, later); and one second too late.
const BLOCK_TIME: &str = "2026-03-01T00:00:00Z";
const LATEST_ACCEPTED: &str = "2026-03-01T00:05:00Z";
const TOO_LATE: &str = "2026-03-01T00:05:01Z";

/// The refusal of a transaction dated `at` in the block at [`BLOCK_TIME`].
fn dated_in_the_future(at: &str) -> LedgerError {
    LedgerError::DatedInTheFuture {
        at: at.into(),
        block_time: BLOCK_TIME.into(),
    }
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
    (apply(&LedgerState::default(), &tx(&op), &block()).unwrap(), did)
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

/// Asserts that the transaction `dated(at)` builds is refused dated [`TOO_LATE`] in the block
/// at [`BLOCK_TIME`], leaving `state` as it was, and accepted dated [`LATEST_ACCEPTED`];
/// returns the state after it.
fn assert_bounded_by_the_block(state: &LedgerState, dated: impl Fn(&str) -> Transaction) -> LedgerState {
    let in_block = block_at(BLOCK_TIME);
    assert_refused_in(&in_block, state, &dated(TOO_LATE), &dated_in_the_future(TOO_LATE));
    apply(state, &dated(LATEST_ACCEPTED), &in_block).unwrap()
}

/// Asserts that `transaction` is refused with `expected` and leaves `state` as it was.
fn assert_refused(state: &LedgerState, transaction: &Transaction, expected: &LedgerError) {
    assert_refused_in(&block(), state, transaction, expected);
}

/// Asserts that `transaction`, in `block`, is refused with `expected` and leaves `state` as it
/// was.
fn assert_refused_in(
    block: &BlockContext,
    state: &LedgerState,
    transaction: &Transaction,
    expected: &LedgerError,
) {
    let before = state.clone();
    assert_eq!(apply(state, transaction, block).as_ref().err(), Some(expected));
    assert_eq!(state, &before, "a refused transaction changed the state");
}
