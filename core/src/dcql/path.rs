//! Claim paths (OpenID4VP 1.0 §7): how a path is built, read and walked through a credential's
//! claims, and how it is written.

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{ClaimPath, PathElement, SUBJECT};
use crate::format::CredentialFormat;

impl ClaimPath {
    /// A path from its elements; an empty path is refused.
    pub fn new(elements: Vec<PathElement>) -> Option<ClaimPath> {
        (!elements.is_empty()).then_some(ClaimPath(elements))
    }

    /// The subject-relative path of a dotted claim name (`degree.name`), one key per part.
    pub fn from_dotted(dotted: &str) -> ClaimPath {
        ClaimPath(
            dotted
                .split('.')
                .map(|key| PathElement::Key(key.to_owned()))
                .collect(),
        )
    }

    /// The path of the subject claim `dotted` in a credential of `format`: under
    /// `credentialSubject` for the W3C formats, at the top for SD-JWT VC.
    pub fn subject_claim(format: CredentialFormat, dotted: &str) -> ClaimPath {
        let ClaimPath(relative) = ClaimPath::from_dotted(dotted);
        match format {
            CredentialFormat::SdJwt => ClaimPath(relative),
            CredentialFormat::LdpVc | CredentialFormat::VcJwt => {
                let mut path = vec![PathElement::Key(SUBJECT.to_owned())];
                path.extend(relative);
                ClaimPath(path)
            }
        }
    }

    pub fn elements(&self) -> &[PathElement] {
        &self.0
    }

    /// The part of the path inside the subject claims of a credential of `format`; `None` when
    /// a W3C path points outside `credentialSubject` or at the subject as a whole.
    pub fn subject_relative(&self, format: CredentialFormat) -> Option<&[PathElement]> {
        match format {
            CredentialFormat::SdJwt => Some(&self.0),
            CredentialFormat::LdpVc | CredentialFormat::VcJwt => match self.0.split_first() {
                Some((PathElement::Key(first), rest)) if first == SUBJECT && !rest.is_empty() => Some(rest),
                _ => None,
            },
        }
    }

    /// The subject-relative path as a dotted name, when every step is a key.
    pub fn subject_dotted(&self, format: CredentialFormat) -> Option<String> {
        let keys: Option<Vec<&str>> = self
            .subject_relative(format)?
            .iter()
            .map(|element| match element {
                PathElement::Key(key) => Some(key.as_str()),
                PathElement::Index(_) | PathElement::All => None,
            })
            .collect();
        keys.map(|keys| keys.join("."))
    }

    /// The values this path selects in `root` (§7.1).
    pub fn select<'v>(&self, root: &'v Value) -> Vec<&'v Value> {
        select(&self.0, root)
    }
}

/// The values `path` selects in `root` (§7.1): a key steps into objects, an index into arrays,
/// `null` into every element of arrays; a step that does not fit the value selects nothing
/// there. `null` values count as absent.
pub fn select<'v>(path: &[PathElement], root: &'v Value) -> Vec<&'v Value> {
    let mut selected = vec![root];
    for element in path {
        selected = selected
            .into_iter()
            .flat_map(|value| element.step(value))
            .collect();
        if selected.is_empty() {
            break;
        }
    }
    selected.retain(|value| !value.is_null());
    selected
}

impl PathElement {
    fn step<'v>(&self, value: &'v Value) -> Vec<&'v Value> {
        match (self, value) {
            (PathElement::Key(key), Value::Object(object)) => object.get(key).into_iter().collect(),
            (PathElement::Index(index), Value::Array(items)) => usize::try_from(*index)
                .ok()
                .and_then(|index| items.get(index))
                .into_iter()
                .collect(),
            (PathElement::All, Value::Array(items)) => items.iter().collect(),
            _ => vec![],
        }
    }

    /// Reads one element of a path as JSON gives it.
    pub(super) fn from_json(value: &Value) -> Option<PathElement> {
        match value {
            Value::String(key) => Some(PathElement::Key(key.clone())),
            Value::Null => Some(PathElement::All),
            Value::Number(number) => number.as_u64().map(PathElement::Index),
            _ => None,
        }
    }
}

impl Serialize for PathElement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PathElement::Key(key) => serializer.serialize_str(key),
            PathElement::Index(index) => serializer.serialize_u64(*index),
            PathElement::All => serializer.serialize_unit(),
        }
    }
}
