//! A validator set: the keys whose quorum — more than half of them — makes a header final
//! and authorises a change of governance (docs/governance.md). Genesis names the first; each
//! governance change on the chain makes the next ([`crate::transaction::governance`]).

use super::commit::ValidatorSignature;
use crate::key::PublicKey;

/// Validators, by Multikey, in the order the chain lists them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidatorSet {
    members: Vec<(String, PublicKey)>,
}

/// A Multikey that is not a usable validator key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("validator {multikey}: {reason}")]
pub struct ValidatorKeyError {
    pub multikey: String,
    pub reason: String,
}

impl ValidatorSet {
    /// The set of `multikeys`, each read as a key.
    pub fn new<'a>(
        multikeys: impl IntoIterator<Item = &'a String>,
    ) -> Result<ValidatorSet, ValidatorKeyError> {
        let members = multikeys
            .into_iter()
            .map(|multikey| {
                PublicKey::from_multikey(multikey)
                    .map(|key| (multikey.clone(), key))
                    .map_err(|e| ValidatorKeyError {
                        multikey: multikey.clone(),
                        reason: e.to_string(),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(ValidatorSet { members })
    }

    /// How many validators there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// How many distinct validators make a quorum: more than half.
    pub fn quorum(&self) -> usize {
        self.members.len() / 2 + 1
    }

    /// The validators' Multikeys, in order.
    pub fn multikeys(&self) -> impl Iterator<Item = &String> {
        self.members.iter().map(|(multikey, _)| multikey)
    }

    /// The validators' keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &PublicKey> {
        self.members.iter().map(|(_, key)| key)
    }

    /// The key of the validator `multikey`, if it is one.
    pub fn key(&self, multikey: &str) -> Option<&PublicKey> {
        self.members
            .iter()
            .find(|(name, _)| name == multikey)
            .map(|(_, key)| key)
    }

    /// Whether `key` is a validator's.
    pub fn contains(&self, key: &PublicKey) -> bool {
        self.members.iter().any(|(_, member)| member == key)
    }

    /// The distinct validators whose signature over `message` among `signatures` verifies.
    pub fn signers<'a>(&self, message: &[u8], signatures: &'a [ValidatorSignature]) -> Vec<&'a str> {
        let mut signers: Vec<&str> = signatures
            .iter()
            .filter(|s| {
                self.key(&s.validator)
                    .is_some_and(|key| s.verifies_message(message, key))
            })
            .map(|s| s.validator.as_str())
            .collect();
        signers.sort_unstable();
        signers.dedup();
        signers
    }
}
