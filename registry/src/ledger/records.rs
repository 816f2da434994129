//! The state's records as clients receive them (`sigil_core::state::records`), built from the
//! ledger state, and the state tree over them: [`touched`] names the records a transaction
//! changed, and once a block's transactions are applied [`commit`] puts the new digests of all
//! the records they touched in the tree — once per record, and in place, since within a block
//! the tree is the block's own — so the root in every header commits to exactly what the
//! proofs endpoints answer.

use serde::Serialize;
use serde_json::Value;
use sigil_core::did::Did;
use sigil_core::merkle::Hash;
use sigil_core::state::records::{
    self as core_records, AccreditationEntry, AccreditationsRecord, AnchoredRecord, DidRecord,
    GovernanceRecord, MethodRecord, RecordName, StatusListRecord, VersionRecord,
};
use sigil_core::time::format_datetime;
use sigil_core::transaction::AccreditedRole;

use super::error::LedgerError;
use super::state::LedgerState;
use super::{Prepared, Transaction};

/// The record of `did`.
pub fn did(state: &LedgerState, did: &Did) -> Option<DidRecord> {
    let current = state.dids.get(did)?;
    Some(DidRecord {
        did: did.to_string(),
        controller_key: current.controller_key.to_multikey(),
        next_key_commitment: current.next_key_commitment.clone(),
        methods: current
            .methods
            .iter()
            .map(|(fragment, method)| {
                let record = MethodRecord {
                    public_key_multibase: method.key.to_multikey(),
                    purposes: method.purposes.clone(),
                    added: method.added,
                    retired: method.retired,
                    compromised_since: method.compromised_since.map(format_datetime),
                };
                (fragment.clone(), record)
            })
            .collect(),
        versions: current
            .versions
            .iter()
            .map(|version| VersionRecord {
                id: version.id,
                time: format_datetime(version.time),
                operation: version.operation.clone(),
                transaction: version.transaction.clone(),
                services: version.services.clone(),
                deactivated: version.deactivated,
            })
            .collect(),
    })
}

/// The latest version of the status list `id`.
pub fn status_list(state: &LedgerState, id: &str) -> Option<StatusListRecord> {
    let versions = state.status_lists.get(id)?;
    let latest = versions.last()?;
    Some(StatusListRecord {
        issuer: latest.issuer.to_string(),
        versions: versions.len() as u64,
        valid_from: format_datetime(latest.valid_from),
        transaction: latest.transaction.clone(),
        credential: latest.credential.clone(),
    })
}

/// Every accreditation of `did` in `role`; `None` when it has none.
pub fn accreditations(state: &LedgerState, role: AccreditedRole, did: &str) -> Option<AccreditationsRecord> {
    let accreditations: Vec<AccreditationEntry> = state
        .accreditations
        .iter()
        .filter(|(_, record)| record.role == role && record.accredited.as_str() == did)
        .map(|(transaction, record)| AccreditationEntry {
            transaction: transaction.clone(),
            root: record.root.to_string(),
            role: record.role,
            accredited: record.accredited.to_string(),
            legal_name: record.legal_name.clone(),
            root_name: record.root_name.clone(),
            credential_types: record.credential_types.clone(),
            valid_from: format_datetime(record.valid_from),
            valid_until: record.valid_until.map(format_datetime),
            revoked_at: record.revoked_at.map(format_datetime),
        })
        .collect();
    (!accreditations.is_empty()).then_some(AccreditationsRecord { accreditations })
}

/// The first anchor covering `credential_hash`.
pub fn anchored(state: &LedgerState, credential_hash: &str) -> Option<AnchoredRecord> {
    let root = state.anchored.get(credential_hash)?;
    let anchor = state.anchors.get(root)?;
    Some(AnchoredRecord {
        issuer: anchor.issuer.to_string(),
        merkle_root: root.clone(),
        transaction: anchor.transaction.clone(),
        height: anchor.height,
        time: format_datetime(anchor.time),
    })
}

/// Who governs the chain; `None` until the first governance change (genesis says).
pub fn governance(state: &LedgerState) -> Option<GovernanceRecord> {
    let latest = state.governance.last()?;
    Some(GovernanceRecord {
        sequence: state.governance.len() as u64,
        height: latest.height,
        validators: state.validators.multikeys().cloned().collect(),
        nodes: state
            .nodes
            .iter()
            .map(|(validator, node)| (validator.clone(), node.clone()))
            .collect(),
        learners: state
            .learners
            .iter()
            .map(|(learner, node)| (learner.clone(), node.clone()))
            .collect(),
        roots_of_trust: state.roots_of_trust.iter().map(ToString::to_string).collect(),
        root_names: state
            .root_names
            .iter()
            .map(|(did, name)| (did.to_string(), name.clone()))
            .collect(),
    })
}

/// The record named `name`, as JSON; `None` when the state holds nothing under it.
pub fn record(state: &LedgerState, name: &RecordName) -> Result<Option<Value>, serde_json::Error> {
    fn json<T: Serialize>(record: Option<T>) -> Result<Option<Value>, serde_json::Error> {
        record.map(serde_json::to_value).transpose()
    }
    match name {
        RecordName::Did(text) => match Did::parse(text) {
            Ok(parsed) => json(did(state, &parsed)),
            Err(_) => Ok(None),
        },
        RecordName::StatusList(id) => json(status_list(state, id)),
        RecordName::Accreditations { role, did } => json(accreditations(state, *role, did)),
        RecordName::Anchored(hash) => json(anchored(state, hash)),
        RecordName::Governance => json(governance(state)),
    }
}

/// The records the transaction `prepared` changed, going from `before` to `after`.
pub fn touched(before: &LedgerState, after: &LedgerState, prepared: &Prepared<'_>) -> Vec<RecordName> {
    match prepared.transaction() {
        Transaction::Did(_) => prepared.did().into_iter().map(RecordName::Did).collect(),
        Transaction::StatusList(publication) => publication
            .credential
            .get("id")
            .and_then(Value::as_str)
            .map(|id| RecordName::StatusList(id.to_owned()))
            .into_iter()
            .collect(),
        Transaction::Anchor(anchor) => anchor
            .credential_hashes
            .iter()
            .filter(|hash| !before.anchored.contains_key(*hash))
            .map(|hash| RecordName::Anchored(hash.clone()))
            .collect(),
        Transaction::Accreditation(grant) => vec![RecordName::Accreditations {
            role: grant.role,
            did: grant.issuer.clone(),
        }],
        Transaction::RevokeAccreditation(revocation) => after
            .accreditations
            .get(&revocation.accreditation)
            .map(|record| RecordName::Accreditations {
                role: record.role,
                did: record.accredited.to_string(),
            })
            .into_iter()
            .collect(),
        Transaction::Governance(_) => vec![RecordName::Governance],
    }
}

/// Puts the current digests of the records `names` into `state`'s tree (removing the leaves
/// of records that no longer exist). The records are encoded and digested among the cores,
/// and their digests put in the tree together.
pub fn commit<'a>(
    state: &mut LedgerState,
    names: impl IntoIterator<Item = &'a RecordName>,
) -> Result<(), LedgerError> {
    let names: Vec<&RecordName> = names.into_iter().collect();
    let digests = {
        let state = &*state;
        crate::parallel::in_shares(&names, DIGESTED_IN_SHARES_FROM, |share| {
            share.iter().map(|name| digest(state, name)).collect()
        })
    };
    let mut present = Vec::with_capacity(names.len());
    for (name, digest) in names.into_iter().zip(digests) {
        match digest.map_err(|e| LedgerError::Malformed(e.to_string()))? {
            Some(digest) => present.push((name.key(), digest)),
            None => {
                state.tree.remove(&name.key());
            }
        }
    }
    // Together, so that the top of the tree is rehashed once for the block, not per record.
    state.tree.extend(present);
    Ok(())
}

/// Fewer touched records than this are digested on the calling thread.
const DIGESTED_IN_SHARES_FROM: usize = 32;

/// The digest of the record named `name`, straight from its typed form (the JCS of a record
/// is that of its JSON); `None` when the state holds nothing under it.
fn digest(state: &LedgerState, name: &RecordName) -> Result<Option<Hash>, serde_json::Error> {
    fn of<T: Serialize>(record: &Option<T>) -> Result<Option<Hash>, serde_json::Error> {
        record.as_ref().map(core_records::digest).transpose()
    }
    match name {
        RecordName::Did(text) => match Did::parse(text) {
            Ok(parsed) => of(&did(state, &parsed)),
            Err(_) => Ok(None),
        },
        RecordName::StatusList(id) => of(&status_list(state, id)),
        RecordName::Accreditations { role, did } => of(&accreditations(state, *role, did)),
        RecordName::Anchored(hash) => of(&anchored(state, hash)),
        RecordName::Governance => of(&governance(state)),
    }
}
