//! The `did:jwk` method: the DID is the base64url of a public JWK, and the document has one
//! `JsonWebKey` verification method, `#0`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, json};

use super::document::{DID_V1_CONTEXT, DidDocument, VerificationMethod};
use super::{Did, ResolutionError};
use crate::key::{Jwk, PublicKey};

/// The JSON-LD context that defines `JsonWebKey`.
const JWS_2020_CONTEXT: &str = "https://w3id.org/security/suites/jws-2020/v1";

/// The `did:jwk` of a public key.
pub fn did_for(key: &PublicKey) -> Did {
    let jwk = serde_jcs::to_vec(&key.to_jwk()).unwrap_or_default();
    Did(format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(jwk)))
}

/// Resolves a `did:jwk` into its DID document. Private JWKs are refused.
pub fn resolve(did: &Did) -> Result<DidDocument, ResolutionError> {
    let invalid = |reason: String| ResolutionError::InvalidDid(format!("{did}: {reason}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(did.method_specific_id())
        .map_err(|_| invalid("not base64url".into()))?;
    let value = crate::json::parse(std::str::from_utf8(&bytes).map_err(|_| invalid("not UTF-8".into()))?)
        .map_err(|e| invalid(e.to_string()))?;
    let jwk = Jwk::from_value(&value).map_err(|e| invalid(e.to_string()))?;
    PublicKey::from_jwk(&jwk).map_err(|e| invalid(e.to_string()))?;
    let method_id = format!("{did}#0");
    let method = VerificationMethod {
        id: method_id,
        type_: "JsonWebKey".into(),
        controller: did.to_string(),
        public_key_multibase: None,
        public_key_jwk: Some(value),
        extra: Map::new(),
    };
    Ok(DidDocument::for_single_key(
        did.as_str(),
        json!([DID_V1_CONTEXT, JWS_2020_CONTEXT]),
        method,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::document::Relationship;
    use crate::key::SigningKey;

    #[test]
    fn a_did_jwk_resolves_to_its_key() {
        let key = SigningKey::from_seed(&[4; 32]).public_key();
        let did = did_for(&key);
        let document = resolve(&did).unwrap();
        let method = document
            .method_for(&format!("{did}#0"), Relationship::AssertionMethod)
            .unwrap();
        assert_eq!(method.public_key(), Ok(key));
    }

    #[test]
    fn a_did_jwk_holding_a_private_key_is_refused() {
        let jwk = SigningKey::from_seed(&[4; 32]).to_private_jwk();
        let did = Did::parse(&format!(
            "did:jwk:{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&jwk).unwrap())
        ))
        .unwrap();
        let err = resolve(&did).unwrap_err();
        assert!(err.to_string().contains("private key"), "{err}");
    }
}
