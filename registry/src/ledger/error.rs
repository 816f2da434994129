//! Every reason the ledger refuses a transaction. `apply` returns one of these and leaves
//! the state it was given untouched.

use sigil_core::transaction::LimitExceeded;
use sigil_core::transaction::governance::GovernanceError;

/// Why a transaction was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The transaction does not have the shape its type requires (a missing or forbidden
    /// member, a bad fragment, an unparsable time or key).
    #[error("malformed operation: {0}")]
    Malformed(String),
    /// The transaction carries no proof.
    #[error("the operation is not signed")]
    MissingSignature,
    /// The signature does not verify under the key the proof names.
    #[error("the signature does not verify")]
    BadSignature,
    /// The signing key is valid, but not the one this operation must be signed with (the
    /// controller key for `create` and `update`).
    #[error("signed by {found}, but this operation must be signed by the controller key {expected}")]
    WrongSigner { expected: String, found: String },
    /// A `rotate` or `deactivate` is not signed by the key the previous controller change
    /// committed to — what a thief holding only the current key would send.
    #[error("not signed by the pre-committed next key (its hash does not match nextKeyCommitment)")]
    WrongPreRotationKey,
    /// The operation names a DID the ledger has never seen.
    #[error("unknown DID {0}")]
    UnknownDid(String),
    /// A `create` for a DID that exists already.
    #[error("{0} exists already")]
    DidExists(String),
    /// The DID was deactivated; nothing may follow.
    #[error("{0} is deactivated")]
    Deactivated(String),
    /// This exact transaction was applied before.
    #[error("replay: transaction {0} was applied before")]
    Replay(String),
    /// `prev` names an earlier operation of the DID, not its latest: a fork of its history.
    #[error("fork: prev {found} is an earlier operation of the DID, whose latest is {expected}")]
    Fork { expected: String, found: String },
    /// `prev` names no operation of the DID at all.
    #[error("prev {found} does not match the DID's latest operation {expected}")]
    PrevMismatch { expected: String, found: String },
    /// The operation claims a time before the DID's previous operation.
    #[error("time goes backwards: {found} is before the previous operation's {previous}")]
    TimeWentBackwards { previous: String, found: String },
    /// The transaction is dated more than `CLOCK_SKEW_SECONDS` (300 s) after the time of the
    /// block it would go into — a `did:sigil` operation's `time`, an anchor's `time`, a status
    /// list's `validFrom`, a revocation's `time`. Dating ahead would hold back everything that
    /// must be dated after it: a thief with the hot key could lock the owner's recovery out.
    #[error("dated {at}, more than {skew} s after its block's time {block_time}", skew = super::CLOCK_SKEW_SECONDS)]
    DatedInTheFuture { at: String, block_time: String },
    /// A method id is added twice, or retired or marked compromised when it is not there.
    #[error("verification method: {0}")]
    Method(String),
    /// A statement is signed with a key that is not an assertion method of its signer now.
    #[error("{0} is not an assertion method of the signer")]
    UnauthorisedKey(String),
    /// A status list version is published by someone other than the list's issuer.
    #[error("status list {list} belongs to {owner}; {signer} cannot publish it")]
    NotTheListIssuer {
        list: String,
        owner: String,
        signer: String,
    },
    /// An accreditation is written or revoked by a DID that genesis does not name as a root
    /// of trust.
    #[error("{0} is not a root of trust of this registry")]
    NotARootOfTrust(String),
    /// A revocation names no accreditation, or one of another root, or one already revoked.
    #[error("accreditation: {0}")]
    Accreditation(String),
    /// The same Merkle root is anchored twice.
    #[error("the Merkle root {0} is anchored already")]
    AnchorExists(String),
    /// A governance change is not the chain's next, is not signed by a quorum of the
    /// validators in force, or cannot apply (adding a validator twice, removing the last).
    #[error("governance: {0}")]
    Governance(#[from] GovernanceError),
    /// The transaction, or one of its fields, is over one of the registry's size limits
    /// (`sigil_core::transaction::limits`); the error names the limit.
    #[error("too large: {0}")]
    TooLarge(#[from] LimitExceeded),
}
