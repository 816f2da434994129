//! `did:sigil` operations (`sigil_core::did::sigil::operation`), as the registry reads them
//! from `POST /transactions` and clients read them back.
//!
//! Property: reading (bounded JSON, then the typed operation), hashing, the canonical signing
//! bytes, the created DID and the signature check never panic, and an operation read, written
//! and read again is the same operation.

use sigil_core::did::sigil::operation::DidOperation;

use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "did_operation",
    entry_point: "sigil_core::did::sigil::operation::DidOperation (serde, hash, verify_signature)",
    tokens: &[
        b"\"create\"",
        b"\"update\"",
        b"\"rotate\"",
        b"\"deactivate\"",
        b"\"prev\"",
        b"\"did\"",
        b"\"controllerKey\"",
        b"\"nextKeyCommitment\"",
        b"\"addMethods\"",
        b"\"retireMethods\"",
        b"\"compromisedMethods\"",
        b"\"services\"",
        b"\"assertionMethod\"",
        b"\"z6Mk\"",
        b"\"z\"",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let read = sigil_core::json::parse(&text(input))
        .map_err(|e| e.to_string())
        .and_then(|value| serde_json::from_value::<DidOperation>(value).map_err(|e| e.to_string()));
    if let Ok(operation) = &read {
        let written = serde_json::to_value(operation).map_err(|e| Violation(e.to_string()))?;
        let again: Result<DidOperation, _> = serde_json::from_value(written);
        ensure(again.as_ref().ok() == Some(operation), || {
            format!("reads back as {again:?}")
        })?;
        let _ = operation.hash();
        let _ = operation.signing_bytes();
        let _ = operation.created_did();
        let _ = operation.verify_signature();
    }
    Ok(Outcome::of(&read))
}
