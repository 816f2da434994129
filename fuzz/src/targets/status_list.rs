//! Bitstring Status List `encodedList` (`sigil_core::model::status_list::Bitstring`), read
//! from status list credentials a registry serves: base64url of a GZIP stream, which must not
//! expand past the 16 MiB limit however it is made.
//!
//! Property: decoding and reading entries never panic; a decoded list encodes and decodes to
//! the same list.

use sigil_core::model::status_list::Bitstring;

use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "status_list",
    entry_point: "sigil_core::model::status_list::Bitstring::{decode, get}",
    tokens: &[b"u", b"H4sI", b"AAAA", b"____", b"z"],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let decoded = Bitstring::decode(text(input).trim());
    if let Ok(list) = &decoded {
        let encoded = list.encode().map_err(|e| Violation(e.to_string()))?;
        let again = Bitstring::decode(&encoded);
        ensure(again.as_ref() == Ok(list), || {
            "the list does not survive encoding".into()
        })?;
        for (index, size) in [
            (0, 1),
            (7, 1),
            (131_071, 1),
            (131_072, 1),
            (u64::MAX, 8),
            (3, 0),
            (3, 9),
            (65_535, 2),
        ] {
            let _ = list.get(index, size);
        }
    }
    Ok(Outcome::of(&decoded))
}
