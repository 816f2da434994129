//! Decentralized identifiers (W3C DID Core 1.0): validated identifiers and DID URLs, DID
//! documents, the `did:key`, `did:jwk` and `did:web` methods, and resolution.

pub mod document;
pub mod jwk;
pub mod key;
pub mod resolver;
pub mod sigil;
pub mod universal;
pub mod web;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use document::{DidDocument, VerificationMethod};
pub use resolver::{DidResolver, Resolution, ResolutionError, ResolutionOptions, StandardResolver};

/// Why a string is not a DID or DID URL.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DidError {
    /// The text breaks the DID syntax of DID Core §3.1.
    #[error("invalid DID {text:?}: {reason}")]
    Syntax { text: String, reason: &'static str },
}

/// A DID, validated against the ABNF of DID Core §3.1:
/// `did:` method-name `:` method-specific-id, with method-name lowercase letters and digits
/// and the method-specific id made of `idchar`s (ALPHA / DIGIT / `.` `-` `_` / pct-encoded)
/// in colon-separated segments, the last of which is not empty.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Did(String);

/// Longest DID Sigil accepts; no method in use comes close, and it bounds hostile input.
const MAX_DID_LEN: usize = 4096;

impl Did {
    /// Parses and validates a DID.
    pub fn parse(text: &str) -> Result<Self, DidError> {
        let fail = |reason| DidError::Syntax {
            text: text.chars().take(80).collect(),
            reason,
        };
        if text.len() > MAX_DID_LEN {
            return Err(fail("too long"));
        }
        let rest = text
            .strip_prefix("did:")
            .ok_or_else(|| fail("must start with `did:`"))?;
        let (method, id) = rest
            .split_once(':')
            .ok_or_else(|| fail("missing method-specific identifier"))?;
        if method.is_empty()
            || !method
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(fail("method name must be lowercase letters and digits"));
        }
        if id.is_empty() || id.ends_with(':') {
            return Err(fail("method-specific identifier is empty"));
        }
        let bytes = id.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'%' => {
                    let hex = bytes
                        .get(i + 1..i + 3)
                        .ok_or_else(|| fail("truncated percent-encoding"))?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return Err(fail("bad percent-encoding"));
                    }
                    i += 3;
                }
                b if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':') => i += 1,
                _ => return Err(fail("illegal character in method-specific identifier")),
            }
        }
        Ok(Did(text.to_owned()))
    }

    /// The DID method name (`key`, `jwk`, `sigil`, …).
    pub fn method(&self) -> &str {
        self.0
            .get(4..)
            .and_then(|rest| rest.split(':').next())
            .unwrap_or_default()
    }

    /// The method-specific identifier.
    pub fn method_specific_id(&self) -> &str {
        let prefix = 4 + self.method().len() + 1;
        self.0.get(prefix..).unwrap_or_default()
    }

    /// The DID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Did {
    type Error = DidError;
    fn try_from(text: String) -> Result<Self, DidError> {
        Did::parse(&text)
    }
}

impl From<Did> for String {
    fn from(did: Did) -> String {
        did.0
    }
}

impl fmt::Display for Did {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Did {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Did({})", self.0)
    }
}

/// A DID URL naming a verification method or other resource inside a DID document
/// (DID Core §3.2), for example `did:key:z6Mk…#z6Mk…`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DidUrl {
    did: Did,
    /// Everything after the DID: path, query and fragment, as written.
    suffix: String,
}

impl DidUrl {
    /// Parses a DID URL; the DID part is validated, the rest must be free of whitespace.
    pub fn parse(text: &str) -> Result<Self, DidError> {
        let split = text.find(['/', '?', '#']).unwrap_or(text.len());
        let (did, suffix) = text.split_at(split);
        let did = Did::parse(did)?;
        if suffix.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(DidError::Syntax {
                text: text.chars().take(80).collect(),
                reason: "whitespace in DID URL",
            });
        }
        Ok(DidUrl {
            did,
            suffix: suffix.to_owned(),
        })
    }

    /// The DID this URL belongs to.
    pub fn did(&self) -> &Did {
        &self.did
    }

    /// The fragment, without `#`.
    pub fn fragment(&self) -> Option<&str> {
        self.suffix.split_once('#').map(|(_, fragment)| fragment)
    }
}

impl fmt::Display for DidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.did, self.suffix)
    }
}

impl fmt::Debug for DidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DidUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_dids_parse_and_expose_their_method() {
        let did = Did::parse("did:sigil:zQmab_c-1.2:x%2F").unwrap();
        assert_eq!(did.method(), "sigil");
        assert_eq!(did.method_specific_id(), "zQmab_c-1.2:x%2F");
    }

    #[test]
    fn dids_with_illegal_characters_are_refused() {
        for bad in [
            "did:key:z6Mk<script>",
            "did:key:a b",
            "did:Key:abc",
            "did:key:",
            "did::abc",
            "did:key:abc:",
            "did:key:ab%zz",
            "did:key:ab%2",
            "DID:key:abc",
            "did:key:ä",
            "https://example.com",
        ] {
            assert!(Did::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn did_urls_keep_their_fragment() {
        let url = DidUrl::parse("did:key:z6Mkabc#z6Mkabc").unwrap();
        assert_eq!(url.did().as_str(), "did:key:z6Mkabc");
        assert_eq!(url.fragment(), Some("z6Mkabc"));
        assert_eq!(url.to_string(), "did:key:z6Mkabc#z6Mkabc");
        assert!(DidUrl::parse("did:key:abc#a b").is_err());
    }
}
