//! How the registry acknowledges a transaction (docs/design.md §4): the signed header of the block
//! that holds it, and an RFC 6962 audit path from the transaction's hash to the header's
//! transaction root. Clients check the path themselves; the header's signature is checked
//! against the chain's validators.

use serde::{Deserialize, Serialize};

use crate::did::sigil::digest::digest_jcs;
use crate::merkle::{self, Hash};

/// A block header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlockHeader {
    pub chain_id: String,
    pub height: u64,
    /// The previous block's hash (the genesis hash for block 1).
    pub prev_hash: String,
    pub time: String,
    /// RFC 6962 Merkle root (hex) of the transaction hashes, in block order.
    pub tx_root: String,
    /// Commitment to the ledger state after this block: `digest(prevStateRoot || txRoot)`.
    /// The state is a pure function of the ordered transactions, so this chains every state.
    pub state_root: String,
    /// Root (hex) of the sparse Merkle tree over every record of the state after this block
    /// (`sigil_core::state`), which proven answers lead to. Absent only from blocks written
    /// before the state was Merkleized, so that their hashes stay what they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_tree_root: Option<String>,
    /// The validator's Multikey.
    pub proposer: String,
    /// base58btc multibase Ed25519 signature over the header without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl BlockHeader {
    /// The block hash: the digest of the JCS header without its signature. (A header holds
    /// only strings and integers, so encoding it fails only on a bug; it is still an error,
    /// never the hash of something else.)
    pub fn hash(&self) -> Result<String, serde_json::Error> {
        digest_jcs(&self.unsigned())
    }

    /// The header without its signature.
    pub fn unsigned(&self) -> BlockHeader {
        BlockHeader {
            signature: None,
            ..self.clone()
        }
    }

    /// What the validator signs: the JCS header without its signature.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_jcs::to_vec(&self.unsigned())
    }
}

/// The acknowledgement of a transaction: where it is, and the proof that the signed header
/// commits to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub tx_hash: String,
    pub height: u64,
    pub index: usize,
    /// How many transactions the block holds (the Merkle tree's size).
    pub block_size: usize,
    /// The RFC 6962 audit path (hex), leaf to root.
    pub inclusion_proof: Vec<String>,
    pub header: BlockHeader,
}

impl Receipt {
    /// Checks that the header's transaction root includes the transaction. (The header's
    /// signature is checked against the chain's validators separately.)
    pub fn verify(&self) -> bool {
        let Some(root) = merkle::from_hex(&self.header.tx_root) else {
            return false;
        };
        let path: Option<Vec<Hash>> = self.inclusion_proof.iter().map(|h| merkle::from_hex(h)).collect();
        let leaf = merkle::leaf_hash(self.tx_hash.as_bytes());
        path.is_some_and(|path| merkle::verify_inclusion(&leaf, self.index, self.block_size, &path, &root))
    }
}
