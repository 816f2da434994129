//! `sigil_core::sd_jwt`: SD-JWT and SD-JWT VC as wallets present them.
//!
//! Property: `SdJwt::parse`, `disclosed_claims` and `verify_key_binding` never panic, and a
//! parsed SD-JWT written out again (`without_key_binding` plus the KB-JWT) is the input.

use sigil_core::jose;
use sigil_core::sd_jwt::{self, SdJwt};

use crate::fixtures;
use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "sd_jwt",
    entry_point: "sigil_core::sd_jwt::{SdJwt::parse, disclosed_claims, verify_key_binding}",
    tokens: &[
        b"~",
        b"~~",
        b"WyJz",
        b"\"_sd\"",
        b"\"...\"",
        b"\"_sd_alg\"",
        b"\"sha-512\"",
        b"\"cnf\"",
        b"\"sd_hash\"",
        b"\"kb+jwt\"",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let text = text(input);
    let parsed = SdJwt::parse(&text);
    if let Ok(sd_jwt) = &parsed {
        let written = format!(
            "{}{}",
            sd_jwt.without_key_binding(),
            sd_jwt.key_binding.as_deref().unwrap_or_default()
        );
        ensure(written == text, || {
            format!("parsed and written out again it is {written:?}")
        })?;
        if let Ok(issuer_jwt) = jose::decode_unverified(&sd_jwt.issuer_jwt) {
            let _ = sd_jwt::disclosed_claims(&issuer_jwt.payload, &sd_jwt.disclosures);
            if let Ok(holder) = sd_jwt::confirmation_key(&issuer_jwt.payload) {
                let now = fixtures::time(fixtures::NOW);
                let _ = sd_jwt::verify_key_binding(sd_jwt, &holder, Some(fixtures::NONCE), None, now);
            }
        }
    }
    Ok(Outcome::of(&parsed))
}
