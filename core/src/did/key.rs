//! The `did:key` method (W3C CCG did:key v0.7) for Ed25519 and P-256 keys: the DID is the
//! key's Multikey, and the document is generated from it, so resolution needs no network.

use serde_json::{Map, json};

use super::document::{DID_V1_CONTEXT, DidDocument, MULTIKEY_V1_CONTEXT, VerificationMethod};
use super::{Did, ResolutionError};
use crate::key::PublicKey;

/// The `did:key` of a public key.
pub fn did_for(key: &PublicKey) -> Did {
    // A Multikey is base58btc, all idchars; the DID is valid by construction.
    Did(format!("did:key:{}", key.to_multikey()))
}

/// The id of the single verification method of a `did:key` document.
pub fn method_id_for(key: &PublicKey) -> String {
    let multikey = key.to_multikey();
    format!("did:key:{multikey}#{multikey}")
}

/// Resolves a `did:key` into its DID document.
pub fn resolve(did: &Did) -> Result<DidDocument, ResolutionError> {
    let multikey = did.method_specific_id();
    let key =
        PublicKey::from_multikey(multikey).map_err(|e| ResolutionError::InvalidDid(format!("{did}: {e}")))?;
    let method_id = format!("{did}#{multikey}");
    let method = VerificationMethod {
        id: method_id,
        type_: "Multikey".into(),
        controller: did.to_string(),
        public_key_multibase: Some(key.to_multikey()),
        public_key_jwk: None,
        extra: Map::new(),
    };
    Ok(DidDocument::for_single_key(
        did.as_str(),
        json!([DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT]),
        method,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::document::Relationship;
    use crate::key::SigningKey;

    #[test]
    fn a_did_key_resolves_to_its_own_key() {
        let key = SigningKey::from_seed(&[3; 32]).public_key();
        let did = did_for(&key);
        let document = resolve(&did).unwrap();
        let method = document
            .method_for(&method_id_for(&key), Relationship::AssertionMethod)
            .unwrap();
        assert_eq!(method.public_key(), Ok(key));
    }

    #[test]
    fn a_did_key_with_a_bad_key_is_an_invalid_did() {
        let did = Did::parse("did:key:z6MkInvalid").unwrap();
        assert!(matches!(resolve(&did), Err(ResolutionError::InvalidDid(_))));
    }
}
