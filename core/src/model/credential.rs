//! A typed view of a verifiable credential — VCDM 2.0 (§4), or VCDM 1.1 (§4) as issuers
//! still on the older model write it — read from its JSON.
//!
//! Signatures are always made and checked over the JSON as received; this view only reads
//! the properties verification needs, and checks the rules of the credential's data model
//! that a conforming verifier must enforce. Both models give the same view: VCDM 1.1's
//! `issuanceDate` and `expirationDate` are read as the validity dates, as VCDM 2.0 §4.9
//! (`validFrom`, `validUntil`) says they were renamed.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::ModelError;
use super::one_or_many::OneOrMany;
use crate::contexts::{CREDENTIALS_V1, CREDENTIALS_V2};
use crate::time::{Timestamp, parse_datetime};

/// The base type every credential carries.
pub const VERIFIABLE_CREDENTIAL: &str = "VerifiableCredential";

/// Which W3C Verifiable Credentials Data Model a credential or presentation is written in,
/// told by its first `@context` (VCDM 1.1 §5.3, VCDM 2.0 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataModel {
    /// VCDM 1.1: `https://www.w3.org/2018/credentials/v1`, `issuanceDate`, `expirationDate`.
    V1_1,
    /// VCDM 2.0: `https://www.w3.org/ns/credentials/v2`, `validFrom`, `validUntil`.
    V2,
}

impl DataModel {
    /// Reads the data model from a document's `@context` list: the first entry names it, and
    /// the other model's base context may not appear after it (the two define the same terms
    /// differently, so a mix has no single meaning).
    pub(crate) fn of_contexts(contexts: &[Value]) -> Result<Self, String> {
        let model = match contexts.first().and_then(Value::as_str) {
            Some(CREDENTIALS_V2) => DataModel::V2,
            Some(CREDENTIALS_V1) => DataModel::V1_1,
            _ => {
                return Err(format!(
                    "the first @context must be {CREDENTIALS_V2} (VCDM 2.0) or {CREDENTIALS_V1} (VCDM 1.1)"
                ));
            }
        };
        let other = match model {
            DataModel::V2 => CREDENTIALS_V1,
            DataModel::V1_1 => CREDENTIALS_V2,
        };
        if contexts.iter().any(|context| context.as_str() == Some(other)) {
            return Err(format!(
                "@context mixes the VCDM 1.1 and VCDM 2.0 base contexts; a {} document may not name {other}",
                model.name()
            ));
        }
        Ok(model)
    }

    /// The model's name for people: "VCDM 1.1" or "VCDM 2.0".
    pub fn name(self) -> &'static str {
        match self {
            DataModel::V1_1 => "VCDM 1.1",
            DataModel::V2 => "VCDM 2.0",
        }
    }
}

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

    /// The name the issuer gives itself (`name`), if it gives one that can be read: only
    /// what the issuer says of itself, which the registry's accreditation may confirm.
    pub fn name(&self) -> Option<crate::names::LegalName> {
        match self {
            Issuer::Id(_) => None,
            Issuer::Object { properties, .. } => properties
                .get("name")
                .and_then(crate::names::LegalName::from_credential),
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
    /// What each value of the entry means (Bitstring Status List v1.0 §2.1); required when
    /// `statusSize` is more than 1, one message per possible value.
    #[serde(default)]
    pub status_message: Option<Vec<super::status_list::StatusMessage>>,
    /// Where the meaning of the values is described (§2.1): one URL or several.
    #[serde(default)]
    pub status_reference: Option<OneOrMany<String>>,
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
    /// VCDM 1.1 §4.6: when the credential becomes valid (required there).
    #[serde(default)]
    issuance_date: Option<String>,
    /// VCDM 1.1 §4.7: when the credential ceases to be valid.
    #[serde(default)]
    expiration_date: Option<String>,
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
    /// The data model it is written in.
    pub data_model: DataModel,
    pub id: Option<String>,
    pub types: Vec<String>,
    pub issuer: Issuer,
    /// `validFrom`, or a VCDM 1.1 credential's `issuanceDate`.
    pub valid_from: Option<Timestamp>,
    /// `validUntil`, or a VCDM 1.1 credential's `expirationDate`.
    pub valid_until: Option<Timestamp>,
    pub subjects: Vec<Map<String, Value>>,
    pub status: Vec<StatusEntry>,
    pub schemas: Vec<SchemaReference>,
    /// Evidence entries (§5.6), each with at least a `type`.
    pub evidence: Vec<Map<String, Value>>,
}

impl Credential {
    /// Reads a credential, enforcing its data model's MUSTs: the first context is the v2
    /// (or v1) base context and the other one is absent, `type` includes
    /// `VerifiableCredential`, the issuer is a URL, there is at least one subject, and the
    /// validity dates are date-times with a time zone (VCDM 2.0 `dateTimeStamp`; VCDM 1.1
    /// §4.6–4.7 requires RFC 3339 date-times, which always carry one, so a 1.1 date without
    /// a time zone is refused rather than guessed in some zone). A VCDM 1.1 credential
    /// needs an `issuanceDate` and may not use `validFrom`/`validUntil`; a VCDM 2.0 one may
    /// not use `issuanceDate`/`expirationDate`.
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
        let data_model = DataModel::of_contexts(&raw.context.0).map_err(&fail)?;
        let (valid_from, valid_until) = match data_model {
            DataModel::V2 => {
                if let Some(field) = [
                    ("issuanceDate", &raw.issuance_date),
                    ("expirationDate", &raw.expiration_date),
                ]
                .into_iter()
                .find_map(|(field, value)| value.is_some().then_some(field))
                {
                    return Err(fail(format!(
                        "`{field}` is VCDM 1.1; a VCDM 2.0 credential states its validity with `validFrom` and `validUntil`"
                    )));
                }
                (
                    date(&fail, "validFrom", raw.valid_from)?,
                    date(&fail, "validUntil", raw.valid_until)?,
                )
            }
            DataModel::V1_1 => {
                if let Some(field) = [("validFrom", &raw.valid_from), ("validUntil", &raw.valid_until)]
                    .into_iter()
                    .find_map(|(field, value)| value.is_some().then_some(field))
                {
                    return Err(fail(format!(
                        "`{field}` is VCDM 2.0; a VCDM 1.1 credential states its validity with `issuanceDate` and `expirationDate`"
                    )));
                }
                if raw.issuance_date.is_none() {
                    return Err(fail("a VCDM 1.1 credential must have an `issuanceDate`".into()));
                }
                (
                    date(&fail, "issuanceDate", raw.issuance_date)?,
                    date(&fail, "expirationDate", raw.expiration_date)?,
                )
            }
        };
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
            data_model,
            id: raw.id,
            types,
            issuer: raw.issuer,
            valid_from,
            valid_until,
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

/// Reads an optional date-time property; a value without a time zone is refused.
fn date(
    fail: &impl Fn(String) -> ModelError,
    field: &str,
    text: Option<String>,
) -> Result<Option<Timestamp>, ModelError> {
    text.map(|t| {
        parse_datetime(&t)
            .ok_or_else(|| fail(format!("`{field}` is not a date-time with a time zone: {t:?}")))
    })
    .transpose()
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
        value["@context"] = json!(["https://www.w3.org/2018/credentials/v2"]);
        assert!(
            Credential::from_json(&value)
                .unwrap_err()
                .reason
                .contains("first @context")
        );
        assert!(Credential::from_json(&json!([1])).is_err());
    }

    fn v1_diploma() -> Value {
        json!({
            "@context": [CREDENTIALS_V1, crate::contexts::SIGIL_V1],
            "type": ["VerifiableCredential", "UniversityDegreeCredential"],
            "issuer": "did:example:uni",
            "issuanceDate": "2026-06-30T00:00:00Z",
            "expirationDate": "2031-06-30T00:00:00+02:00",
            "credentialSubject": {"id": "did:example:ada", "name": "Ada"}
        })
    }

    #[test]
    fn a_vcdm_1_1_credential_reads_its_issuance_and_expiration_dates_as_its_validity() {
        let credential = Credential::from_json(&v1_diploma()).unwrap();
        assert_eq!(credential.data_model, DataModel::V1_1);
        assert_eq!(credential.valid_from, parse_datetime("2026-06-30T00:00:00Z"));
        assert_eq!(credential.valid_until, parse_datetime("2031-06-29T22:00:00Z"));
        assert_eq!(
            Credential::from_json(&diploma()).unwrap().data_model,
            DataModel::V2
        );
    }

    #[test]
    fn a_vcdm_1_1_credential_is_held_to_the_rules_of_vcdm_1_1() {
        let refused = |edit: &dyn Fn(&mut Value), expected: &str| {
            let mut value = v1_diploma();
            edit(&mut value);
            let reason = Credential::from_json(&value).unwrap_err().reason;
            assert!(reason.contains(expected), "{expected}: {reason}");
        };
        refused(
            &|v| {
                v.as_object_mut().unwrap().remove("issuanceDate");
            },
            "must have an `issuanceDate`",
        );
        refused(
            &|v| v["issuanceDate"] = json!("2026-06-30T00:00:00"),
            "`issuanceDate` is not a date-time with a time zone",
        );
        refused(&|v| v["expirationDate"] = json!("2031-06-30"), "`expirationDate`");
        refused(
            &|v| v["validFrom"] = json!("2026-06-30T00:00:00Z"),
            "`validFrom` is VCDM 2.0",
        );
        refused(
            &|v| v["type"] = json!("UniversityDegreeCredential"),
            "VerifiableCredential",
        );
        refused(
            &|v| v["issuer"] = json!("Example University"),
            "`issuer` must be a URL",
        );
        refused(
            &|v| {
                v.as_object_mut().unwrap().remove("credentialSubject");
            },
            "credentialSubject",
        );
        refused(
            &|v| v["@context"] = json!([CREDENTIALS_V1, CREDENTIALS_V2]),
            "mixes the VCDM 1.1 and VCDM 2.0",
        );
    }

    #[test]
    fn a_vcdm_2_0_credential_may_not_use_the_vcdm_1_1_dates_or_context() {
        let mut value = diploma();
        value["issuanceDate"] = json!("2026-06-30T00:00:00Z");
        let reason = Credential::from_json(&value).unwrap_err().reason;
        assert!(reason.contains("`issuanceDate` is VCDM 1.1"), "{reason}");
        let mut value = diploma();
        value["expirationDate"] = json!("2030-06-30T00:00:00Z");
        assert!(
            Credential::from_json(&value)
                .unwrap_err()
                .reason
                .contains("expirationDate")
        );
        let mut value = diploma();
        value["@context"] = json!([CREDENTIALS_V2, CREDENTIALS_V1]);
        let reason = Credential::from_json(&value).unwrap_err().reason;
        assert!(reason.contains("mixes"), "{reason}");
    }
}
