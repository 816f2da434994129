//! The fixed keys, times and names the targets check inputs against, and the seed corpus was
//! made with (`examples/seed_corpus.rs`): the same seeds give the same DIDs, so a seed signed
//! by "the university" verifies under the key a target tries.

use sigil_core::did::Did;
use sigil_core::key::SigningKey;
use sigil_core::time::{Timestamp, parse_datetime};

/// The issuing university's key (`did:key`), as in `sigil-core`'s verification tests.
pub fn university() -> SigningKey {
    SigningKey::from_seed(&[21; 32])
}

/// The student's (holder's) key.
pub fn student() -> SigningKey {
    SigningKey::from_seed(&[22; 32])
}

/// The verifier's key; its `did:key` is the verifier's client identifier.
pub fn verifier() -> SigningKey {
    SigningKey::from_seed(&[23; 32])
}

/// The registry's root of trust (as in the registry's own test fixtures).
pub fn root_of_trust() -> SigningKey {
    SigningKey::from_seed(&[50; 32])
}

/// The controller key of the university's `did:sigil`, its committed next key, and the
/// assertion key it adds as `key-1`.
pub fn controller() -> SigningKey {
    SigningKey::from_seed(&[10; 32])
}
/// See [`controller`].
pub fn next_controller() -> SigningKey {
    SigningKey::from_seed(&[11; 32])
}
/// See [`controller`].
pub fn assertion_key() -> SigningKey {
    SigningKey::from_seed(&[110; 32])
}

/// Every key whose signature a target tries.
pub fn signing_keys() -> Vec<SigningKey> {
    vec![
        university(),
        student(),
        verifier(),
        root_of_trust(),
        controller(),
        next_controller(),
        assertion_key(),
    ]
}

/// When the seed credentials were signed.
pub const SIGNED_AT: &str = "2026-06-30T12:00:00Z";
/// When the targets verify: after [`SIGNED_AT`], within every seed's validity.
pub const NOW: &str = "2026-11-28T12:00:00Z";
/// The nonce (and challenge) of the seed presentations.
pub const NONCE: &str = "n-0S6_WzA2Mj";
/// The credential issuer's URL, the audience of the seed key proofs.
pub const ISSUER_URL: &str = "https://issuer.example";

/// A time the fixtures name; the Unix epoch for text that is not one (never for these).
pub fn time(text: &str) -> Timestamp {
    parse_datetime(text).unwrap_or_default()
}

/// The verifier's client identifier in OpenID4VP (`decentralized_identifier:did:key:…`).
pub fn client_id() -> String {
    format!("decentralized_identifier:{}", verifier().did_key())
}

/// The verifier's DID.
pub fn verifier_did() -> Did {
    verifier().did_key()
}
