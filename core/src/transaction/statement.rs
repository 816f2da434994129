//! Signed statements (issuance anchors, accreditations and their revocations): the JCS form of
//! the statement without `proof`, signed with Ed25519 by a verification method of the signer.
//! Which keys may sign is the ledger's rule; this module only makes and checks signatures.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::key::{PublicKey, SigningKey};

/// The proof on a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatementProof {
    /// The signing verification method (a DID URL).
    pub verification_method: String,
    /// base58btc multibase of the Ed25519 signature.
    pub signature: String,
}

/// Why a statement's signature could not be made or does not check.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    /// The statement does not serialise to JSON (a bug in the caller's type).
    #[error("the statement cannot be canonicalised: {0}")]
    Canonical(String),
    /// The signature is not base58btc multibase.
    #[error("signature is not base58btc multibase")]
    Encoding,
    /// The signature does not verify.
    #[error("the signature does not verify")]
    Signature,
}

/// The bytes a statement's signature covers: its JCS form without `proof`.
fn signing_bytes<T: Serialize>(statement: &T) -> Result<Vec<u8>, StatementError> {
    let mut value = serde_json::to_value(statement).map_err(|e| StatementError::Canonical(e.to_string()))?;
    if let Value::Object(object) = &mut value {
        object.remove("proof");
    }
    serde_jcs::to_vec(&value).map_err(|e| StatementError::Canonical(e.to_string()))
}

/// Signs a statement with `key` as `verification_method`.
pub fn sign<T: Serialize>(
    statement: &T,
    key: &SigningKey,
    verification_method: &str,
) -> Result<StatementProof, StatementError> {
    let signature = key.sign(&signing_bytes(statement)?);
    Ok(StatementProof {
        verification_method: verification_method.to_owned(),
        signature: format!("z{}", bs58::encode(signature).into_string()),
    })
}

/// Checks `proof` over `statement` with `key`.
pub fn verify<T: Serialize>(
    statement: &T,
    proof: &StatementProof,
    key: &PublicKey,
) -> Result<(), StatementError> {
    let signature = proof
        .signature
        .strip_prefix('z')
        .and_then(|text| bs58::decode(text).into_vec().ok())
        .ok_or(StatementError::Encoding)?;
    key.verify(&signing_bytes(statement)?, &signature)
        .map_err(|_| StatementError::Signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_signature_covers_everything_but_the_proof() {
        let key = SigningKey::generate();
        let mut statement = json!({"issuer": "did:key:z6Mk", "time": "2026-01-01T00:00:00Z"});
        let proof = sign(&statement, &key, "did:key:z6Mk#z6Mk").unwrap();
        statement["proof"] = serde_json::to_value(&proof).unwrap();
        assert!(verify(&statement, &proof, &key.public_key()).is_ok());
        statement["time"] = json!("2026-01-01T00:00:01Z");
        assert!(matches!(
            verify(&statement, &proof, &key.public_key()),
            Err(StatementError::Signature)
        ));
        let garbled = StatementProof {
            signature: "not multibase".into(),
            ..proof
        };
        assert!(matches!(
            verify(&statement, &garbled, &key.public_key()),
            Err(StatementError::Encoding)
        ));
    }
}
