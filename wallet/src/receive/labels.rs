//! The issuer's names for a credential's type and claims, read from its OpenID4VCI metadata
//! (the credential configuration) so the wallet can say "Graduation date" / "毕业日期" where
//! the credential says `graduationDate`.
//!
//! Read from OpenID4VCI 1.0 (`credential_metadata.display` and `credential_metadata.claims`,
//! each claim a `path` with `display: [{name, locale}]`), and from the drafts before it: 14
//! and 15 put `display` and `claims` on the configuration itself; 13 nests claims as objects
//! under `credential_definition.credentialSubject` (or `claims` for SD-JWT), each leaf with a
//! `display`. Everything is bounded: this is a stranger's JSON, and only labels come of it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Most claims read. (Languages per name, and each name, are bounded as every name Sigil shows:
/// `sigil_core::names`.)
const MAX_CLAIMS: usize = 256;
/// How deep a draft-13 claims object is walked.
const MAX_DEPTH: usize = 4;

/// Names by language tag (a `display` array's `{name, locale}`; a name without a locale is
/// English's).
pub type Names = BTreeMap<String, String>;

/// The type's names (`display`).
pub fn type_names(configuration: &Value) -> Names {
    let display = configuration
        .pointer("/credential_metadata/display")
        .or_else(|| configuration.get("display"));
    display.map(names).unwrap_or_default()
}

/// The claims' names, by dotted path inside the subject (`degree.name`).
pub fn claims(configuration: &Value) -> BTreeMap<String, Names> {
    let listed = configuration
        .pointer("/credential_metadata/claims")
        .or_else(|| configuration.get("claims"))
        .and_then(Value::as_array);
    let mut labels = BTreeMap::new();
    if let Some(listed) = listed {
        for claim in listed.iter().take(MAX_CLAIMS) {
            let path: Option<Vec<&str>> = claim
                .get("path")
                .and_then(Value::as_array)
                .map(|path| path.iter().filter_map(Value::as_str).collect());
            let (Some(path), Some(display)) = (path, claim.get("display")) else {
                continue;
            };
            let path: Vec<&str> = path
                .into_iter()
                .skip_while(|step| *step == "credentialSubject")
                .collect();
            let names = names(display);
            if !path.is_empty() && !names.is_empty() {
                labels.insert(path.join("."), names);
            }
        }
        return labels;
    }
    // Draft 13: nested objects.
    let nested = configuration
        .pointer("/credential_definition/credentialSubject")
        .or_else(|| configuration.get("claims"))
        .and_then(Value::as_object);
    if let Some(nested) = nested {
        walk(nested, &mut Vec::new(), &mut labels);
    }
    labels
}

fn walk<'a>(claims: &'a Map<String, Value>, path: &mut Vec<&'a str>, labels: &mut BTreeMap<String, Names>) {
    if path.len() >= MAX_DEPTH {
        return;
    }
    for (name, claim) in claims {
        if labels.len() >= MAX_CLAIMS {
            return;
        }
        let Some(claim) = claim.as_object() else {
            continue;
        };
        path.push(name);
        if let Some(display) = claim.get("display") {
            let names = names(display);
            if !names.is_empty() {
                labels.insert(path.join("."), names);
            }
        }
        walk(claim, path, labels);
        path.pop();
    }
}

/// A `display` array's names by locale, bounded.
fn names(display: &Value) -> Names {
    display
        .as_array()
        .into_iter()
        .flatten()
        .take(sigil_core::names::MAX_LANGUAGES)
        .filter_map(|entry| {
            let name = entry.get("name")?.as_str()?.trim();
            let locale = entry.get("locale").and_then(Value::as_str).unwrap_or("en");
            sigil_core::names::check_name(locale, name)
                .is_ok()
                .then(|| (locale.to_owned(), name.to_owned()))
        })
        .collect()
}

/// The name for a reader of `tag`: in that language, else one of its family, else English,
/// else the first.
pub fn in_language<'a>(names: &'a Names, tag: &str) -> Option<&'a str> {
    sigil_core::names::for_reader(names.iter().map(|(t, n)| (t.as_str(), n.as_str())), tag)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn version_1_0_paths_and_draft_13_nesting_give_the_same_labels() {
        let v1 = json!({"credential_metadata": {
        "display": [{"name": "University degree", "locale": "en"}, {"name": "学位证书", "locale": "zh-CN"}],
        "claims": [
            {"path": ["credentialSubject", "degree", "name"], "display": [{"name": "Degree", "locale": "en"}, {"name": "学位", "locale": "zh-CN"}]},
            {"path": ["credentialSubject", "name"], "display": [{"name": "Full name"}]},
            {"path": ["credentialSubject", "odd"], "display": [{"name": "x\u{7}"}]}
        ]}});
        let draft_13 = json!({"display": [{"name": "University degree", "locale": "en"}, {"name": "学位证书", "locale": "zh-CN"}],
            "credential_definition": {"credentialSubject": {
                "degree": {"name": {"display": [{"name": "Degree", "locale": "en"}, {"name": "学位", "locale": "zh-CN"}]}},
                "name": {"display": [{"name": "Full name"}]}}}});
        for configuration in [v1, draft_13] {
            let labels = claims(&configuration);
            assert_eq!(labels.len(), 2, "{labels:?}");
            assert_eq!(in_language(&labels["degree.name"], "zh"), Some("学位"));
            assert_eq!(in_language(&labels["name"], "zh-CN"), Some("Full name"));
            assert_eq!(
                in_language(&type_names(&configuration), "en-GB"),
                Some("University degree")
            );
        }
        assert!(claims(&json!({"claims": "nonsense"})).is_empty());
        assert!(claims(&Value::Null).is_empty());
    }
}
