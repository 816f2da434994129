//! Issuance anchors: an issuer commits a batch of credential hashes (see
//! [`crate::verify::credential_hash`]) and their RFC 6962 Merkle root. The block that holds
//! the anchor proves the credentials existed by its time — what lets a credential signed
//! before its key was declared compromised keep verifying (docs/design.md §5 rule 3).

use serde::{Deserialize, Serialize};

use super::statement::StatementProof;
use crate::merkle;

/// Largest batch one anchor may hold: 900 hashes of 67 bytes each (quoted hex and a comma)
/// are 60,300 bytes, which with the longest issuer, method and signature keeps a full anchor
/// under [`super::limits::MAX_TRANSACTION_BYTES`] (a test there shows it). An issuer anchors
/// at most this many per round and the rest in the next — 54,000 credentials an hour at one
/// round a minute, more than a university issues in a year.
pub const MAX_BATCH: usize = 900;

/// An anchor (the `anchor` transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssuanceAnchor {
    pub issuer: String,
    /// The batch: lowercase hex SHA-256 hashes of the credentials as issued.
    pub credential_hashes: Vec<String>,
    /// The RFC 6962 Merkle root (hex) over the hashes' bytes, in order.
    pub merkle_root: String,
    /// When the issuer made the batch (RFC 3339).
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<StatementProof>,
}

/// The Merkle leaves of a batch, or `None` if a hash is not lowercase hex SHA-256.
pub fn leaves(credential_hashes: &[String]) -> Option<Vec<merkle::Hash>> {
    credential_hashes
        .iter()
        .map(|hash| {
            merkle::from_hex(hash)
                .filter(|_| !hash.bytes().any(|b| b.is_ascii_uppercase()))
                .map(|bytes| merkle::leaf_hash(&bytes))
        })
        .collect()
}

/// Builds an anchor of `credential_hashes` (lowercase hex), computing its Merkle root; the
/// caller signs it with [`super::statement::sign`].
pub fn unsigned(issuer: &str, credential_hashes: Vec<String>, time: &str) -> IssuanceAnchor {
    let leaves: Vec<_> = credential_hashes
        .iter()
        .filter_map(|hash| merkle::from_hex(hash))
        .map(|bytes| merkle::leaf_hash(&bytes))
        .collect();
    IssuanceAnchor {
        issuer: issuer.to_owned(),
        merkle_root: merkle::hex(&merkle::root(&leaves)),
        credential_hashes,
        time: time.to_owned(),
        proof: None,
    }
}
