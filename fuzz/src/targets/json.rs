//! `sigil_core::json::parse`, the gate of every untrusted JSON document.
//!
//! Property: never panics; whatever it accepts, `serde_json` reads as the same value, and
//! the value written out and read again is the same value (no key lost or duplicated, no
//! number changed).

use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "json",
    entry_point: "sigil_core::json::parse",
    tokens: super::JSON_TOKENS,
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let text = text(input);
    let parsed = sigil_core::json::parse(&text);
    if let Ok(value) = &parsed {
        let by_serde: Result<serde_json::Value, _> = serde_json::from_str(&text);
        ensure(by_serde.as_ref().ok() == Some(value), || {
            format!("serde_json reads {by_serde:?}, Sigil reads {value:?}")
        })?;
        let written = value.to_string();
        let again = sigil_core::json::parse(&written);
        ensure(again.as_ref() == Ok(value), || {
            format!("written out as {written:?}, it reads back as {again:?}")
        })?;
    }
    Ok(Outcome::of(&parsed))
}
