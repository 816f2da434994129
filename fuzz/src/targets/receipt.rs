//! The registry's receipts (`sigil_core::transaction::Receipt`), which a client reads from the
//! registry's answer to a submission and checks before believing it.
//!
//! Property: reading and `Receipt::verify` (an RFC 6962 audit path with the index, size and
//! path the registry sent) never panic, and a receipt read, written and read again is the same.

use sigil_core::transaction::Receipt;

use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "receipt",
    entry_point: "sigil_core::transaction::Receipt (serde, verify)",
    tokens: &[
        b"18446744073709551615",
        b"9223372036854775807",
        b"4294967295",
        b"\"txHash\"",
        b"\"index\"",
        b"\"blockSize\"",
        b"\"inclusionProof\"",
        b"\"txRoot\"",
        b"\"0000000000000000000000000000000000000000000000000000000000000000\"",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let read = sigil_core::json::parse(&text(input))
        .map_err(|e| e.to_string())
        .and_then(|value| serde_json::from_value::<Receipt>(value).map_err(|e| e.to_string()));
    let Ok(receipt) = read else {
        return Ok(Outcome::Refused);
    };
    let written = serde_json::to_value(&receipt).map_err(|e| Violation(e.to_string()))?;
    let again: Result<Receipt, _> = serde_json::from_value(written);
    ensure(again.as_ref().ok() == Some(&receipt), || {
        format!("reads back as {again:?}")
    })?;
    let _ = receipt.header.hash();
    Ok(if receipt.verify() {
        Outcome::Accepted
    } else {
        Outcome::Refused
    })
}
