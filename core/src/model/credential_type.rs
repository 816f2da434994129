//! Credential types as data (docs/design.md §6): which context defines a type's claims, which
//! claims may be disclosed selectively in SD-JWT VC, and how the type is named for people.
//!
//! Sigil ships the university diploma and, to show the mechanism is general, a product
//! inspection certificate. The issuer service reads further types from its configuration.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::names::Text;

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

/// The type files Sigil ships (`core/types/`): the issuer reads them whole — schema, inputs,
/// summary — and every service reads their names and labels from here.
pub const BUILTIN_FILES: [(&str, &str); 2] = [
    (
        "UniversityDegreeCredential.json",
        include_str!("../../types/UniversityDegreeCredential.json"),
    ),
    (
        "ProductInspectionCertificate.json",
        include_str!("../../types/ProductInspectionCertificate.json"),
    ),
];

/// What every service reads of a type file: the type and its words for people. (The issuer
/// reads the rest, and refuses a file with fields it does not know.)
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypeFile {
    name: String,
    display_name: Text,
    context: String,
    vct: String,
    #[serde(default)]
    selectively_disclosable: Vec<String>,
    #[serde(default)]
    claims: Vec<ClaimFile>,
}

#[derive(Debug, Deserialize)]
struct ClaimFile {
    path: Vec<String>,
    label: Text,
}

/// A built-in type's words for people: its name and each claim's label, by language.
#[derive(Debug)]
struct BuiltinLabels {
    name: String,
    vct: String,
    claims: BTreeMap<String, Text>,
}

fn builtin_files() -> impl Iterator<Item = TypeFile> {
    // The files are part of the binary and parsed by a test: one that does not parse is a
    // build that fails its tests, not a user's error.
    BUILTIN_FILES
        .iter()
        .filter_map(|(_, text)| serde_json::from_str(text).ok())
}

fn builtin_labels() -> &'static [BuiltinLabels] {
    static LABELS: OnceLock<Vec<BuiltinLabels>> = OnceLock::new();
    LABELS.get_or_init(|| {
        builtin_files()
            .map(|file| BuiltinLabels {
                name: file.name,
                vct: file.vct,
                claims: file
                    .claims
                    .into_iter()
                    .map(|claim| (claim.path.join("."), claim.label))
                    .collect(),
            })
            .collect()
    })
}

/// The label a built-in type gives the claim at the dotted `path`, for a reader of `tag`;
/// the type is named by its VCDM `type` or its `vct`.
pub fn claim_label(type_name: &str, path: &str, tag: &str) -> Option<&'static str> {
    builtin_labels()
        .iter()
        .find(|labels| labels.name == type_name || labels.vct == type_name)?
        .claims
        .get(path)
        .map(|label| label.in_language(tag))
}

impl CredentialType {
    /// The types Sigil ships (`core/types/`).
    pub fn builtin() -> Vec<CredentialType> {
        static TYPES: OnceLock<Vec<CredentialType>> = OnceLock::new();
        TYPES
            .get_or_init(|| {
                builtin_files()
                    .map(|file| CredentialType {
                        display_name: file.display_name.in_language("en").to_owned(),
                        name: file.name,
                        context: file.context,
                        vct: file.vct,
                        selectively_disclosable: file.selectively_disclosable,
                    })
                    .collect()
            })
            .clone()
    }

    /// A built-in type by name.
    pub fn find_builtin(name: &str) -> Option<CredentialType> {
        Self::builtin().into_iter().find(|t| t.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_types_parse_and_label_their_claims_in_both_languages() {
        let types = CredentialType::builtin();
        assert_eq!(types.len(), BUILTIN_FILES.len());
        let diploma = CredentialType::find_builtin("UniversityDegreeCredential").unwrap();
        assert_eq!(diploma.display_name, "University degree");
        assert_eq!(diploma.context, crate::contexts::SIGIL_V1);
        assert!(diploma.selectively_disclosable.contains(&"degree".to_owned()));
        assert_eq!(
            claim_label("UniversityDegreeCredential", "graduationDate", "zh-CN"),
            Some("毕业日期")
        );
        assert_eq!(claim_label(&diploma.vct, "degree.name", "en"), Some("Degree"));
        assert_eq!(claim_label("UniversityDegreeCredential", "nonsense", "en"), None);
        assert_eq!(claim_label("SomethingElse", "name", "en"), None);
    }
}
