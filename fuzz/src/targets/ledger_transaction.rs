//! The registry's check of an untrusted transaction: `sigil_registry::ledger::apply` on a
//! transaction read as `POST /transactions` reads it, against a ledger that already holds the
//! seed university's `did:sigil` and the root of trust of genesis (and, in a second state, the
//! root's accreditation of the university).
//!
//! Property: reading, describing, hashing and applying never panic; a transaction read,
//! written and read again is the same; and a transaction the ledger accepts is refused as a
//! replay when applied again to the state it made.

use std::sync::OnceLock;

use sigil_core::transaction::Transaction;
use sigil_registry::ledger::{self, BlockContext, LedgerError, LedgerState};

use crate::fixtures;
use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "ledger_transaction",
    entry_point: "sigil_registry::ledger::apply (on a sigil_core::transaction::Transaction)",
    tokens: &[
        b"\"did\"",
        b"\"statusList\"",
        b"\"anchor\"",
        b"\"accreditation\"",
        b"\"revokeAccreditation\"",
        b"\"credentialHashes\"",
        b"\"merkleRoot\"",
        b"\"credentialTypes\"",
        b"\"validFrom\"",
        b"\"validUntil\"",
        b"\"role\"",
        b"\"verifier\"",
        b"\"root\"",
        b"\"verificationMethod\"",
        b"\"signature\"",
    ],
    property,
};

/// The states a transaction is tried against: genesis with the fixtures' root of trust and
/// the university's `did:sigil` inception; and that with the root's accreditation of the
/// university too (so that its revocation has something to revoke).
fn states() -> &'static [LedgerState] {
    static STATES: OnceLock<Vec<LedgerState>> = OnceLock::new();
    STATES.get_or_init(|| {
        let mut state = LedgerState::genesis([fixtures::root_of_trust().did_key()]);
        let mut states = Vec::new();
        for transaction in [
            crate::seeds::university_inception(),
            crate::seeds::accreditation(),
        ] {
            if let Some(next) = transaction
                .ok()
                .and_then(|transaction| ledger::apply(&state, &transaction, &block()).ok())
            {
                state = next;
            }
            states.push(state.clone());
        }
        states
    })
}

/// The block every transaction is applied in: at the fixtures' "now".
fn block() -> BlockContext {
    BlockContext {
        height: 1,
        time: fixtures::time(fixtures::NOW),
    }
}

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let read = sigil_core::json::parse(&text(input))
        .map_err(|e| e.to_string())
        .and_then(|value| serde_json::from_value::<Transaction>(value).map_err(|e| e.to_string()));
    let Ok(transaction) = read else {
        return Ok(Outcome::Refused);
    };
    let written = serde_json::to_value(&transaction).map_err(|e| Violation(e.to_string()))?;
    let again: Result<Transaction, _> = serde_json::from_value(written);
    ensure(again.as_ref().ok() == Some(&transaction), || {
        format!("reads back as {again:?}")
    })?;
    let _ = transaction.describe();
    let mut outcome = Outcome::Refused;
    for state in states() {
        if let Ok(next) = ledger::apply(state, &transaction, &block()) {
            outcome = Outcome::Accepted;
            let replayed = ledger::apply(&next, &transaction, &block());
            ensure(matches!(replayed, Err(LedgerError::Replay(_))), || {
                format!("applied twice, the second time gives {replayed:?}")
            })?;
        }
    }
    Ok(outcome)
}
