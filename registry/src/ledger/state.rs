//! The ledger state: what every node derives from the chain by applying its transactions in
//! order. Persistent maps (`imbl`) make `apply`'s copy-on-write cheap: a new state shares
//! everything it did not change with the old one.

use imbl::{HashSet, OrdMap, Vector};
use serde_json::Value;
use sigil_core::did::Did;
use sigil_core::key::PublicKey;
use sigil_core::time::Timestamp;

use super::operation::Purpose;

/// Everything the ledger knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerState {
    pub dids: OrdMap<Did, DidState>,
    /// Hashes of every transaction applied, to refuse replays.
    pub applied: HashSet<String>,
}

/// One DID: its keys, methods with their whole lifecycle, and its versions.
#[derive(Debug, Clone, PartialEq)]
pub struct DidState {
    pub controller_key: PublicKey,
    pub next_key_commitment: String,
    /// Every method ever added, by fragment, retired ones included.
    pub methods: OrdMap<String, MethodState>,
    /// One entry per operation, oldest first; version ids count from 1.
    pub versions: Vector<Version>,
}

/// A verification method and its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodState {
    pub key: PublicKey,
    pub purposes: Vec<Purpose>,
    /// The version that added it.
    pub added: u64,
    /// The version that retired it (normal rotation) or marked it compromised.
    pub retired: Option<u64>,
    /// Distrusted from this time on (DESIGN.md §5 rule 3).
    pub compromised_since: Option<Timestamp>,
}

/// The DID as one operation left it.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub id: u64,
    pub time: Timestamp,
    /// The hash of the operation that produced this version.
    pub operation: String,
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
