//! Status list publications: the issuer-signed `BitstringStatusListCredential` (W3C
//! Bitstring Status List v1.0), kept in every version so verifiers can ask what a list said
//! at any time. The ledger checks the issuer's own Data Integrity signature, so a verifier
//! trusts the issuer, not the registry, for what the list says.

use serde_json::Value;
use sigil_core::data_integrity::{self, ProofError};
use sigil_core::did::{Did, DidUrl};
use sigil_core::immediate::now_or_never;
use sigil_core::model::Credential;
use sigil_core::model::status_list::Bitstring;

use super::BlockContext;
use super::error::LedgerError;
use super::limits;
use super::state::{LedgerState, StatusListVersion};
use super::statement::assertion_key;
pub use sigil_core::transaction::StatusListPublication;

pub(super) fn apply(
    state: &LedgerState,
    publication: &StatusListPublication,
    block: &BlockContext,
    transaction: String,
) -> Result<LedgerState, LedgerError> {
    let malformed = |reason: String| LedgerError::Malformed(format!("status list: {reason}"));
    let value = &publication.credential;
    let credential = Credential::from_json(value).map_err(|e| malformed(e.to_string()))?;
    if !credential
        .types
        .iter()
        .any(|t| t == "BitstringStatusListCredential")
    {
        return Err(malformed(
            "the credential is not a BitstringStatusListCredential".into(),
        ));
    }
    let list = credential
        .id
        .clone()
        .ok_or_else(|| malformed("the list credential has no `id`".into()))?;
    let valid_from = credential
        .valid_from
        .ok_or_else(|| malformed("the list credential has no `validFrom`".into()))?;
    block.check_dated(valid_from)?;
    let bits = check_bitstring(value).map_err(malformed)?;
    limits::status_list_entries(entries(&bits))?;
    let issuer = Did::parse(credential.issuer.id()).map_err(|e| malformed(e.to_string()))?;

    let (unsecured, proof) = data_integrity::split(value).map_err(|e| malformed(e.to_string()))?;
    let signer = DidUrl::parse(&proof.verification_method).map_err(|e| malformed(e.to_string()))?;
    if signer.did() != &issuer {
        return Err(LedgerError::UnauthorisedKey(proof.verification_method));
    }
    let key = assertion_key(state, &issuer, &proof.verification_method)?;
    match now_or_never(data_integrity::verify(&unsecured, &proof, &key)) {
        Some(Ok(())) => {}
        Some(Err(ProofError::Signature(_))) => return Err(LedgerError::BadSignature),
        Some(Err(e)) => return Err(malformed(e.to_string())),
        None => return Err(malformed("canonicalisation would need IO".into())),
    }

    let versions = state.status_lists.get(&list).cloned().unwrap_or_default();
    if let Some(last) = versions.last() {
        if last.issuer != issuer {
            return Err(LedgerError::NotTheListIssuer {
                list,
                owner: last.issuer.to_string(),
                signer: issuer.to_string(),
            });
        }
        if valid_from <= last.valid_from {
            return Err(LedgerError::TimeWentBackwards {
                previous: sigil_core::time::format_datetime(last.valid_from),
                found: sigil_core::time::format_datetime(valid_from),
            });
        }
    }
    let mut versions = versions;
    versions.push_back(StatusListVersion {
        issuer,
        valid_from,
        credential: value.clone(),
        transaction,
    });
    let mut next = state.clone();
    next.status_lists.insert(list, versions);
    Ok(next)
}

/// The subject must be a `BitstringStatusList` whose `encodedList` decodes.
fn check_bitstring(credential: &Value) -> Result<Bitstring, String> {
    let subject = credential
        .get("credentialSubject")
        .ok_or("no credentialSubject")?;
    if subject.get("type").and_then(Value::as_str) != Some("BitstringStatusList") {
        return Err("credentialSubject is not a BitstringStatusList".into());
    }
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or("no encodedList")?;
    Bitstring::decode(encoded).map_err(|e| e.to_string())
}

/// How many one-bit entries `bits` holds: the first index it has no entry for, found by
/// bisection (at most 32 questions).
fn entries(bits: &Bitstring) -> u64 {
    let (mut has, mut lacks) = (0u64, u64::from(u32::MAX));
    if bits.get(0, 1).is_err() {
        return 0;
    }
    while lacks - has > 1 {
        let middle = has + (lacks - has) / 2;
        if bits.get(middle, 1).is_ok() {
            has = middle;
        } else {
            lacks = middle;
        }
    }
    lacks
}
