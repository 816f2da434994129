//! Accreditations (as EBSI's Trusted Issuers Registry keeps them): a root of trust named in
//! genesis states that an issuer may issue — or a verifier may request — given credential
//! types from/until given times, and may revoke that later. The role is kept with the
//! record, so an issuer and a verifier accreditation are never mistaken for each other.

use sigil_core::did::Did;
use sigil_core::time::parse_datetime;

use super::BlockContext;
use super::error::LedgerError;
use super::state::{AccreditationRecord, LedgerState};
use super::statement;

pub use sigil_core::transaction::accreditation::{Accreditation, AccreditationRevocation, AccreditedRole};

fn root_of_trust(state: &LedgerState, root: &str) -> Result<Did, LedgerError> {
    let root = Did::parse(root).map_err(|e| LedgerError::Malformed(e.to_string()))?;
    if state.roots_of_trust.contains(&root) {
        Ok(root)
    } else {
        Err(LedgerError::NotARootOfTrust(root.to_string()))
    }
}

/// Grants an accreditation. Unlike the other statements it carries no date of its own to bound
/// by the block's time: `validFrom` and `validUntil` are the period it covers, which a root may
/// start in the future (from the next academic year), and nothing on the ledger is ordered by
/// them, so a future `validFrom` holds nothing back.
pub(super) fn grant(
    state: &LedgerState,
    grant: &Accreditation,
    transaction: String,
) -> Result<LedgerState, LedgerError> {
    let malformed = |reason: String| LedgerError::Malformed(format!("accreditation: {reason}"));
    let root = root_of_trust(state, &grant.root)?;
    let accredited = Did::parse(&grant.issuer).map_err(|e| malformed(e.to_string()))?;
    if grant.credential_types.is_empty() || grant.credential_types.iter().any(|t| t.is_empty()) {
        return Err(malformed("name at least one credential type".into()));
    }
    let valid_from =
        parse_datetime(&grant.valid_from).ok_or_else(|| malformed("validFrom is not RFC 3339".into()))?;
    let valid_until = grant
        .valid_until
        .as_deref()
        .map(|text| parse_datetime(text).ok_or_else(|| malformed("validUntil is not RFC 3339".into())))
        .transpose()?;
    if valid_until.is_some_and(|until| until <= valid_from) {
        return Err(malformed("validUntil is not after validFrom".into()));
    }
    statement::check(state, grant, &root, grant.proof.as_ref())?;
    let root_name = state.root_names.get(&root).cloned();
    let mut next = state.clone();
    next.accreditations.insert(
        transaction,
        AccreditationRecord {
            root,
            accredited,
            role: grant.role,
            legal_name: grant.legal_name.clone(),
            root_name,
            credential_types: grant.credential_types.clone(),
            valid_from,
            valid_until,
            revoked_by: None,
            revoked_at: None,
        },
    );
    Ok(next)
}

pub(super) fn revoke(
    state: &LedgerState,
    revocation: &AccreditationRevocation,
    block: &BlockContext,
    transaction: String,
) -> Result<LedgerState, LedgerError> {
    let root = root_of_trust(state, &revocation.root)?;
    let time = parse_datetime(&revocation.time)
        .ok_or_else(|| LedgerError::Malformed("time is not RFC 3339".into()))?;
    block.check_dated(time)?;
    let record = state
        .accreditations
        .get(&revocation.accreditation)
        .ok_or_else(|| {
            LedgerError::Accreditation(format!("no accreditation {}", revocation.accreditation))
        })?;
    if record.root != root {
        return Err(LedgerError::Accreditation(format!(
            "granted by {}, not by {root}",
            record.root
        )));
    }
    if record.revoked_by.is_some() {
        return Err(LedgerError::Accreditation("revoked already".into()));
    }
    statement::check(state, revocation, &root, revocation.proof.as_ref())?;
    let mut record = record.clone();
    record.revoked_by = Some(transaction);
    record.revoked_at = Some(time);
    let mut next = state.clone();
    next.accreditations
        .insert(revocation.accreditation.clone(), record);
    Ok(next)
}
