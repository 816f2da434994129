//! Bounded parsing of JSON that comes from strangers.
//!
//! `serde_json` already refuses to recurse past 128 levels, but it reports that as a generic
//! syntax error and only after doing the work. Sigil checks size and nesting up front so that
//! every service answers an oversized or deeply nested document with the same clear error.

use serde_json::Value;

/// Largest credential or presentation Sigil accepts, in bytes (1 MiB).
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// Deepest nesting of arrays and objects Sigil accepts.
pub const MAX_DEPTH: usize = 64;

/// Why a JSON input was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JsonError {
    /// The input is larger than [`MAX_INPUT_BYTES`].
    #[error("input is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// Arrays and objects are nested deeper than [`MAX_DEPTH`].
    #[error("JSON is nested more than {limit} levels deep")]
    TooDeep { limit: usize },
    /// The input is not well-formed JSON.
    #[error("malformed JSON: {0}")]
    Malformed(String),
    /// The JSON is well-formed but not the expected shape.
    #[error("{0}")]
    Shape(String),
}

/// Parses untrusted JSON text after checking its size and nesting depth.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    parse_with_limits(text, MAX_INPUT_BYTES, MAX_DEPTH)
}

/// [`parse`] with explicit limits.
pub fn parse_with_limits(text: &str, max_bytes: usize, max_depth: usize) -> Result<Value, JsonError> {
    check_size(text.len(), max_bytes)?;
    check_depth(text, max_depth)?;
    serde_json::from_str(text).map_err(|e| JsonError::Malformed(e.to_string()))
}

/// Parses untrusted JSON that must be an object.
pub fn parse_object(text: &str) -> Result<serde_json::Map<String, Value>, JsonError> {
    match parse(text)? {
        Value::Object(map) => Ok(map),
        other => Err(JsonError::Shape(format!(
            "expected a JSON object, found {}",
            kind_of(&other)
        ))),
    }
}

/// Refuses inputs over `limit` bytes.
pub fn check_size(size: usize, limit: usize) -> Result<(), JsonError> {
    if size > limit {
        return Err(JsonError::TooLarge { size, limit });
    }
    Ok(())
}

/// Scans the text once, counting brackets outside strings, without building anything.
fn check_depth(text: &str, limit: usize) -> Result<(), JsonError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(JsonError::TooDeep { limit });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A word for the JSON type of a value, for error messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deeply_nested_json_is_refused_before_parsing() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(parse(&text), Err(JsonError::TooDeep { limit: MAX_DEPTH }));
    }

    #[test]
    fn brackets_inside_strings_do_not_count_as_nesting() {
        let text = format!("{{\"a\": \"{}\"}}", "[".repeat(1000));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn oversized_input_is_refused() {
        let text = format!("\"{}\"", "a".repeat(MAX_INPUT_BYTES));
        assert!(matches!(parse(&text), Err(JsonError::TooLarge { .. })));
    }

    #[test]
    fn malformed_json_is_a_clear_error() {
        let err = parse("{\"a\": ").unwrap_err();
        assert!(err.to_string().starts_with("malformed JSON"), "{err}");
    }

    #[test]
    fn a_non_object_is_refused_where_an_object_is_expected() {
        let err = parse_object("[1, 2]").unwrap_err();
        assert_eq!(err.to_string(), "expected a JSON object, found an array");
    }
}
