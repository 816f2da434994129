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
use super::validators::ValidatorSet;
use crate::key::PublicKey;
use crate::merkle;
use crate::transaction::governance::{Governance, GovernanceError};
use crate::transaction::{BlockHeader, Receipt, Transaction};

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
        Ok(Self::sign_message(&header.signing_bytes()?, validator))
    }

    /// Signs `message` as `validator`.
    pub fn sign_message(message: &[u8], validator: &crate::key::SigningKey) -> Self {
        let signature = validator.sign(message);
        ValidatorSignature {
            validator: validator.public_key().to_multikey(),
            signature: format!("z{}", bs58::encode(signature).into_string()),
        }
    }

    /// Whether this is `key`'s valid signature over `header`.
    pub fn verifies(&self, header: &BlockHeader, key: &PublicKey) -> bool {
        header
            .signing_bytes()
            .is_ok_and(|bytes| self.verifies_message(&bytes, key))
    }

    /// Whether this is `key`'s valid signature over `message`.
    pub fn verifies_message(&self, message: &[u8], key: &PublicKey) -> bool {
        self.signature
            .strip_prefix('z')
            .and_then(|text| bs58::decode(text).into_vec().ok())
            .is_some_and(|signature| key.verify(message, &signature).is_ok())
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

/// The validators a client trusts: those of a genesis it chose, then each set a governance
/// change it checked made ([`ChainTrust::follow`]). A header is final when a quorum of the set
/// in force after its block signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainTrust {
    chain_id: String,
    genesis_hash: String,
    /// Genesis's validator set, from height 0.
    genesis: Epoch,
    /// The set each followed change made, oldest first.
    changed: Vec<Epoch>,
}

/// A validator set and the first block it signs for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Epoch {
    /// The block of the change that made this set (0: genesis).
    from: u64,
    validators: ValidatorSet,
}

/// A governance change as a client receives it: the transaction, and the receipt that places
/// it in a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GovernanceStep {
    pub change: Governance,
    pub receipt: Receipt,
}

/// Why a governance change is not followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Governance(#[from] GovernanceError),
    #[error("the receipt does not place the change in a block the validators in force proposed: {0}")]
    Receipt(String),
}

impl ChainTrust {
    /// The trust `genesis` defines.
    pub fn new(genesis: &Genesis) -> Result<ChainTrust, GenesisError> {
        genesis.check()?;
        let validators = ValidatorSet::new(&genesis.validators).map_err(|e| GenesisError(e.to_string()))?;
        Ok(ChainTrust {
            chain_id: genesis.chain_id.clone(),
            genesis_hash: genesis.hash()?,
            genesis: Epoch { from: 0, validators },
            changed: Vec::new(),
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

    /// How many governance changes this trust has followed.
    pub fn changes(&self) -> u64 {
        self.changed.len() as u64
    }

    /// The newest validator set this trust knows.
    pub fn validators(&self) -> &ValidatorSet {
        &self.newest().validators
    }

    fn newest(&self) -> &Epoch {
        self.changed.last().unwrap_or(&self.genesis)
    }

    /// The validator set that signs the header at `height`.
    pub fn validators_at(&self, height: u64) -> &ValidatorSet {
        let epoch = self
            .changed
            .iter()
            .rev()
            .find(|epoch| epoch.from <= height)
            .unwrap_or(&self.genesis);
        &epoch.validators
    }

    /// The key of a validator of this chain at any time this trust knows, by Multikey.
    pub fn validator(&self, multikey: &str) -> Option<&PublicKey> {
        self.changed
            .iter()
            .rev()
            .chain([&self.genesis])
            .find_map(|epoch| epoch.validators.key(multikey))
    }

    /// Follows one governance change: checked against the newest set as the ledger checks it
    /// (its number, its chain, a quorum's signatures), placed by its receipt in a block at or
    /// after the newest set's first, whose proposer is of that set. From that block on, the
    /// change's set signs.
    pub fn follow(&mut self, step: &GovernanceStep) -> Result<(), FollowError> {
        let newest = self.newest();
        step.change
            .check(&self.chain_id, self.changes(), &newest.validators)?;
        let receipt = &step.receipt;
        let header = &receipt.header;
        let transaction = Transaction::Governance(step.change.clone());
        let hash = transaction
            .hash()
            .map_err(|e| FollowError::Receipt(e.to_string()))?;
        if receipt.tx_hash != hash || !receipt.verify() {
            return Err(FollowError::Receipt(
                "it is not this change's, or its inclusion proof fails".into(),
            ));
        }
        if header.chain_id != self.chain_id || header.height != receipt.height || header.height < newest.from
        {
            return Err(FollowError::Receipt(format!(
                "block {} of chain {}",
                header.height, header.chain_id
            )));
        }
        let proposed = Commit::proposed(header.clone());
        let signed = header
            .signing_bytes()
            .map(|bytes| newest.validators.signers(&bytes, &proposed.signatures).len())
            .unwrap_or(0);
        if signed == 0 {
            return Err(FollowError::Receipt(format!(
                "block {} is not signed by a validator in force",
                header.height
            )));
        }
        let current: Vec<String> = newest.validators.multikeys().cloned().collect();
        let next = step.change.change.next_validators(&current)?;
        let validators = ValidatorSet::new(&next).map_err(|e| GovernanceError::Invalid(e.to_string()))?;
        self.changed.push(Epoch {
            from: header.height,
            validators,
        });
        Ok(())
    }

    /// Follows every change of `steps` not yet followed, in order.
    pub fn follow_all(&mut self, steps: &[GovernanceStep]) -> Result<(), FollowError> {
        for step in steps {
            if step.change.sequence > self.changes() {
                self.follow(step)?;
            }
        }
        Ok(())
    }

    /// Checks that `commit` is final: of this chain, and validly signed by a quorum of
    /// distinct validators of the set in force at its height.
    pub fn check_commit(&self, commit: &Commit) -> Result<(), ProofError> {
        let header = &commit.header;
        if header.chain_id != self.chain_id {
            return Err(ProofError::WrongChain {
                expected: self.chain_id.clone(),
                found: header.chain_id.clone(),
            });
        }
        let validators = self.validators_at(header.height);
        let signed = header
            .signing_bytes()
            .map(|bytes| validators.signers(&bytes, &commit.signatures).len())
            .unwrap_or(0);
        if signed < validators.quorum() {
            return Err(ProofError::NoQuorum {
                height: header.height,
                signed,
                validators: validators.len(),
                quorum: validators.quorum(),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::key::SigningKey;
    use crate::transaction::governance::GovernanceChange;

    fn genesis(keys: &[SigningKey]) -> Genesis {
        Genesis {
            chain_id: "chain".into(),
            time: "2026-01-01T00:00:00Z".into(),
            validators: keys.iter().map(|k| k.public_key().to_multikey()).collect(),
            roots_of_trust: vec![],
            root_names: Default::default(),
        }
    }

    /// `change` in a block of its own at `height`, proposed by `proposer`.
    fn step(change: Governance, height: u64, proposer: &SigningKey) -> GovernanceStep {
        let hash = Transaction::Governance(change.clone()).hash().unwrap();
        let mut header = BlockHeader {
            chain_id: "chain".into(),
            height,
            prev_hash: "zPrev".into(),
            time: "2026-02-01T00:00:00Z".into(),
            tx_root: merkle::hex(&merkle::root(&[merkle::leaf_hash(hash.as_bytes())])),
            state_root: "zState".into(),
            state_tree_root: None,
            proposer: proposer.public_key().to_multikey(),
            signature: None,
        };
        header.signature = Some(ValidatorSignature::sign(&header, proposer).unwrap().signature);
        GovernanceStep {
            change,
            receipt: Receipt {
                tx_hash: hash,
                height,
                index: 0,
                block_size: 1,
                inclusion_proof: vec![],
                header,
            },
        }
    }

    fn add(sequence: u64, newcomer: &SigningKey, signers: &[&SigningKey]) -> Governance {
        let change = GovernanceChange::AddValidator {
            validator: newcomer.public_key().to_multikey(),
            node: "http://127.0.0.1:7410".into(),
        };
        let mut proposal = Governance::propose("chain", sequence, change, "2026-02-01T00:00:00Z".into());
        for signer in signers {
            proposal.sign(signer).unwrap();
        }
        proposal
    }

    fn commit(height: u64, signers: &[&SigningKey]) -> Commit {
        let header = BlockHeader {
            chain_id: "chain".into(),
            height,
            prev_hash: "zPrev".into(),
            time: "2026-03-01T00:00:00Z".into(),
            tx_root: "00".into(),
            state_root: "zState".into(),
            state_tree_root: None,
            proposer: signers[0].public_key().to_multikey(),
            signature: None,
        };
        let signatures = signers
            .iter()
            .map(|key| ValidatorSignature::sign(&header, key).unwrap())
            .collect();
        Commit { header, signatures }
    }

    #[test]
    fn a_client_follows_changes_a_quorum_signed_and_then_checks_headers_against_the_new_set() {
        let keys: Vec<SigningKey> = (0..4).map(|_| SigningKey::generate()).collect();
        let (a, b, c, d) = (&keys[0], &keys[1], &keys[2], &keys[3]);
        let mut trust = ChainTrust::new(&genesis(&[a.clone(), b.clone()])).unwrap();

        // Two of two add a third, then three of three a fourth.
        let steps = [step(add(1, c, &[a, b]), 5, a), step(add(2, d, &[a, b, c]), 9, c)];
        trust.follow_all(&steps).unwrap();
        trust.follow_all(&steps).unwrap();
        assert_eq!(trust.changes(), 2);
        assert_eq!(trust.validators().len(), 4);
        // Before block 5 genesis's two signed; from block 9 a quorum of four must.
        assert!(trust.check_commit(&commit(4, &[a, b])).is_ok());
        assert!(matches!(
            trust.check_commit(&commit(9, &[a, b])),
            Err(ProofError::NoQuorum { quorum: 3, .. })
        ));
        assert!(trust.check_commit(&commit(9, &[b, c, d])).is_ok());
    }

    #[test]
    fn a_change_without_a_quorum_or_out_of_place_is_not_followed() {
        let keys: Vec<SigningKey> = (0..3).map(|_| SigningKey::generate()).collect();
        let (a, b, c) = (&keys[0], &keys[1], &keys[2]);
        let intruder = SigningKey::generate();
        let trust = ChainTrust::new(&genesis(&[a.clone(), b.clone(), c.clone()])).unwrap();

        let refused = |step: GovernanceStep| trust.clone().follow(&step).is_err();
        // One of three, or a stranger's signatures.
        assert!(refused(step(add(1, &intruder, &[a]), 5, a)));
        assert!(refused(step(add(1, &intruder, &[a, &intruder]), 5, a)));
        // Not the next change.
        assert!(refused(step(add(2, &intruder, &[a, b]), 5, a)));
        // In a block no validator proposed.
        assert!(refused(step(add(1, &intruder, &[a, b]), 5, &intruder)));
        // A receipt for another transaction.
        let mut other = step(add(1, &intruder, &[a, b]), 5, a);
        other.change.time = "2026-02-02T00:00:00Z".into();
        assert!(refused(other));
        assert!(!refused(step(add(1, &intruder, &[a, b]), 5, a)));
    }
}
