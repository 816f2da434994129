//! Signed statements by DIDs the ledger knows — issuance anchors, accreditations and their
//! revocations: JCS of the statement without `proof`, signed with Ed25519 by an assertion
//! method of the signer *as the ledger sees it now*.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::did::document::Relationship;
use sigil_core::did::{Did, DidUrl, ResolutionOptions};
use sigil_core::key::{PublicKey, SigningKey};

use super::error::LedgerError;
use super::state::LedgerState;

/// The proof on a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatementProof {
    /// The signing verification method (a DID URL).
    pub verification_method: String,
    /// base58btc multibase of the Ed25519 signature.
    pub signature: String,
}

/// The bytes a statement's signature covers: its JCS form without `proof`.
fn signing_bytes<T: Serialize>(statement: &T) -> Result<Vec<u8>, LedgerError> {
    let mut value = serde_json::to_value(statement).map_err(|e| LedgerError::Malformed(e.to_string()))?;
    if let Value::Object(object) = &mut value {
        object.remove("proof");
    }
    serde_jcs::to_vec(&value).map_err(|e| LedgerError::Malformed(e.to_string()))
}

/// Signs a statement with `key` as `verification_method`.
pub fn sign<T: Serialize>(
    statement: &T,
    key: &SigningKey,
    verification_method: &str,
) -> Result<StatementProof, LedgerError> {
    let signature = key.sign(&signing_bytes(statement)?);
    Ok(StatementProof {
        verification_method: verification_method.to_owned(),
        signature: format!("z{}", bs58::encode(signature).into_string()),
    })
}

/// Checks that `statement` is signed by `signer` with one of its current assertion methods.
pub fn check<T: Serialize>(
    state: &LedgerState,
    statement: &T,
    signer: &Did,
    proof: Option<&StatementProof>,
) -> Result<(), LedgerError> {
    let proof = proof.ok_or(LedgerError::MissingSignature)?;
    let key = assertion_key(state, signer, &proof.verification_method)?;
    let signature = proof
        .signature
        .strip_prefix('z')
        .and_then(|text| bs58::decode(text).into_vec().ok())
        .ok_or_else(|| LedgerError::Malformed("signature is not base58btc multibase".into()))?;
    key.verify(&signing_bytes(statement)?, &signature)
        .map_err(|_| LedgerError::BadSignature)
}

/// The key of `method_id` if it is an assertion method of `signer` in the current state:
/// `did:sigil` from the ledger itself, `did:key` from the identifier.
pub fn assertion_key(state: &LedgerState, signer: &Did, method_id: &str) -> Result<PublicKey, LedgerError> {
    let method = DidUrl::parse(method_id).map_err(|e| LedgerError::Malformed(e.to_string()))?;
    if method.did() != signer {
        return Err(LedgerError::UnauthorisedKey(method_id.to_owned()));
    }
    let document = match signer.method() {
        "key" => sigil_core::did::key::resolve(signer).map_err(|e| LedgerError::Malformed(e.to_string()))?,
        "sigil" => {
            let current = state
                .dids
                .get(signer)
                .ok_or_else(|| LedgerError::UnknownDid(signer.to_string()))?;
            if current.is_deactivated() {
                return Err(LedgerError::Deactivated(signer.to_string()));
            }
            super::resolve::resolve(state, signer, &ResolutionOptions::latest())
                .map_err(|_| LedgerError::UnknownDid(signer.to_string()))?
                .document
        }
        _ => return Err(LedgerError::UnknownDid(signer.to_string())),
    };
    document
        .method_for(method_id, Relationship::AssertionMethod)
        .and_then(|method| method.public_key().ok())
        .ok_or_else(|| LedgerError::UnauthorisedKey(method_id.to_owned()))
}
