//! Credential types as data (docs/design.md §6): which context defines a type's claims, which
//! claims may be disclosed selectively in SD-JWT VC, and how the type is named for people.
//!
//! Sigil ships the university diploma and, to show the mechanism is general, a product
//! inspection certificate. The issuer service reads further types from its configuration.

use serde::{Deserialize, Serialize};

use crate::contexts::SIGIL_V1;

/// A credential type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialType {
    /// The VCDM `type` (besides `VerifiableCredential`).
    pub name: String,
    /// A name for people.
    pub display_name: String,
    /// The JSON-LD context that defines the type and its claims.
    pub context: String,
    /// The SD-JWT VC type (`vct`).
    pub vct: String,
    /// Subject claims that are selectively disclosable in SD-JWT VC.
    pub selectively_disclosable: Vec<String>,
}

impl CredentialType {
    /// The types Sigil ships.
    pub fn builtin() -> Vec<CredentialType> {
        let make = |name: &str, display: &str, sd: &[&str]| CredentialType {
            name: name.into(),
            display_name: display.into(),
            context: SIGIL_V1.into(),
            vct: format!("https://w3id.org/sigil/types/{name}"),
            selectively_disclosable: sd.iter().map(|s| (*s).to_owned()).collect(),
        };
        vec![
            make(
                "UniversityDegreeCredential",
                "University degree",
                // Every claim, so a graduate can show an employer only name and degree.
                &[
                    "name",
                    "studentId",
                    "dateOfBirth",
                    "degree",
                    "fieldOfStudy",
                    "honours",
                    "graduationDate",
                ],
            ),
            make(
                "ProductInspectionCertificate",
                "Product inspection certificate",
                &["serialNumber"],
            ),
        ]
    }

    /// A built-in type by name.
    pub fn find_builtin(name: &str) -> Option<CredentialType> {
        Self::builtin().into_iter().find(|t| t.name == name)
    }
}
