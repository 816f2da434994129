//! SD-JWT (RFC 9901, Selective Disclosure for JWTs) and SD-JWT VC (IETF draft, `typ`
//! `dc+sd-jwt`): issuing with selectively disclosable claims, choosing disclosures for a
//! presentation, key binding (KB-JWT), and verifying all of it.
//!
//! Written here rather than taken from a crate: the Rust SD-JWT crates either tie the format
//! to their own JWS and key types or lag the RFC (`dc+sd-jwt`, `sd_hash`), while the format
//! itself is small and every signature still goes through [`crate::jose`] (`josekit`).

use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::jose::{self, JwsError, UnverifiedJws};
use crate::key::{Jwk, PublicKey, SigningKey};
use crate::time::Timestamp;

/// `typ` of an SD-JWT VC.
pub const SD_JWT_VC_TYPE: &str = "dc+sd-jwt";
/// `typ` of a key-binding JWT.
pub const KB_JWT_TYPE: &str = "kb+jwt";
/// How far a KB-JWT's `iat` may be from now, in seconds (clock skew plus transit).
pub const KB_JWT_MAX_AGE_SECONDS: i64 = 300;

/// Why an SD-JWT could not be made, read or checked.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SdJwtError {
    /// The serialisation is malformed.
    #[error("malformed SD-JWT: {0}")]
    Malformed(String),
    /// A disclosure is malformed.
    #[error("malformed disclosure: {0}")]
    BadDisclosure(String),
    /// A disclosure's digest appears nowhere in the signed payload.
    #[error("a disclosure is not referenced by the issuer-signed JWT (it was added or altered)")]
    UnreferencedDisclosure,
    /// A digest appears twice, or a disclosed claim name already exists.
    #[error("ambiguous disclosures: {0}")]
    Ambiguous(String),
    /// `_sd_alg` names a hash other than SHA-256.
    #[error("unsupported _sd_alg {0:?}; Sigil supports sha-256")]
    UnsupportedHash(String),
    /// The issuer-signed JWT or the KB-JWT failed JWS checks.
    #[error(transparent)]
    Jws(#[from] JwsError),
    /// The key binding is missing or wrong.
    #[error("key binding: {0}")]
    KeyBinding(String),
}

/// One disclosure: `[salt, name, value]` for an object property, `[salt, value]` for an
/// array element (RFC 9901 §4.2).
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    pub encoded: String,
    pub digest: String,
    pub name: Option<String>,
    pub value: Value,
}

impl Disclosure {
    /// A new object-property disclosure with a fresh 128-bit salt.
    pub fn new(name: &str, value: Value) -> Self {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let array = Value::Array(vec![
            URL_SAFE_NO_PAD.encode(salt).into(),
            name.into(),
            value.clone(),
        ]);
        let encoded = URL_SAFE_NO_PAD.encode(array.to_string());
        Disclosure {
            digest: digest(&encoded),
            encoded,
            name: Some(name.to_owned()),
            value,
        }
    }

    /// Reads an encoded disclosure.
    pub fn parse(encoded: &str) -> Result<Self, SdJwtError> {
        let bad = |reason: &str| SdJwtError::BadDisclosure(reason.to_owned());
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| bad("not base64url"))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| bad("not UTF-8"))?;
        let array = match crate::json::parse(text).map_err(|e| SdJwtError::BadDisclosure(e.to_string()))? {
            Value::Array(array) => array,
            _ => return Err(bad("not a JSON array")),
        };
        let (name, value) = match array.as_slice() {
            [Value::String(_), Value::String(name), value] => {
                if name == "_sd" || name == "..." || name == "_sd_alg" {
                    return Err(bad("a disclosure may not name `_sd`, `_sd_alg` or `...`"));
                }
                (Some(name.clone()), value.clone())
            }
            [Value::String(_), value] => (None, value.clone()),
            _ => return Err(bad("expected [salt, name, value] or [salt, value]")),
        };
        Ok(Disclosure {
            digest: digest(encoded),
            encoded: encoded.to_owned(),
            name,
            value,
        })
    }
}

/// base64url(SHA-256(ASCII(text))), the digest SD-JWT uses everywhere.
fn digest(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

/// A parsed SD-JWT: `<issuer-signed JWT>~<disclosure>~…~[<KB-JWT>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SdJwt {
    pub issuer_jwt: String,
    pub disclosures: Vec<Disclosure>,
    pub key_binding: Option<String>,
}

impl SdJwt {
    /// Whether `text` has the shape of an SD-JWT (a JWS followed by `~`).
    pub fn looks_like(text: &str) -> bool {
        text.split_once('~')
            .is_some_and(|(jwt, _)| jose::looks_like_compact_jws(jwt))
    }

    /// Parses the compact serialisation.
    pub fn parse(text: &str) -> Result<Self, SdJwtError> {
        let mut parts: Vec<&str> = text.split('~').collect();
        if parts.len() < 2 {
            return Err(SdJwtError::Malformed(
                "expected `~` after the issuer-signed JWT".into(),
            ));
        }
        let last = parts.pop().unwrap_or_default();
        let key_binding = (!last.is_empty()).then(|| last.to_owned());
        let issuer_jwt = parts.remove(0).to_owned();
        if !jose::looks_like_compact_jws(&issuer_jwt) {
            return Err(SdJwtError::Malformed(
                "the first part is not a compact JWS".into(),
            ));
        }
        let disclosures = parts
            .into_iter()
            .map(Disclosure::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SdJwt {
            issuer_jwt,
            disclosures,
            key_binding,
        })
    }

    /// The serialisation without a KB-JWT, ending in `~`: what `sd_hash` covers.
    pub fn without_key_binding(&self) -> String {
        let mut text = self.issuer_jwt.clone();
        text.push('~');
        for disclosure in &self.disclosures {
            text.push_str(&disclosure.encoded);
            text.push('~');
        }
        text
    }
}

/// Issues an SD-JWT VC: `claims` are the payload (`iss`, `vct`, `iat`, `cnf`, subject claims);
/// the top-level claims named in `selectively_disclosable` are replaced by digests.
pub fn issue(
    mut claims: Map<String, Value>,
    selectively_disclosable: &[String],
    key: &SigningKey,
    kid: &str,
) -> Result<String, SdJwtError> {
    let mut disclosures = Vec::new();
    for name in selectively_disclosable {
        if let Some(value) = claims.remove(name) {
            disclosures.push(Disclosure::new(name, value));
        }
    }
    // Sorted digests reveal nothing about the order (or names) of the hidden claims.
    let mut digests: Vec<Value> = disclosures
        .iter()
        .map(|d| Value::from(d.digest.clone()))
        .collect();
    digests.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    if !digests.is_empty() {
        claims.insert("_sd".into(), Value::Array(digests));
    }
    claims.insert("_sd_alg".into(), "sha-256".into());
    let jwt = jose::sign_compact(&Value::Object(claims), SD_JWT_VC_TYPE, kid, key)?;
    Ok(SdJwt {
        issuer_jwt: jwt,
        disclosures,
        key_binding: None,
    }
    .without_key_binding())
}

/// Makes a presentation of an issued SD-JWT: keeps only the disclosures whose claim names are
/// in `disclose`, and appends a KB-JWT signed by the holder key, bound to `nonce` and `audience`.
pub fn present(
    issued: &str,
    disclose: &[&str],
    holder: &SigningKey,
    nonce: &str,
    audience: &str,
    issued_at: Timestamp,
) -> Result<String, SdJwtError> {
    let mut sd_jwt = SdJwt::parse(issued)?;
    sd_jwt
        .disclosures
        .retain(|d| d.name.as_deref().is_some_and(|name| disclose.contains(&name)));
    let presented = sd_jwt.without_key_binding();
    let kb_claims = serde_json::json!({
        "iat": issued_at.timestamp(),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": digest(&presented),
    });
    let mut header = josekit::jws::JwsHeader::new();
    header.set_token_type(KB_JWT_TYPE);
    let kb_jwt = jose::sign_compact_with_header(&kb_claims, &header, holder)?;
    Ok(format!("{presented}{kb_jwt}"))
}

/// Rebuilds the claims the holder disclosed from the verified issuer payload (RFC 9901 §7.1):
/// every disclosure must be referenced exactly once, and no claim may be disclosed twice.
pub fn disclosed_claims(
    payload: &Value,
    disclosures: &[Disclosure],
) -> Result<Map<String, Value>, SdJwtError> {
    match payload.get("_sd_alg").and_then(Value::as_str) {
        None | Some("sha-256") => {}
        Some(other) => return Err(SdJwtError::UnsupportedHash(other.to_owned())),
    }
    let mut by_digest: HashMap<&str, &Disclosure> = HashMap::new();
    for disclosure in disclosures {
        if by_digest.insert(&disclosure.digest, disclosure).is_some() {
            return Err(SdJwtError::Ambiguous("the same disclosure is sent twice".into()));
        }
    }
    let mut seen = HashSet::new();
    let mut processed = unfold(payload, &by_digest, &mut seen, 0)?;
    if !by_digest.keys().all(|digest| seen.contains(*digest)) {
        return Err(SdJwtError::UnreferencedDisclosure);
    }
    match processed {
        Value::Object(ref mut claims) => {
            claims.remove("_sd_alg");
            Ok(std::mem::take(claims))
        }
        _ => Err(SdJwtError::Malformed("the payload is not a JSON object".into())),
    }
}

fn unfold<'a>(
    value: &Value,
    by_digest: &HashMap<&'a str, &'a Disclosure>,
    seen: &mut HashSet<String>,
    depth: usize,
) -> Result<Value, SdJwtError> {
    if depth > crate::json::MAX_DEPTH {
        return Err(SdJwtError::Malformed("disclosures are nested too deeply".into()));
    }
    match value {
        Value::Object(object) => {
            let mut out = Map::new();
            for (name, member) in object {
                if name != "_sd" {
                    out.insert(name.clone(), unfold(member, by_digest, seen, depth + 1)?);
                }
            }
            if let Some(digests) = object.get("_sd") {
                let digests = digests
                    .as_array()
                    .ok_or_else(|| SdJwtError::Malformed("`_sd` is not an array".into()))?;
                for digest in digests {
                    let Some(disclosure) = take(digest, by_digest, seen)? else {
                        continue;
                    };
                    let name = disclosure
                        .name
                        .as_ref()
                        .ok_or_else(|| SdJwtError::BadDisclosure("an array disclosure in `_sd`".into()))?;
                    if out.contains_key(name) {
                        return Err(SdJwtError::Ambiguous(format!(
                            "claim `{name}` is disclosed twice"
                        )));
                    }
                    let value = unfold(&disclosure.value, by_digest, seen, depth + 1)?;
                    out.insert(name.clone(), value);
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let placeholder = item
                    .as_object()
                    .filter(|o| o.len() == 1)
                    .and_then(|o| o.get("..."));
                match placeholder {
                    Some(digest) => {
                        if let Some(disclosure) = take(digest, by_digest, seen)? {
                            if disclosure.name.is_some() {
                                return Err(SdJwtError::BadDisclosure(
                                    "an object disclosure in an array".into(),
                                ));
                            }
                            out.push(unfold(&disclosure.value, by_digest, seen, depth + 1)?);
                        }
                    }
                    None => out.push(unfold(item, by_digest, seen, depth + 1)?),
                }
            }
            Ok(Value::Array(out))
        }
        other => Ok(other.clone()),
    }
}

/// Looks a digest up, refusing one that was already used.
fn take<'a>(
    digest: &Value,
    by_digest: &HashMap<&'a str, &'a Disclosure>,
    seen: &mut HashSet<String>,
) -> Result<Option<&'a Disclosure>, SdJwtError> {
    let digest = digest
        .as_str()
        .ok_or_else(|| SdJwtError::Malformed("a digest is not a string".into()))?;
    if !seen.insert(digest.to_owned()) {
        return Err(SdJwtError::Ambiguous("a digest appears twice".into()));
    }
    Ok(by_digest.get(digest).copied())
}

/// The holder key the issuer bound the credential to (`cnf.jwk`, RFC 7800).
pub fn confirmation_key(payload: &Value) -> Result<PublicKey, SdJwtError> {
    let jwk = payload
        .get("cnf")
        .and_then(|cnf| cnf.get("jwk"))
        .ok_or_else(|| SdJwtError::KeyBinding("the credential has no `cnf.jwk` holder key".into()))?;
    let jwk = Jwk::from_value(jwk).map_err(|e| SdJwtError::KeyBinding(e.to_string()))?;
    PublicKey::from_jwk(&jwk).map_err(|e| SdJwtError::KeyBinding(e.to_string()))
}

/// Checks the KB-JWT (RFC 9901 §7.3): signed by the `cnf` key, `typ` `kb+jwt`, the expected
/// `nonce` and `aud` (when given), a recent `iat`, and an `sd_hash` over exactly what was
/// presented.
pub fn verify_key_binding(
    sd_jwt: &SdJwt,
    holder_key: &PublicKey,
    nonce: Option<&str>,
    audience: Option<&str>,
    now: Timestamp,
) -> Result<(), SdJwtError> {
    let kb_jwt = sd_jwt
        .key_binding
        .as_deref()
        .ok_or_else(|| SdJwtError::KeyBinding("no key-binding JWT was presented".into()))?;
    let verified = jose::verify_compact(kb_jwt, holder_key)
        .map_err(|e| SdJwtError::KeyBinding(format!("not signed by the holder key: {e}")))?;
    expect_type(&verified, KB_JWT_TYPE).map_err(|e| SdJwtError::KeyBinding(e.to_string()))?;
    let claim = |name: &str| verified.payload.get(name).and_then(Value::as_str);
    if nonce.is_some() && claim("nonce") != nonce {
        return Err(SdJwtError::KeyBinding(
            "the nonce is not the one this verifier issued".into(),
        ));
    }
    if audience.is_some() && claim("aud") != audience {
        return Err(SdJwtError::KeyBinding("the audience is not this verifier".into()));
    }
    if claim("sd_hash") != Some(digest(&sd_jwt.without_key_binding()).as_str()) {
        return Err(SdJwtError::KeyBinding(
            "sd_hash does not match what was presented".into(),
        ));
    }
    let iat = verified
        .payload
        .get("iat")
        .ok_or_else(|| SdJwtError::KeyBinding("missing `iat`".into()))?;
    let iat = crate::time::numeric_date(iat)
        .ok_or_else(|| SdJwtError::KeyBinding("`iat` is not a NumericDate".into()))?
        .timestamp();
    // `iat` comes from the presenter: compare without overflowing on extreme values.
    let age = now.timestamp().checked_sub(iat).map(i64::unsigned_abs);
    if age.is_none_or(|age| age > KB_JWT_MAX_AGE_SECONDS.unsigned_abs()) {
        return Err(SdJwtError::KeyBinding(
            "`iat` is not recent; the presentation may be replayed".into(),
        ));
    }
    Ok(())
}

/// Checks a JWS's `typ` header.
pub fn expect_type(jws: &UnverifiedJws, expected: &'static str) -> Result<(), JwsError> {
    let found = jws.header_str("typ");
    if found == Some(expected) {
        Ok(())
    } else {
        Err(JwsError::WrongType {
            found: found.map(str::to_owned),
            expected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn issuer() -> SigningKey {
        SigningKey::from_seed(&[10; 32])
    }
    fn holder() -> SigningKey {
        SigningKey::from_seed(&[11; 32])
    }
    fn now() -> Timestamp {
        crate::time::now()
    }

    fn issued() -> String {
        let claims = json!({
            "iss": issuer().did_key().to_string(),
            "vct": "https://w3id.org/sigil/types/UniversityDegreeCredential",
            "iat": now().timestamp(),
            "cnf": {"jwk": holder().public_key().to_jwk().to_value()},
            "name": "Ada Lovelace",
            "studentId": "S-1815",
            "dateOfBirth": "1815-12-10",
        });
        let sd = vec!["studentId".to_owned(), "dateOfBirth".to_owned()];
        issue(
            claims.as_object().unwrap().clone(),
            &sd,
            &issuer(),
            &issuer().did_key_method(),
        )
        .unwrap()
    }

    fn verify_all(presentation: &str) -> Result<Map<String, Value>, SdJwtError> {
        let sd_jwt = SdJwt::parse(presentation)?;
        let verified = jose::verify_compact(&sd_jwt.issuer_jwt, &issuer().public_key())?;
        let claims = disclosed_claims(&verified.payload, &sd_jwt.disclosures)?;
        verify_key_binding(
            &sd_jwt,
            &confirmation_key(&verified.payload)?,
            Some("n-1"),
            Some("https://verifier.example"),
            now(),
        )?;
        Ok(claims)
    }

    #[test]
    fn only_the_chosen_claims_are_disclosed() {
        let presentation = present(
            &issued(),
            &["studentId"],
            &holder(),
            "n-1",
            "https://verifier.example",
            now(),
        )
        .unwrap();
        let claims = verify_all(&presentation).unwrap();
        assert_eq!(claims["name"], "Ada Lovelace");
        assert_eq!(claims["studentId"], "S-1815");
        assert!(!claims.contains_key("dateOfBirth"));
        assert!(!claims.contains_key("_sd"));
    }

    #[test]
    fn a_wrong_nonce_or_audience_fails_key_binding() {
        let presentation = present(
            &issued(),
            &[],
            &holder(),
            "n-2",
            "https://verifier.example",
            now(),
        )
        .unwrap();
        assert!(matches!(
            verify_all(&presentation),
            Err(SdJwtError::KeyBinding(_))
        ));
        let presentation = present(&issued(), &[], &holder(), "n-1", "https://other.example", now()).unwrap();
        assert!(matches!(
            verify_all(&presentation),
            Err(SdJwtError::KeyBinding(_))
        ));
    }

    #[test]
    fn a_presentation_signed_by_another_key_fails_key_binding() {
        let thief = SigningKey::from_seed(&[12; 32]);
        let presentation = present(&issued(), &[], &thief, "n-1", "https://verifier.example", now()).unwrap();
        assert!(matches!(
            verify_all(&presentation),
            Err(SdJwtError::KeyBinding(_))
        ));
    }

    #[test]
    fn a_forged_disclosure_is_rejected() {
        let presentation = present(
            &issued(),
            &["studentId"],
            &holder(),
            "n-1",
            "https://verifier.example",
            now(),
        )
        .unwrap();
        let forged = Disclosure::new("studentId", json!("S-9999"));
        let sd_jwt = SdJwt::parse(&presentation).unwrap();
        let swapped = presentation.replacen(&sd_jwt.disclosures[0].encoded, &forged.encoded, 1);
        assert!(verify_all(&swapped).is_err());
        let sd_jwt = SdJwt::parse(&swapped).unwrap();
        let payload = jose::decode_unverified(&sd_jwt.issuer_jwt).unwrap().payload;
        assert_eq!(
            disclosed_claims(&payload, &sd_jwt.disclosures),
            Err(SdJwtError::UnreferencedDisclosure)
        );
    }

    #[test]
    fn a_removed_key_binding_is_noticed() {
        let presentation = present(
            &issued(),
            &[],
            &holder(),
            "n-1",
            "https://verifier.example",
            now(),
        )
        .unwrap();
        let stripped = SdJwt::parse(&presentation).unwrap().without_key_binding();
        assert!(matches!(verify_all(&stripped), Err(SdJwtError::KeyBinding(_))));
    }

    #[test]
    fn an_absurd_key_binding_time_is_refused_without_overflow() {
        let presentation = present(
            &issued(),
            &[],
            &holder(),
            "n-1",
            "https://verifier.example",
            now(),
        )
        .unwrap();
        let sd_jwt = SdJwt::parse(&presentation).unwrap();
        let claims = json!({"iat": i64::MIN, "aud": "a", "nonce": "n", "sd_hash": digest(&sd_jwt.without_key_binding())});
        let mut header = josekit::jws::JwsHeader::new();
        header.set_token_type(KB_JWT_TYPE);
        let kb_jwt = jose::sign_compact_with_header(&claims, &header, &holder()).unwrap();
        let forged = SdJwt::parse(&format!("{}{kb_jwt}", sd_jwt.without_key_binding())).unwrap();
        let err = verify_key_binding(&forged, &holder().public_key(), None, None, now()).unwrap_err();
        assert!(err.to_string().contains("iat"), "{err}");
    }

    #[test]
    fn a_key_binding_iat_is_read_as_a_numeric_date() {
        let presented = SdJwt::parse(&issued()).unwrap().without_key_binding();
        let kb_jwt = |iat: Value| {
            let claims = json!({"iat": iat, "aud": "a", "nonce": "n", "sd_hash": digest(&presented)});
            let mut header = josekit::jws::JwsHeader::new();
            header.set_token_type(KB_JWT_TYPE);
            let kb_jwt = jose::sign_compact_with_header(&claims, &header, &holder()).unwrap();
            let sd_jwt = SdJwt::parse(&format!("{presented}{kb_jwt}")).unwrap();
            verify_key_binding(&sd_jwt, &holder().public_key(), None, None, now())
        };
        // RFC 7519 allows a fraction of a second.
        assert_eq!(kb_jwt(json!(now().timestamp() as f64 + 0.25)), Ok(()));
        let err = kb_jwt(json!("now")).unwrap_err();
        assert_eq!(err.to_string(), "key binding: `iat` is not a NumericDate");
    }

    #[test]
    fn malformed_disclosures_are_clear_errors() {
        for bad in ["!!!", "bnVsbA", "WyJhIl0", "WyJhIiwiX3NkIiwxXQ"] {
            assert!(
                matches!(Disclosure::parse(bad), Err(SdJwtError::BadDisclosure(_))),
                "{bad}"
            );
        }
        assert!(SdJwt::parse("no-tilde").is_err());
    }
}
