//! Status-list publications: a new version of an issuer's `BitstringStatusListCredential`
//! (W3C Bitstring Status List v1.0), secured with Data Integrity by the issuer itself, so that
//! verifiers trust the issuer, not the registry, for what the list says.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A status list version to publish (the `statusList` transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusListPublication {
    /// The `BitstringStatusListCredential`, secured with Data Integrity by its issuer.
    pub credential: Value,
}
