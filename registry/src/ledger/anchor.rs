//! Issuance anchors: an issuer commits a batch of credential hashes (see
//! `sigil_core::verify::credential_hash`) and their RFC 6962 Merkle root. The block that
//! holds the anchor proves the credentials existed by its time — what lets a credential signed
//! before its key was declared compromised keep verifying (docs/design.md §5 rule 3). The hashes
//! themselves are kept so that a verifier can ask for the anchor covering one credential.

use sigil_core::did::Did;
pub use sigil_core::transaction::anchor::{IssuanceAnchor, MAX_BATCH, leaves, unsigned};

use crate::chain::merkle;

use super::BlockContext;
use super::error::LedgerError;
use super::state::{AnchorRecord, LedgerState};
use super::statement;

pub(super) fn apply(
    state: &LedgerState,
    anchor: &IssuanceAnchor,
    block: &BlockContext,
    transaction: String,
) -> Result<LedgerState, LedgerError> {
    let malformed = |reason: &str| LedgerError::Malformed(format!("anchor: {reason}"));
    let issuer = Did::parse(&anchor.issuer).map_err(|e| LedgerError::Malformed(e.to_string()))?;
    // At most MAX_BATCH: a size limit, checked before `apply` reaches here.
    if anchor.credential_hashes.is_empty() {
        return Err(malformed("a batch holds at least one credential hash"));
    }
    let leaves = leaves(&anchor.credential_hashes)
        .ok_or_else(|| malformed("credential hashes are lowercase hex SHA-256 digests"))?;
    if merkle::hex(&merkle::root(&leaves)) != anchor.merkle_root {
        return Err(malformed(
            "merkleRoot is not the Merkle root of the credential hashes",
        ));
    }
    let time =
        sigil_core::time::parse_datetime(&anchor.time).ok_or_else(|| malformed("time is not RFC 3339"))?;
    block.check_dated(time)?;
    statement::check(state, anchor, &issuer, anchor.proof.as_ref())?;
    if state.anchors.contains_key(&anchor.merkle_root) {
        return Err(LedgerError::AnchorExists(anchor.merkle_root.clone()));
    }
    let mut next = state.clone();
    for hash in &anchor.credential_hashes {
        // The first anchor of a credential is the one that proves its earliest existence.
        if !next.anchored.contains_key(hash) {
            next.anchored.insert(hash.clone(), anchor.merkle_root.clone());
        }
    }
    next.anchors.insert(
        anchor.merkle_root.clone(),
        AnchorRecord {
            issuer,
            credential_hashes: anchor.credential_hashes.clone(),
            transaction,
            height: block.height,
            time: block.time,
        },
    );
    Ok(next)
}
