//! Equivocation evidence: two different headers at one height of one chain, both signed by
//! the same validator. An honest validator signs one header per height, so the pair convicts
//! the signer to anyone who holds the genesis — no node's word is needed. Clients keep it
//! when they meet it, and the registry records what it is sent and shows it.

use serde::{Deserialize, Serialize};

use super::commit::{ChainTrust, ValidatorSignature};
use crate::transaction::BlockHeader;

/// Two signed headers at one height.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Equivocation {
    /// The validator that signed both (Multikey).
    pub validator: String,
    pub first: SignedHeader,
    pub second: SignedHeader,
}

/// A header with one validator's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedHeader {
    pub header: BlockHeader,
    pub signature: ValidatorSignature,
}

/// Why a claimed equivocation proves nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("{0} is not a validator of this chain")]
    NotAValidator(String),
    #[error("the headers are of chain {found}, not {expected}")]
    WrongChain { expected: String, found: String },
    #[error("the headers are at heights {0} and {1}: equivocation is two headers at one height")]
    DifferentHeights(u64, u64),
    #[error("the two headers are the same header")]
    SameHeader,
    #[error("a signature is not the validator's over its header")]
    BadSignature,
}

impl Equivocation {
    /// Checks that both headers are of the trusted chain, at one height, different, and both
    /// validly signed by the named validator.
    pub fn check(&self, trust: &ChainTrust) -> Result<(), EvidenceError> {
        let key = trust
            .validator(&self.validator)
            .ok_or_else(|| EvidenceError::NotAValidator(self.validator.clone()))?;
        for signed in [&self.first, &self.second] {
            if signed.header.chain_id != trust.chain_id() {
                return Err(EvidenceError::WrongChain {
                    expected: trust.chain_id().to_owned(),
                    found: signed.header.chain_id.clone(),
                });
            }
            if signed.signature.validator != self.validator || !signed.signature.verifies(&signed.header, key)
            {
                return Err(EvidenceError::BadSignature);
            }
        }
        let (first, second) = (&self.first.header, &self.second.header);
        if first.height != second.height {
            return Err(EvidenceError::DifferentHeights(first.height, second.height));
        }
        if first.unsigned() == second.unsigned() {
            return Err(EvidenceError::SameHeader);
        }
        Ok(())
    }
}
