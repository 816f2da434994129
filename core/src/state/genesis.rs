//! Genesis: the configuration every node of a chain starts from — its identity, its
//! validators and its roots of trust — read from a file and committed to by its hash. Clients
//! read it too: its validators are whom a proven answer must be signed by.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::did::Did;
use crate::did::sigil::digest::digest_jcs;
use crate::key::PublicKey;
use crate::names::LegalName;

/// A chain's genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Genesis {
    /// A name for the chain, so that blocks of one chain cannot be replayed on another.
    pub chain_id: String,
    /// When the chain starts (RFC 3339); no block may be older.
    pub time: String,
    /// Multikeys of the validators allowed to sign blocks.
    pub validators: Vec<String>,
    /// DIDs allowed to write accreditations.
    pub roots_of_trust: Vec<String>,
    /// The legal names of roots of trust, by DID: whom an accreditation is shown to come
    /// from ("accredited by the Ministry of Education"). A genesis written before names
    /// leaves it out, and keeps its hash.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub root_names: BTreeMap<String, LegalName>,
}

/// Why a genesis is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid genesis: {0}")]
pub struct GenesisError(pub String);

impl Genesis {
    /// Checks the genesis: a chain id, an RFC 3339 time, at least one validator, every key
    /// and DID readable.
    pub fn check(&self) -> Result<(), GenesisError> {
        if self.chain_id.trim().is_empty() {
            return Err(GenesisError("chainId is empty".into()));
        }
        crate::time::parse_datetime(&self.time).ok_or_else(|| GenesisError("time is not RFC 3339".into()))?;
        if self.validators.is_empty() {
            return Err(GenesisError("name at least one validator".into()));
        }
        self.validator_keys()?;
        self.roots()?;
        if let Some(stranger) = self
            .root_names
            .keys()
            .find(|did| !self.roots_of_trust.contains(did))
        {
            return Err(GenesisError(format!(
                "rootNames names {stranger}, which is not a root of trust"
            )));
        }
        Ok(())
    }

    /// The roots of trust.
    pub fn roots(&self) -> Result<Vec<Did>, GenesisError> {
        self.roots_of_trust
            .iter()
            .map(|did| Did::parse(did).map_err(|e| GenesisError(e.to_string())))
            .collect()
    }

    /// The validators' keys.
    pub fn validator_keys(&self) -> Result<Vec<PublicKey>, GenesisError> {
        self.validators
            .iter()
            .map(|key| {
                PublicKey::from_multikey(key).map_err(|e| GenesisError(format!("validator {key}: {e}")))
            })
            .collect()
    }

    /// The genesis hash: block 1 names it as `prevHash`, and clients pin a chain by it.
    pub fn hash(&self) -> Result<String, GenesisError> {
        digest_jcs(self).map_err(|e| GenesisError(format!("cannot be encoded canonically: {e}")))
    }
}
