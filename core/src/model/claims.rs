//! Subject claims addressed by path, as DCQL and people address them: `degree.name` is
//! `{"degree": {"name": …}}`. The subject's `id` is the holder, not a claim, and is left out.

use serde_json::Value;

/// The value at `path` (one key per nesting level), if there is one and it is not `null`.
pub fn at<'a, S: AsRef<str>>(claims: &'a Value, path: &[S]) -> Option<&'a Value> {
    let mut value = claims;
    for part in path {
        value = value.get(part.as_ref())?;
    }
    (!value.is_null()).then_some(value)
}

/// Every leaf claim as (dotted path, text), in document order, without the subject's `id`.
pub fn flatten(claims: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(object) => {
                for (key, inner) in object {
                    if prefix.is_empty() && key == "id" {
                        continue;
                    }
                    let name = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&name, inner, out);
                }
            }
            Value::String(text) => out.push((prefix.to_owned(), text.clone())),
            other => out.push((prefix.to_owned(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk("", claims, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_addressed_by_path_without_the_subject_id() {
        let claims = json!({"id": "did:key:z", "name": "Ada", "degree": {"type": "BachelorDegree", "name": "BSc"}, "gap": null});
        assert_eq!(at(&claims, &["degree", "name"]), Some(&json!("BSc")));
        assert_eq!(at(&claims, &["degree", "level"]), None);
        assert_eq!(at(&claims, &["gap"]), None);
        let names: Vec<String> = flatten(&claims).into_iter().map(|(path, _)| path).collect();
        assert_eq!(names, vec!["name", "degree.type", "degree.name", "gap"]);
    }
}
