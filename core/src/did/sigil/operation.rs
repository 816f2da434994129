//! `did:sigil` operations (DID-METHOD.md §3): their wire form, canonical bytes, signatures
//! and hashes, and builders for clients.
//!
//! An operation is JSON, signed with Ed25519 over the JCS canonical form of the operation
//! without its `proof`. Unknown members are refused, so that what is signed is exactly what
//! is applied.

use super::digest as hash;
use crate::did::Did;
use crate::key::{PublicKey, SigningKey};
use crate::time::{Timestamp, format_datetime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The four operations of the method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperationKind {
    /// Inception: creates the DID, whose identifier is the hash of this operation.
    Create,
    /// Adds or retires verification methods, or replaces services; signed by the controller key.
    Update,
    /// Replaces the controller key; signed by the pre-committed next key; may mark
    /// verification methods compromised.
    Rotate,
    /// Ends the DID; signed by the pre-committed next key.
    Deactivate,
}

/// A verification relationship a method is added for (DID Core §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    AssertionMethod,
    Authentication,
    CapabilityInvocation,
    CapabilityDelegation,
}

impl Purpose {
    /// Every purpose, in document order.
    pub const ALL: [Purpose; 4] = [
        Purpose::Authentication,
        Purpose::AssertionMethod,
        Purpose::CapabilityInvocation,
        Purpose::CapabilityDelegation,
    ];
}

/// A verification method to add: a fragment, a Multikey and its purposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MethodSpec {
    /// The fragment, without `#` (for example `key-1`).
    pub id: String,
    pub public_key_multibase: String,
    pub purposes: Vec<Purpose>,
}

/// A verification method declared compromised from a time on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Compromise {
    /// The fragment of the compromised method.
    pub id: String,
    /// From when it must be distrusted (RFC 3339).
    pub since: String,
}

/// The signature on an operation: the signer's public key and the Ed25519 signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OperationProof {
    /// The signing key as a Multikey. For `rotate` and `deactivate` this reveals the key the
    /// previous controller change committed to.
    pub key: String,
    /// base58btc multibase of the 64-byte Ed25519 signature over the canonical bytes.
    pub signature: String,
}

/// A `did:sigil` operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DidOperation {
    #[serde(rename = "type")]
    pub kind: OperationKind,
    /// The DID operated on; absent in `create`, whose DID is derived from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub did: Option<String>,
    /// The hash of the DID's previous operation; absent in `create`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// When the controller made the operation (RFC 3339).
    pub time: String,
    /// `create` and `rotate`: the new controller key (Multikey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_key: Option<String>,
    /// `create` and `rotate`: the commitment to the next controller key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_key_commitment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_methods: Vec<MethodSpec>,
    /// Fragments of methods retired by normal rotation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retire_methods: Vec<String>,
    /// `rotate` only: methods to distrust from a time on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compromised_methods: Vec<Compromise>,
    /// Replaces the DID's services when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<OperationProof>,
}

impl DidOperation {
    /// A blank operation of `kind` at `time`.
    pub fn new(kind: OperationKind, time: Timestamp) -> Self {
        DidOperation {
            kind,
            did: None,
            prev: None,
            time: format_datetime(time),
            controller_key: None,
            next_key_commitment: None,
            add_methods: vec![],
            retire_methods: vec![],
            compromised_methods: vec![],
            services: None,
            proof: None,
        }
    }

    /// The JCS bytes that are signed: the operation without its proof.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_jcs::to_vec(&Unsigned::of(self))
    }

    /// Signs the operation with `key`, replacing any proof.
    pub fn sign(mut self, key: &SigningKey) -> Result<Self, serde_json::Error> {
        let signature = key.sign(&self.signing_bytes()?);
        self.proof = Some(OperationProof {
            key: key.public_key().to_multikey(),
            signature: format!("z{}", bs58::encode(signature).into_string()),
        });
        Ok(self)
    }

    /// The operation's hash, which the next operation names as `prev`: the digest of the
    /// whole signed operation.
    pub fn hash(&self) -> Result<String, serde_json::Error> {
        hash::digest_jcs(self)
    }

    /// The DID a `create` operation makes: `did:sigil:` + the digest of the unsigned inception.
    pub fn created_did(&self) -> Result<Did, serde_json::Error> {
        Self::did_of_inception(&self.signing_bytes()?)
    }

    /// The DID a `create` operation whose [`Self::signing_bytes`] are `signing_bytes` makes.
    pub fn did_of_inception(signing_bytes: &[u8]) -> Result<Did, serde_json::Error> {
        let scid = hash::digest(signing_bytes);
        // The digest is `z` + base58btc: idchars only, so the DID is always valid.
        Did::parse(&format!("did:sigil:{scid}")).map_err(serde::de::Error::custom)
    }

    /// Checks the proof's signature against the key it names; returns that key.
    pub fn verify_signature(&self) -> Result<PublicKey, SignatureProblem> {
        let (key, signature) = self.proof_signature()?;
        let bytes = self.signing_bytes().map_err(|_| SignatureProblem::Malformed)?;
        key.verify(&bytes, &signature)
            .map_err(|_| SignatureProblem::Invalid)?;
        Ok(key)
    }

    /// The key the proof names and the signature's bytes, read but not yet checked against
    /// anything: for a caller that checks signatures in a batch.
    pub fn proof_signature(&self) -> Result<(PublicKey, Vec<u8>), SignatureProblem> {
        let proof = self.proof.as_ref().ok_or(SignatureProblem::Missing)?;
        let key =
            PublicKey::from_multikey(&proof.key).map_err(|e| SignatureProblem::BadKey(e.to_string()))?;
        let signature = proof
            .signature
            .strip_prefix('z')
            .and_then(|text| bs58::decode(text).into_vec().ok())
            .ok_or(SignatureProblem::Malformed)?;
        Ok((key, signature))
    }
}

/// An operation without its proof, borrowed: what [`DidOperation::signing_bytes`] encodes,
/// so that reading a signature does not copy the operation (the registry does it for every
/// operation it ingests). Its members and their spelling are the operation's; [`Unsigned::of`]
/// names every field of [`DidOperation`], so a field added there does not compile until it is
/// added here, and a test compares the two encodings.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Unsigned<'a> {
    #[serde(rename = "type")]
    kind: OperationKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    did: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: Option<&'a String>,
    time: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    controller_key: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_key_commitment: Option<&'a String>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    add_methods: &'a [MethodSpec],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    retire_methods: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    compromised_methods: &'a [Compromise],
    #[serde(skip_serializing_if = "Option::is_none")]
    services: Option<&'a Vec<Value>>,
}

impl<'a> Unsigned<'a> {
    fn of(operation: &'a DidOperation) -> Self {
        let DidOperation {
            kind,
            did,
            prev,
            time,
            controller_key,
            next_key_commitment,
            add_methods,
            retire_methods,
            compromised_methods,
            services,
            proof: _,
        } = operation;
        Unsigned {
            kind: *kind,
            did: did.as_ref(),
            prev: prev.as_ref(),
            time,
            controller_key: controller_key.as_ref(),
            next_key_commitment: next_key_commitment.as_ref(),
            add_methods,
            retire_methods,
            compromised_methods,
            services: services.as_ref(),
        }
    }
}

/// What is wrong with an operation's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureProblem {
    Missing,
    BadKey(String),
    Malformed,
    Invalid,
}

/// Builds the `create` operation of a new DID: `controller` signs it, `next` is the key the
/// next controller change must be signed with (only its commitment goes into the operation),
/// and `methods` are the DID's first verification methods.
pub fn create(
    controller: &SigningKey,
    next: &PublicKey,
    methods: Vec<MethodSpec>,
    time: Timestamp,
) -> Result<DidOperation, serde_json::Error> {
    let mut op = DidOperation::new(OperationKind::Create, time);
    op.controller_key = Some(controller.public_key().to_multikey());
    op.next_key_commitment = Some(hash::key_commitment(&next.to_multikey()));
    op.add_methods = methods;
    op.sign(controller)
}

/// A method spec for an Ed25519 key with the given purposes.
pub fn method(id: &str, key: &PublicKey, purposes: &[Purpose]) -> MethodSpec {
    MethodSpec {
        id: id.to_owned(),
        public_key_multibase: key.to_multikey(),
        purposes: purposes.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The borrowed encoding is byte for byte the operation's own without its proof, with
    /// every member present and with only the required ones.
    #[test]
    fn the_signed_bytes_are_the_operation_without_its_proof() {
        let full = DidOperation {
            kind: OperationKind::Rotate,
            did: Some("did:sigil:zExample".into()),
            prev: Some("zPrevious".into()),
            time: "2026-01-01T00:00:00Z".into(),
            controller_key: Some("z6MkController".into()),
            next_key_commitment: Some("zNext".into()),
            add_methods: vec![MethodSpec {
                id: "key-2".into(),
                public_key_multibase: "z6MkMethod".into(),
                purposes: vec![Purpose::AssertionMethod, Purpose::Authentication],
            }],
            retire_methods: vec!["key-0".into()],
            compromised_methods: vec![Compromise {
                id: "key-1".into(),
                since: "2025-12-01T00:00:00Z".into(),
            }],
            services: Some(vec![
                serde_json::json!({"id": "#web", "type": "LinkedDomains", "é": "ü\"\u{1F600}"}),
            ]),
            proof: Some(OperationProof {
                key: "z6MkSigner".into(),
                signature: "zSignature".into(),
            }),
        };
        let bare = DidOperation {
            proof: Some(OperationProof {
                key: "z6MkSigner".into(),
                signature: "zSignature".into(),
            }),
            ..DidOperation::new(OperationKind::Create, crate::time::now())
        };
        for operation in [full, bare] {
            let owned = serde_jcs::to_vec(&DidOperation {
                proof: None,
                ..operation.clone()
            })
            .unwrap();
            assert_eq!(operation.signing_bytes().unwrap(), owned);
        }
    }
}
