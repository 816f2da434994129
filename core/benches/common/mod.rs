//! What the core benchmarks share: the diploma every one of them signs.

use serde_json::{Map, Value};
use sigil_core::issue::CredentialRequest;
use sigil_core::key::SigningKey;
use sigil_core::model::CredentialType;
use sigil_core::time::Timestamp;

/// The diploma's subject claims, shared with the CLI examples.
const DIPLOMA_CLAIMS: &str = include_str!("../../../examples/diploma-claims.json");

/// The issuer key (a fixed seed, used as a `did:key`) and the request for Ada Lovelace's
/// diploma, valid from `valid_from`, bound to the holder key of another fixed seed.
pub fn diploma_request(valid_from: Timestamp) -> (SigningKey, CredentialRequest) {
    let issuer_key = SigningKey::from_seed(&[1; 32]);
    let holder_key = SigningKey::from_seed(&[2; 32]);
    let claims: Map<String, Value> =
        serde_json::from_str(DIPLOMA_CLAIMS).expect("examples/diploma-claims.json is a JSON object");
    let request = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential")
            .expect("the built-in UniversityDegreeCredential type"),
        issuer: issuer_key.did_key(),
        subject: holder_key.did_key(),
        claims,
        valid_from,
        valid_until: None,
        status: None,
        schema: None,
        holder_key: Some(holder_key.public_key()),
    };
    (issuer_key, request)
}
