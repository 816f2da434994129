//! Resolving a `did:sigil` from the ledger state (DID-METHOD.md §4): the DID document as of a
//! version or a time, with the DID Resolution metadata, and the key history verifiers need.

use serde_json::{Map, Value, json};
use sigil_core::did::document::{
    DID_V1_CONTEXT, DidDocument, MULTIKEY_V1_CONTEXT, MethodReference, VerificationMethod,
};
use sigil_core::did::resolver::DocumentMetadata;
use sigil_core::did::{Did, Resolution, ResolutionError, ResolutionOptions};
use sigil_core::time::format_datetime;
use sigil_core::verify::sources::KeyEvents;

use super::operation::Purpose;
use super::state::{DidState, LedgerState, Version};

/// Resolves `did` as `options` ask: a `versionId`, the version in force at a `versionTime`, or
/// the latest.
pub fn resolve(
    state: &LedgerState,
    did: &Did,
    options: &ResolutionOptions,
) -> Result<Resolution, ResolutionError> {
    let not_found = || ResolutionError::NotFound(did.to_string());
    let current = state.dids.get(did).ok_or_else(not_found)?;
    let version = match (&options.version_id, options.version_time) {
        (Some(id), _) => {
            let id: u64 = id
                .parse()
                .map_err(|_| ResolutionError::InvalidDid(format!("versionId {id:?} is not a number")))?;
            current.versions.iter().find(|v| v.id == id)
        }
        (None, Some(time)) => current.versions.iter().rev().find(|v| v.time <= time),
        (None, None) => current.latest(),
    }
    .ok_or_else(not_found)?;
    Ok(Resolution {
        document: document_at(did, current, version),
        metadata: metadata_at(current, version),
    })
}

fn document_at(did: &Did, state: &DidState, version: &Version) -> DidDocument {
    let mut document = DidDocument {
        context: json!([DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT]),
        id: did.to_string(),
        controller: None,
        verification_method: vec![],
        authentication: vec![],
        assertion_method: vec![],
        capability_invocation: vec![],
        capability_delegation: vec![],
        service: vec![],
        extra: Map::new(),
    };
    if version.deactivated {
        return document;
    }
    for (fragment, method) in state.methods_at(version.id) {
        let id = format!("{did}#{fragment}");
        document.verification_method.push(VerificationMethod {
            id: id.clone(),
            type_: "Multikey".into(),
            controller: did.to_string(),
            public_key_multibase: Some(method.key.to_multikey()),
            public_key_jwk: None,
            extra: Map::new(),
        });
        for purpose in &method.purposes {
            let relationship = match purpose {
                Purpose::Authentication => &mut document.authentication,
                Purpose::AssertionMethod => &mut document.assertion_method,
                Purpose::CapabilityInvocation => &mut document.capability_invocation,
                Purpose::CapabilityDelegation => &mut document.capability_delegation,
            };
            relationship.push(MethodReference::Reference(id.clone()));
        }
    }
    document.service = version.services.clone();
    document
}

fn metadata_at(state: &DidState, version: &Version) -> DocumentMetadata {
    let created = state.versions.front().map(|v| format_datetime(v.time));
    let mut extra = Map::new();
    extra.insert("sigilOperation".into(), Value::String(version.operation.clone()));
    extra.insert(
        "sigilTransaction".into(),
        Value::String(version.transaction.clone()),
    );
    DocumentMetadata {
        created,
        updated: (version.id > 1).then(|| format_datetime(version.time)),
        deactivated: version.deactivated,
        version_id: Some(version.id.to_string()),
        next_version_id: state
            .versions
            .iter()
            .find(|v| v.id == version.id + 1)
            .map(|v| v.id.to_string()),
        extra,
    }
}

/// What the ledger knows now about `method_id` (a DID URL) and its DID: when the method was
/// declared compromised and when the DID was deactivated (docs/design.md §5 rule 3).
pub fn key_events(state: &LedgerState, did: &Did, method_id: &str) -> KeyEvents {
    let Some(current) = state.dids.get(did) else {
        return KeyEvents::default();
    };
    let fragment = method_id
        .split_once('#')
        .map(|(_, fragment)| fragment)
        .unwrap_or_default();
    KeyEvents {
        compromised_since: current.methods.get(fragment).and_then(|m| m.compromised_since),
        deactivated_at: current.latest().filter(|v| v.deactivated).map(|v| v.time),
    }
}
