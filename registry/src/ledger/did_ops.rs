//! Applying `did:sigil` operations (DID-METHOD.md §3): validate everything first, then build
//! the new state, so a refused operation changes nothing.

use std::sync::Arc;

use serde_json::Value;
use sigil_core::did::Did;
use sigil_core::key::PublicKey;
use sigil_core::time::{Timestamp, parse_datetime};

use super::BlockContext;
use super::error::LedgerError;
use super::hash::key_commitment;
use super::limits;
use super::operation::{DidOperation, MethodSpec, OperationKind, SignatureProblem};
use super::prepared::OperationFacts;
use super::state::{DidState, LedgerState, MethodState, Methods, Version};

/// The hashes a version records: of the operation and of the transaction that carried it.
struct Hashes {
    operation: String,
    transaction: String,
}

/// Longest verification method fragment accepted (a size limit, but also this rule's
/// message).
const MAX_FRAGMENT_LEN: usize = limits::MAX_FRAGMENT_BYTES;

pub(super) fn apply(
    state: &LedgerState,
    op: &DidOperation,
    facts: &OperationFacts,
    block: &BlockContext,
    transaction: String,
) -> Result<LedgerState, LedgerError> {
    let time = parse_time(&op.time, "time")?;
    block.check_dated(time)?;
    let signer = match facts.signer() {
        Ok(key) => key,
        Err(SignatureProblem::Missing) => return Err(LedgerError::MissingSignature),
        Err(SignatureProblem::BadKey(e)) => return Err(malformed(format!("proof key: {e}"))),
        Err(SignatureProblem::Malformed) => {
            return Err(malformed("proof signature is not base58btc multibase"));
        }
        Err(SignatureProblem::Invalid) => return Err(LedgerError::BadSignature),
    };
    let hashes = Hashes {
        operation: facts.hash.clone(),
        transaction,
    };
    match op.kind {
        OperationKind::Create => create(state, op, facts, &signer, time, hashes),
        OperationKind::Update | OperationKind::Rotate | OperationKind::Deactivate => {
            change(state, op, facts, &signer, time, hashes)
        }
    }
}

fn create(
    state: &LedgerState,
    op: &DidOperation,
    facts: &OperationFacts,
    signer: &PublicKey,
    time: Timestamp,
    hashes: Hashes,
) -> Result<LedgerState, LedgerError> {
    forbid(
        op.did.is_some(),
        "`create` has no `did`: the DID is derived from it",
    )?;
    forbid(op.prev.is_some(), "`create` has no `prev`")?;
    forbid(!op.retire_methods.is_empty(), "`create` retires nothing")?;
    forbid(
        !op.compromised_methods.is_empty(),
        "`create` marks nothing compromised",
    )?;
    let controller = controller_key(op)?;
    let next_key_commitment = commitment(op)?;
    if *signer != controller {
        return Err(LedgerError::WrongSigner {
            expected: controller.to_multikey(),
            found: signer.to_multikey(),
        });
    }
    let did = facts
        .created
        .clone()
        .ok_or_else(|| malformed("the created DID was not worked out"))?;
    if state.dids.contains_key(&did) {
        return Err(LedgerError::DidExists(did.to_string()));
    }
    let methods = add_methods(&Methods::new(), &op.add_methods, &facts.method_keys, 1)?;
    check_methods_in_force(&methods)?;
    check_services(op)?;
    let version = Version {
        id: 1,
        time,
        operation: hashes.operation,
        transaction: hashes.transaction,
        services: op.services.clone().unwrap_or_default(),
        deactivated: false,
    };
    let mut next = state.clone();
    next.dids.insert(
        Arc::new(did),
        Arc::new(DidState {
            controller_key: controller,
            next_key_commitment,
            methods,
            versions: vec![version],
        }),
    );
    Ok(next)
}

fn change(
    state: &LedgerState,
    op: &DidOperation,
    facts: &OperationFacts,
    signer: &PublicKey,
    time: Timestamp,
    hashes: Hashes,
) -> Result<LedgerState, LedgerError> {
    let (did, current, latest) = follows_latest(state, op, time)?;
    let version = latest.id + 1;
    let mut updated = DidState::clone(current);
    authorise_change(op, current, signer, &mut updated)?;
    updated.methods = changed_methods(current, op, facts, version, time)?;
    check_methods_in_force(&updated.methods)?;
    check_services(op)?;
    updated.versions.push(Version {
        id: version,
        time,
        operation: hashes.operation,
        transaction: hashes.transaction,
        services: op.services.clone().unwrap_or_else(|| latest.services.clone()),
        deactivated: op.kind == OperationKind::Deactivate,
    });
    let mut next = state.clone();
    next.dids.insert(Arc::new(did), Arc::new(updated));
    Ok(next)
}

/// The DID a change names, its state and its latest version — provided the DID is live, the
/// change names that version as `prev` (naming an earlier one is a fork) and is not dated
/// before it.
fn follows_latest<'a>(
    state: &'a LedgerState,
    op: &DidOperation,
    time: Timestamp,
) -> Result<(Did, &'a DidState, &'a Version), LedgerError> {
    let did_text = op.did.as_deref().ok_or_else(|| malformed("`did` is required"))?;
    let did = Did::parse(did_text).map_err(|e| malformed(e.to_string()))?;
    let current = state
        .dids
        .get(&did)
        .ok_or_else(|| LedgerError::UnknownDid(did.to_string()))?;
    let latest = current
        .latest()
        .ok_or_else(|| LedgerError::UnknownDid(did.to_string()))?;
    if latest.deactivated {
        return Err(LedgerError::Deactivated(did.to_string()));
    }
    let prev = op
        .prev
        .as_deref()
        .ok_or_else(|| malformed("`prev` is required"))?;
    if prev != latest.operation {
        let earlier = current.versions.iter().any(|v| v.operation == prev);
        let (expected, found) = (latest.operation.clone(), prev.to_owned());
        return Err(if earlier {
            LedgerError::Fork { expected, found }
        } else {
            LedgerError::PrevMismatch { expected, found }
        });
    }
    if time < latest.time {
        return Err(LedgerError::TimeWentBackwards {
            previous: sigil_core::time::format_datetime(latest.time),
            found: op.time.clone(),
        });
    }
    Ok((did, current, latest))
}

/// Whether `signer` may make this kind of change, and what it does to the controller keys:
/// `update` is signed by the controller and changes no key; `rotate` and `deactivate` by the
/// pre-committed key, `rotate` committing to the next one.
fn authorise_change(
    op: &DidOperation,
    current: &DidState,
    signer: &PublicKey,
    updated: &mut DidState,
) -> Result<(), LedgerError> {
    match op.kind {
        OperationKind::Update => {
            forbid(
                op.controller_key.is_some(),
                "`update` cannot change the controller key; use `rotate`",
            )?;
            forbid(
                op.next_key_commitment.is_some(),
                "`update` cannot change the key commitment",
            )?;
            forbid(
                !op.compromised_methods.is_empty(),
                "only `rotate` marks methods compromised",
            )?;
            if *signer != current.controller_key {
                return Err(LedgerError::WrongSigner {
                    expected: current.controller_key.to_multikey(),
                    found: signer.to_multikey(),
                });
            }
        }
        OperationKind::Rotate => {
            check_pre_rotation(current, signer)?;
            updated.controller_key = controller_key(op)?;
            updated.next_key_commitment = commitment(op)?;
        }
        OperationKind::Deactivate => {
            forbid(
                op.controller_key.is_some()
                    || op.next_key_commitment.is_some()
                    || !op.add_methods.is_empty()
                    || !op.retire_methods.is_empty()
                    || !op.compromised_methods.is_empty()
                    || op.services.is_some(),
                "`deactivate` carries nothing but `did`, `prev` and `time`",
            )?;
            check_pre_rotation(current, signer)?;
        }
        OperationKind::Create => return Err(malformed("`create` names no existing DID")),
    }
    Ok(())
}

/// The verification methods after a change: methods added, retired, and declared compromised
/// from a time no later than the change (a compromised method is retired too).
fn changed_methods(
    current: &DidState,
    op: &DidOperation,
    facts: &OperationFacts,
    version: u64,
    time: Timestamp,
) -> Result<Methods, LedgerError> {
    let mut methods = add_methods(&current.methods, &op.add_methods, &facts.method_keys, version)?;
    for fragment in &op.retire_methods {
        let method = active_method(&mut methods, fragment)?;
        method.retired = Some(version);
    }
    for compromise in &op.compromised_methods {
        let since = parse_time(&compromise.since, "compromised since")?;
        if since > time {
            return Err(malformed(
                "a compromise cannot be declared to start after the operation",
            ));
        }
        let method = methods
            .get_mut(&compromise.id)
            .ok_or_else(|| LedgerError::Method(format!("`{}` does not exist", compromise.id)))?;
        method.compromised_since = Some(since);
        method.retired.get_or_insert(version);
    }
    Ok(methods)
}

/// `rotate` and `deactivate` must be signed by the key whose hash the previous controller
/// change committed to.
fn check_pre_rotation(current: &DidState, signer: &PublicKey) -> Result<(), LedgerError> {
    if key_commitment(&signer.to_multikey()) == current.next_key_commitment {
        Ok(())
    } else {
        Err(LedgerError::WrongPreRotationKey)
    }
}

/// The methods after adding `specs`, whose keys `keys` are (parsed when the operation was
/// prepared, in the order of `specs`).
fn add_methods(
    existing: &Methods,
    specs: &[MethodSpec],
    keys: &[Result<PublicKey, String>],
    version: u64,
) -> Result<Methods, LedgerError> {
    if keys.len() != specs.len() {
        return Err(malformed("the method keys were not prepared"));
    }
    let mut methods = existing.clone();
    for (spec, key) in specs.iter().zip(keys) {
        check_fragment(&spec.id)?;
        if methods.contains_key(&spec.id) {
            return Err(LedgerError::Method(format!(
                "`{}` exists already (method ids are never reused)",
                spec.id
            )));
        }
        if spec.purposes.is_empty() {
            return Err(LedgerError::Method(format!("`{}` has no purpose", spec.id)));
        }
        let key = key
            .clone()
            .map_err(|e| malformed(format!("method `{}`: {e}", spec.id)))?;
        let mut purposes = spec.purposes.clone();
        purposes.sort();
        purposes.dedup();
        methods.insert(
            spec.id.clone(),
            MethodState {
                key,
                purposes,
                added: version,
                retired: None,
                compromised_since: None,
            },
        );
    }
    Ok(methods)
}

/// At most [`limits::MAX_METHODS_IN_FORCE`] methods once the operation is applied.
fn check_methods_in_force(methods: &Methods) -> Result<(), LedgerError> {
    let in_force = methods.values().filter(|m| m.retired.is_none()).count();
    Ok(limits::methods_in_force(in_force)?)
}

/// Each service is a DID Core §5.4 service: an object with a string `id`, a `type` that is a
/// string or a non-empty list of strings, and a `serviceEndpoint`. (Their sizes are limits,
/// checked before.)
fn check_services(op: &DidOperation) -> Result<(), LedgerError> {
    for service in op.services.iter().flatten() {
        let has_id = service.get("id").is_some_and(Value::is_string);
        let has_type = match service.get("type") {
            Some(Value::String(_)) => true,
            Some(Value::Array(types)) => !types.is_empty() && types.iter().all(Value::is_string),
            _ => false,
        };
        if !(has_id && has_type && service.get("serviceEndpoint").is_some()) {
            return Err(malformed(
                "a service is an object with a string `id`, a `type` and a `serviceEndpoint`",
            ));
        }
    }
    Ok(())
}

fn active_method<'a>(methods: &'a mut Methods, fragment: &str) -> Result<&'a mut MethodState, LedgerError> {
    match methods.get_mut(fragment) {
        Some(method) if method.retired.is_none() => Ok(method),
        Some(_) => Err(LedgerError::Method(format!("`{fragment}` is retired already"))),
        None => Err(LedgerError::Method(format!("`{fragment}` does not exist"))),
    }
}

fn check_fragment(fragment: &str) -> Result<(), LedgerError> {
    let valid = !fragment.is_empty()
        && fragment.len() <= MAX_FRAGMENT_LEN
        && fragment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(())
    } else {
        Err(malformed(format!(
            "method id {fragment:?} must be 1 to {MAX_FRAGMENT_LEN} letters, digits, `-`, `_` or `.`"
        )))
    }
}

fn controller_key(op: &DidOperation) -> Result<PublicKey, LedgerError> {
    let text = op
        .controller_key
        .as_deref()
        .ok_or_else(|| malformed("`controllerKey` is required"))?;
    match PublicKey::from_multikey(text) {
        Ok(key @ PublicKey::Ed25519(_)) => Ok(key),
        Ok(_) => Err(malformed("controller keys are Ed25519")),
        Err(e) => Err(malformed(format!("controllerKey: {e}"))),
    }
}

fn commitment(op: &DidOperation) -> Result<String, LedgerError> {
    let text = op
        .next_key_commitment
        .as_deref()
        .ok_or_else(|| malformed("`nextKeyCommitment` is required"))?;
    let valid = text
        .strip_prefix('z')
        .and_then(|base58| bs58::decode(base58).into_vec().ok())
        .is_some_and(|bytes| bytes.len() == 34 && bytes.starts_with(&[0x12, 0x20]));
    if valid {
        Ok(text.to_owned())
    } else {
        Err(malformed(
            "`nextKeyCommitment` is not a SHA-256 multihash in base58btc",
        ))
    }
}

fn parse_time(text: &str, what: &str) -> Result<Timestamp, LedgerError> {
    parse_datetime(text).ok_or_else(|| malformed(format!("`{what}` is not an RFC 3339 date-time: {text:?}")))
}

fn forbid(condition: bool, reason: &str) -> Result<(), LedgerError> {
    if condition { Err(malformed(reason)) } else { Ok(()) }
}

fn malformed(reason: impl Into<String>) -> LedgerError {
    LedgerError::Malformed(reason.into())
}
