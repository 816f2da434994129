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

/// The claims as their JSON-LD meaning has them, in one spelling: a single value rather than
/// an array of one, no `null`s or empty arrays (JSON-LD drops them), a set's values deduplicated
/// in one order (by their JCS text), an integral number as an integer, and a string without a
/// language as a plain string. Two spellings of the same signed claims read the same.
pub fn normalize(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            if let (Some(text @ Value::String(_)), 1) = (object.get("@value"), object.len()) {
                return text.clone();
            }
            let mut normalized = serde_json::Map::new();
            for (key, inner) in object {
                let inner = normalize(inner);
                if !inner.is_null() && inner != Value::Array(vec![]) {
                    normalized.insert(key.clone(), inner);
                }
            }
            Value::Object(normalized)
        }
        Value::Array(items) => {
            let mut flat: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                match normalize(item) {
                    Value::Array(inner) => flat.extend(inner),
                    Value::Null => {}
                    single => flat.push(single),
                }
            }
            if flat.len() < 2 {
                // Nothing to order or merge: skip writing the value as JCS to sort by it.
                return flat.pop().unwrap_or(Value::Array(flat));
            }
            let mut values: Vec<(Vec<u8>, Value)> = flat
                .into_iter()
                .map(|item| {
                    // The sort key is the canonical JSON; should that fail, the item's own
                    // text, so that two different values never share a key and merge.
                    let key = serde_jcs::to_vec(&item).unwrap_or_else(|_| item.to_string().into_bytes());
                    (key, item)
                })
                .collect();
            values.sort_by(|a, b| a.0.cmp(&b.0));
            values.dedup_by(|a, b| a.0 == b.0);
            let mut values: Vec<Value> = values.into_iter().map(|(_, value)| value).collect();
            match values.len() {
                1 => values.pop().unwrap_or(Value::Null),
                _ => Value::Array(values),
            }
        }
        Value::Number(number) => integral(number).map_or_else(|| value.clone(), Value::from),
        other => other.clone(),
    }
}

/// A number JSON-LD writes as an `xsd:integer` (integral and below 10^21) as an integer.
fn integral(number: &serde_json::Number) -> Option<i64> {
    if let Some(integer) = number.as_i64() {
        return Some(integer);
    }
    let float = number.as_f64()?;
    #[allow(clippy::cast_possible_truncation)]
    let truncated = float as i64;
    (float.fract() == 0.0 && float.abs() < 9.0e15 && truncated as f64 == float).then_some(truncated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spellings_of_the_same_claims_normalize_alike() {
        let a = json!({"id": "did:example:ada", "name": "Ada", "skills": ["b", "a"], "age": 30});
        let b = json!({"skills": ["a", "b", "a"], "age": 30.0, "name": ["Ada"], "id": "did:example:ada",
                       "nickname": null, "hobbies": [], "extra": [[]]});
        assert_eq!(normalize(&a), normalize(&b));
        assert_eq!(normalize(&json!({"@value": "Ada"})), json!("Ada"));
        assert_eq!(
            normalize(&json!([{"@value": "Ada", "@language": "en"}]))["@language"],
            "en"
        );
    }

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
