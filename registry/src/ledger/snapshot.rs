//! A snapshot of the ledger state (docs/consensus.md, "Snapshots"): everything [`LedgerState`]
//! holds, as a sequence of self-describing entries, so that a node restarts from its newest
//! snapshot and the blocks after it instead of replaying the chain from genesis.
//!
//! The entries are JSON, one per DID, status list, anchor, accreditation, anchored credential
//! and batch of applied transaction hashes, after one `chain` entry naming the block the state
//! is after. [`restore`] rebuilds the state tree from the records and returns its root, which
//! the caller compares with that block's `stateTreeRoot`: a snapshot whose records were damaged
//! or altered does not match the header every validator signed.

use std::collections::BTreeMap;
use std::sync::Arc;

use imbl::Vector;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::did::Did;
use sigil_core::key::PublicKey;
use sigil_core::names::LegalName;
use sigil_core::state::records::{DidRecord, MethodRecord, RecordName, VersionRecord};
use sigil_core::state::validators::ValidatorSet;
use sigil_core::time::{Timestamp, format_datetime, parse_datetime};
use sigil_core::transaction::accreditation::AccreditedRole;
use sigil_core::transaction::governance::GovernanceChange;

use super::records;
use super::state::{
    AccreditationRecord, AnchorRecord, DidState, GovernanceEntry, LedgerState, MethodState,
    StatusListVersion, Version,
};

/// The format the first entry names.
pub const FORMAT: &str = "sigil-state-snapshot/1";
/// How many applied transaction hashes one entry holds.
const APPLIED_PER_ENTRY: usize = 4096;

/// One entry of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Entry {
    /// First: which chain and block, and who governs it.
    Chain(ChainEntry),
    Did(DidRecord),
    StatusList(StatusListEntry),
    Anchor(AnchorEntry),
    /// A credential hash and the Merkle root of its first anchor.
    Anchored {
        hash: String,
        merkle_root: String,
    },
    Accreditation(AccreditationEntry),
    /// Hashes of applied transactions.
    Applied(Vec<String>),
}

/// The block the state is after, and the chain's governance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainEntry {
    pub format: String,
    pub chain_id: String,
    pub height: u64,
    pub block_hash: String,
    pub validators: Vec<String>,
    pub nodes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub learners: BTreeMap<String, String>,
    pub roots_of_trust: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub root_names: BTreeMap<String, LegalName>,
    pub governance: Vec<AppliedChange>,
}

/// A governance change the chain applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppliedChange {
    pub change: GovernanceChange,
    pub transaction: String,
    pub height: u64,
}

/// Every version of a status list, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusListEntry {
    pub id: String,
    pub versions: Vec<StatusListVersionEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusListVersionEntry {
    pub issuer: String,
    pub valid_from: String,
    pub credential: Value,
    pub transaction: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnchorEntry {
    pub merkle_root: String,
    pub issuer: String,
    pub credential_hashes: Vec<String>,
    pub transaction: String,
    pub height: u64,
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccreditationEntry {
    pub transaction: String,
    pub root: String,
    pub accredited: String,
    pub role: AccreditedRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<LegalName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_name: Option<LegalName>,
    pub credential_types: Vec<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub revoked_by: Option<String>,
    pub revoked_at: Option<String>,
}

/// Why a snapshot cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the state snapshot is unusable: {0}")]
pub struct SnapshotError(pub String);

/// The snapshot of `state`, the state after block `height` whose hash is `block_hash`: the
/// chain entry first, then the rest in the state's order.
pub fn entries(state: &LedgerState, height: u64, block_hash: &str) -> Vec<Entry> {
    let mut entries = vec![Entry::Chain(ChainEntry {
        format: FORMAT.to_owned(),
        chain_id: state.chain_id.clone(),
        height,
        block_hash: block_hash.to_owned(),
        validators: state.validators.multikeys().cloned().collect(),
        nodes: state.nodes.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        learners: state
            .learners
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        roots_of_trust: state.roots_of_trust.iter().map(ToString::to_string).collect(),
        root_names: state
            .root_names
            .iter()
            .map(|(root, name)| (root.to_string(), name.clone()))
            .collect(),
        governance: state
            .governance
            .iter()
            .map(|entry| AppliedChange {
                change: entry.change.clone(),
                transaction: entry.transaction.clone(),
                height: entry.height,
            })
            .collect(),
    })];
    entries.extend(
        state
            .dids
            .keys()
            .filter_map(|did| records::did(state, did))
            .map(Entry::Did),
    );
    entries.extend(state.status_lists.iter().map(|(id, versions)| {
        Entry::StatusList(StatusListEntry {
            id: id.clone(),
            versions: versions
                .iter()
                .map(|version| StatusListVersionEntry {
                    issuer: version.issuer.to_string(),
                    valid_from: format_datetime(version.valid_from),
                    credential: version.credential.clone(),
                    transaction: version.transaction.clone(),
                })
                .collect(),
        })
    }));
    entries.extend(state.anchors.iter().map(|(root, anchor)| {
        Entry::Anchor(AnchorEntry {
            merkle_root: root.clone(),
            issuer: anchor.issuer.to_string(),
            credential_hashes: anchor.credential_hashes.clone(),
            transaction: anchor.transaction.clone(),
            height: anchor.height,
            time: format_datetime(anchor.time),
        })
    }));
    entries.extend(state.anchored.iter().map(|(hash, root)| Entry::Anchored {
        hash: hash.clone(),
        merkle_root: root.clone(),
    }));
    entries.extend(state.accreditations.iter().map(|(transaction, record)| {
        Entry::Accreditation(AccreditationEntry {
            transaction: transaction.clone(),
            root: record.root.to_string(),
            accredited: record.accredited.to_string(),
            role: record.role,
            legal_name: record.legal_name.clone(),
            root_name: record.root_name.clone(),
            credential_types: record.credential_types.clone(),
            valid_from: format_datetime(record.valid_from),
            valid_until: record.valid_until.map(format_datetime),
            revoked_by: record.revoked_by.clone(),
            revoked_at: record.revoked_at.map(format_datetime),
        })
    }));
    let mut applied: Vec<String> = state.applied.iter().cloned().collect();
    applied.sort_unstable();
    entries.extend(
        applied
            .chunks(APPLIED_PER_ENTRY)
            .map(|chunk| Entry::Applied(chunk.to_vec())),
    );
    entries
}

/// A restored state: the state, the block it is after, and the root of its rebuilt tree.
#[derive(Debug)]
pub struct Restored {
    pub state: LedgerState,
    pub height: u64,
    pub block_hash: String,
    /// Lowercase hex, as headers write `stateTreeRoot`.
    pub tree_root: String,
}

/// Rebuilds the state from a snapshot's entries (the chain entry first), and its tree.
pub fn restore(entries: impl IntoIterator<Item = Entry>) -> Result<Restored, SnapshotError> {
    let bad = |what: &str, detail: &dyn std::fmt::Display| SnapshotError(format!("{what}: {detail}"));
    let mut entries = entries.into_iter();
    let Some(Entry::Chain(chain)) = entries.next() else {
        return Err(SnapshotError("it does not start with its chain entry".into()));
    };
    if chain.format != FORMAT {
        return Err(SnapshotError(format!("format {:?}, not {FORMAT}", chain.format)));
    }
    let validators = ValidatorSet::new(&chain.validators).map_err(|e| bad("validators", &e))?;
    let mut state = LedgerState {
        chain_id: chain.chain_id,
        validators: Arc::new(validators),
        nodes: chain.nodes.into_iter().collect(),
        learners: chain.learners.into_iter().collect(),
        governance: chain
            .governance
            .into_iter()
            .map(|entry| GovernanceEntry {
                change: entry.change,
                transaction: entry.transaction,
                height: entry.height,
            })
            .collect(),
        roots_of_trust: chain
            .roots_of_trust
            .iter()
            .map(|root| Did::parse(root).map_err(|e| bad("root of trust", &e)))
            .collect::<Result<_, _>>()?,
        root_names: chain
            .root_names
            .into_iter()
            .map(|(root, name)| Ok((Did::parse(&root).map_err(|e| bad("root of trust", &e))?, name)))
            .collect::<Result<_, SnapshotError>>()?,
        ..LedgerState::default()
    };
    let mut names = Vec::new();
    if !state.governance.is_empty() {
        names.push(RecordName::Governance);
    }
    for entry in entries {
        match entry {
            Entry::Chain(_) => return Err(SnapshotError("a second chain entry".into())),
            Entry::Did(record) => {
                let did = Did::parse(&record.did).map_err(|e| bad("DID", &e))?;
                names.push(RecordName::Did(record.did.clone()));
                state.dids.insert(Arc::new(did), Arc::new(did_state(&record)?));
            }
            Entry::StatusList(list) => {
                let versions = list
                    .versions
                    .into_iter()
                    .map(|version| {
                        Ok(StatusListVersion {
                            issuer: Did::parse(&version.issuer).map_err(|e| bad("status list issuer", &e))?,
                            valid_from: time(&version.valid_from)?,
                            credential: version.credential,
                            transaction: version.transaction,
                        })
                    })
                    .collect::<Result<Vector<_>, SnapshotError>>()?;
                names.push(RecordName::StatusList(list.id.clone()));
                state.status_lists.insert(list.id, versions);
            }
            Entry::Anchor(anchor) => {
                let record = AnchorRecord {
                    issuer: Did::parse(&anchor.issuer).map_err(|e| bad("anchor issuer", &e))?,
                    credential_hashes: anchor.credential_hashes,
                    transaction: anchor.transaction,
                    height: anchor.height,
                    time: time(&anchor.time)?,
                };
                state.anchors.insert(anchor.merkle_root, record);
            }
            Entry::Anchored { hash, merkle_root } => {
                names.push(RecordName::Anchored(hash.clone()));
                state.anchored.insert(hash, merkle_root);
            }
            Entry::Accreditation(entry) => {
                let accredited = Did::parse(&entry.accredited).map_err(|e| bad("accredited DID", &e))?;
                names.push(RecordName::Accreditations {
                    role: entry.role,
                    did: accredited.to_string(),
                });
                let record = AccreditationRecord {
                    root: Did::parse(&entry.root).map_err(|e| bad("root", &e))?,
                    accredited,
                    role: entry.role,
                    legal_name: entry.legal_name,
                    root_name: entry.root_name,
                    credential_types: entry.credential_types,
                    valid_from: time(&entry.valid_from)?,
                    valid_until: entry.valid_until.as_deref().map(time).transpose()?,
                    revoked_by: entry.revoked_by,
                    revoked_at: entry.revoked_at.as_deref().map(time).transpose()?,
                };
                state.accreditations.insert(entry.transaction, record);
            }
            Entry::Applied(hashes) => state.applied.extend(hashes),
        }
    }
    names.sort_unstable();
    names.dedup();
    records::commit(&mut state, &names).map_err(|e| bad("records", &e))?;
    let tree_root = sigil_core::merkle::hex(&state.tree.root());
    Ok(Restored {
        state,
        height: chain.height,
        block_hash: chain.block_hash,
        tree_root,
    })
}

fn time(text: &str) -> Result<Timestamp, SnapshotError> {
    parse_datetime(text).ok_or_else(|| SnapshotError(format!("{text:?} is not an RFC 3339 time")))
}

fn key(multikey: &str) -> Result<PublicKey, SnapshotError> {
    PublicKey::from_multikey(multikey).map_err(|e| SnapshotError(format!("key {multikey}: {e}")))
}

/// A DID's state from its record, which holds all of it.
fn did_state(record: &DidRecord) -> Result<DidState, SnapshotError> {
    let method = |method: &MethodRecord| {
        Ok(MethodState {
            key: key(&method.public_key_multibase)?,
            purposes: method.purposes.clone(),
            added: method.added,
            retired: method.retired,
            compromised_since: method.compromised_since.as_deref().map(time).transpose()?,
        })
    };
    let version = |version: &VersionRecord| {
        Ok(Version {
            id: version.id,
            time: time(&version.time)?,
            operation: version.operation.clone(),
            transaction: version.transaction.clone(),
            services: version.services.clone(),
            deactivated: version.deactivated,
        })
    };
    Ok(DidState {
        controller_key: key(&record.controller_key)?,
        next_key_commitment: record.next_key_commitment.clone(),
        methods: record
            .methods
            .iter()
            .map(|(fragment, m)| Ok((fragment.clone(), method(m)?)))
            .collect::<Result<_, SnapshotError>>()?,
        versions: record
            .versions
            .iter()
            .map(version)
            .collect::<Result<_, SnapshotError>>()?,
    })
}
