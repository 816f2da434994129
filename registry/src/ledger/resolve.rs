//! Resolving a `did:sigil` from the ledger state (DID-METHOD.md §4): the DID document as of a
//! version or a time, with the DID Resolution metadata, and the key history verifiers need.
//! Both are read from the DID's record (`records::did`) by the same code a client runs on a
//! proven record, so the registry and its clients cannot answer differently.

use sigil_core::did::{Did, Resolution, ResolutionError, ResolutionOptions};
use sigil_core::verify::sources::KeyEvents;

use super::records;
use super::state::LedgerState;

/// Resolves `did` as `options` ask: a `versionId`, the version in force at a `versionTime`, or
/// the latest.
pub fn resolve(
    state: &LedgerState,
    did: &Did,
    options: &ResolutionOptions,
) -> Result<Resolution, ResolutionError> {
    records::did(state, did)
        .ok_or_else(|| ResolutionError::NotFound(did.to_string()))?
        .resolve(options)
}

/// What the ledger knows now about `method_id` (a DID URL) and its DID: when the method was
/// declared compromised and when the DID was deactivated (docs/design.md §5 rule 3).
pub fn key_events(state: &LedgerState, did: &Did, method_id: &str) -> KeyEvents {
    records::did(state, did)
        .map(|record| record.key_events(method_id))
        .unwrap_or_default()
}
