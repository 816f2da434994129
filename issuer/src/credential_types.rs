//! Credential types as configuration (docs/design.md §6). A type is a JSON file: the JSON-LD
//! context and SD-JWT `vct` that name it, the JSON Schema its subject claims must satisfy,
//! which claims are selectively disclosable, how long a credential stays valid, and how each
//! claim is labelled and entered in the registrar portal.
//!
//! Sigil ships `UniversityDegreeCredential` and `ProductInspectionCertificate`
//! (`core/types/`, where every service reads their labels); `issuer.toml` may add more with `type_files = ["residence.json"]`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};
use sigil_core::model::CredentialType;
pub use sigil_core::names::Text;

/// The type files built into the binary (`core/types/`).
const BUILTIN: [(&str, &str); 2] = sigil_core::model::credential_type::BUILTIN_FILES;

/// How a claim is entered in the portal's form and CSV.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    Text,
    Date,
    Choice,
}

/// One claim of a type, for people: its path in the subject, label and input.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimField {
    /// The claim's path inside `credentialSubject`, e.g. `["degree", "name"]`.
    pub path: Vec<String>,
    pub label: Text,
    pub input: Input,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub mandatory: bool,
}

impl ClaimField {
    /// The path joined with dots: the form field name and CSV column, e.g. `degree.name`.
    pub fn key(&self) -> String {
        self.path.join(".")
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TypeFile {
    name: String,
    display_name: Text,
    #[serde(default)]
    description: Option<Text>,
    context: String,
    vct: String,
    #[serde(default)]
    selectively_disclosable: Vec<String>,
    /// The claims that identify a credential in the registrar's list (e.g. the graduate's name).
    #[serde(default)]
    summary: Vec<String>,
    #[serde(default)]
    valid_for_days: Option<u32>,
    claims: Vec<ClaimField>,
    schema: Value,
}

/// A credential type the issuer can issue.
#[derive(Debug)]
pub struct TypeDefinition {
    /// What `sigil-core` needs to build the credential (its `display_name` the English one).
    pub core: CredentialType,
    /// The type's name for people, in each language the file gives.
    pub display_name: Text,
    pub description: Option<Text>,
    pub claims: Vec<ClaimField>,
    /// Dotted claim paths that make up a credential's one-line summary.
    pub summary: Vec<String>,
    pub valid_for_days: Option<u32>,
    /// The JSON Schema of the subject claims, as published at `/schemas/{name}.json`.
    pub schema: Value,
    validator: jsonschema::Validator,
}

/// Why a type file is unusable.
#[derive(Debug, thiserror::Error)]
#[error("credential type {file}: {reason}")]
pub struct TypeError {
    file: String,
    reason: String,
}

impl TypeDefinition {
    fn parse(file: &str, text: &str) -> Result<Self, TypeError> {
        let fail = |reason: String| TypeError {
            file: file.to_owned(),
            reason,
        };
        let raw: TypeFile = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
        let texts = std::iter::once(&raw.display_name)
            .chain(raw.description.as_ref())
            .chain(raw.claims.iter().map(|claim| &claim.label));
        for text in texts {
            if text.entries().is_empty()
                || text
                    .entries()
                    .iter()
                    .any(|(tag, words)| tag.is_empty() || words.is_empty())
            {
                return Err(fail("a display name, description or label is empty".into()));
            }
        }
        if raw.name.is_empty() || !raw.name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(fail(format!(
                "the type name {:?} must be letters and digits",
                raw.name
            )));
        }
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&raw.schema)
            .map_err(|e| fail(format!("the schema is not a valid JSON Schema: {e}")))?;
        Ok(TypeDefinition {
            core: CredentialType {
                name: raw.name,
                display_name: raw.display_name.in_language("en").to_owned(),
                context: raw.context,
                vct: raw.vct,
                selectively_disclosable: raw.selectively_disclosable,
            },
            display_name: raw.display_name,
            description: raw.description,
            claims: raw.claims,
            summary: raw.summary,
            valid_for_days: raw.valid_for_days,
            schema: raw.schema,
            validator,
        })
    }

    /// The type's name, e.g. `UniversityDegreeCredential`.
    pub fn name(&self) -> &str {
        &self.core.name
    }

    /// Checks subject claims against the schema; the errors name each offending claim.
    pub fn validate(&self, claims: &Map<String, Value>) -> Result<(), Vec<String>> {
        let instance = Value::Object(claims.clone());
        let errors: Vec<String> = self
            .validator
            .iter_errors(&instance)
            .map(|error| {
                let at = error.instance_path().to_string();
                if at.is_empty() {
                    error.to_string()
                } else {
                    format!("{}: {error}", at.trim_start_matches('/').replace('/', "."))
                }
            })
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Builds the subject claims from flat `key → text` fields (a form or a CSV row): empty
    /// optional fields are left out.
    pub fn claims_from_fields(&self, fields: &BTreeMap<String, String>) -> Map<String, Value> {
        let mut claims = Map::new();
        for field in &self.claims {
            let Some(text) = fields.get(&field.key()).map(|t| t.trim()) else {
                continue;
            };
            if text.is_empty() {
                continue;
            }
            insert_at(&mut claims, &field.path, Value::String(text.to_owned()));
        }
        claims
    }

    /// Each claim of the type that `claims` holds, as (label in the language `tag`, value), in
    /// the type's order: what a printed diploma lists. A value that is not text is shown as
    /// JSON.
    pub fn labelled_claims(&self, claims: &Map<String, Value>, tag: &str) -> Vec<(String, String)> {
        self.claims
            .iter()
            .filter_map(|field| {
                let (first, rest) = field.path.split_first()?;
                let value = rest
                    .iter()
                    .try_fold(claims.get(first)?, |value, part| value.get(part))?;
                let text = match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                Some((field.label.in_language(tag).to_owned(), text))
            })
            .collect()
    }

    /// The one-line summary of a credential's claims, for the registrar's list.
    pub fn summarise(&self, claims: &Map<String, Value>) -> String {
        self.summary
            .iter()
            .filter_map(|path| {
                let mut value = claims.get(path.split('.').next()?)?;
                for part in path.split('.').skip(1) {
                    value = value.get(part)?;
                }
                value.as_str().map(str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

fn insert_at(object: &mut Map<String, Value>, path: &[String], value: Value) {
    match path {
        [] => {}
        [last] => {
            object.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let entry = object
                .entry(first.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                insert_at(inner, rest, value);
            }
        }
    }
}

/// The types an issuer offers, by name, in a stable order.
#[derive(Debug)]
pub struct TypeCatalogue {
    types: Vec<TypeDefinition>,
}

impl TypeCatalogue {
    /// The built-in types plus those in `extra_files` (paths relative to `base`).
    pub fn load(base: &Path, extra_files: &[String]) -> Result<Self, TypeError> {
        let mut types = BUILTIN
            .iter()
            .map(|(file, text)| TypeDefinition::parse(file, text))
            .collect::<Result<Vec<_>, _>>()?;
        for file in extra_files {
            let path = base.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| TypeError {
                file: path.display().to_string(),
                reason: e.to_string(),
            })?;
            let definition = TypeDefinition::parse(file, &text)?;
            types.retain(|t| t.name() != definition.name());
            types.push(definition);
        }
        Ok(TypeCatalogue { types })
    }

    /// Only the built-in types.
    pub fn builtin() -> Result<Self, TypeError> {
        Self::load(Path::new("."), &[])
    }

    pub fn get(&self, name: &str) -> Option<&TypeDefinition> {
        self.types.iter().find(|t| t.name() == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &TypeDefinition> {
        self.types.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diploma() -> Map<String, Value> {
        let claims = include_str!("../../examples/diploma-claims.json");
        serde_json::from_str(claims).unwrap()
    }

    #[test]
    fn the_sample_diploma_satisfies_its_schema() {
        let catalogue = TypeCatalogue::builtin().unwrap();
        let degree = catalogue.get("UniversityDegreeCredential").unwrap();
        assert_eq!(degree.validate(&diploma()), Ok(()));
        assert_eq!(
            degree.summarise(&diploma()),
            "Ada Lovelace · Bachelor of Science in Mathematics"
        );
    }

    #[test]
    fn claims_are_labelled_in_the_type_s_order_and_the_language_asked() {
        let catalogue = TypeCatalogue::builtin().unwrap();
        let degree = catalogue.get("UniversityDegreeCredential").unwrap();
        let english = degree.labelled_claims(&diploma(), "en");
        assert_eq!(
            english.first().unwrap(),
            &("Full name".to_owned(), "Ada Lovelace".to_owned())
        );
        assert!(
            english.contains(&(
                "Degree".to_owned(),
                "Bachelor of Science in Mathematics".to_owned()
            )),
            "{english:?}"
        );
        let chinese = degree.labelled_claims(&diploma(), "zh-CN");
        assert_eq!(
            chinese.first().unwrap(),
            &("姓名".to_owned(), "Ada Lovelace".to_owned())
        );
        let mut without_honours = diploma();
        without_honours.remove("honours");
        assert_eq!(
            degree.labelled_claims(&without_honours, "en").len(),
            english.len() - 1,
            "an optional claim left out is not listed"
        );
    }

    #[test]
    fn schema_errors_name_the_claim() {
        let catalogue = TypeCatalogue::builtin().unwrap();
        let degree = catalogue.get("UniversityDegreeCredential").unwrap();
        let mut claims = diploma();
        claims.insert("dateOfBirth".into(), json!("10 December 1815"));
        claims.insert("favouriteColour".into(), json!("blue"));
        claims.remove("studentId");
        let errors = degree.validate(&claims).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("dateOfBirth:")), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("studentId")), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("favouriteColour")), "{errors:?}");
    }

    #[test]
    fn form_fields_become_nested_claims() {
        let catalogue = TypeCatalogue::builtin().unwrap();
        let degree = catalogue.get("UniversityDegreeCredential").unwrap();
        let fields: BTreeMap<String, String> = [
            ("name", "Ada Lovelace"),
            ("studentId", "S-1815-042"),
            ("dateOfBirth", "1815-12-10"),
            ("degree.type", "BachelorDegree"),
            ("degree.name", "Bachelor of Science in Mathematics"),
            ("fieldOfStudy", "Mathematics"),
            ("honours", "First Class"),
            ("graduationDate", "2026-06-30"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(degree.claims_from_fields(&fields), diploma());
    }

    #[test]
    fn a_broken_type_file_is_refused_with_its_name() {
        let error = TypeDefinition::parse(
            "bad.json",
            r#"{"name":"X","displayName":"X","context":"c","vct":"v","claims":[],
                "schema":{"type":"no-such-type"}}"#,
        )
        .unwrap_err();
        assert!(
            error.to_string().starts_with("credential type bad.json:"),
            "{error}"
        );
    }

    #[test]
    fn labels_are_given_in_one_language_or_several_and_never_empty() {
        let catalogue = TypeCatalogue::builtin().unwrap();
        let diploma = catalogue
            .iter()
            .find(|t| t.name() == "UniversityDegreeCredential")
            .unwrap();
        assert_eq!(diploma.display_name.in_language("zh"), "学位证书");
        assert_eq!(diploma.core.display_name, "University degree");
        let degree = diploma.claims.iter().find(|c| c.key() == "degree.name").unwrap();
        assert_eq!(degree.label.in_language("zh-CN"), "学位");
        assert_eq!(degree.label.in_language("fr"), "Degree");
        assert_eq!(
            Text::English("Degree".into()).display(),
            vec![json!({"name": "Degree", "locale": "en"})]
        );

        let file = |label: Value| {
            json!({"name": "T", "displayName": "T", "context": "https://example.org/c", "vct": "https://example.org/t",
                   "claims": [{"path": ["x"], "label": label, "input": "text"}], "schema": {"type": "object"}})
            .to_string()
        };
        assert!(TypeDefinition::parse("t.json", &file(json!({"en": "X", "zh-CN": "十"}))).is_ok());
        for empty in [json!(""), json!({}), json!({"en": ""})] {
            assert!(
                TypeDefinition::parse("t.json", &file(empty.clone())).is_err(),
                "{empty}"
            );
        }
    }
}
