//! Bounded parsing of JSON that comes from strangers.
//!
//! `serde_json` already refuses to recurse past 128 levels, but it reports that as a generic
//! syntax error and only after doing the work. Sigil checks size and nesting up front so that
//! every service answers an oversized or deeply nested document with the same clear error.
//!
//! It also refuses an object that names the same key twice. RFC 8259 §4 leaves the meaning of
//! such an object to the implementation: `serde_json` keeps the last value, a JSON-LD
//! processor or another library may keep the first, so the same signed bytes could say one
//! thing to Sigil and another to whoever relies on them next.

use std::cell::Cell;
use std::fmt;
use std::str::FromStr as _;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

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
    /// An object names the same key twice (compared after unescaping, so `"a"` and
    /// `"\u0061"` are the same key). The key is shortened to [`MAX_KEY_IN_ERROR`] characters.
    #[error("duplicate key {key:?} in a JSON object")]
    DuplicateKey { key: String },
}

/// How much of a duplicated key [`JsonError::DuplicateKey`] keeps, in characters: enough to
/// recognise it, not enough to echo a megabyte back to whoever sent it.
pub const MAX_KEY_IN_ERROR: usize = 100;

/// Parses untrusted JSON text after checking its size and nesting depth.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    parse_with_limits(text, MAX_INPUT_BYTES, MAX_DEPTH)
}

/// [`parse`] with explicit limits.
pub fn parse_with_limits(text: &str, max_bytes: usize, max_depth: usize) -> Result<Value, JsonError> {
    check_size(text.len(), max_bytes)?;
    check_depth(text, max_depth)?;
    let duplicate = Cell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = UniqueKeys(&duplicate)
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    match (parsed, duplicate.into_inner()) {
        (Ok(value), _) => Ok(value),
        (Err(_), Some(key)) => Err(JsonError::DuplicateKey { key }),
        (Err(e), None) => Err(JsonError::Malformed(e.to_string())),
    }
}

/// Parses untrusted JSON that must be an object.
pub fn parse_object(text: &str) -> Result<Map<String, Value>, JsonError> {
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

/// `serde_json` with its `arbitrary_precision` feature, which a dependency of Sigil turns on,
/// hands a number to a visitor as a map with this one key and the number's text as value.
/// `serde_json::Value` treats an object with this key as a number, so Sigil refuses the key in
/// real objects: `{"$serde_json::private::Number": "1"}` is not a number in any other reader.
const PRIVATE_NUMBER_KEY: &str = "$serde_json::private::Number";

/// Builds a [`Value`] exactly as `serde_json` would — same numbers, same key order — except
/// that an object naming a key twice is an error. The duplicated key is left in the cell, so
/// that [`parse_with_limits`] can report it as [`JsonError::DuplicateKey`] rather than as a
/// syntax error with `serde_json`'s position text.
#[derive(Clone, Copy)]
struct UniqueKeys<'a>(&'a Cell<Option<String>>);

impl<'de> DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    // Without `arbitrary_precision`, numbers arrive here, as they do for `serde_json::Value`.
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == PRIVATE_NUMBER_KEY {
                // Either a number (the only entry, its text delivered as an owned `String`),
                // or a stranger's object using the reserved key.
                let number = map.next_value_seed(NumberText)?;
                if object.is_empty() && map.next_key::<de::IgnoredAny>()?.is_none() {
                    return Ok(Value::Number(number));
                }
                return Err(reserved_key());
            }
            if object.contains_key(&key) {
                let shown: String = key.chars().take(MAX_KEY_IN_ERROR).collect();
                let message = format!("duplicate key {shown:?}");
                self.0.set(Some(shown));
                return Err(de::Error::custom(message));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

fn reserved_key<E: de::Error>() -> E {
    E::custom(format_args!(
        "the key {PRIVATE_NUMBER_KEY:?} is reserved by the JSON library and not accepted"
    ))
}

/// The value under [`PRIVATE_NUMBER_KEY`]: `serde_json` gives a number's text as an owned
/// `String` (`visit_string`), while a string in the document comes as `visit_str` or
/// `visit_borrowed_str`, so anything but `visit_string` is a stranger's use of the key.
struct NumberText;

impl<'de> DeserializeSeed<'de> for NumberText {
    type Value = Number;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Number, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumberText {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no value under the reserved key {PRIVATE_NUMBER_KEY:?}")
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Number, E> {
        Number::from_str(&text).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Number, E> {
        Err(reserved_key())
    }

    fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Number, E> {
        Err(reserved_key())
    }
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

    fn duplicate(key: &str) -> Result<Value, JsonError> {
        Err(JsonError::DuplicateKey { key: key.into() })
    }

    #[test]
    fn a_duplicated_top_level_key_is_refused_and_named() {
        let text = r#"{"credentialSubject": {"name": "Ada"}, "credentialSubject": {"name": "Eve"}}"#;
        assert_eq!(parse(text), duplicate("credentialSubject"));
        assert_eq!(
            parse(text).unwrap_err().to_string(),
            r#"duplicate key "credentialSubject" in a JSON object"#
        );
        assert_eq!(
            parse_object(text).unwrap_err(),
            JsonError::DuplicateKey {
                key: "credentialSubject".into()
            }
        );
    }

    #[test]
    fn a_duplicated_key_in_an_object_inside_an_array_is_refused() {
        let text = r#"{"evidence": [{"id": "a"}, {"id": "b", "type": "X", "type": "Y"}]}"#;
        assert_eq!(parse(text), duplicate("type"));
        assert_eq!(parse(r#"[[{"k": 1, "k": 1}]]"#), duplicate("k"));
    }

    #[test]
    fn keys_are_compared_after_unescaping() {
        assert_eq!(parse(r#"{"a": 1, "\u0061": 2}"#), duplicate("a"));
        assert_eq!(parse(r#"{"\u00e9t\u00e9": 1, "été": 2}"#), duplicate("été"));
        assert_eq!(parse(r#"{"a\/b": 1, "a/b": 2}"#), duplicate("a/b"));
    }

    #[test]
    fn the_same_key_in_sibling_or_nested_objects_is_not_a_duplicate() {
        let text = r#"{"id": 1, "a": {"id": 2, "b": {"id": 3}}, "c": [{"id": 4}, {"id": 5}]}"#;
        let value = parse(text).unwrap();
        assert_eq!(value["c"][1]["id"], 5);
        assert_eq!(value["a"]["b"]["id"], 3);
    }

    #[test]
    fn a_long_duplicated_key_is_shortened_in_the_error() {
        let key = "k".repeat(10_000);
        let Err(JsonError::DuplicateKey { key: shown }) = parse(&format!(r#"{{"{key}": 1, "{key}": 2}}"#))
        else {
            panic!("expected a duplicate key error");
        };
        assert_eq!(shown.chars().count(), MAX_KEY_IN_ERROR);
    }

    #[test]
    fn numbers_come_out_exactly_as_serde_json_reads_them() {
        // With `arbitrary_precision` (on in this workspace) the big integer and the
        // trailing zero survive as written; without it, both readers round the same way.
        let text = r#"{"int":180,"neg":-3,"zero":0,"u64":18446744073709551615,"i64":-9223372036854775808,"big":123456789012345678901234567890,"float":1.50,"small":0.1,"exp":-3e2,"list":[1,2.5,-0.0]}"#;
        let ours = parse(text).unwrap();
        let theirs: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.to_string(), theirs.to_string());
        assert_eq!(ours["int"].as_u64(), Some(180));
        assert_eq!(ours["neg"].as_i64(), Some(-3));
        assert_eq!(ours["u64"].as_u64(), Some(u64::MAX));
        assert_eq!(ours["i64"].as_i64(), Some(i64::MIN));
        assert_eq!(ours["float"].as_f64(), Some(1.5));
        assert_eq!(ours["exp"].as_f64(), Some(-300.0));
        let big: Number = "123456789012345678901234567890".parse().unwrap();
        assert_eq!(ours["big"], Value::Number(big));
    }

    #[test]
    fn numbers_given_as_primitives_are_read_too() {
        // How numbers reach the visitor when `arbitrary_precision` is off.
        use serde::de::IntoDeserializer as _;
        use serde::de::value::{F64Deserializer, I64Deserializer, U64Deserializer};
        type E = de::value::Error;
        let cell = Cell::new(None);
        let unsigned: U64Deserializer<E> = 7u64.into_deserializer();
        assert_eq!(UniqueKeys(&cell).deserialize(unsigned), Ok(Value::from(7u64)));
        let signed: I64Deserializer<E> = (-7i64).into_deserializer();
        assert_eq!(UniqueKeys(&cell).deserialize(signed), Ok(Value::from(-7i64)));
        let float: F64Deserializer<E> = 2.5f64.into_deserializer();
        assert_eq!(UniqueKeys(&cell).deserialize(float), Ok(Value::from(2.5f64)));
    }

    #[test]
    fn key_order_is_kept() {
        let value = parse(r#"{"z": 1, "a": 2, "m": {"y": 1, "b": 2}}"#).unwrap();
        assert_eq!(value.to_string(), r#"{"z":1,"a":2,"m":{"y":1,"b":2}}"#);
    }

    #[test]
    fn the_private_number_key_of_serde_json_is_refused_in_documents() {
        for text in [
            r#"{"$serde_json::private::Number": "1"}"#,
            r#"{"$serde_json::private::Number": 1}"#,
            r#"{"a": 1, "$serde_json::private::Number": "1"}"#,
            r#"{"\u0024serde_json::private::Number": "1"}"#,
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.to_string().contains("reserved"), "{text}: {err}");
        }
    }

    #[test]
    fn trailing_text_after_the_value_is_refused() {
        assert!(matches!(
            parse(r#"{"a": 1} {"a": 2}"#),
            Err(JsonError::Malformed(_))
        ));
    }
}
