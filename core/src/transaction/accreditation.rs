//! Accreditations on the registry (as EBSI's Trusted Issuers Registry keeps them): a root of
//! trust named in genesis states that an issuer may issue given credential types from/until
//! given times, and may withdraw that later. Roots sign them as statements; the registry
//! checks them (`sigil-registry`'s ledger).

use serde::{Deserialize, Serialize};

use super::statement::StatementProof;

/// An accreditation to grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Accreditation {
    /// The root of trust granting it.
    pub root: String,
    pub issuer: String,
    pub credential_types: Vec<String>,
    pub valid_from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<StatementProof>,
}

/// The revocation of an accreditation by the root that granted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccreditationRevocation {
    pub root: String,
    /// The hash of the transaction that granted the accreditation.
    pub accreditation: String,
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<StatementProof>,
}
