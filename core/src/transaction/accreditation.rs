//! Accreditations on the registry (as EBSI's Trusted Issuers Registry keeps them): a root of
//! trust named in genesis states that a DID may issue — or, as a verifier, may request —
//! given credential types from/until given times, and may withdraw that later. Roots sign
//! them as statements; the registry checks them (`sigil-registry`'s ledger).

use serde::{Deserialize, Serialize};

use super::statement::StatementProof;
use crate::names::LegalName;

/// What an accreditation accredits its DID as.
///
/// Written as `"issuer"` or `"verifier"`. An issuer accreditation leaves the member out, so
/// every accreditation made before verifiers could be accredited keeps its exact bytes, hash
/// and signature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccreditedRole {
    /// May issue the credential types (the default, and the only role before verifiers).
    #[default]
    Issuer,
    /// May request the credential types from holders (OpenID4VP): lets a wallet tell a real
    /// relying party from an impostor using the same display name.
    Verifier,
}

impl AccreditedRole {
    /// Whether this is the issuer role (which is not written out).
    pub fn is_issuer(&self) -> bool {
        *self == AccreditedRole::Issuer
    }

    /// The role's wire name: `issuer` or `verifier`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AccreditedRole::Issuer => "issuer",
            AccreditedRole::Verifier => "verifier",
        }
    }
}

/// An accreditation to grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Accreditation {
    /// The root of trust granting it.
    pub root: String,
    /// The accredited DID: the issuer, or the verifier when `role` is `verifier` (the member
    /// keeps its name so that issuer accreditations keep their bytes).
    pub issuer: String,
    /// Issuer (absent) or verifier.
    #[serde(default, skip_serializing_if = "AccreditedRole::is_issuer")]
    pub role: AccreditedRole,
    /// The accredited party's legal name, which the root vouches for by signing. Absent from
    /// accreditations written before names were recorded (which keep their bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<LegalName>,
    /// The types it may issue, or as a verifier request.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transaction::Transaction;

    /// An issuer accreditation as the registry stored it before roles existed (members in
    /// the order serde writes them).
    const BEFORE_ROLES: &str = r#"{"accreditation":{"root":"did:key:z6MkRoot","issuer":"did:sigil:zQmIssuer","credentialTypes":["UniversityDegreeCredential"],"validFrom":"2026-01-01T00:00:00Z","proof":{"verificationMethod":"did:key:z6MkRoot#z6MkRoot","signature":"z3sig"}}}"#;

    #[test]
    fn an_accreditation_written_before_roles_reads_as_an_issuer_and_keeps_its_bytes_and_hash() {
        let transaction: Transaction = serde_json::from_str(BEFORE_ROLES).unwrap();
        let grant = match &transaction {
            Transaction::Accreditation(grant) => Some(grant),
            _ => None,
        }
        .unwrap();
        assert_eq!(grant.role, AccreditedRole::Issuer);
        assert_eq!(serde_json::to_string(&transaction).unwrap(), BEFORE_ROLES);
        // What is hashed and signed — the JCS form — is that of the JSON as written.
        let value: serde_json::Value = serde_json::from_str(BEFORE_ROLES).unwrap();
        assert_eq!(
            serde_jcs::to_string(&transaction).unwrap(),
            serde_jcs::to_string(&value).unwrap()
        );
        assert_eq!(
            transaction.hash().unwrap(),
            crate::did::sigil::digest::digest_jcs(&value).unwrap()
        );
    }

    #[test]
    fn a_verifier_accreditation_says_so_on_the_wire() {
        let grant = Accreditation {
            root: "did:key:z6MkRoot".into(),
            issuer: "did:key:z6MkVerifier".into(),
            role: AccreditedRole::Verifier,
            legal_name: None,
            credential_types: vec!["UniversityDegreeCredential".into()],
            valid_from: "2026-01-01T00:00:00Z".into(),
            valid_until: None,
            proof: None,
        };
        let text = serde_json::to_string(&grant).unwrap();
        assert!(text.contains(r#""role":"verifier""#), "{text}");
        assert_eq!(serde_json::from_str::<Accreditation>(&text).unwrap(), grant);
        let other = text.replace(r#""verifier""#, r#""auditor""#);
        assert!(serde_json::from_str::<Accreditation>(&other).is_err());
    }
}
