//! Final headers and proven answers (docs/registry-proofs.md).
//!
//! Every validator signs the header of every block it applied. A header signed by a quorum —
//! more than half of the validators genesis names — is final: two final headers at one
//! height would need a validator to have signed both, and those two signatures are the
//! evidence that convicts it ([`super::evidence`]). A [`Proven`] answer carries a final header
//! ([`Commit`]) and a Merkle proof from the header's `stateTreeRoot` to one record (or to its
//! absence). [`ChainTrust`], built from a genesis the client chose to trust, checks both, so
//! a client believes no single node: a node that lies about a record fails the proof, and one
//! that signs what others did not cannot make a quorum alone.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::genesis::{Genesis, GenesisError};
use super::records::{RecordName, digest};
use super::tree::{EMPTY, StateProof};
use crate::key::PublicKey;
use crate::merkle;
use crate::transaction::BlockHeader;

/// One validator's signature over a header's signing bytes (the JCS header without its
/// `signature`): `z` + base58btc of the Ed25519 signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValidatorSignature {
    /// The validator's Multikey.
    pub validator: String,
    pub signature: String,
}

impl ValidatorSignature {
    /// Signs `header` as `validator`.
    pub fn sign(header: &BlockHeader, validator: &crate::key::SigningKey) -> Result<Self, serde_json::Error> {
        let signature = validator.sign(&header.signing_bytes()?);
        Ok(ValidatorSignature {
            validator: validator.public_key().to_multikey(),
            signature: format!("z{}", bs58::encode(signature).into_string()),
        })
    }

    /// Whether this is `key`'s valid signature over `header`.
    pub fn verifies(&self, header: &BlockHeader, key: &PublicKey) -> bool {
        let Some(signature) = self
            .signature
            .strip_prefix('z')
            .and_then(|text| bs58::decode(text).into_vec().ok())
        else {
            return false;
        };
        header
            .signing_bytes()
            .is_ok_and(|bytes| key.verify(&bytes, &signature).is_ok())
    }
}

/// A header with the validators' signatures over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Commit {
    pub header: BlockHeader,
    pub signatures: Vec<ValidatorSignature>,
}

impl Commit {
    /// A header with its proposer's signature (which the header carries) as the first of the
    /// commit's signatures.
    pub fn proposed(header: BlockHeader) -> Commit {
        let signatures = header
            .signature
            .iter()
            .map(|signature| ValidatorSignature {
                validator: header.proposer.clone(),
                signature: signature.clone(),
            })
            .collect();
        Commit { header, signatures }
    }
}

/// A record of the state, or its absence, proven against a final header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Proven {
    /// The record's name in the state tree (see [`RecordName::text`]).
    pub name: String,
    /// The record; absent when the state holds nothing under the name.
    pub record: Option<Value>,
    /// The path from the header's state tree root to the record's leaf (or to where it would be).
    pub proof: StateProof,
    /// The final header the proof leads to; none while the chain has no block, when the
    /// state is genesis's empty tree and every record is absent.
    pub commit: Option<Commit>,
}

impl Proven {
    /// The height of the header the answer is proven against (0: genesis).
    pub fn height(&self) -> u64 {
        self.commit.as_ref().map_or(0, |commit| commit.header.height)
    }
}

/// Why a proven answer is not believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the answer is about {found}, not {asked}")]
    WrongName { asked: String, found: String },
    #[error("the header belongs to chain {found}, not {expected}")]
    WrongChain { expected: String, found: String },
    #[error(
        "the header at height {height} is signed by {signed} of {validators} validators, not a quorum of {quorum}"
    )]
    NoQuorum {
        height: u64,
        signed: usize,
        validators: usize,
        quorum: usize,
    },
    #[error("the header at height {0} commits to no state tree")]
    NoStateTree(u64),
    #[error("the Merkle proof does not lead from the record to the header's state tree root")]
    BadProof,
    #[error("the record is not what its name holds: {0}")]
    BadRecord(String),
}

/// The validators a client trusts, taken from a genesis it chose: whom a final header must
/// be signed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainTrust {
    chain_id: String,
    genesis_hash: String,
    validators: Vec<(String, PublicKey)>,
}

impl ChainTrust {
    /// The trust `genesis` defines.
    pub fn new(genesis: &Genesis) -> Result<ChainTrust, GenesisError> {
        genesis.check()?;
        let keys = genesis.validator_keys()?;
        Ok(ChainTrust {
            chain_id: genesis.chain_id.clone(),
            genesis_hash: genesis.hash()?,
            validators: genesis.validators.iter().cloned().zip(keys).collect(),
        })
    }

    /// The chain's id.
    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    /// The hash of the genesis this trust came from.
    pub fn genesis_hash(&self) -> &str {
        &self.genesis_hash
    }

    /// How many validators make a header final: more than half.
    pub fn quorum(&self) -> usize {
        self.validators.len() / 2 + 1
    }

    /// The key of a validator of this chain, by Multikey.
    pub fn validator(&self, multikey: &str) -> Option<&PublicKey> {
        self.validators
            .iter()
            .find(|(name, _)| name == multikey)
            .map(|(_, key)| key)
    }

    /// Checks that `commit` is final: of this chain, and validly signed by a quorum of
    /// distinct validators.
    pub fn check_commit(&self, commit: &Commit) -> Result<(), ProofError> {
        let header = &commit.header;
        if header.chain_id != self.chain_id {
            return Err(ProofError::WrongChain {
                expected: self.chain_id.clone(),
                found: header.chain_id.clone(),
            });
        }
        let mut signers: Vec<&str> = commit
            .signatures
            .iter()
            .filter(|s| {
                self.validator(&s.validator)
                    .is_some_and(|key| s.verifies(header, key))
            })
            .map(|s| s.validator.as_str())
            .collect();
        signers.sort_unstable();
        signers.dedup();
        if signers.len() < self.quorum() {
            return Err(ProofError::NoQuorum {
                height: header.height,
                signed: signers.len(),
                validators: self.validators.len(),
                quorum: self.quorum(),
            });
        }
        Ok(())
    }

    /// Checks `answer` as the answer about `name`: a final header, and a proof from its state
    /// tree root to the record (or to the record's absence). Returns the record, read as `T`.
    pub fn check<T: DeserializeOwned + Serialize>(
        &self,
        name: &RecordName,
        answer: &Proven,
    ) -> Result<Option<T>, ProofError> {
        let asked = name.text();
        if answer.name != asked {
            return Err(ProofError::WrongName {
                asked,
                found: answer.name.clone(),
            });
        }
        let root = match &answer.commit {
            Some(commit) => {
                self.check_commit(commit)?;
                let header = &commit.header;
                header
                    .state_tree_root
                    .as_deref()
                    .and_then(merkle::from_hex)
                    .ok_or(ProofError::NoStateTree(header.height))?
            }
            None => EMPTY,
        };
        let record: Option<T> = answer
            .record
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| ProofError::BadRecord(e.to_string()))?;
        // The digest of the record as received: a record that only reads as `T` after
        // dropping or defaulting fields would hash differently and fail.
        let value = answer
            .record
            .as_ref()
            .map(digest)
            .transpose()
            .map_err(|e| ProofError::BadRecord(e.to_string()))?;
        if !answer.proof.verify(&root, &name.key(), value.as_ref()) {
            return Err(ProofError::BadProof);
        }
        Ok(record)
    }
}
