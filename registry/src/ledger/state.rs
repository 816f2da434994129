//! The ledger state: what every node derives from the chain by applying its transactions in
//! order. Persistent maps (`imbl`) make `apply`'s copy-on-write cheap: a new state shares
//! everything it did not change with the old one.

use std::sync::Arc;

use imbl::{HashSet, OrdMap, OrdSet, Vector};
use litemap::LiteMap;
use serde_json::Value;
use sigil_core::did::Did;
use sigil_core::key::PublicKey;
use sigil_core::names::LegalName;
use sigil_core::state::tree::StateTree;
use sigil_core::state::validators::ValidatorSet;
use sigil_core::time::Timestamp;
use sigil_core::transaction::accreditation::AccreditedRole;
use sigil_core::transaction::governance::GovernanceChange;

use super::operation::Purpose;

/// Everything the ledger knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerState {
    /// The chain's id, from genesis: governance changes name it.
    pub chain_id: String,
    /// The validators in force: genesis's, then as governance changed them. They propose
    /// blocks, and a quorum of them signs a header final and authorises the next change.
    pub validators: Arc<ValidatorSet>,
    /// The node URLs of the validators governance added, by Multikey.
    pub nodes: OrdMap<String, String>,
    /// The non-voting members governance added: each learner's node URL, by its Multikey.
    pub learners: OrdMap<String, String>,
    /// The governance changes applied, in order (the `n`th has sequence `n`).
    pub governance: Vector<GovernanceEntry>,
    /// Each DID's state. Keys and values sit behind `Arc`s: applying an operation copies the
    /// map's path to its DID, and a copied node then shares its neighbours' DIDs and states
    /// instead of copying them.
    pub dids: OrdMap<Arc<Did>, Arc<DidState>>,
    /// Hashes of every transaction applied, to refuse replays.
    pub applied: HashSet<String>,
    /// The roots of trust, genesis's as governance changed them: the only writers of
    /// accreditations.
    pub roots_of_trust: OrdSet<Did>,
    /// The legal names genesis or governance recorded for roots of trust in force.
    pub root_names: OrdMap<Did, LegalName>,
    /// Every published version of every status list, by list id, oldest first.
    pub status_lists: OrdMap<String, Vector<StatusListVersion>>,
    /// Issuance anchors by Merkle root.
    pub anchors: OrdMap<String, AnchorRecord>,
    /// For each anchored credential hash, the Merkle root of its first anchor.
    pub anchored: OrdMap<String, String>,
    /// Accreditations by the hash of the transaction that granted them.
    pub accreditations: OrdMap<String, AccreditationRecord>,
    /// The sparse Merkle tree over the records of everything above (`records`), whose root
    /// every block header carries so that each answer can be proven.
    pub tree: StateTree,
}

impl LedgerState {
    /// The state at genesis: empty, with its roots of trust.
    pub fn genesis(roots_of_trust: impl IntoIterator<Item = Did>) -> Self {
        LedgerState {
            roots_of_trust: roots_of_trust.into_iter().collect(),
            ..LedgerState::default()
        }
    }
}

/// A governance change the chain applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernanceEntry {
    /// What it changed.
    pub change: GovernanceChange,
    /// The transaction's hash.
    pub transaction: String,
    /// The block that holds it.
    pub height: u64,
}

/// One published version of a status list: the issuer-signed credential as received.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusListVersion {
    pub issuer: Did,
    pub valid_from: Timestamp,
    pub credential: Value,
    /// The transaction that published it (its block gives the publication time).
    pub transaction: String,
}

/// An issuance anchor: an issuer committed to a batch of credential hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRecord {
    pub issuer: Did,
    pub credential_hashes: Vec<String>,
    /// The transaction that anchored it; the block holding it proves when.
    pub transaction: String,
    /// The block that holds it, and its time.
    pub height: u64,
    pub time: Timestamp,
}

/// An accreditation a root of trust granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccreditationRecord {
    pub root: Did,
    /// The accredited DID: an issuer, or a verifier.
    pub accredited: Did,
    /// What `accredited` is accredited as.
    pub role: AccreditedRole,
    /// The accredited party's legal name, as the root recorded it.
    pub legal_name: Option<LegalName>,
    /// The root's legal name when it granted this.
    pub root_name: Option<LegalName>,
    /// The types it may issue, or as a verifier request.
    pub credential_types: Vec<String>,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
    /// The revoking transaction, once revoked.
    pub revoked_by: Option<String>,
    /// From when the revocation applies (the revocation's `time`).
    pub revoked_at: Option<Timestamp>,
}

/// One DID: its keys, methods with their whole lifecycle, and its versions.
///
/// A DID is a few methods and versions, copied whole when it changes, so they are kept in
/// plain vectors: a persistent map or vector allocates a node of 16 or 64 entries for its
/// first one, which made a DID of one method and one version take about 13 KB.
#[derive(Debug, Clone, PartialEq)]
pub struct DidState {
    pub controller_key: PublicKey,
    pub next_key_commitment: String,
    /// Every method ever added, by fragment, retired ones included.
    pub methods: Methods,
    /// One entry per operation, oldest first; version ids count from 1.
    pub versions: Vec<Version>,
}

/// A DID's verification methods by fragment, in fragment order: a sorted vector.
pub type Methods = LiteMap<String, MethodState>;

/// A verification method and its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodState {
    pub key: PublicKey,
    pub purposes: Vec<Purpose>,
    /// The version that added it.
    pub added: u64,
    /// The version that retired it (normal rotation) or marked it compromised.
    pub retired: Option<u64>,
    /// Distrusted from this time on (docs/design.md §5 rule 3).
    pub compromised_since: Option<Timestamp>,
}

/// The DID as one operation left it.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub id: u64,
    pub time: Timestamp,
    /// The hash of the operation that produced this version (what `prev` names).
    pub operation: String,
    /// The hash of the transaction that carried the operation.
    pub transaction: String,
    pub services: Vec<Value>,
    pub deactivated: bool,
}

impl DidState {
    /// The latest version.
    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// Whether the DID is deactivated.
    pub fn is_deactivated(&self) -> bool {
        self.latest().is_some_and(|v| v.deactivated)
    }

    /// The methods in force at version `version`.
    pub fn methods_at(&self, version: u64) -> impl Iterator<Item = (&String, &MethodState)> {
        self.methods
            .iter()
            .filter(move |(_, m)| m.added <= version && m.retired.is_none_or(|retired| retired > version))
    }
}
