//! A typed view of a verifiable presentation: VCDM 2.0 §4.13, or VCDM 1.1 §4.10 for holders
//! still on the older model.

use serde::Deserialize;
use serde_json::Value;

use super::ModelError;
use super::credential::DataModel;
use super::one_or_many::OneOrMany;

/// The base type every presentation carries.
pub const VERIFIABLE_PRESENTATION: &str = "VerifiablePresentation";
/// The type of a credential carried inside a presentation in a secured envelope (§4.13.1).
pub const ENVELOPED_CREDENTIAL: &str = "EnvelopedVerifiableCredential";

/// The properties of a presentation that verification reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
    /// The data model it is written in; a VCDM 1.1 presentation holds VCDM 1.1 credentials.
    pub data_model: DataModel,
    pub holder: Option<String>,
    /// The credentials as they appear: Data Integrity JSON objects, or enveloped credentials.
    pub credentials: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(rename = "@context")]
    context: OneOrMany<Value>,
    #[serde(rename = "type")]
    types: OneOrMany<String>,
    #[serde(default)]
    holder: Option<HolderField>,
    #[serde(default)]
    verifiable_credential: Option<OneOrMany<Value>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum HolderField {
    Id(String),
    Object { id: String },
}

impl Presentation {
    /// Whether a JSON document declares itself a presentation.
    pub fn is_presentation(value: &Value) -> bool {
        match value.get("type") {
            Some(Value::String(t)) => t == VERIFIABLE_PRESENTATION,
            Some(Value::Array(types)) => types.iter().any(|t| t == VERIFIABLE_PRESENTATION),
            _ => false,
        }
    }

    /// Reads a presentation, enforcing the base context (of one data model, not both) and
    /// the type. Each credential inside is read on its own when it is verified; a VCDM 1.1
    /// presentation may only carry Data Integrity credentials of VCDM 1.1 (the enveloped
    /// credentials of VCDM 2.0 §4.13.1 do not exist in 1.1), and a VCDM 2.0 presentation
    /// only VCDM 2.0 credentials.
    pub fn from_json(value: &Value) -> Result<Self, ModelError> {
        let fail = |reason: String| ModelError {
            what: "presentation",
            reason,
        };
        let raw = Raw::deserialize(value).map_err(|e| fail(e.to_string()))?;
        let data_model = DataModel::of_contexts(&raw.context.0).map_err(&fail)?;
        if !raw.types.iter().any(|t| t == VERIFIABLE_PRESENTATION) {
            return Err(fail("`type` must include VerifiablePresentation".into()));
        }
        let credentials = raw.verifiable_credential.map(|c| c.0).unwrap_or_default();
        for (index, credential) in credentials.iter().enumerate() {
            let inner = match credential.get("@context") {
                Some(Value::Array(contexts)) => DataModel::of_contexts(contexts).ok(),
                Some(context @ Value::String(_)) => {
                    DataModel::of_contexts(std::slice::from_ref(context)).ok()
                }
                _ => None,
            };
            let enveloped = envelope_contents(credential).is_some();
            let mismatch = match (data_model, inner) {
                (DataModel::V1_1, _) if enveloped => {
                    Some("an enveloped credential, which VCDM 1.1 does not define")
                }
                (DataModel::V1_1, Some(DataModel::V2)) => Some("a VCDM 2.0 credential"),
                (DataModel::V2, Some(DataModel::V1_1)) => Some("a VCDM 1.1 credential"),
                _ => None,
            };
            if let Some(what) = mismatch {
                return Err(fail(format!(
                    "a {} presentation cannot carry {what} (`verifiableCredential[{index}]`)",
                    data_model.name()
                )));
            }
        }
        Ok(Presentation {
            data_model,
            holder: raw.holder.map(|h| match h {
                HolderField::Id(id) | HolderField::Object { id } => id,
            }),
            credentials,
        })
    }
}

/// Reads an `EnvelopedVerifiableCredential`: its `id` is a `data:` URL whose media type names
/// the securing format, for example `data:application/vc+jwt,eyJ…`.
pub fn envelope_contents(value: &Value) -> Option<(&str, &str)> {
    let is_envelope = match value.get("type") {
        Some(Value::String(t)) => t == ENVELOPED_CREDENTIAL,
        Some(Value::Array(types)) => types.iter().any(|t| t == ENVELOPED_CREDENTIAL),
        _ => false,
    };
    if !is_envelope {
        return None;
    }
    let data = value.get("id")?.as_str()?.strip_prefix("data:")?;
    data.split_once(',')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contexts::{CREDENTIALS_V1, CREDENTIALS_V2};
    use serde_json::json;

    fn credential(context: &str) -> Value {
        json!({"@context": [context], "type": ["VerifiableCredential"], "issuer": "did:example:uni"})
    }

    fn presentation(context: &str, credentials: Value) -> Value {
        let mut presentation = json!({"@context": [context], "type": ["VerifiablePresentation"],
                                      "holder": "did:example:ada"});
        presentation["verifiableCredential"] = credentials;
        presentation
    }

    #[test]
    fn a_presentation_reads_in_either_data_model_with_credentials_of_the_same_one() {
        let v1 = Presentation::from_json(&presentation(CREDENTIALS_V1, credential(CREDENTIALS_V1))).unwrap();
        assert_eq!(v1.data_model, DataModel::V1_1);
        assert_eq!(v1.holder.as_deref(), Some("did:example:ada"));
        assert_eq!(v1.credentials.len(), 1);
        let v2 = Presentation::from_json(&presentation(CREDENTIALS_V2, json!([credential(CREDENTIALS_V2)])))
            .unwrap();
        assert_eq!(v2.data_model, DataModel::V2);
    }

    #[test]
    fn mixing_the_data_models_is_refused_with_a_reason() {
        let refused = |value: Value, expected: &str| {
            let reason = Presentation::from_json(&value).unwrap_err().reason;
            assert!(reason.contains(expected), "{expected}: {reason}");
        };
        refused(
            presentation(CREDENTIALS_V1, credential(CREDENTIALS_V2)),
            "cannot carry a VCDM 2.0 credential",
        );
        refused(
            presentation(CREDENTIALS_V2, json!([credential(CREDENTIALS_V1)])),
            "cannot carry a VCDM 1.1 credential",
        );
        refused(
            presentation(
                CREDENTIALS_V1,
                json!({"@context": [CREDENTIALS_V1], "type": "EnvelopedVerifiableCredential",
                                                 "id": "data:application/vc+jwt,eyJ"}),
            ),
            "enveloped",
        );
        let mut mixed = presentation(CREDENTIALS_V1, json!([]));
        mixed["@context"] = json!([CREDENTIALS_V1, CREDENTIALS_V2]);
        refused(mixed, "mixes");
        refused(
            presentation("https://example.com/ctx", json!([])),
            "first @context",
        );
    }
}
