//! What applying a transaction reads that costs an encoding, a hash or a signature check,
//! worked out once and before the transaction is applied.
//!
//! Applying a `did:sigil` create used to encode the transaction or its operation in JCS about
//! nine times — to measure it, hash it, hash the operation, check its signature, derive its
//! DID, name the record it touched, build the block's Merkle leaves — and to check its
//! Ed25519 signature on its own. [`prepare`] does each of these once; [`prepare_block`] does
//! it for a block's transactions together: split among the cores, and each share's Ed25519
//! signatures checked in one batch (see `sigil_core::verify::DeferredSignatures`). A share
//! whose batch fails is checked again one signature at a time, so that every operation keeps
//! its own verdict.
//!
//! Preparing decides nothing. `apply` reads a prepared transaction's facts in the order the
//! rules check them, so a transaction is refused for the same reason whether it was prepared
//! alone or in a block, by the node that produced the block or by one replaying it.

use sigil_core::did::Did;
use sigil_core::did::sigil::digest;
use sigil_core::key::PublicKey;
use sigil_core::verify::DeferredSignatures;

use super::Transaction;
use super::error::LedgerError;
use super::limits;
use super::operation::{DidOperation, OperationKind, SignatureProblem};

/// Fewer transactions than this are prepared on the calling thread: a thread costs more than
/// it saves.
const SHARED_FROM: usize = 32;

/// A transaction with its facts worked out, ready for `apply`.
#[derive(Debug)]
pub struct Prepared<'a> {
    transaction: &'a Transaction,
    facts: Result<Facts, LedgerError>,
}

#[derive(Debug)]
struct Facts {
    /// The transaction's hash.
    hash: String,
    /// For a `did:sigil` operation, what the DID rules read.
    operation: Option<OperationFacts>,
}

/// What the `did:sigil` rules read from an operation.
#[derive(Debug)]
pub(super) struct OperationFacts {
    signature: SignatureCheck,
    /// The operation's hash (what the next operation names as `prev`).
    pub(super) hash: String,
    /// The DID a `create` makes.
    pub(super) created: Option<Did>,
    /// The key of each method the operation adds, in its order; or why it is not one.
    pub(super) method_keys: Vec<Result<PublicKey, String>>,
}

/// Where the check of an operation's signature stands.
#[derive(Debug)]
enum SignatureCheck {
    /// Checked: the proof's key, or what is wrong with the proof.
    Done(Result<PublicKey, SignatureProblem>),
    /// Set aside in a batch that has not been decided yet.
    Deferred {
        key: PublicKey,
        message: Vec<u8>,
        signature: Vec<u8>,
    },
}

impl OperationFacts {
    /// The key whose signature the operation carries; or what is wrong with it.
    pub(super) fn signer(&self) -> Result<PublicKey, SignatureProblem> {
        match &self.signature {
            SignatureCheck::Done(outcome) => outcome.clone(),
            // Only a batch's outcome resolves a deferred check; were one left, it is checked
            // here rather than taken on trust.
            SignatureCheck::Deferred {
                key,
                message,
                signature,
            } => check_alone(key, message, signature),
        }
    }

    /// Settles a deferred check once its batch is decided: valid if the batch holds, and
    /// otherwise checked alone.
    fn settle(&mut self, batch_holds: bool) {
        let SignatureCheck::Deferred {
            key,
            message,
            signature,
        } = &self.signature
        else {
            return;
        };
        self.signature = if batch_holds {
            SignatureCheck::Done(Ok(*key))
        } else {
            SignatureCheck::Done(check_alone(key, message, signature))
        };
    }
}

impl<'a> Prepared<'a> {
    /// The transaction.
    pub fn transaction(&self) -> &'a Transaction {
        self.transaction
    }

    /// The transaction's hash; `None` when it was refused before it was hashed (too large).
    pub fn hash(&self) -> Option<&str> {
        self.facts.as_ref().ok().map(|facts| facts.hash.as_str())
    }

    /// The DID a `did:sigil` operation is about: the one it names, or the one a `create`
    /// makes.
    pub fn did(&self) -> Option<String> {
        let Transaction::Did(operation) = self.transaction else {
            return None;
        };
        let created = self.facts.as_ref().ok()?.operation.as_ref()?.created.as_ref();
        operation.did.clone().or_else(|| created.map(ToString::to_string))
    }

    /// The transaction's hash and, for a `did:sigil` operation, its facts; or why the
    /// transaction is refused before any rule reads it.
    pub(super) fn facts(&self) -> Result<(&str, Option<&OperationFacts>), LedgerError> {
        match &self.facts {
            Ok(facts) => Ok((&facts.hash, facts.operation.as_ref())),
            Err(error) => Err(error.clone()),
        }
    }
}

/// Prepares one transaction, checking its signature on its own.
pub fn prepare(transaction: &Transaction) -> Prepared<'_> {
    Prepared {
        transaction,
        facts: facts(transaction, None),
    }
}

/// Prepares a block's transactions, in their order: among the cores, with each share's
/// Ed25519 signatures checked in one batch.
pub fn prepare_block(transactions: &[Transaction]) -> Vec<Prepared<'_>> {
    crate::parallel::in_shares(transactions, SHARED_FROM, prepare_batched)
}

/// Prepares `transactions` on this thread, their Ed25519 signatures in one batch.
fn prepare_batched(transactions: &[Transaction]) -> Vec<Prepared<'_>> {
    let batch = DeferredSignatures::new();
    let mut prepared: Vec<Prepared<'_>> = transactions
        .iter()
        .map(|transaction| Prepared {
            transaction,
            facts: facts(transaction, Some(&batch)),
        })
        .collect();
    let batch_holds = batch.all_verify();
    for entry in &mut prepared {
        if let Ok(Facts {
            operation: Some(operation),
            ..
        }) = &mut entry.facts
        {
            operation.settle(batch_holds);
        }
    }
    prepared
}

fn facts(transaction: &Transaction, batch: Option<&DeferredSignatures>) -> Result<Facts, LedgerError> {
    limits::check_fields(transaction)?;
    let Transaction::Did(operation) = transaction else {
        let encoded = serde_jcs::to_vec(transaction).map_err(malformed)?;
        limits::check_encoded_size(encoded.len())?;
        return Ok(Facts {
            hash: digest::digest(&encoded),
            operation: None,
        });
    };
    let encoded_operation = serde_jcs::to_vec(operation).map_err(malformed)?;
    let encoded = wrapped_operation(&encoded_operation);
    limits::check_encoded_size(encoded.len())?;
    let signing_bytes = operation.signing_bytes().map_err(malformed)?;
    let created = match operation.kind {
        OperationKind::Create => Some(DidOperation::did_of_inception(&signing_bytes).map_err(malformed)?),
        _ => None,
    };
    Ok(Facts {
        hash: digest::digest(&encoded),
        operation: Some(OperationFacts {
            signature: signature_check(operation, signing_bytes, batch),
            hash: digest::digest(&encoded_operation),
            created,
            method_keys: operation
                .add_methods
                .iter()
                .map(|method| {
                    PublicKey::from_multikey(&method.public_key_multibase).map_err(|e| e.to_string())
                })
                .collect(),
        }),
    })
}

/// The JCS form of `Transaction::Did(operation)` from the operation's: an object of one
/// member is its name and its value's canonical form, so the operation is not encoded twice.
fn wrapped_operation(encoded_operation: &[u8]) -> Vec<u8> {
    const OPEN: &[u8] = br#"{"did":"#;
    let mut encoded = Vec::with_capacity(OPEN.len() + encoded_operation.len() + 1);
    encoded.extend_from_slice(OPEN);
    encoded.extend_from_slice(encoded_operation);
    encoded.push(b'}');
    encoded
}

/// Checks the operation's signature, or sets it aside in `batch`.
fn signature_check(
    operation: &DidOperation,
    signing_bytes: Vec<u8>,
    batch: Option<&DeferredSignatures>,
) -> SignatureCheck {
    let (key, signature) = match operation.proof_signature() {
        Ok(parts) => parts,
        Err(problem) => return SignatureCheck::Done(Err(problem)),
    };
    if let (Some(batch), PublicKey::Ed25519(ed25519)) = (batch, &key) {
        if batch.defer(ed25519, &signing_bytes, &signature) {
            return SignatureCheck::Deferred {
                key,
                message: signing_bytes,
                signature,
            };
        }
    }
    SignatureCheck::Done(check_alone(&key, &signing_bytes, &signature))
}

/// Checks one signature on its own (Ed25519 strictly).
fn check_alone(key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<PublicKey, SignatureProblem> {
    key.verify(message, signature)
        .map(|()| *key)
        .map_err(|_| SignatureProblem::Invalid)
}

fn malformed(error: impl std::fmt::Display) -> LedgerError {
    LedgerError::Malformed(error.to_string())
}
