//! What `POST /credentials/issue` checks before it signs: the rules of VCDM 2.0 (and 1.1)
//! that concern an issuer and that the typed view (`sigil_core::model::Credential`) and the
//! compact-form check (`sigil_core::jsonld::compact_form`) do not already enforce. Signing is
//! a promise; a credential that breaks a MUST is refused with the property named, never
//! signed and left for a verifier to reject.
//!
//! - identifiers are URLs (§4.4): the credential's `id`, each subject's, the issuer's and those
//!   of status, schema, terms-of-use, evidence, refresh and related-resource entries;
//! - `credentialSubject` is present and no subject is an empty object (§4.8);
//! - `credentialStatus` (§4.10), `credentialSchema` (§4.11), `termsOfUse` (§5.5),
//!   `evidence` (§5.6) and `refreshService` (§5.4) entries are objects with a `type`, and
//!   schema and refresh entries an `id` as well;
//! - `relatedResource` (§5.3) entries have unique `id`s and a well-formed `digestSRI` or
//!   `digestMultibase` (a multihash); for a resource Sigil bundles (its JSON-LD contexts) the
//!   digest is checked against the bundled bytes;
//! - the validity dates are `dateTimeStamp`s (a time zone is required) and the period does not
//!   end before it starts (§4.9; `issuanceDate`/`expirationDate` for VCDM 1.1).

use std::collections::HashSet;

use base64::Engine as _;
use serde_json::{Map, Value};
use sha2::Digest as _;
use sigil_core::time::{Timestamp, parse_datetime};

/// Why a credential is not signed. Each names the property at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// The credential is not a JSON object.
    #[error("the credential must be a JSON object")]
    NotAnObject,
    /// There is no `credentialSubject` (VCDM 2.0 §4.8).
    #[error("the credential has no credentialSubject (VCDM 2.0 §4.8)")]
    NoSubject,
    /// A subject is an empty object, or the subject list is empty (VCDM 2.0 §4.8).
    #[error("{0} makes no claim: a subject needs at least one property (VCDM 2.0 §4.8)")]
    EmptySubject(String),
    /// A value that must be an object, or a list of objects, is something else.
    #[error("{0} must be an object or a list of objects")]
    NotAnObjectList(String),
    /// An identifier is not a single URL (VCDM 2.0 §4.4).
    #[error("{path} must be a single URL (VCDM 2.0 §4.4), not {found}")]
    NotAUrl { path: String, found: String },
    /// An entry lacks its `type` (VCDM 2.0 §4.5, and the section of the property).
    #[error("{0} needs a `type`")]
    NoType(String),
    /// An entry lacks the `id` its property requires.
    #[error("{0} needs an `id`: a URL")]
    NoId(String),
    /// Two related resources share an `id` (VCDM 2.0 §5.3).
    #[error("relatedResource lists {0} twice; each resource's id must be unique (VCDM 2.0 §5.3)")]
    DuplicateResource(String),
    /// A related resource has no digest (VCDM 2.0 §5.3).
    #[error("{0} needs a digestSRI or a digestMultibase (VCDM 2.0 §5.3)")]
    NoDigest(String),
    /// A digest is not well formed.
    #[error("{path} is not well formed: {reason}")]
    MalformedDigest { path: String, reason: String },
    /// A digest of a resource Sigil bundles does not match the bundled bytes.
    #[error(
        "{path} does not match {url}, which Sigil bundles: the resource would not be the one the credential names"
    )]
    DigestMismatch { path: String, url: String },
    /// A validity date is not a `dateTimeStamp` (VCDM 2.0 §4.9).
    #[error(
        "{path} must be a date-time with a time zone, such as 2025-01-01T00:00:00Z (VCDM 2.0 §4.9), not {found}"
    )]
    NotADateTimeStamp { path: String, found: String },
    /// The validity period ends before it starts (VCDM 2.0 §4.9).
    #[error("{until} is earlier than {from}: the validity period would end before it starts (VCDM 2.0 §4.9)")]
    EndsBeforeItStarts { from: String, until: String },
}

/// The entry properties that need a `type`, and whether each entry also needs an `id`.
const TYPED_ENTRIES: &[(&str, bool)] = &[
    ("credentialStatus", false),
    ("credentialSchema", true),
    ("termsOfUse", false),
    ("evidence", false),
    ("refreshService", true),
];

/// Checks an unsigned credential against the rules above. The `issuer` may be absent (the
/// service fills in its own).
pub fn check(credential: &Value) -> Result<(), Invalid> {
    let object = credential.as_object().ok_or(Invalid::NotAnObject)?;
    if let Some(id) = object.get("id") {
        url("id", id)?;
    }
    match object.get("issuer") {
        None => {}
        Some(Value::Object(issuer)) => {
            let id = issuer.get("id").ok_or_else(|| Invalid::NoId("issuer".into()))?;
            url("issuer.id", id)?;
        }
        Some(issuer) => {
            url("issuer", issuer)?;
        }
    }
    subjects(object)?;
    for &(property, needs_id) in TYPED_ENTRIES {
        for (path, entry) in entries(object, property)? {
            typed_entry(&path, entry, needs_id)?;
        }
    }
    related_resources(object)?;
    validity(object, "validFrom", "validUntil")?;
    validity(object, "issuanceDate", "expirationDate")
}

fn subjects(credential: &Map<String, Value>) -> Result<(), Invalid> {
    if !credential.contains_key("credentialSubject") {
        return Err(Invalid::NoSubject);
    }
    let subjects = entries(credential, "credentialSubject")?;
    if subjects.is_empty() {
        return Err(Invalid::EmptySubject("credentialSubject".into()));
    }
    for (path, subject) in subjects {
        if subject.is_empty() {
            return Err(Invalid::EmptySubject(path));
        }
        if let Some(id) = subject.get("id") {
            url(&format!("{path}.id"), id)?;
        }
    }
    Ok(())
}

fn typed_entry(path: &str, entry: &Map<String, Value>, needs_id: bool) -> Result<(), Invalid> {
    let has_type = match entry.get("type") {
        Some(Value::String(name)) => !name.is_empty(),
        Some(Value::Array(names)) => !names.is_empty() && names.iter().all(Value::is_string),
        _ => false,
    };
    if !has_type {
        return Err(Invalid::NoType(path.to_owned()));
    }
    match entry.get("id") {
        Some(id) => url(&format!("{path}.id"), id).map(|_| ()),
        None if needs_id => Err(Invalid::NoId(path.to_owned())),
        None => Ok(()),
    }
}

fn related_resources(credential: &Map<String, Value>) -> Result<(), Invalid> {
    let mut seen = HashSet::new();
    for (path, resource) in entries(credential, "relatedResource")? {
        let id = resource.get("id").ok_or_else(|| Invalid::NoId(path.clone()))?;
        let id = url(&format!("{path}.id"), id)?;
        if !seen.insert(id) {
            return Err(Invalid::DuplicateResource(id.to_owned()));
        }
        let bundled = sigil_core::contexts::find(id)
            .ok()
            .map(|context| context.document.as_bytes());
        let sri = resource.get("digestSRI");
        let multibase = resource.get("digestMultibase");
        if sri.is_none() && multibase.is_none() {
            return Err(Invalid::NoDigest(path));
        }
        if let Some(sri) = sri {
            digest_sri(&format!("{path}.digestSRI"), sri, id, bundled)?;
        }
        if let Some(multibase) = multibase {
            digest_multibase(&format!("{path}.digestMultibase"), multibase, id, bundled)?;
        }
    }
    Ok(())
}

/// The SHA-2 digests the digest properties may name, by output length.
#[derive(Debug, Clone, Copy)]
enum Sha2 {
    Sha256,
    Sha384,
    Sha512,
}

impl Sha2 {
    fn of_len(len: usize) -> Option<Sha2> {
        match len {
            32 => Some(Sha2::Sha256),
            48 => Some(Sha2::Sha384),
            64 => Some(Sha2::Sha512),
            _ => None,
        }
    }

    fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Sha2::Sha256 => sha2::Sha256::digest(bytes).to_vec(),
            Sha2::Sha384 => sha2::Sha384::digest(bytes).to_vec(),
            Sha2::Sha512 => sha2::Sha512::digest(bytes).to_vec(),
        }
    }
}

/// `digestSRI`: one or more `sha256-`, `sha384-` or `sha512-` hash expressions with a
/// base64 digest of that algorithm's length (Subresource Integrity §3.5).
fn digest_sri(path: &str, value: &Value, id: &str, bundled: Option<&[u8]>) -> Result<(), Invalid> {
    let malformed = |reason: String| Invalid::MalformedDigest {
        path: path.to_owned(),
        reason,
    };
    let text = value
        .as_str()
        .ok_or_else(|| malformed("it must be a string".into()))?;
    let mut expressions = text.split_ascii_whitespace().peekable();
    if expressions.peek().is_none() {
        return Err(malformed("it is empty".into()));
    }
    for expression in expressions {
        // An expression may carry options after `?`; they do not change the digest.
        let expression = expression.split('?').next().unwrap_or(expression);
        let (algorithm, encoded) = expression
            .split_once('-')
            .ok_or_else(|| malformed(format!("{expression:?} is not ALGORITHM-BASE64")))?;
        let expected_len = match algorithm {
            "sha256" => 32,
            "sha384" => 48,
            "sha512" => 64,
            other => return Err(malformed(format!("{other:?} is not sha256, sha384 or sha512"))),
        };
        let digest = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| malformed(format!("the digest is not base64: {e}")))?;
        let sha = Sha2::of_len(digest.len())
            .filter(|_| digest.len() == expected_len)
            .ok_or_else(|| {
                malformed(format!(
                    "a {algorithm} digest has {expected_len} bytes, not {}",
                    digest.len()
                ))
            })?;
        compare(path, id, bundled, sha, &digest)?;
    }
    Ok(())
}

/// `digestMultibase`: a multihash (VC Data Integrity §2.6: SHA-2 or SHA-3, 256 or 384 bits;
/// SHA-512 accepted as well) in base58btc (`z`) or base64url (`u`), the two multibase headers
/// Controlled Identifiers v1.0 §2.4 requires. A SHA-3 digest is well formed, but Sigil checks
/// only SHA-2 digests against the resources it bundles.
fn digest_multibase(path: &str, value: &Value, id: &str, bundled: Option<&[u8]>) -> Result<(), Invalid> {
    let malformed = |reason: String| Invalid::MalformedDigest {
        path: path.to_owned(),
        reason,
    };
    let text = value
        .as_str()
        .ok_or_else(|| malformed("it must be a string".into()))?;
    let (base, bytes) = multibase::decode(text).map_err(|e| malformed(format!("not multibase: {e}")))?;
    if !matches!(base, multibase::Base::Base58Btc | multibase::Base::Base64Url) {
        return Err(malformed(
            "the multibase header must be z (base58btc) or u (base64url)".into(),
        ));
    }
    let (code, digest) = match bytes.as_slice() {
        [code, len, digest @ ..] if usize::from(*len) == digest.len() => (*code, digest),
        _ => return Err(malformed("not a multihash (code, length, digest)".into())),
    };
    let sha = match (code, digest.len()) {
        (0x12, 32) => Some(Sha2::Sha256),
        (0x20, 48) => Some(Sha2::Sha384),
        (0x13, 64) => Some(Sha2::Sha512),
        (0x16, 32) | (0x15, 48) => None,
        _ => {
            return Err(malformed(
                "the multihash is not SHA-2 or SHA-3 (256 or 384 bits) of the right length".into(),
            ));
        }
    };
    match (sha, bundled) {
        (Some(sha), _) => compare(path, id, bundled, sha, digest),
        (None, Some(_)) => Err(malformed(format!(
            "{id} is a resource Sigil bundles and checks with a SHA-2 digest; give a sha2-256 or sha2-384 multihash"
        ))),
        (None, None) => Ok(()),
    }
}

/// For a bundled resource, whether `digest` is the digest of its bytes.
fn compare(path: &str, id: &str, bundled: Option<&[u8]>, sha: Sha2, digest: &[u8]) -> Result<(), Invalid> {
    match bundled {
        Some(bytes) if sha.digest(bytes) != digest => Err(Invalid::DigestMismatch {
            path: path.to_owned(),
            url: id.to_owned(),
        }),
        _ => Ok(()),
    }
}

fn validity(credential: &Map<String, Value>, from: &str, until: &str) -> Result<(), Invalid> {
    let start = date_time_stamp(credential, from)?;
    let end = date_time_stamp(credential, until)?;
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(Invalid::EndsBeforeItStarts {
            from: from.to_owned(),
            until: until.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// An `xsd:dateTimeStamp`: an RFC 3339 date-time written with `T` and a time zone.
fn date_time_stamp(credential: &Map<String, Value>, name: &str) -> Result<Option<Timestamp>, Invalid> {
    let Some(value) = credential.get(name) else {
        return Ok(None);
    };
    let fail = || Invalid::NotADateTimeStamp {
        path: name.to_owned(),
        found: value.to_string(),
    };
    let text = value.as_str().ok_or_else(fail)?;
    if text.as_bytes().get(10) != Some(&b'T') {
        return Err(fail());
    }
    parse_datetime(text).map(Some).ok_or_else(fail)
}

/// One entry of a property and its path, such as `credentialSchema[1]`.
type Entry<'a> = (String, &'a Map<String, Value>);

/// The entries of `property` (an object or a list of objects) with their paths, such as
/// `credentialSchema[1]`; none when the property is absent.
fn entries<'a>(credential: &'a Map<String, Value>, property: &str) -> Result<Vec<Entry<'a>>, Invalid> {
    match credential.get(property) {
        None => Ok(Vec::new()),
        Some(Value::Object(entry)) => Ok(vec![(property.to_owned(), entry)]),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                entry
                    .as_object()
                    .map(|entry| (format!("{property}[{index}]"), entry))
                    .ok_or_else(|| Invalid::NotAnObjectList(property.to_owned()))
            })
            .collect(),
        Some(_) => Err(Invalid::NotAnObjectList(property.to_owned())),
    }
}

/// A single absolute URL (VCDM 2.0 §4.4: "a URL"; DIDs and URNs are URLs).
fn url<'a>(path: &str, value: &'a Value) -> Result<&'a str, Invalid> {
    let fail = || Invalid::NotAUrl {
        path: path.to_owned(),
        found: value.to_string(),
    };
    let text = value.as_str().ok_or_else(fail)?;
    url::Url::parse(text).map_err(|_| fail())?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::*;
    use serde_json::json;

    fn credential() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:0f5e2d4c-1a57-4c9e-9d7e-1f8f9f0b1c2d",
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:subject"},
            "validFrom": "2025-01-01T00:00:00Z",
        })
    }

    fn with(change: impl FnOnce(&mut Value)) -> Result<(), Invalid> {
        let mut credential = credential();
        change(&mut credential);
        check(&credential)
    }

    #[test]
    fn a_plain_credential_passes() {
        check(&credential()).unwrap();
    }

    #[test]
    fn identifiers_must_be_single_urls() {
        for (change, path) in [
            (json!({"id": "not a url"}), "id"),
            (json!({"id": ["urn:a", "urn:b"]}), "id"),
            (json!({"issuer": "example university"}), "issuer"),
            (json!({"issuer": {"name": "no id"}}), "issuer"),
            (json!({"issuer": null}), "issuer"),
            (
                json!({"credentialSubject": {"id": "subject 1", "name": "A"}}),
                "credentialSubject.id",
            ),
        ] {
            let result = with(|c| {
                for (key, value) in change.as_object().unwrap() {
                    c[key] = value.clone();
                }
            });
            let message = result.unwrap_err().to_string();
            assert!(message.starts_with(path), "{change}: {message}");
        }
    }

    #[test]
    fn a_missing_or_empty_subject_is_refused() {
        assert_eq!(
            with(|c| {
                c.as_object_mut().unwrap().remove("credentialSubject");
            }),
            Err(Invalid::NoSubject)
        );
        assert_eq!(
            with(|c| c["credentialSubject"] = json!({})),
            Err(Invalid::EmptySubject("credentialSubject".into()))
        );
        assert_eq!(
            with(|c| c["credentialSubject"] = json!([{"id": "did:example:a"}, {}])),
            Err(Invalid::EmptySubject("credentialSubject[1]".into()))
        );
        assert_eq!(
            with(|c| c["credentialSubject"] = json!([])),
            Err(Invalid::EmptySubject("credentialSubject".into()))
        );
    }

    #[test]
    fn status_schema_terms_evidence_and_refresh_entries_need_a_type() {
        for property in [
            "credentialStatus",
            "credentialSchema",
            "termsOfUse",
            "evidence",
            "refreshService",
        ] {
            let result = with(|c| c[property] = json!({"id": "https://example.org/entry/1"}));
            assert_eq!(result, Err(Invalid::NoType(property.into())), "{property}");
            let result = with(|c| {
                c[property] = json!([{"id": "https://example.org/entry/1", "type": "T"}, {"id": "urn:x"}]);
            });
            assert_eq!(
                result,
                Err(Invalid::NoType(format!("{property}[1]"))),
                "{property}"
            );
            let result = with(|c| c[property] = json!({"id": "entry one", "type": "T"}));
            assert!(
                matches!(result, Err(Invalid::NotAUrl { .. })),
                "{property}: {result:?}"
            );
            let result = with(|c| c[property] = json!("https://example.org/entry/1"));
            assert_eq!(
                result,
                Err(Invalid::NotAnObjectList(property.into())),
                "{property}"
            );
        }
    }

    #[test]
    fn schema_and_refresh_entries_need_an_id_and_the_others_do_not() {
        for property in ["credentialSchema", "refreshService"] {
            assert_eq!(
                with(|c| c[property] = json!({"type": "T"})),
                Err(Invalid::NoId(property.into()))
            );
        }
        for property in ["credentialStatus", "termsOfUse", "evidence"] {
            with(|c| c[property] = json!({"type": "T"})).unwrap();
        }
    }

    fn context_sri(url: &str) -> String {
        let bytes = sigil_core::contexts::find(url).unwrap().document.as_bytes();
        format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(bytes))
        )
    }

    #[test]
    fn a_bundled_related_resource_is_checked_against_the_bundled_bytes() {
        let v2 = sigil_core::contexts::CREDENTIALS_V2;
        with(|c| c["relatedResource"] = json!([{"id": v2, "digestSRI": context_sri(v2)}])).unwrap();
        let wrong = context_sri(sigil_core::contexts::CREDENTIALS_V1);
        assert!(matches!(
            with(|c| c["relatedResource"] = json!([{"id": v2, "digestSRI": wrong}])),
            Err(Invalid::DigestMismatch { .. })
        ));

        let bytes = sigil_core::contexts::find(v2).unwrap().document.as_bytes();
        let mut multihash = vec![0x12, 32];
        multihash.extend(sha2::Sha256::digest(bytes));
        let good = multibase::encode(multibase::Base::Base58Btc, &multihash);
        with(|c| c["relatedResource"] = json!({"id": v2, "digestMultibase": good})).unwrap();
        let base64url = multibase::encode(multibase::Base::Base64Url, &multihash);
        with(|c| c["relatedResource"] = json!({"id": v2, "digestMultibase": base64url})).unwrap();
        let mut sha3 = vec![0x16, 32];
        sha3.extend([7u8; 32]);
        let sha3 = multibase::encode(multibase::Base::Base58Btc, &sha3);
        with(|c| c["relatedResource"] = json!({"id": "https://example.org/a.json", "digestMultibase": sha3}))
            .unwrap();
        assert!(matches!(
            with(|c| c["relatedResource"] = json!({"id": v2, "digestMultibase": sha3})),
            Err(Invalid::MalformedDigest { .. })
        ));
        multihash[5] ^= 1;
        let tampered = multibase::encode(multibase::Base::Base58Btc, &multihash);
        assert!(matches!(
            with(|c| c["relatedResource"] = json!({"id": v2, "digestMultibase": tampered})),
            Err(Invalid::DigestMismatch { .. })
        ));
    }

    #[test]
    fn related_resources_need_unique_url_ids_and_a_well_formed_digest() {
        let digest = format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode([7u8; 32])
        );
        let resource = json!({"id": "https://example.org/a.json", "digestSRI": digest});
        with(|c| c["relatedResource"] = json!([resource])).unwrap();
        assert_eq!(
            with(|c| c["relatedResource"] = json!([resource, resource])),
            Err(Invalid::DuplicateResource("https://example.org/a.json".into()))
        );
        assert_eq!(
            with(|c| c["relatedResource"] = json!({"id": "https://example.org/a.json"})),
            Err(Invalid::NoDigest("relatedResource".into()))
        );
        assert_eq!(
            with(|c| c["relatedResource"] = json!({"digestSRI": digest})),
            Err(Invalid::NoId("relatedResource".into()))
        );
        for bad in [
            json!({"digestSRI": "md5-AAAA"}),
            json!({"digestSRI": "sha256-not*base64"}),
            json!({"digestSRI": "sha256-AAAA"}),
            json!({"digestSRI": ""}),
            json!({"digestMultibase": "zzz0OIl"}),
            json!({"digestMultibase": multibase::encode(multibase::Base::Base58Btc, [1u8; 5])}),
            json!({"digestMultibase": multibase::encode(multibase::Base::Base58Btc, [7u8; 32])}),
            json!({"digestMultibase": multibase::encode(multibase::Base::Base16Lower, [0x12, 2, 7, 7])}),
        ] {
            let result = with(|c| {
                let mut resource = bad.clone();
                resource["id"] = "https://example.org/a.json".into();
                c["relatedResource"] = resource;
            });
            assert!(
                matches!(result, Err(Invalid::MalformedDigest { .. })),
                "{bad}: {result:?}"
            );
        }
    }

    #[test]
    fn validity_dates_are_date_time_stamps_and_do_not_end_before_they_start() {
        for bad in [
            "2025-01-01",
            "2025-01-01T00:00:00",
            "2025-01-01 00:00:00Z",
            "yesterday",
        ] {
            assert!(
                matches!(
                    with(|c| c["validFrom"] = bad.into()),
                    Err(Invalid::NotADateTimeStamp { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            with(|c| c["validFrom"] = 1_700_000_000.into()),
            Err(Invalid::NotADateTimeStamp { .. })
        ));
        assert!(matches!(
            with(|c| c["validUntil"] = "2024-12-31T23:59:59Z".into()),
            Err(Invalid::EndsBeforeItStarts { .. })
        ));
        with(|c| c["validUntil"] = "2025-01-01T01:00:00+01:00".into()).unwrap();
        with(|c| c["validUntil"] = "2026-01-01T00:00:00Z".into()).unwrap();
    }
}
