//! DID documents (DID Core §5) and their verification methods, in the subset Sigil reads:
//! `Multikey` (Controlled Identifiers §2.2.2) and `JsonWebKey` (§2.2.3) methods, referenced
//! from verification relationships either by id or embedded.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::key::{Jwk, KeyError, PublicKey};

/// The JSON-LD context of DID documents.
pub const DID_V1_CONTEXT: &str = "https://www.w3.org/ns/did/v1";
/// The JSON-LD context that defines `Multikey`.
pub const MULTIKEY_V1_CONTEXT: &str = "https://w3id.org/security/multikey/v1";

/// A DID document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DidDocument {
    #[serde(rename = "@context", default, skip_serializing_if = "Value::is_null")]
    pub context: Value,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verification_method: Vec<VerificationMethod>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication: Vec<MethodReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assertion_method: Vec<MethodReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capability_invocation: Vec<MethodReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capability_delegation: Vec<MethodReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service: Vec<Value>,
    /// Members Sigil does not interpret, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A verification method (DID Core §5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMethod {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub controller: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_multibase: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_jwk: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An entry of a verification relationship: a reference to a method, or one embedded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MethodReference {
    Reference(String),
    Embedded(Box<VerificationMethod>),
}

/// The verification relationships of DID Core §5.3 that Sigil checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// Issuing credentials (`proofPurpose` `assertionMethod`).
    AssertionMethod,
    /// Proving control, as a holder does in a presentation (`authentication`).
    Authentication,
}

impl Relationship {
    /// The relationship's name, as used in DID documents and `proofPurpose`.
    pub fn name(self) -> &'static str {
        match self {
            Relationship::AssertionMethod => "assertionMethod",
            Relationship::Authentication => "authentication",
        }
    }
}

impl VerificationMethod {
    /// The public key of this method.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        if let Some(multibase) = &self.public_key_multibase {
            return PublicKey::from_multikey(multibase);
        }
        if let Some(jwk) = &self.public_key_jwk {
            return PublicKey::from_jwk(&Jwk::from_value(jwk)?);
        }
        Err(KeyError::InvalidMultikey(format!(
            "verification method {} has neither publicKeyMultibase nor publicKeyJwk",
            self.id
        )))
    }
}

impl DidDocument {
    /// The document of a DID that is one key (`did:key`, `did:jwk`): the key is its only
    /// verification method and serves every verification relationship.
    pub fn for_single_key(id: &str, context: Value, method: VerificationMethod) -> Self {
        let reference = || vec![MethodReference::Reference(method.id.clone())];
        DidDocument {
            context,
            id: id.to_owned(),
            controller: None,
            authentication: reference(),
            assertion_method: reference(),
            capability_invocation: reference(),
            capability_delegation: reference(),
            verification_method: vec![method],
            service: vec![],
            extra: Map::new(),
        }
    }

    /// Finds the verification method `id` (absolute, or a relative `#fragment`) in the given
    /// relationship. Returns `None` when the method is not authorised for that relationship.
    pub fn method_for(&self, id: &str, relationship: Relationship) -> Option<VerificationMethod> {
        let references = match relationship {
            Relationship::AssertionMethod => &self.assertion_method,
            Relationship::Authentication => &self.authentication,
        };
        references.iter().find_map(|reference| match reference {
            MethodReference::Embedded(method) if self.same_id(&method.id, id) => Some((**method).clone()),
            MethodReference::Reference(target) if self.same_id(target, id) => self
                .verification_method
                .iter()
                .find(|method| self.same_id(&method.id, id))
                .cloned(),
            _ => None,
        })
    }

    /// Any verification method with this id, whatever its relationships.
    pub fn method(&self, id: &str) -> Option<&VerificationMethod> {
        self.verification_method.iter().find(|m| self.same_id(&m.id, id))
    }

    /// Compares method ids, resolving relative references (`#key-1`) against the document id.
    fn same_id(&self, a: &str, b: &str) -> bool {
        self.absolute(a) == self.absolute(b)
    }

    fn absolute(&self, id: &str) -> String {
        if id.starts_with('#') {
            format!("{}{id}", self.id)
        } else {
            id.to_owned()
        }
    }
}
