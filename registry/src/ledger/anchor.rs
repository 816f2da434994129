//! Issuance anchors: an issuer commits the Merkle root of a batch of credential hashes (see
//! `sigil_core::verify::credential_hash`). The block that holds the anchor proves the
//! credentials existed by its time — what lets a credential signed before its key was
//! declared compromised keep verifying (DESIGN.md §5 rule 3).

use serde::{Deserialize, Serialize};
use sigil_core::did::Did;

use super::error::LedgerError;
use super::state::{AnchorRecord, LedgerState};
use super::statement::{self, StatementProof};

/// Largest batch one anchor may claim.
const MAX_BATCH: u64 = 1_000_000;

/// An anchor to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssuanceAnchor {
    pub issuer: String,
    /// Lowercase hex SHA-256 Merkle root of the batch's credential hashes.
    pub merkle_root: String,
    /// How many credentials the batch holds.
    pub count: u64,
    /// When the issuer made the batch (RFC 3339).
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<StatementProof>,
}

pub(super) fn apply(
    state: &LedgerState,
    anchor: &IssuanceAnchor,
    transaction: String,
) -> Result<LedgerState, LedgerError> {
    let malformed = |reason: &str| LedgerError::Malformed(format!("anchor: {reason}"));
    let issuer = Did::parse(&anchor.issuer).map_err(|e| LedgerError::Malformed(e.to_string()))?;
    let is_hex_digest = anchor.merkle_root.len() == 64
        && anchor
            .merkle_root
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !is_hex_digest {
        return Err(malformed("merkleRoot is not a lowercase hex SHA-256 digest"));
    }
    if anchor.count == 0 || anchor.count > MAX_BATCH {
        return Err(malformed("count must be between 1 and 1,000,000"));
    }
    sigil_core::time::parse_datetime(&anchor.time).ok_or_else(|| malformed("time is not RFC 3339"))?;
    statement::check(state, anchor, &issuer, anchor.proof.as_ref())?;
    if state.anchors.contains_key(&anchor.merkle_root) {
        return Err(LedgerError::AnchorExists(anchor.merkle_root.clone()));
    }
    let mut next = state.clone();
    next.anchors.insert(
        anchor.merkle_root.clone(),
        AnchorRecord {
            issuer,
            count: anchor.count,
            transaction,
        },
    );
    Ok(next)
}
