//! The records the registry's state tree holds, one per name (docs/registry-proofs.md):
//!
//! | name | record |
//! |---|---|
//! | `did/<did>` | [`DidRecord`]: the DID's keys with their lifecycle and every version |
//! | `status-list/<id>` | [`StatusListRecord`]: the latest version of the list |
//! | `accreditations/<role>/<did>` | [`AccreditationsRecord`]: every accreditation of the DID in that role |
//! | `anchored/<credential hash>` | [`AnchoredRecord`]: the first anchor covering the credential |
//! | `governance/current` | [`GovernanceRecord`]: the validators and roots of trust, once governance changed them |
//!
//! A leaf holds SHA-256 of the record's RFC 8785 (JCS) form, so the registry and a client
//! that receives the record compute the same digest. Times are RFC 3339 to the second, as
//! the ledger writes them. Everything a client answers — a DID document at a version or a
//! time, a key's compromise, a list, an accreditation, an anchor — it computes from these
//! records itself, so a proven record is a proven answer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use super::tree::{Hash, StateTree};
use crate::did::document::{
    DID_V1_CONTEXT, DidDocument, MULTIKEY_V1_CONTEXT, MethodReference, VerificationMethod,
};
use crate::did::resolver::DocumentMetadata;
use crate::did::sigil::operation::Purpose;
use crate::did::{Resolution, ResolutionError, ResolutionOptions};
use crate::names::LegalName;
use crate::time::parse_datetime;
use crate::transaction::AccreditedRole;
use crate::verify::sources::KeyEvents;

/// The name of a record in the state tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordName {
    /// A DID's [`DidRecord`].
    Did(String),
    /// A status list's [`StatusListRecord`], by the list's id (its URL).
    StatusList(String),
    /// A DID's [`AccreditationsRecord`] in one role.
    Accreditations { role: AccreditedRole, did: String },
    /// A credential's [`AnchoredRecord`], by the credential's hash (lowercase hex).
    Anchored(String),
    /// The chain's [`GovernanceRecord`]: absent until the first governance change, while
    /// genesis says who the validators and roots of trust are.
    Governance,
}

impl RecordName {
    /// The name as text, which the tree key is the digest of.
    pub fn text(&self) -> String {
        match self {
            RecordName::Did(did) => format!("did/{did}"),
            RecordName::StatusList(id) => format!("status-list/{id}"),
            RecordName::Accreditations { role, did } => format!("accreditations/{}/{did}", role.as_str()),
            RecordName::Anchored(hash) => format!("anchored/{hash}"),
            RecordName::Governance => "governance/current".to_owned(),
        }
    }

    /// Reads a name written by [`RecordName::text`].
    pub fn parse(text: &str) -> Option<RecordName> {
        let (kind, rest) = text.split_once('/')?;
        let name = match kind {
            "did" => RecordName::Did(rest.to_owned()),
            "status-list" => RecordName::StatusList(rest.to_owned()),
            "anchored" => RecordName::Anchored(rest.to_owned()),
            "governance" if rest == "current" => RecordName::Governance,
            "accreditations" => {
                let (role, did) = rest.split_once('/')?;
                let role = match role {
                    "issuer" => AccreditedRole::Issuer,
                    "verifier" => AccreditedRole::Verifier,
                    _ => return None,
                };
                RecordName::Accreditations {
                    role,
                    did: did.to_owned(),
                }
            }
            _ => return None,
        };
        (!rest.is_empty()).then_some(name)
    }

    /// The record's key in the state tree.
    pub fn key(&self) -> Hash {
        StateTree::key(&self.text())
    }
}

/// The digest a leaf holds for `record`: SHA-256 of its JCS form.
pub fn digest<T: Serialize>(record: &T) -> Result<Hash, serde_json::Error> {
    Ok(Sha256::digest(serde_jcs::to_vec(record)?).into())
}

/// A DID: its keys, every verification method it ever had with its lifecycle, and every
/// version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DidRecord {
    pub did: String,
    /// The controller key's Multikey.
    pub controller_key: String,
    /// The pre-rotation commitment to the next controller key.
    pub next_key_commitment: String,
    /// Every method ever added, by fragment, retired ones included.
    pub methods: BTreeMap<String, MethodRecord>,
    /// One per operation, oldest first; ids count from 1.
    pub versions: Vec<VersionRecord>,
}

/// A verification method and its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MethodRecord {
    pub public_key_multibase: String,
    pub purposes: Vec<Purpose>,
    /// The version that added it.
    pub added: u64,
    /// The version that retired it, if one did.
    pub retired: Option<u64>,
    /// Distrusted from this time on.
    pub compromised_since: Option<String>,
}

/// The DID as one operation left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionRecord {
    pub id: u64,
    pub time: String,
    /// The hash of the operation (what the next operation names as `prev`).
    pub operation: String,
    /// The hash of the transaction that carried it.
    pub transaction: String,
    pub services: Vec<Value>,
    pub deactivated: bool,
}

impl DidRecord {
    /// The latest version.
    pub fn latest(&self) -> Option<&VersionRecord> {
        self.versions.last()
    }

    /// Resolves the DID as `options` ask (DID-METHOD.md §4): a `versionId`, the version in
    /// force at a `versionTime`, or the latest.
    pub fn resolve(&self, options: &ResolutionOptions) -> Result<Resolution, ResolutionError> {
        let not_found = || ResolutionError::NotFound(self.did.clone());
        let version = match (&options.version_id, options.version_time) {
            (Some(id), _) => {
                let id: u64 = id
                    .parse()
                    .map_err(|_| ResolutionError::InvalidDid(format!("versionId {id:?} is not a number")))?;
                self.versions.iter().find(|v| v.id == id)
            }
            (None, Some(time)) => self
                .versions
                .iter()
                .rev()
                .find(|v| parse_datetime(&v.time).is_some_and(|t| t <= time)),
            (None, None) => self.latest(),
        }
        .ok_or_else(not_found)?;
        Ok(Resolution {
            document: self.document_at(version),
            metadata: self.metadata_at(version),
        })
    }

    /// The methods in force at version `version`.
    fn methods_at(&self, version: u64) -> impl Iterator<Item = (&String, &MethodRecord)> {
        self.methods
            .iter()
            .filter(move |(_, m)| m.added <= version && m.retired.is_none_or(|retired| retired > version))
    }

    fn document_at(&self, version: &VersionRecord) -> DidDocument {
        let did = &self.did;
        let mut document = DidDocument {
            context: json!([DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT]),
            id: did.clone(),
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
        for (fragment, method) in self.methods_at(version.id) {
            let id = format!("{did}#{fragment}");
            document.verification_method.push(VerificationMethod {
                id: id.clone(),
                type_: "Multikey".into(),
                controller: did.clone(),
                public_key_multibase: Some(method.public_key_multibase.clone()),
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

    fn metadata_at(&self, version: &VersionRecord) -> DocumentMetadata {
        let mut extra = Map::new();
        extra.insert("sigilOperation".into(), Value::String(version.operation.clone()));
        extra.insert(
            "sigilTransaction".into(),
            Value::String(version.transaction.clone()),
        );
        DocumentMetadata {
            created: self.versions.first().map(|v| v.time.clone()),
            updated: (version.id > 1).then(|| version.time.clone()),
            deactivated: version.deactivated,
            version_id: Some(version.id.to_string()),
            next_version_id: self
                .versions
                .iter()
                .find(|v| v.id == version.id + 1)
                .map(|v| v.id.to_string()),
            extra,
        }
    }

    /// What the record says now about `method_id` (a DID URL) and its DID: when the method
    /// was declared compromised and when the DID was deactivated.
    pub fn key_events(&self, method_id: &str) -> KeyEvents {
        let fragment = method_id
            .split_once('#')
            .map(|(_, fragment)| fragment)
            .unwrap_or_default();
        KeyEvents {
            compromised_since: self
                .methods
                .get(fragment)
                .and_then(|m| m.compromised_since.as_deref())
                .and_then(parse_datetime),
            deactivated_at: self
                .latest()
                .filter(|v| v.deactivated)
                .and_then(|v| parse_datetime(&v.time)),
        }
    }
}

/// The latest version of a status list: the issuer-signed list credential as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusListRecord {
    /// The issuer's DID.
    pub issuer: String,
    /// How many versions have been published (this is the last).
    pub versions: u64,
    pub valid_from: String,
    /// The transaction that published this version.
    pub transaction: String,
    pub credential: Value,
}

/// Every accreditation of one DID in one role, revoked ones included, in the order of the
/// transactions that granted them (by hash).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccreditationsRecord {
    pub accreditations: Vec<AccreditationEntry>,
}

/// One accreditation a root of trust granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccreditationEntry {
    /// The transaction that granted it.
    pub transaction: String,
    /// The root of trust that granted it.
    pub root: String,
    pub role: AccreditedRole,
    /// The accredited DID.
    pub accredited: String,
    /// The accredited party's legal name, as the root recorded it (absent before names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<LegalName>,
    /// The root's legal name when it granted this, as genesis or governance recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_name: Option<LegalName>,
    /// The types it may issue, or as a verifier request.
    pub credential_types: Vec<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
    /// From when its revocation applies, once revoked.
    pub revoked_at: Option<String>,
}

/// Who governs the chain after its latest governance change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GovernanceRecord {
    /// How many changes the chain has applied (the latest's `sequence`).
    pub sequence: u64,
    /// The block that applied the latest.
    pub height: u64,
    /// The validators' Multikeys, in the chain's order.
    pub validators: Vec<String>,
    /// The node URLs of validators added by governance (genesis's are configured on each node).
    pub nodes: BTreeMap<String, String>,
    /// The non-voting members: each learner's key and node URL.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub learners: BTreeMap<String, String>,
    /// The DIDs that may write accreditations.
    pub roots_of_trust: Vec<String>,
    /// The legal names of those roots that have one, by DID.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub root_names: BTreeMap<String, LegalName>,
}

/// The first anchor that covered a credential: when the credential is known to have existed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnchoredRecord {
    /// The anchoring issuer's DID.
    pub issuer: String,
    /// The batch's Merkle root.
    pub merkle_root: String,
    /// The anchor transaction.
    pub transaction: String,
    /// The block that holds it, and that block's time.
    pub height: u64,
    pub time: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn record() -> DidRecord {
        let method = |added, retired, compromised: Option<&str>| MethodRecord {
            public_key_multibase: "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK".into(),
            purposes: vec![Purpose::AssertionMethod],
            added,
            retired,
            compromised_since: compromised.map(str::to_owned),
        };
        let version = |id, time: &str, deactivated| VersionRecord {
            id,
            time: time.into(),
            operation: format!("op{id}"),
            transaction: format!("tx{id}"),
            services: vec![],
            deactivated,
        };
        DidRecord {
            did: "did:sigil:zExample".into(),
            controller_key: "z6Mk".into(),
            next_key_commitment: "zQm".into(),
            methods: BTreeMap::from([
                (
                    "key-1".to_owned(),
                    method(1, Some(2), Some("2026-03-01T00:00:00Z")),
                ),
                ("key-2".to_owned(), method(2, None, None)),
            ]),
            versions: vec![
                version(1, "2026-01-01T00:00:00Z", false),
                version(2, "2026-02-01T00:00:00Z", false),
                version(3, "2026-04-01T00:00:00Z", true),
            ],
        }
    }

    #[test]
    fn a_version_in_force_at_a_time_has_the_keys_of_that_version() {
        let record = record();
        let at = |time: &str| ResolutionOptions::at(parse_datetime(time).unwrap());
        let january = record.resolve(&at("2026-01-15T00:00:00Z")).unwrap();
        assert_eq!(
            january.document.verification_method[0].id,
            "did:sigil:zExample#key-1"
        );
        assert_eq!(january.metadata.next_version_id.as_deref(), Some("2"));
        let march = record.resolve(&at("2026-03-15T00:00:00Z")).unwrap();
        assert_eq!(
            march.document.verification_method[0].id,
            "did:sigil:zExample#key-2"
        );
        let latest = record.resolve(&ResolutionOptions::latest()).unwrap();
        assert!(latest.metadata.deactivated && latest.document.verification_method.is_empty());
        assert!(record.resolve(&at("2025-12-31T00:00:00Z")).is_err());
    }

    #[test]
    fn key_events_come_from_the_record() {
        let events = record().key_events("did:sigil:zExample#key-1");
        assert_eq!(events.compromised_since, parse_datetime("2026-03-01T00:00:00Z"));
        assert_eq!(events.deactivated_at, parse_datetime("2026-04-01T00:00:00Z"));
        assert_eq!(
            record().key_events("did:sigil:zExample#key-2").compromised_since,
            None
        );
    }

    #[test]
    fn names_of_different_kinds_never_share_a_key() {
        let did = "did:sigil:zExample".to_owned();
        let names = [
            RecordName::Did(did.clone()),
            RecordName::Accreditations {
                role: AccreditedRole::Issuer,
                did: did.clone(),
            },
            RecordName::Accreditations {
                role: AccreditedRole::Verifier,
                did,
            },
            RecordName::StatusList("https://example.edu/status/1".into()),
            RecordName::Anchored("ab".repeat(32)),
            RecordName::Governance,
        ];
        let keys: std::collections::HashSet<_> = names.iter().map(RecordName::key).collect();
        assert_eq!(keys.len(), names.len());
        for name in names {
            assert_eq!(RecordName::parse(&name.text()), Some(name));
        }
        assert_eq!(RecordName::parse("accreditations/holder/did:key:z6Mk"), None);
        assert_eq!(RecordName::parse("did/"), None);
    }

    #[test]
    fn a_changed_record_has_another_digest() {
        let mut changed = record();
        changed.versions[2].deactivated = false;
        assert_ne!(digest(&record()).unwrap(), digest(&changed).unwrap());
    }
}
