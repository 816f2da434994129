//! Size limits on every registry transaction and on each of its fields (docs/design.md §4).
//!
//! Anyone may submit a `did:sigil` create, and anyone holding a DID may sign anchors and
//! status lists, so what a transaction may carry is bounded here: every node keeps every
//! transaction forever, and every verifier may read it. Each figure sits well above what an
//! issuer, a wallet or a root of trust really writes — the reason is given with it — so that
//! only abuse meets a limit. The ledger refuses a transaction over any of them
//! (`LedgerError::TooLarge`, HTTP 413 `too_large`), naming the limit; clients may call
//! [`check`] before they sign and submit.
//!
//! The limits are ledger rules: every node applies them to every block, so a chain holding a
//! transaction over one of them does not replay.

use serde_json::Value;

use super::{
    Accreditation, AccreditationRevocation, Governance, GovernanceChange, IssuanceAnchor, StatementProof,
    StatusListPublication, Transaction,
};
use crate::did::sigil::operation::DidOperation;

/// Largest transaction, in bytes of its JCS form (the bytes its hash covers): 64 KiB.
///
/// The largest transactions a university really writes are a status list and an anchor. A
/// list of 131,072 entries (the specification's minimum, and the issuer's size) whose bits
/// are all random — which compresses worst — is about 22 KB of `encodedList` and 24 KB in
/// all; a full anchor of [`crate::transaction::anchor::MAX_BATCH`] hashes is about 62 KB.
/// A DID operation is a few hundred bytes. 64 KiB bounds what one signature can make every
/// node store, a thirtieth of the 1.9 MB create the registry once accepted.
pub const MAX_TRANSACTION_BYTES: usize = 64 * 1024;
/// Longest DID anywhere in a transaction. `did:sigil` and Ed25519 `did:key` identifiers are
/// about 56 bytes, a P-256 `did:jwk` about 170.
pub const MAX_DID_BYTES: usize = 512;
/// Longest DID URL (a statement's verification method): a longest DID and a fragment.
pub const MAX_DID_URL_BYTES: usize = MAX_DID_BYTES + 128;
/// Longest Multikey (a controller or method key, a proof's key): Ed25519 and P-256 keys are
/// about 50 bytes.
pub const MAX_KEY_BYTES: usize = 128;
/// Longest digest or hash (`prev`, `nextKeyCommitment`, a transaction hash, a credential
/// hash, a Merkle root): multihashes in base58btc are 49 bytes, hex SHA-256 64.
pub const MAX_HASH_BYTES: usize = 128;
/// Longest signature: an Ed25519 signature in base58btc multibase is at most 89 bytes.
pub const MAX_SIGNATURE_BYTES: usize = 128;
/// Longest date-time (RFC 3339 with nanoseconds and an offset is 35 bytes).
pub const MAX_TIME_BYTES: usize = 64;
/// Longest verification method fragment (`key-1`, or a `did:key`'s 48-byte Multikey).
pub const MAX_FRAGMENT_BYTES: usize = 64;
/// Most verification methods one operation may add, retire or mark compromised (each
/// list). An issuer adds one key per rotation.
pub const MAX_METHODS_PER_OPERATION: usize = 32;
/// Most verification methods a DID may have in force at once (retired ones do not count).
pub const MAX_METHODS_IN_FORCE: usize = 64;
/// Most purposes one method may name: there are four.
pub const MAX_PURPOSES: usize = 4;
/// Most services a DID may have (DID Core §5.4). Sigil's own DIDs have none; a linked
/// domain and an endpoint or two is what others publish.
pub const MAX_SERVICES: usize = 16;
/// Longest service `id` (a DID URL or a fragment).
pub const MAX_SERVICE_ID_BYTES: usize = MAX_DID_URL_BYTES;
/// Most types one service may name.
pub const MAX_SERVICE_TYPES: usize = 8;
/// Longest service type (`LinkedDomains`, `DIDCommMessaging`).
pub const MAX_SERVICE_TYPE_BYTES: usize = 128;
/// Largest service endpoint, in bytes of its JSON (a URL, or a map or set of URLs).
pub const MAX_SERVICE_ENDPOINT_BYTES: usize = 2048;
/// Largest service, in bytes of its JSON, all members included.
pub const MAX_SERVICE_BYTES: usize = 4096;
/// Most credential types one accreditation may name. A university names a handful.
pub const MAX_CREDENTIAL_TYPES: usize = 32;
/// Longest credential type name (`UniversityDegreeCredential`, or a `vct` URL).
pub const MAX_CREDENTIAL_TYPE_BYTES: usize = 256;
/// Longest status list id (its `statusListCredential` URL).
pub const MAX_STATUS_LIST_ID_BYTES: usize = 2048;
/// Longest `encodedList`: twice the 22 KB of an incompressible list of 131,072 entries.
pub const MAX_ENCODED_LIST_BYTES: usize = 48 * 1024;
/// Most entries a published status list may hold once decompressed: eight times the
/// 131,072 an issuer publishes, bounding what a few kilobytes of GZIP make every verifier
/// inflate.
pub const MAX_STATUS_LIST_ENTRIES: u64 = 1 << 20;
/// Longest chain id in a governance change (genesis ids are a few words).
pub const MAX_CHAIN_ID_BYTES: usize = 256;
/// Longest node URL a new validator names (an `https://` host and port).
pub const MAX_URL_BYTES: usize = 2048;
/// Most signatures on one governance change: a consortium of a hundred validators is far
/// beyond what Raft serves, and each signs at most once.
pub const MAX_GOVERNANCE_SIGNATURES: usize = 128;

/// A transaction, or one of its fields, is over a limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is {found} {unit}, over the registry's limit of {limit} ({name})")]
pub struct LimitExceeded {
    /// What is too large (`a service endpoint`, `the transaction`).
    pub what: &'static str,
    /// Its size or count.
    pub found: u64,
    /// The limit.
    pub limit: u64,
    /// `bytes` or `entries`.
    pub unit: &'static str,
    /// The limit's constant in this module (`MAX_SERVICES`).
    pub name: &'static str,
}

/// Checks a byte length against a limit.
fn bytes(what: &'static str, found: usize, limit: usize, name: &'static str) -> Result<(), LimitExceeded> {
    at_most(what, found, limit, "bytes", name)
}

/// Checks a count against a limit.
fn count(what: &'static str, found: usize, limit: usize, name: &'static str) -> Result<(), LimitExceeded> {
    at_most(what, found, limit, "entries", name)
}

fn at_most(
    what: &'static str,
    found: usize,
    limit: usize,
    unit: &'static str,
    name: &'static str,
) -> Result<(), LimitExceeded> {
    if found <= limit {
        Ok(())
    } else {
        Err(LimitExceeded {
            what,
            found: u64::try_from(found).unwrap_or(u64::MAX),
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
            unit,
            name,
        })
    }
}

/// Checks a status list's entry count (once decoded) against [`MAX_STATUS_LIST_ENTRIES`].
pub fn status_list_entries(entries: u64) -> Result<(), LimitExceeded> {
    if entries <= MAX_STATUS_LIST_ENTRIES {
        Ok(())
    } else {
        Err(LimitExceeded {
            what: "the status list",
            found: entries,
            limit: MAX_STATUS_LIST_ENTRIES,
            unit: "entries",
            name: "MAX_STATUS_LIST_ENTRIES",
        })
    }
}

/// Checks how many verification methods a DID has in force after an operation against
/// [`MAX_METHODS_IN_FORCE`] (the ledger knows the count; the operation alone does not).
pub fn methods_in_force(in_force: usize) -> Result<(), LimitExceeded> {
    count(
        "the DID's verification methods in force",
        in_force,
        MAX_METHODS_IN_FORCE,
        "MAX_METHODS_IN_FORCE",
    )
}

/// Checks every field of `transaction`, then its whole encoded size.
pub fn check(transaction: &Transaction) -> Result<(), LimitExceeded> {
    check_fields(transaction)?;
    // These types always encode; were one not to, it is refused, never let through unmeasured.
    let encoded = serde_jcs::to_vec(transaction).map_or(usize::MAX, |bytes| bytes.len());
    check_encoded_size(encoded)
}

/// Checks every field of `transaction`, but not its whole size: for a caller that encodes the
/// transaction anyway (to hash it) and then calls [`check_encoded_size`] with that length.
pub fn check_fields(transaction: &Transaction) -> Result<(), LimitExceeded> {
    match transaction {
        Transaction::Did(operation) => check_operation(operation)?,
        Transaction::StatusList(publication) => check_status_list(publication)?,
        Transaction::Anchor(anchor) => check_anchor(anchor)?,
        Transaction::Accreditation(grant) => check_accreditation(grant)?,
        Transaction::RevokeAccreditation(revocation) => check_revocation(revocation)?,
        Transaction::Governance(governance) => check_governance(governance)?,
    }
    Ok(())
}

/// Checks the length in bytes of a transaction's JCS form against [`MAX_TRANSACTION_BYTES`].
pub fn check_encoded_size(encoded: usize) -> Result<(), LimitExceeded> {
    bytes(
        "the transaction",
        encoded,
        MAX_TRANSACTION_BYTES,
        "MAX_TRANSACTION_BYTES",
    )
}

fn did(text: &str) -> Result<(), LimitExceeded> {
    bytes("a DID", text.len(), MAX_DID_BYTES, "MAX_DID_BYTES")
}

fn time(text: &str) -> Result<(), LimitExceeded> {
    bytes("a date-time", text.len(), MAX_TIME_BYTES, "MAX_TIME_BYTES")
}

fn hash(text: &str) -> Result<(), LimitExceeded> {
    bytes("a hash", text.len(), MAX_HASH_BYTES, "MAX_HASH_BYTES")
}

fn key(text: &str) -> Result<(), LimitExceeded> {
    bytes("a key", text.len(), MAX_KEY_BYTES, "MAX_KEY_BYTES")
}

fn signature(text: &str) -> Result<(), LimitExceeded> {
    bytes(
        "a signature",
        text.len(),
        MAX_SIGNATURE_BYTES,
        "MAX_SIGNATURE_BYTES",
    )
}

fn fragment(text: &str) -> Result<(), LimitExceeded> {
    bytes(
        "a method id",
        text.len(),
        MAX_FRAGMENT_BYTES,
        "MAX_FRAGMENT_BYTES",
    )
}

fn statement_proof(proof: Option<&StatementProof>) -> Result<(), LimitExceeded> {
    let Some(proof) = proof else { return Ok(()) };
    bytes(
        "a verification method",
        proof.verification_method.len(),
        MAX_DID_URL_BYTES,
        "MAX_DID_URL_BYTES",
    )?;
    signature(&proof.signature)
}

fn check_governance(governance: &Governance) -> Result<(), LimitExceeded> {
    bytes(
        "the chain id",
        governance.chain_id.len(),
        MAX_CHAIN_ID_BYTES,
        "MAX_CHAIN_ID_BYTES",
    )?;
    time(&governance.time)?;
    match &governance.change {
        GovernanceChange::AddValidator {
            validator: member,
            node,
        }
        | GovernanceChange::AddLearner {
            learner: member,
            node,
        } => {
            key(member)?;
            bytes("a node URL", node.len(), MAX_URL_BYTES, "MAX_URL_BYTES")?;
        }
        GovernanceChange::RemoveValidator { validator: member }
        | GovernanceChange::RemoveLearner { learner: member } => key(member)?,
        GovernanceChange::AddRootOfTrust { root, .. } | GovernanceChange::RemoveRootOfTrust { root } => {
            did(root)?;
        }
    }
    count(
        "a change's signatures",
        governance.signatures.len(),
        MAX_GOVERNANCE_SIGNATURES,
        "MAX_GOVERNANCE_SIGNATURES",
    )?;
    for held in &governance.signatures {
        key(&held.validator)?;
        signature(&held.signature)?;
    }
    Ok(())
}

fn json_len(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |bytes| bytes.len())
}

fn check_operation(op: &DidOperation) -> Result<(), LimitExceeded> {
    op.did.as_deref().map(did).transpose()?;
    op.prev.as_deref().map(hash).transpose()?;
    time(&op.time)?;
    op.controller_key.as_deref().map(key).transpose()?;
    op.next_key_commitment.as_deref().map(hash).transpose()?;
    let per_operation = "MAX_METHODS_PER_OPERATION";
    count(
        "addMethods",
        op.add_methods.len(),
        MAX_METHODS_PER_OPERATION,
        per_operation,
    )?;
    for method in &op.add_methods {
        fragment(&method.id)?;
        key(&method.public_key_multibase)?;
        count(
            "a method's purposes",
            method.purposes.len(),
            MAX_PURPOSES,
            "MAX_PURPOSES",
        )?;
    }
    count(
        "retireMethods",
        op.retire_methods.len(),
        MAX_METHODS_PER_OPERATION,
        per_operation,
    )?;
    op.retire_methods.iter().try_for_each(|id| fragment(id))?;
    count(
        "compromisedMethods",
        op.compromised_methods.len(),
        MAX_METHODS_PER_OPERATION,
        per_operation,
    )?;
    for compromise in &op.compromised_methods {
        fragment(&compromise.id)?;
        time(&compromise.since)?;
    }
    if let Some(services) = &op.services {
        count("services", services.len(), MAX_SERVICES, "MAX_SERVICES")?;
        services.iter().try_for_each(check_service)?;
    }
    if let Some(proof) = &op.proof {
        key(&proof.key)?;
        signature(&proof.signature)?;
    }
    Ok(())
}

/// A service's id and types (where they are strings), its endpoint, then its whole size.
/// (That they are there and of the right kind is the ledger's rule.)
fn check_service(service: &Value) -> Result<(), LimitExceeded> {
    if let Some(id) = service.get("id").and_then(Value::as_str) {
        bytes(
            "a service id",
            id.len(),
            MAX_SERVICE_ID_BYTES,
            "MAX_SERVICE_ID_BYTES",
        )?;
    }
    let type_name = |name: &str| {
        bytes(
            "a service type",
            name.len(),
            MAX_SERVICE_TYPE_BYTES,
            "MAX_SERVICE_TYPE_BYTES",
        )
    };
    match service.get("type") {
        Some(Value::String(name)) => type_name(name)?,
        Some(Value::Array(names)) => {
            count(
                "a service's types",
                names.len(),
                MAX_SERVICE_TYPES,
                "MAX_SERVICE_TYPES",
            )?;
            names.iter().filter_map(Value::as_str).try_for_each(type_name)?;
        }
        _ => {}
    }
    if let Some(endpoint) = service.get("serviceEndpoint") {
        bytes(
            "a service endpoint",
            json_len(endpoint),
            MAX_SERVICE_ENDPOINT_BYTES,
            "MAX_SERVICE_ENDPOINT_BYTES",
        )?;
    }
    bytes(
        "a service",
        json_len(service),
        MAX_SERVICE_BYTES,
        "MAX_SERVICE_BYTES",
    )
}

fn check_status_list(publication: &StatusListPublication) -> Result<(), LimitExceeded> {
    let credential = &publication.credential;
    if let Some(id) = credential.get("id").and_then(Value::as_str) {
        bytes(
            "a status list id",
            id.len(),
            MAX_STATUS_LIST_ID_BYTES,
            "MAX_STATUS_LIST_ID_BYTES",
        )?;
    }
    if let Some(issuer) = credential.get("issuer").and_then(Value::as_str) {
        did(issuer)?;
    }
    let encoded = credential
        .pointer("/credentialSubject/encodedList")
        .and_then(Value::as_str);
    if let Some(encoded) = encoded {
        bytes(
            "encodedList",
            encoded.len(),
            MAX_ENCODED_LIST_BYTES,
            "MAX_ENCODED_LIST_BYTES",
        )?;
    }
    Ok(())
}

fn check_anchor(anchor: &IssuanceAnchor) -> Result<(), LimitExceeded> {
    did(&anchor.issuer)?;
    count(
        "an anchor's batch",
        anchor.credential_hashes.len(),
        super::anchor::MAX_BATCH,
        "MAX_BATCH",
    )?;
    anchor.credential_hashes.iter().try_for_each(|h| hash(h))?;
    hash(&anchor.merkle_root)?;
    time(&anchor.time)?;
    statement_proof(anchor.proof.as_ref())
}

fn check_accreditation(grant: &Accreditation) -> Result<(), LimitExceeded> {
    did(&grant.root)?;
    did(&grant.issuer)?;
    count(
        "credentialTypes",
        grant.credential_types.len(),
        MAX_CREDENTIAL_TYPES,
        "MAX_CREDENTIAL_TYPES",
    )?;
    for name in &grant.credential_types {
        bytes(
            "a credential type",
            name.len(),
            MAX_CREDENTIAL_TYPE_BYTES,
            "MAX_CREDENTIAL_TYPE_BYTES",
        )?;
    }
    time(&grant.valid_from)?;
    grant.valid_until.as_deref().map(time).transpose()?;
    statement_proof(grant.proof.as_ref())
}

fn check_revocation(revocation: &AccreditationRevocation) -> Result<(), LimitExceeded> {
    did(&revocation.root)?;
    hash(&revocation.accreditation)?;
    time(&revocation.time)?;
    statement_proof(revocation.proof.as_ref())
}

#[cfg(test)]
mod tests;
