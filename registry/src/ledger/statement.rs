//! Signed statements by DIDs the ledger knows — issuance anchors, accreditations and their
//! revocations: JCS of the statement without `proof`, signed with Ed25519 by an assertion
//! method of the signer *as the ledger sees it now*.

use serde::Serialize;
use sigil_core::did::document::Relationship;
use sigil_core::did::{Did, DidUrl, ResolutionOptions};
use sigil_core::key::PublicKey;
use sigil_core::transaction::statement::{self as wire, StatementError};
pub use sigil_core::transaction::statement::{StatementProof, sign};

use super::error::LedgerError;
use super::state::LedgerState;

/// Checks that `statement` is signed by `signer` with one of its current assertion methods.
pub fn check<T: Serialize>(
    state: &LedgerState,
    statement: &T,
    signer: &Did,
    proof: Option<&StatementProof>,
) -> Result<(), LedgerError> {
    let proof = proof.ok_or(LedgerError::MissingSignature)?;
    let key = assertion_key(state, signer, &proof.verification_method)?;
    wire::verify(statement, proof, &key).map_err(|e| match e {
        StatementError::Signature => LedgerError::BadSignature,
        other => LedgerError::Malformed(other.to_string()),
    })
}

/// The key of `method_id` if it is an assertion method of `signer` in the current state:
/// `did:sigil` from the ledger itself, `did:key` from the identifier.
pub fn assertion_key(state: &LedgerState, signer: &Did, method_id: &str) -> Result<PublicKey, LedgerError> {
    let method = DidUrl::parse(method_id).map_err(|e| LedgerError::Malformed(e.to_string()))?;
    if method.did() != signer {
        return Err(LedgerError::UnauthorisedKey(method_id.to_owned()));
    }
    let document = match signer.method() {
        "key" => sigil_core::did::key::resolve(signer).map_err(|e| LedgerError::Malformed(e.to_string()))?,
        "sigil" => {
            let current = state
                .dids
                .get(signer)
                .ok_or_else(|| LedgerError::UnknownDid(signer.to_string()))?;
            if current.is_deactivated() {
                return Err(LedgerError::Deactivated(signer.to_string()));
            }
            super::resolve::resolve(state, signer, &ResolutionOptions::latest())
                .map_err(|_| LedgerError::UnknownDid(signer.to_string()))?
                .document
        }
        _ => return Err(LedgerError::UnknownDid(signer.to_string())),
    };
    document
        .method_for(method_id, Relationship::AssertionMethod)
        .and_then(|method| method.public_key().ok())
        .ok_or_else(|| LedgerError::UnauthorisedKey(method_id.to_owned()))
}
