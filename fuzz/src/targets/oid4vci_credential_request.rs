//! The OpenID4VCI credential request a wallet posts to `POST /credential`, read as
//! `sigil-issuer` reads it — bounded JSON, `sigil_issuer::http::oid4vci::CredentialRequest` —
//! and its key proof checked by `sigil_issuer::key_proof::check` (with `did:key` resolved
//! offline).
//!
//! Property: never panics, and never waits (the offline resolver has nothing to wait for).

use serde_json::Value;
use sigil_core::did::StandardResolver;
use sigil_issuer::http::oid4vci::CredentialRequest;
use sigil_issuer::key_proof;

use crate::fixtures;
use crate::target::{Outcome, Target, Violation, text};

pub const TARGET: Target = Target {
    name: "oid4vci_credential_request",
    entry_point: "sigil_issuer::http::oid4vci::CredentialRequest + sigil_issuer::key_proof::check",
    tokens: &[
        b"\"credential_configuration_id\"",
        b"\"proofs\"",
        b"\"proof\"",
        b"\"proof_type\"",
        b"\"jwt\"",
        b"\"openid4vci-proof+jwt\"",
        b"\"jwk\"",
        b"\"kid\"",
        b"\"aud\"",
        b"\"iat\"",
        b"\"nonce\"",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let Ok(value) = sigil_core::json::parse(&text(input)) else {
        return Ok(Outcome::Refused);
    };
    if serde_json::from_value::<CredentialRequest>(value.clone()).is_err() {
        return Ok(Outcome::Refused);
    }
    // The handler takes the one proof from `proofs.jwt` or `proof.jwt`.
    let proofs = value
        .pointer("/proofs/jwt")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(value.pointer("/proof/jwt"))
        .filter_map(Value::as_str);
    let resolver = StandardResolver::offline();
    let now = fixtures::time(fixtures::NOW);
    let mut outcome = Outcome::Refused;
    for jwt in proofs {
        let checked =
            sigil_core::immediate::now_or_never(key_proof::check(jwt, fixtures::ISSUER_URL, &resolver, now))
                .ok_or_else(|| Violation("checking a key proof waited, with an offline resolver".into()))?;
        if checked.is_ok() {
            outcome = Outcome::Accepted;
        }
    }
    Ok(outcome)
}
