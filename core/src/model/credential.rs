//! A typed view of a VCDM 2.0 verifiable credential (VCDM 2.0 §4), read from its JSON.
//!
//! Signatures are always made and checked over the JSON as received; this view only reads
//! the properties verification needs, and checks the rules of VCDM 2.0 that a conforming
//! verifier must enforce.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::ModelError;
use super::one_or_many::OneOrMany;
use crate::contexts::CREDENTIALS_V2;
use crate::time::{Timestamp, parse_datetime};

/// The base type every credential carries.
pub const VERIFIABLE_CREDENTIAL: &str = "VerifiableCredential";

/// The issuer: a URL, or an object with an `id` and optional display properties (§4.7).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Issuer {
    Id(String),
    Object {
        id: String,
        #[serde(flatten)]
        properties: Map<String, Value>,
    },
}

impl Issuer {
    /// The issuer's identifier.
    pub fn id(&self) -> &str {
        match self {
            Issuer::Id(id) | Issuer::Object { id, .. } => id,
        }
    }
}

/// A `credentialStatus` entry (§4.10); for `BitstringStatusListEntry` see Bitstring Status
/// List v1.0 §2.1.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEntry {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default)]
    pub status_purpose: Option<String>,
    /// The bit position, written as a decimal string.
    #[serde(default)]
    pub status_list_index: Option<String>,
    #[serde(default)]
    pub status_list_credential: Option<String>,
    /// Bits per entry (default 1).
    #[serde(default)]
    pub status_size: Option<u32>,
}

impl StatusEntry {
    fn sort_key(&self) -> (Option<&str>, Option<&str>, Option<&str>, Option<&str>) {
        (
            self.status_purpose.as_deref(),
            self.status_list_credential.as_deref(),
            self.status_list_index.as_deref(),
            self.id.as_deref(),
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(rename = "@context")]
    context: OneOrMany<Value>,
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "type")]
    types: OneOrMany<String>,
    issuer: Issuer,
    #[serde(default)]
    valid_from: Option<String>,
    #[serde(default)]
    valid_until: Option<String>,
    credential_subject: OneOrMany<Map<String, Value>>,
    #[serde(default)]
    credential_status: Option<OneOrMany<StatusEntry>>,
    #[serde(default)]
    credential_schema: Option<OneOrMany<SchemaReference>>,
    #[serde(default)]
    evidence: Option<OneOrMany<Map<String, Value>>>,
}

/// A `credentialSchema` entry (§4.11): the schema the credential claims to follow, for
/// example `{"id": "https://…/degree.json", "type": "JsonSchema"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SchemaReference {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: String,
}

/// The properties of a credential that verification reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    pub id: Option<String>,
    pub types: Vec<String>,
    pub issuer: Issuer,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub subjects: Vec<Map<String, Value>>,
    pub status: Vec<StatusEntry>,
    pub schemas: Vec<SchemaReference>,
    /// Evidence entries (§5.6), each with at least a `type`.
    pub evidence: Vec<Map<String, Value>>,
}

impl Credential {
    /// Reads a credential, enforcing VCDM 2.0's MUSTs: the first context is the v2 base
    /// context, `type` includes `VerifiableCredential`, there is an issuer and at least one
    /// subject, and validity dates are `dateTimeStamp`s.
    pub fn from_json(value: &Value) -> Result<Self, ModelError> {
        let fail = |reason: String| ModelError {
            what: "credential",
            reason,
        };
        if !value.is_object() {
            return Err(fail(format!(
                "expected a JSON object, found {}",
                crate::json::kind_of(value)
            )));
        }
        let raw = Raw::deserialize(value).map_err(|e| fail(e.to_string()))?;
        if raw.context.0.first().and_then(Value::as_str) != Some(CREDENTIALS_V2) {
            return Err(fail(format!("the first @context must be {CREDENTIALS_V2}")));
        }
        if !raw.types.iter().any(|t| t == VERIFIABLE_CREDENTIAL) {
            return Err(fail("`type` must include VerifiableCredential".into()));
        }
        if raw.issuer.id().is_empty() || !raw.issuer.id().contains(':') {
            return Err(fail("`issuer` must be a URL".into()));
        }
        if let Some(evidence) = &raw.evidence {
            if evidence.iter().any(|e| !e.contains_key("type")) {
                return Err(fail("every `evidence` entry needs a `type`".into()));
            }
        }
        if raw.credential_subject.is_empty() {
            return Err(fail("`credentialSubject` is empty".into()));
        }
        let date = |field: &str, text: Option<String>| -> Result<Option<Timestamp>, ModelError> {
            text.map(|t| {
                parse_datetime(&t)
                    .ok_or_else(|| fail(format!("`{field}` is not a date-time with a time zone: {t:?}")))
            })
            .transpose()
        };
        // Sets in JSON-LD have no order and no repeats: read them in one order, so that two
        // spellings of the same signed credential give the same checks in the same order.
        let mut types = raw.types.0;
        types.sort();
        types.dedup();
        let mut status = raw.credential_status.map(|s| s.0).unwrap_or_default();
        status.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        status.dedup();
        let mut schemas = raw.credential_schema.map(|s| s.0).unwrap_or_default();
        schemas.sort_by(|a, b| (&a.id, &a.type_).cmp(&(&b.id, &b.type_)));
        schemas.dedup();
        Ok(Credential {
            id: raw.id,
            types,
            issuer: raw.issuer,
            valid_from: date("validFrom", raw.valid_from)?,
            valid_until: date("validUntil", raw.valid_until)?,
            subjects: raw.credential_subject.0,
            status,
            schemas,
            evidence: raw.evidence.map(|e| e.0).unwrap_or_default(),
        })
    }

    /// The subject claims as a report shows them: one subject as an object, several as an
    /// array, normalised by [`super::claims::normalize`].
    pub fn claims(&self) -> Value {
        let subjects = Value::Array(self.subjects.iter().cloned().map(Value::Object).collect());
        super::claims::normalize(&subjects)
    }

    /// The `id`s of the credential subjects that have one.
    pub fn subject_ids(&self) -> impl Iterator<Item = &str> {
        self.subjects
            .iter()
            .filter_map(|s| s.get("id").and_then(Value::as_str))
    }

    /// The types other than `VerifiableCredential`.
    pub fn specific_types(&self) -> Vec<String> {
        self.types
            .iter()
            .filter(|t| *t != VERIFIABLE_CREDENTIAL)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diploma() -> Value {
        json!({
            "@context": [CREDENTIALS_V2, crate::contexts::SIGIL_V1],
            "type": ["VerifiableCredential", "UniversityDegreeCredential"],
            "issuer": {"id": "did:example:uni", "name": "Example University"},
            "validFrom": "2026-06-30T00:00:00Z",
            "credentialSubject": {"id": "did:example:ada", "name": "Ada"},
            "credentialStatus": {
                "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                "statusListIndex": "94567", "statusListCredential": "https://example.com/status/3"
            },
            "credentialSchema": {"id": "https://example.com/schemas/degree.json", "type": "JsonSchema"},
            "evidence": [{"type": ["Evidence"], "name": "Transcript checked by the registrar"}]
        })
    }

    #[test]
    fn a_diploma_reads_with_its_status_entry() {
        let credential = Credential::from_json(&diploma()).unwrap();
        assert_eq!(credential.issuer.id(), "did:example:uni");
        assert_eq!(credential.specific_types(), vec!["UniversityDegreeCredential"]);
        assert_eq!(credential.status[0].status_list_index.as_deref(), Some("94567"));
        assert_eq!(
            credential.subject_ids().collect::<Vec<_>>(),
            vec!["did:example:ada"]
        );
        assert_eq!(credential.schemas[0].type_, "JsonSchema");
        assert_eq!(credential.evidence.len(), 1);
    }

    #[test]
    fn wrong_types_are_refused_with_a_reason() {
        let mut value = diploma();
        value["type"] = json!(42);
        assert!(Credential::from_json(&value).is_err());
        let mut value = diploma();
        value["type"] = json!(["UniversityDegreeCredential"]);
        assert!(
            Credential::from_json(&value)
                .unwrap_err()
                .reason
                .contains("VerifiableCredential")
        );
        let mut value = diploma();
        value["evidence"] = json!({"name": "no type"});
        assert!(
            Credential::from_json(&value)
                .unwrap_err()
                .reason
                .contains("evidence")
        );
        let mut value = diploma();
        value["credentialSchema"] = json!({"id": "https://example.com/s.json"});
        assert!(Credential::from_json(&value).is_err());
        let mut value = diploma();
        value["validFrom"] = json!("2026-06-30");
        assert!(
            Credential::from_json(&value)
                .unwrap_err()
                .reason
                .contains("validFrom")
        );
        let mut value = diploma();
        value["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
        assert!(Credential::from_json(&value).is_err());
        assert!(Credential::from_json(&json!([1])).is_err());
    }
}
