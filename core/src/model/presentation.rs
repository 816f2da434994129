//! A typed view of a VCDM 2.0 verifiable presentation (VCDM 2.0 §4.13).

use serde::Deserialize;
use serde_json::Value;

use super::ModelError;
use super::one_or_many::OneOrMany;
use crate::contexts::CREDENTIALS_V2;

/// The base type every presentation carries.
pub const VERIFIABLE_PRESENTATION: &str = "VerifiablePresentation";
/// The type of a credential carried inside a presentation in a secured envelope (§4.13.1).
pub const ENVELOPED_CREDENTIAL: &str = "EnvelopedVerifiableCredential";

/// The properties of a presentation that verification reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
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

    /// Reads a presentation, enforcing the base context and type.
    pub fn from_json(value: &Value) -> Result<Self, ModelError> {
        let fail = |reason: String| ModelError {
            what: "presentation",
            reason,
        };
        let raw = Raw::deserialize(value).map_err(|e| fail(e.to_string()))?;
        if raw.context.0.first().and_then(Value::as_str) != Some(CREDENTIALS_V2) {
            return Err(fail(format!("the first @context must be {CREDENTIALS_V2}")));
        }
        if !raw.types.iter().any(|t| t == VERIFIABLE_PRESENTATION) {
            return Err(fail("`type` must include VerifiablePresentation".into()));
        }
        Ok(Presentation {
            holder: raw.holder.map(|h| match h {
                HolderField::Id(id) | HolderField::Object { id } => id,
            }),
            credentials: raw.verifiable_credential.map(|c| c.0).unwrap_or_default(),
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
