//! Governance of a chain (docs/governance.md): adding or removing a validator, a root of trust
//! or a non-voting member (a learner) is a transaction that a quorum of the validators in
//! force signs. Changes are numbered
//! from 1 (`sequence`), so each names the validator set it was signed under and none can be
//! applied twice, out of order, or on another chain.
//!
//! The rules live here, shared: the registry's ledger applies them to every block, and a
//! client that checks answers against a validator set ([`crate::state::commit::ChainTrust`])
//! follows the same changes to know which set signs the chain's newer headers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::did::Did;
use crate::key::{PublicKey, SigningKey};
use crate::names::LegalName;
use crate::state::commit::ValidatorSignature;
use crate::state::validators::ValidatorSet;

/// What a governance transaction changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum GovernanceChange {
    /// A new validator, with the URL its registry node serves on (where the other nodes reach
    /// it); its node joins the cluster as a learner and votes once it has caught up.
    #[serde(rename_all = "camelCase")]
    AddValidator { validator: String, node: String },
    /// A validator leaves: its signature no longer counts, and its node leaves the cluster.
    #[serde(rename_all = "camelCase")]
    RemoveValidator { validator: String },
    /// A DID that may write accreditations from now on, with its legal name (absent from
    /// changes made before names were recorded).
    #[serde(rename_all = "camelCase")]
    AddRootOfTrust {
        root: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        legal_name: Option<LegalName>,
    },
    /// A root of trust that may no longer write accreditations (those it wrote stay).
    #[serde(rename_all = "camelCase")]
    RemoveRootOfTrust { root: String },
    /// A non-voting member: its node, known by this key, follows the chain as a learner — it
    /// receives every block and serves proven answers, but neither votes nor signs for finality.
    #[serde(rename_all = "camelCase")]
    AddLearner { learner: String, node: String },
    /// A learner leaves: its node no longer receives the chain.
    #[serde(rename_all = "camelCase")]
    RemoveLearner { learner: String },
}

impl GovernanceChange {
    /// The change in words: "add validator z6Mk…".
    pub fn describe(&self) -> String {
        match self {
            GovernanceChange::AddValidator { validator, .. } => format!("add validator {validator}"),
            GovernanceChange::RemoveValidator { validator } => format!("remove validator {validator}"),
            GovernanceChange::AddRootOfTrust {
                root,
                legal_name: None,
            } => format!("add root of trust {root}"),
            GovernanceChange::AddRootOfTrust {
                root,
                legal_name: Some(name),
            } => {
                format!("add root of trust {name} ({root})")
            }
            GovernanceChange::RemoveRootOfTrust { root } => format!("remove root of trust {root}"),
            GovernanceChange::AddLearner { learner, .. } => format!("add learner {learner}"),
            GovernanceChange::RemoveLearner { learner } => format!("remove learner {learner}"),
        }
    }

    /// The validators after this change to `current` (Multikeys, in order: a new one last).
    pub fn next_validators(&self, current: &[String]) -> Result<Vec<String>, GovernanceError> {
        let mut next = current.to_vec();
        match self {
            GovernanceChange::AddValidator { validator, node } => {
                check_member(validator, node)?;
                if current.contains(validator) {
                    return Err(GovernanceError::Invalid(format!(
                        "{validator} is a validator already"
                    )));
                }
                next.push(validator.clone());
            }
            GovernanceChange::RemoveValidator { validator } => {
                next.retain(|member| member != validator);
                if next.len() == current.len() {
                    return Err(GovernanceError::Invalid(format!(
                        "{validator} is not a validator"
                    )));
                }
                if next.is_empty() {
                    return Err(GovernanceError::Invalid(
                        "the last validator cannot leave: the chain would stop".into(),
                    ));
                }
            }
            GovernanceChange::AddLearner { learner, node } => {
                check_member(learner, node)?;
                if current.contains(learner) {
                    return Err(GovernanceError::Invalid(format!(
                        "{learner} is a validator: it votes already"
                    )));
                }
            }
            GovernanceChange::AddRootOfTrust { .. }
            | GovernanceChange::RemoveRootOfTrust { .. }
            | GovernanceChange::RemoveLearner { .. } => {}
        }
        Ok(next)
    }

    /// The learners (Multikey → node URL) after this change to `current`: adding a validator
    /// that was a learner makes it a voter.
    pub fn next_learners(
        &self,
        current: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, GovernanceError> {
        let mut next = current.clone();
        match self {
            GovernanceChange::AddLearner { learner, node } => {
                if next.insert(learner.clone(), node.clone()).is_some() {
                    return Err(GovernanceError::Invalid(format!(
                        "{learner} is a learner already"
                    )));
                }
            }
            GovernanceChange::RemoveLearner { learner } => {
                if next.remove(learner).is_none() {
                    return Err(GovernanceError::Invalid(format!("{learner} is not a learner")));
                }
            }
            GovernanceChange::AddValidator { validator, .. } => {
                next.remove(validator);
            }
            GovernanceChange::RemoveValidator { .. }
            | GovernanceChange::AddRootOfTrust { .. }
            | GovernanceChange::RemoveRootOfTrust { .. } => {}
        }
        Ok(next)
    }

    /// The roots of trust after this change to `current`.
    pub fn next_roots(&self, current: &[Did]) -> Result<Vec<Did>, GovernanceError> {
        let mut next = current.to_vec();
        match self {
            GovernanceChange::AddRootOfTrust { root, .. } => {
                let root =
                    Did::parse(root).map_err(|e| GovernanceError::Invalid(format!("root {root}: {e}")))?;
                if current.contains(&root) {
                    return Err(GovernanceError::Invalid(format!(
                        "{root} is a root of trust already"
                    )));
                }
                next.push(root);
            }
            GovernanceChange::RemoveRootOfTrust { root } => {
                next.retain(|member| member.as_str() != root);
                if next.len() == current.len() {
                    return Err(GovernanceError::Invalid(format!("{root} is not a root of trust")));
                }
            }
            GovernanceChange::AddValidator { .. }
            | GovernanceChange::RemoveValidator { .. }
            | GovernanceChange::AddLearner { .. }
            | GovernanceChange::RemoveLearner { .. } => {}
        }
        Ok(next)
    }
}

/// A member's key and node URL are usable: a Multikey, and an http(s) URL.
fn check_member(key: &str, node: &str) -> Result<(), GovernanceError> {
    PublicKey::from_multikey(key).map_err(|e| GovernanceError::Invalid(format!("key {key}: {e}")))?;
    let url = url::Url::parse(node).map_err(|e| GovernanceError::Invalid(format!("node {node}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(GovernanceError::Invalid(format!(
            "node {node}: not an http(s) URL"
        )));
    }
    Ok(())
}

/// A governance transaction: one change, signed by a quorum of the validators in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Governance {
    /// The chain it governs.
    pub chain_id: String,
    /// Its number among the chain's changes, from 1.
    pub sequence: u64,
    pub change: GovernanceChange,
    /// When it was proposed (RFC 3339); no block older than five minutes before it holds it.
    pub time: String,
    /// The validators' signatures over [`Governance::signing_bytes`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<ValidatorSignature>,
}

/// Why a governance transaction does not apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GovernanceError {
    #[error("the change is for chain {found}, not {expected}")]
    WrongChain { expected: String, found: String },
    #[error("the change is number {found}, but the chain's next is {expected}")]
    Sequence { expected: u64, found: u64 },
    #[error("signed by {signed} validators in force; a change needs {quorum}")]
    NoQuorum { signed: usize, quorum: usize },
    #[error("{0}")]
    Invalid(String),
}

impl Governance {
    /// A proposal, not signed yet.
    pub fn propose(chain_id: &str, sequence: u64, change: GovernanceChange, time: String) -> Governance {
        Governance {
            chain_id: chain_id.to_owned(),
            sequence,
            change,
            time,
            signatures: Vec::new(),
        }
    }

    /// What the validators sign: the transaction's JCS form without its signatures.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        let unsigned = Governance {
            signatures: Vec::new(),
            ..self.clone()
        };
        serde_jcs::to_vec(&unsigned)
    }

    /// Adds `validator`'s signature, replacing one it made before.
    pub fn sign(&mut self, validator: &SigningKey) -> Result<(), serde_json::Error> {
        let signature = ValidatorSignature::sign_message(&self.signing_bytes()?, validator);
        self.signatures
            .retain(|held| held.validator != signature.validator);
        self.signatures.push(signature);
        Ok(())
    }

    /// Checks that it is the next change of chain `chain_id` after `applied` changes, signed
    /// by a quorum of `validators`.
    pub fn check(
        &self,
        chain_id: &str,
        applied: u64,
        validators: &ValidatorSet,
    ) -> Result<(), GovernanceError> {
        if self.chain_id != chain_id {
            return Err(GovernanceError::WrongChain {
                expected: chain_id.to_owned(),
                found: self.chain_id.clone(),
            });
        }
        let expected = applied.saturating_add(1);
        if self.sequence != expected {
            return Err(GovernanceError::Sequence {
                expected,
                found: self.sequence,
            });
        }
        let message = self
            .signing_bytes()
            .map_err(|e| GovernanceError::Invalid(format!("cannot be encoded canonically: {e}")))?;
        let signed = validators.signers(&message, &self.signatures).len();
        if signed < validators.quorum() {
            return Err(GovernanceError::NoQuorum {
                signed,
                quorum: validators.quorum(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn keys(n: usize) -> (Vec<SigningKey>, ValidatorSet) {
        let keys: Vec<SigningKey> = (0..n).map(|_| SigningKey::generate()).collect();
        let multikeys: Vec<String> = keys.iter().map(|k| k.public_key().to_multikey()).collect();
        (keys, ValidatorSet::new(&multikeys).unwrap())
    }

    fn proposal() -> Governance {
        Governance::propose(
            "chain",
            1,
            GovernanceChange::AddRootOfTrust {
                root: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK".into(),
                legal_name: None,
            },
            "2026-12-01T00:00:00Z".into(),
        )
    }

    #[test]
    fn a_change_needs_a_quorum_of_distinct_validators_in_force() {
        let (keys, set) = keys(3);
        let mut change = proposal();
        change.sign(&keys[0]).unwrap();
        change.sign(&keys[0]).unwrap();
        assert_eq!(
            change.check("chain", 0, &set),
            Err(GovernanceError::NoQuorum { signed: 1, quorum: 2 })
        );
        change.sign(&SigningKey::generate()).unwrap();
        assert!(change.check("chain", 0, &set).is_err());
        change.sign(&keys[2]).unwrap();
        assert_eq!(change.check("chain", 0, &set), Ok(()));
    }

    #[test]
    fn a_signature_covers_the_change_its_number_and_its_chain() {
        let (keys, set) = keys(1);
        let mut change = proposal();
        change.sign(&keys[0]).unwrap();
        assert!(matches!(
            change.check("other", 0, &set),
            Err(GovernanceError::WrongChain { .. })
        ));
        assert!(matches!(
            change.check("chain", 1, &set),
            Err(GovernanceError::Sequence {
                expected: 2,
                found: 1
            })
        ));
        let mut altered = change.clone();
        altered.change = GovernanceChange::RemoveRootOfTrust {
            root: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK".into(),
        };
        assert!(matches!(
            altered.check("chain", 0, &set),
            Err(GovernanceError::NoQuorum { signed: 0, .. })
        ));
    }

    #[test]
    fn the_validator_set_changes_as_the_rules_say() {
        let (_, set) = keys(2);
        let current: Vec<String> = set.multikeys().cloned().collect();
        let newcomer = SigningKey::generate().public_key().to_multikey();
        let add = GovernanceChange::AddValidator {
            validator: newcomer.clone(),
            node: "http://127.0.0.1:7410/".into(),
        };
        let grown = add.next_validators(&current).unwrap();
        assert_eq!(grown.last(), Some(&newcomer));
        assert!(add.next_validators(&grown).is_err(), "added twice");
        let bad_node = GovernanceChange::AddValidator {
            validator: newcomer.clone(),
            node: "ftp://example.org".into(),
        };
        assert!(bad_node.next_validators(&current).is_err());
        let remove = GovernanceChange::RemoveValidator { validator: newcomer };
        assert_eq!(remove.next_validators(&grown).unwrap(), current);
        assert!(remove.next_validators(&current).is_err(), "not a validator");
        let last = GovernanceChange::RemoveValidator {
            validator: current[0].clone(),
        };
        assert!(last.next_validators(&current[..1]).is_err(), "the last one");
    }
}
