//! The pure ledger core (docs/design.md §4): [`apply`] takes a state, a transaction and the
//! [`BlockContext`] of the block it goes into, and returns the next state or a
//! [`LedgerError`] — no clock, no IO, no randomness — so every node that applies the same
//! transactions in the same blocks reaches the same state, and `verify-chain` can replay the
//! chain from genesis.
//!
//! The `did:sigil` rules are specified in `registry/DID-METHOD.md`; this module is their
//! implementation, one rule per check, in the order the specification lists them.

pub mod accreditation;
pub mod anchor;
mod did_ops;
pub mod error;
mod governance;
pub mod prepared;
pub mod records;
pub mod resolve;
pub mod snapshot;
pub mod state;
pub mod statement;
pub mod status_list;

use sigil_core::time::{Timestamp, format_datetime};

pub use error::LedgerError;
pub use operation::DidOperation;
pub use prepared::Prepared;
/// The `did:sigil` wire format, shared with issuers and wallets through `sigil-core`.
pub use sigil_core::did::sigil::{digest as hash, operation};
/// The transaction wire format, shared with issuers, wallets and clients through `sigil-core`.
pub use sigil_core::transaction::Transaction;
/// The size limits on every transaction and field, shared with clients through `sigil-core`.
pub use sigil_core::transaction::limits;
/// How far past its block's time a transaction may be dated, in seconds: the clock difference
/// Sigil allows everywhere between two parties (here a controller and the validators).
///
/// The ledger's tests pin it at 300: it decides which blocks are valid, so changing it changes
/// which chains replay.
pub use sigil_core::verify::CLOCK_SKEW_SECONDS;
pub use state::LedgerState;

/// What the ledger knows of the block a transaction goes into — taken from the block's
/// header, never from the clock of the node applying it, so that the node producing the block
/// and every node replaying it decide alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockContext {
    /// The block's height.
    pub height: u64,
    /// The block's time (its header's `time`).
    pub time: Timestamp,
}

impl BlockContext {
    /// Refuses a transaction dated `at` if that is more than [`CLOCK_SKEW_SECONDS`] after the
    /// block's time (DID-METHOD.md §3): a date in the future would let whoever signed it hold
    /// back everything that must be dated after it — the owner's recovery, the issuer's next
    /// status list.
    fn check_dated(&self, at: Timestamp) -> Result<(), LedgerError> {
        let latest = self
            .time
            .checked_add_signed(chrono::Duration::seconds(CLOCK_SKEW_SECONDS));
        if latest.is_none_or(|latest| at <= latest) {
            Ok(())
        } else {
            Err(LedgerError::DatedInTheFuture {
                at: format_datetime(at),
                block_time: format_datetime(self.time),
            })
        }
    }
}

/// Applies one transaction in the block `block`. On success returns the new state; on
/// failure the error, and `state` is as it was (it is only read). The size limits
/// ([`limits`]) are checked first, before anything else is read.
pub fn apply(
    state: &LedgerState,
    transaction: &Transaction,
    block: &BlockContext,
) -> Result<LedgerState, LedgerError> {
    apply_prepared(state, &prepared::prepare(transaction), block)
}

/// [`apply`] for a transaction whose hash and signature were worked out beforehand
/// ([`prepared::prepare_block`] does a whole block's at once).
pub fn apply_prepared(
    state: &LedgerState,
    prepared: &Prepared<'_>,
    block: &BlockContext,
) -> Result<LedgerState, LedgerError> {
    let (hash, operation) = prepared.facts()?;
    if state.applied.contains(hash) {
        return Err(LedgerError::Replay(hash.to_owned()));
    }
    let hash = hash.to_owned();
    let mut next = match prepared.transaction() {
        Transaction::Did(op) => {
            let facts =
                operation.ok_or_else(|| LedgerError::Malformed("the operation was not prepared".into()))?;
            did_ops::apply(state, op, facts, block, hash.clone())?
        }
        Transaction::StatusList(publication) => status_list::apply(state, publication, block, hash.clone())?,
        Transaction::Anchor(anchor) => anchor::apply(state, anchor, block, hash.clone())?,
        Transaction::Accreditation(grant) => accreditation::grant(state, grant, hash.clone())?,
        Transaction::RevokeAccreditation(revocation) => {
            accreditation::revoke(state, revocation, block, hash.clone())?
        }
        Transaction::Governance(change) => governance::apply(state, change, block, hash.clone())?,
    };
    next.applied.insert(hash);
    Ok(next)
}

#[cfg(test)]
mod tests;
