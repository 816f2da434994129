//! Names of people and organisations in several languages: "Example University" and
//! "示例大学" for one DID.
//!
//! A [`LegalName`] is what a root of trust records when it accredits a party (and what genesis
//! or a governance change records for a root), so the registry vouches for it: pages show it
//! first and keep the DID one click away. A name a credential gives its own issuer is only
//! what the issuer says of itself; [`NameSource`] keeps the two apart wherever a name is shown.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Most languages one name is written in.
pub const MAX_LANGUAGES: usize = 8;
/// Longest name, in characters (the longest legal names of universities are about 120).
pub const MAX_NAME_CHARS: usize = 200;
/// Longest language tag (RFC 5646 §4.4.1 recommends supporting 35 characters).
const MAX_TAG_CHARS: usize = 35;
/// The tag of a name given without a language (RFC 5646 §4.1: "undetermined").
pub const UNDETERMINED: &str = "und";

/// A name by BCP 47 language tag (`en`, `zh-CN`), at least one, each a single line.
///
/// Written as a JSON object, `{"en": "Example University", "zh-CN": "示例大学"}`, in tag
/// order, so that its canonical form (and so a transaction's hash) does not depend on the
/// order a tool wrote it in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, String>", into = "BTreeMap<String, String>")]
pub struct LegalName(BTreeMap<String, String>);

/// Why a name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid name: {0}")]
pub struct NameError(pub String);

impl LegalName {
    /// A name in one language.
    pub fn new(tag: &str, name: &str) -> Result<Self, NameError> {
        LegalName::try_from(BTreeMap::from([(tag.to_owned(), name.to_owned())]))
    }

    /// This name with `name` added (or replaced) in the language `tag`.
    pub fn with(mut self, tag: &str, name: &str) -> Result<Self, NameError> {
        self.0.insert(tag.to_owned(), name.to_owned());
        LegalName::try_from(self.0)
    }

    /// Reads names as a command line gives them: each `NAME` (English) or `TAG=NAME`
    /// (`zh-CN=示例大学`). `None` when none is given.
    pub fn from_arguments(arguments: &[String]) -> Result<Option<Self>, NameError> {
        let mut names = BTreeMap::new();
        for argument in arguments {
            let (tag, name) = match argument.split_once('=') {
                Some((tag, name)) if is_language_tag(tag) => (tag, name),
                _ => ("en", argument.as_str()),
            };
            if names.insert(tag.to_owned(), name.to_owned()).is_some() {
                return Err(NameError(format!("two names in the language {tag}")));
            }
        }
        if names.is_empty() {
            return Ok(None);
        }
        LegalName::try_from(names).map(Some)
    }

    /// The name to show a reader of `tag`: the name in that language, else in one of the same
    /// primary language (`zh` for `zh-CN`), else in English, else the first.
    pub fn in_language(&self, tag: &str) -> &str {
        for_reader(self.iter(), tag).unwrap_or_default()
    }

    /// Every language tag and the name in it, in tag order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(tag, name)| (tag.as_str(), name.as_str()))
    }

    /// The name a credential gives its issuer (VCDM 2.0 §4.7, `issuer.name`): a string, a
    /// language value (`{"@value", "@language"}`) or a list of them. `None` when it gives
    /// none this can read — a name is only shown, never relied on, so an odd one is skipped
    /// rather than refused.
    pub fn from_credential(name: &Value) -> Option<Self> {
        let entry = |value: &Value| match value {
            Value::String(text) => Some((UNDETERMINED.to_owned(), text.clone())),
            Value::Object(object) => {
                let text = object.get("@value")?.as_str()?;
                let tag = object
                    .get("@language")
                    .and_then(Value::as_str)
                    .unwrap_or(UNDETERMINED);
                Some((tag.to_owned(), text.to_owned()))
            }
            _ => None,
        };
        let names: BTreeMap<String, String> = match name {
            Value::Array(values) => values.iter().take(MAX_LANGUAGES).filter_map(entry).collect(),
            value => entry(value).into_iter().collect(),
        };
        LegalName::try_from(names).ok()
    }
}

impl std::fmt::Display for LegalName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.in_language("en"))
    }
}

impl TryFrom<BTreeMap<String, String>> for LegalName {
    type Error = NameError;

    fn try_from(names: BTreeMap<String, String>) -> Result<Self, NameError> {
        if names.is_empty() {
            return Err(NameError("give the name in at least one language".into()));
        }
        if names.len() > MAX_LANGUAGES {
            return Err(NameError(format!("at most {MAX_LANGUAGES} languages")));
        }
        for (tag, name) in &names {
            check_name(tag, name)?;
        }
        Ok(LegalName(names))
    }
}

/// Checks one name in one language, as every name Sigil shows must be: a language tag, and
/// one line of at most [`MAX_NAME_CHARS`] characters, not empty, without surrounding spaces
/// or control characters. (Labels a wallet reads from an issuer's metadata meet it too.)
pub fn check_name(tag: &str, name: &str) -> Result<(), NameError> {
    if !is_language_tag(tag) {
        return Err(NameError(format!(
            "{tag:?} is not a language tag (such as en or zh-CN)"
        )));
    }
    if name.trim().is_empty() || name.trim() != name {
        return Err(NameError(format!(
            "the {tag} name is empty or starts or ends with a space"
        )));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(NameError(format!(
            "the {tag} name is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(NameError(format!("the {tag} name holds a control character")));
    }
    Ok(())
}

impl From<LegalName> for BTreeMap<String, String> {
    fn from(name: LegalName) -> Self {
        name.0
    }
}

/// Of words given by language tag, those for a reader of `tag`: in that language, else in one
/// of the same primary language (`zh` for `zh-CN`), else in English, else the first. What
/// every page uses to pick a name or a label.
pub fn for_reader<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>, tag: &str) -> Option<&'a str> {
    let entries: Vec<(&str, &str)> = entries.into_iter().collect();
    let primary = |t: &str| t.split('-').next().unwrap_or_default().to_ascii_lowercase();
    let wanted = primary(tag);
    let find = |matches: &dyn Fn(&str) -> bool| entries.iter().find(|(t, _)| matches(t));
    find(&|t| t.eq_ignore_ascii_case(tag))
        .or_else(|| find(&|t| primary(t) == wanted))
        .or_else(|| find(&|t| primary(t) == "en"))
        .or_else(|| entries.first())
        .map(|(_, words)| *words)
}

/// Whether `tag` is shaped like a BCP 47 language tag: subtags of 1–8 ASCII letters or
/// digits joined by `-`, the first letters only. (Whether the registry of subtags knows it is
/// not checked: a name is shown, not interpreted.)
fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let first_is_letters = subtags.next().is_some_and(|first| {
        (1..=8).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_alphabetic())
    });
    first_is_letters
        && tag.len() <= MAX_TAG_CHARS
        && subtags.all(|subtag| {
            (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Words for people in a type file: a string (English), or one string per BCP 47 language
/// tag, `{"en": "Degree", "zh-CN": "学位"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Text {
    English(String),
    ByLanguage(BTreeMap<String, String>),
}

impl Text {
    /// Each language tag and the words in it, in tag order.
    pub fn entries(&self) -> Vec<(&str, &str)> {
        match self {
            Text::English(text) => vec![("en", text.as_str())],
            Text::ByLanguage(texts) => texts
                .iter()
                .map(|(tag, text)| (tag.as_str(), text.as_str()))
                .collect(),
        }
    }

    /// The words for a reader of `tag`: in that language, else one of its family, else English,
    /// else the first.
    pub fn in_language(&self, tag: &str) -> &str {
        for_reader(self.entries(), tag).unwrap_or_default()
    }

    /// The OpenID4VCI `display` entries: `[{name, locale}]`, one per language.
    pub fn display(&self) -> Vec<Value> {
        self.entries()
            .into_iter()
            .map(|(locale, name)| json!({"name": name, "locale": locale}))
            .collect()
    }
}

/// Who vouches for a name shown for a party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameSource {
    /// The legal name a root of trust recorded on the registry when it accredited the party.
    Registry,
    /// The name the party gives itself (a credential's `issuer.name`, a wallet's or
    /// verifier's display name): nobody checked it.
    SelfAsserted,
}

/// A name to show for a party, and who vouches for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownName {
    pub name: LegalName,
    pub source: NameSource,
}

impl ShownName {
    /// Whether the registry vouches for the name.
    pub fn is_vouched(&self) -> bool {
        self.source == NameSource::Registry
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn university() -> LegalName {
        LegalName::new("en", "Example University")
            .unwrap()
            .with("zh-CN", "示例大学")
            .unwrap()
    }

    #[test]
    fn a_reader_gets_their_language_else_its_family_else_english_else_the_first() {
        let name = university();
        assert_eq!(name.in_language("zh-CN"), "示例大学");
        assert_eq!(name.in_language("zh-Hans-CN"), "示例大学");
        assert_eq!(name.in_language("ZH"), "示例大学");
        assert_eq!(name.in_language("en-GB"), "Example University");
        assert_eq!(name.in_language("fr"), "Example University");
        let only_chinese = LegalName::new("zh-CN", "教育部").unwrap();
        assert_eq!(only_chinese.in_language("en"), "教育部");
    }

    #[test]
    fn a_name_is_written_in_tag_order_whatever_order_it_was_read_in() {
        let read: LegalName =
            serde_json::from_str(r#"{"zh-CN": "示例大学", "en": "Example University"}"#).unwrap();
        assert_eq!(read, university());
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            r#"{"en":"Example University","zh-CN":"示例大学"}"#
        );
    }

    #[test]
    fn empty_oversized_or_odd_names_are_refused() {
        for bad in [
            json!({}),
            json!({"en": ""}),
            json!({"en": " Example"}),
            json!({"en": "Example\nUniversity"}),
            json!({"en": "x".repeat(MAX_NAME_CHARS + 1)}),
            json!({"not a tag": "Example"}),
            json!({"1en": "Example"}),
            json!({"en-": "Example"}),
            json!({"en": 1}),
            json!(["Example"]),
            Value::Object(
                (b'a'..)
                    .take(MAX_LANGUAGES + 1)
                    .map(|letter| (format!("x{}", char::from(letter)), json!("n")))
                    .collect(),
            ),
        ] {
            assert!(serde_json::from_value::<LegalName>(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn command_line_names_are_english_unless_tagged() {
        let arguments = ["Example University".to_owned(), "zh-CN=示例大学".to_owned()];
        assert_eq!(LegalName::from_arguments(&arguments).unwrap(), Some(university()));
        assert_eq!(LegalName::from_arguments(&[]).unwrap(), None);
        let equals_in_a_name = ["A = B Institute".to_owned()];
        assert_eq!(
            LegalName::from_arguments(&equals_in_a_name)
                .unwrap()
                .unwrap()
                .in_language("en"),
            "A = B Institute"
        );
        let twice = ["One".to_owned(), "en=Two".to_owned()];
        assert!(LegalName::from_arguments(&twice).is_err());
    }

    #[test]
    fn a_credential_names_its_issuer_with_a_string_or_language_values() {
        let plain = LegalName::from_credential(&json!("Example University")).unwrap();
        assert_eq!(
            plain.iter().collect::<Vec<_>>(),
            [(UNDETERMINED, "Example University")]
        );
        let tagged = LegalName::from_credential(&json!([
            {"@value": "Example University", "@language": "en"},
            {"@value": "示例大学", "@language": "zh-CN"}
        ]))
        .unwrap();
        assert_eq!(tagged, university());
        assert_eq!(LegalName::from_credential(&json!(42)), None);
        assert_eq!(LegalName::from_credential(&json!({"@value": ""})), None);
    }
}
