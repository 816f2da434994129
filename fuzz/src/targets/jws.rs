//! `sigil_core::jose`: compact JWS as read for VC-JWT, VP-JWT, request objects and key proofs.
//!
//! Property: `decode_unverified` and `verify_compact` never panic; a token that verifies
//! under one of the fixture keys is byte for byte one of the signed seeds (a changed token
//! that still verifies would mean the signature covers other bytes than the ones read, or a
//! malleable encoding); and what verifies decodes to what `decode_unverified` read.

use sigil_core::jose;

use crate::fixtures;
use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "jws",
    entry_point: "sigil_core::jose::{decode_unverified, verify_compact}",
    tokens: &[
        b"eyJhbGciOiJub25lIn0",
        b"eyJhbGciOiJIUzI1NiJ9",
        b"eyJhbGciOiJFUzI1NiJ9",
        b"eyJ9",
        b"e30",
        b"=",
        b"+",
        b"/",
        b"\"alg\"",
        b"\"none\"",
        b"\"HS256\"",
        b"\"ES256\"",
        b"\"EdDSA\"",
        b"\"crit\"",
        b"\"b64\":false",
        b"\"typ\"",
        b"\"vc+jwt\"",
        b"\"kid\"",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let text = text(input);
    let decoded = jose::decode_unverified(&text);
    for key in fixtures::signing_keys() {
        if let Ok(verified) = jose::verify_compact(&text, &key.public_key()) {
            ensure(is_seed(input), || {
                "a token that is not one of the signed seeds verifies".into()
            })?;
            ensure(decoded.as_ref().ok() == Some(&verified), || {
                "the verified token decodes differently when not verified".into()
            })?;
        }
    }
    Ok(Outcome::of(&decoded))
}

/// Whether `input` is one of the signed seeds (trailing whitespace aside, which a seed file
/// may end with but which never verifies).
fn is_seed(input: &[u8]) -> bool {
    crate::corpus::load("jws")
        .is_ok_and(|entries| entries.iter().any(|entry| entry.bytes.trim_ascii_end() == input))
}
