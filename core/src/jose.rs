//! JOSE: compact JWS signing and verification through `josekit`, and the VC-JOSE-COSE 1.0
//! forms built on it — a VCDM 2.0 credential as a JWS with `typ` `vc+jwt` (§3.1.1) and a
//! presentation with `typ` `vp+jwt` (§3.1.2).
//!
//! The algorithm is always taken from the verifying key, never from the token: a header
//! saying `none`, or `HS256` in the hope that a public key is used as an HMAC secret, is
//! refused before any cryptography runs.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::{EdDSA, JwsAlgorithm, JwsHeader, JwsSigner};
use serde_json::{Map, Value};

use crate::key::{PublicKey, SigningKey};
use crate::time::Timestamp;

/// `typ` of a credential secured as a JWS.
pub const VC_JWT_TYPE: &str = "vc+jwt";
/// `typ` of a presentation secured as a JWS.
pub const VP_JWT_TYPE: &str = "vp+jwt";

/// Why a JWS could not be made, read or checked.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum JwsError {
    /// Not three base64url segments separated by dots.
    #[error("malformed JWS: {0}")]
    Malformed(String),
    /// The header names an algorithm Sigil refuses (none, HMAC, anything not EdDSA or ES256).
    #[error("JWS algorithm {0:?} is not accepted; Sigil accepts EdDSA and ES256 only")]
    ForbiddenAlgorithm(String),
    /// The header's algorithm is not the verifying key's.
    #[error("JWS algorithm {found:?} does not match the key, which signs with {expected}")]
    AlgorithmMismatch { found: String, expected: &'static str },
    /// The `typ` header is not the one expected.
    #[error("JWS type is {found:?}, expected {expected:?}")]
    WrongType {
        found: Option<String>,
        expected: &'static str,
    },
    /// The signature does not verify.
    #[error("JWS signature does not verify")]
    BadSignature,
    /// `josekit` could not use the key.
    #[error("JOSE key error: {0}")]
    Key(String),
}

/// A JWS, decoded but not yet verified.
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedJws {
    pub header: Map<String, Value>,
    pub payload: Value,
}

impl UnverifiedJws {
    /// A string member of the header.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }
}

/// Whether `text` has the shape of a compact JWS: three segments, the first (the short
/// header) base64url. Only the header's alphabet is checked here, because this routes input
/// to a format; [`decode_unverified`] then rejects a payload or signature that is not
/// base64url, so a credential's bytes are scanned once, not twice.
pub fn looks_like_compact_jws(text: &str) -> bool {
    let mut parts = text.splitn(4, '.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(header), Some(payload), Some(_signature), None) => {
            !header.is_empty()
                && !payload.is_empty()
                && header
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        _ => false,
    }
}

/// Decodes header and payload without checking the signature, to learn which key to fetch.
pub fn decode_unverified(compact: &str) -> Result<UnverifiedJws, JwsError> {
    let mut parts = compact.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed("expected three dot-separated parts".into()));
    };
    let decode = |segment: &str, what: &str| -> Result<Value, JwsError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(segment)
            .map_err(|_| JwsError::Malformed(format!("{what} is not base64url")))?;
        let text =
            std::str::from_utf8(&bytes).map_err(|_| JwsError::Malformed(format!("{what} is not UTF-8")))?;
        crate::json::parse(text).map_err(|e| JwsError::Malformed(format!("{what}: {e}")))
    };
    let header = match decode(header, "header")? {
        Value::Object(header) => header,
        _ => return Err(JwsError::Malformed("header is not a JSON object".into())),
    };
    let payload = decode(payload, "payload")?;
    Ok(UnverifiedJws { header, payload })
}

/// Verifies a compact JWS with `key`, checking the header's algorithm against the key first.
pub fn verify_compact(compact: &str, key: &PublicKey) -> Result<UnverifiedJws, JwsError> {
    let decoded = decode_unverified(compact)?;
    verify_decoded(compact, &decoded, key)?;
    Ok(decoded)
}

/// Verifies the signature of `compact`, which [`decode_unverified`] has read as `decoded`,
/// with `key` (RFC 7515 §5.2).
///
/// This is the one part of JWS that Sigil does by hand rather than through `josekit`, which
/// can only verify a JWS it parses itself: a verifier has already decoded the header (to
/// find the key) and the payload, and decoding both again cost a third of a `vc+jwt`
/// verification. What remains is small and explicit: the algorithm comes from the key and
/// must be the one the header names; a `crit` header is refused, since Sigil implements no
/// extension (RFC 7515 §4.1.11); the signature covers the text before the last dot.
pub fn verify_decoded(compact: &str, decoded: &UnverifiedJws, key: &PublicKey) -> Result<(), JwsError> {
    let alg = decoded.header_str("alg").unwrap_or_default();
    if !matches!(alg, "EdDSA" | "ES256") {
        return Err(JwsError::ForbiddenAlgorithm(alg.to_owned()));
    }
    let expected = key.algorithm().jose_name();
    if alg != expected {
        return Err(JwsError::AlgorithmMismatch {
            found: alg.to_owned(),
            expected,
        });
    }
    if decoded.header.contains_key("crit") {
        return Err(JwsError::Malformed(
            "the header lists critical extensions (`crit`), and Sigil implements none".into(),
        ));
    }
    let (signing_input, signature) = compact
        .rsplit_once('.')
        .ok_or_else(|| JwsError::Malformed("expected three dot-separated parts".into()))?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwsError::Malformed("signature is not base64url".into()))?;
    key.verify(signing_input.as_bytes(), &signature)
        .map_err(|_| JwsError::BadSignature)
}

/// Signs `payload` as a compact JWS with EdDSA, with `typ` and `kid` in the header.
pub fn sign_compact(payload: &Value, typ: &str, kid: &str, key: &SigningKey) -> Result<String, JwsError> {
    let mut header = JwsHeader::new();
    header.set_token_type(typ);
    header.set_key_id(kid);
    sign_compact_with_header(payload, &header, key)
}

/// Signs `payload` as a compact JWS with EdDSA under the given header (`alg` is set here).
pub fn sign_compact_with_header(
    payload: &Value,
    header: &JwsHeader,
    key: &SigningKey,
) -> Result<String, JwsError> {
    let payload = serde_json::to_vec(payload).map_err(|e| JwsError::Malformed(e.to_string()))?;
    josekit::jws::serialize_compact(&payload, header, &KeySigner(key.clone()))
        .map_err(|e| JwsError::Key(e.to_string()))
}

/// Signs JWSs with an Ed25519 [`SigningKey`]: `josekit` frames the JWS and this signs with
/// ed25519-dalek, instead of building an OpenSSL key on every call.
#[derive(Debug, Clone)]
struct KeySigner(SigningKey);

impl JwsSigner for KeySigner {
    fn algorithm(&self) -> &dyn JwsAlgorithm {
        &EdDSA
    }

    fn key_id(&self) -> Option<&str> {
        None
    }

    fn signature_len(&self) -> usize {
        ed25519_dalek::SIGNATURE_LENGTH
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, josekit::JoseError> {
        Ok(self.0.sign(message).to_vec())
    }

    fn box_clone(&self) -> Box<dyn JwsSigner> {
        Box::new(self.clone())
    }
}

/// Secures a credential as a `vc+jwt` (VC-JOSE-COSE §3.1.1): the payload is the credential
/// itself, plus `iat`, the time of signing, which verification uses to pick the issuer key.
pub fn sign_vc_jwt(
    credential: &Value,
    key: &SigningKey,
    kid: &str,
    issued_at: Timestamp,
) -> Result<String, JwsError> {
    let mut payload = credential
        .as_object()
        .cloned()
        .ok_or_else(|| JwsError::Malformed("a credential must be a JSON object".into()))?;
    payload.insert("iat".into(), issued_at.timestamp().into());
    sign_compact(&Value::Object(payload), VC_JWT_TYPE, kid, key)
}

/// Secures a presentation as a `vp+jwt` bound to the verifier's `nonce` and audience `aud`.
pub fn sign_vp_jwt(
    presentation: &Value,
    key: &SigningKey,
    kid: &str,
    nonce: &str,
    audience: &str,
    issued_at: Timestamp,
) -> Result<String, JwsError> {
    let mut payload = presentation
        .as_object()
        .cloned()
        .ok_or_else(|| JwsError::Malformed("a presentation must be a JSON object".into()))?;
    payload.insert("nonce".into(), nonce.into());
    payload.insert("aud".into(), audience.into());
    payload.insert("iat".into(), issued_at.timestamp().into());
    sign_compact(&Value::Object(payload), VP_JWT_TYPE, kid, key)
}

/// Wraps a `vc+jwt` as an `EnvelopedVerifiableCredential` for a presentation (VCDM 2.0 §4.13.1).
pub fn envelope(vc_jwt: &str) -> Value {
    serde_json::json!({
        "@context": crate::contexts::CREDENTIALS_V2,
        "id": format!("data:application/vc+jwt,{vc_jwt}"),
        "type": "EnvelopedVerifiableCredential",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> SigningKey {
        SigningKey::from_seed(&[6; 32])
    }

    fn forge(header: &Value, payload: &Value, signature: &[u8]) -> String {
        let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
        format!(
            "{}.{}.{}",
            b64(header),
            b64(payload),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    #[test]
    fn a_signed_jws_verifies_and_a_changed_payload_does_not() {
        let jws = sign_compact(&json!({"name": "Ada"}), VC_JWT_TYPE, "kid", &key()).unwrap();
        let decoded = verify_compact(&jws, &key().public_key()).unwrap();
        assert_eq!(decoded.payload["name"], "Ada");
        assert_eq!(decoded.header_str("typ"), Some(VC_JWT_TYPE));

        let parts: Vec<&str> = jws.split('.').collect();
        let other = URL_SAFE_NO_PAD.encode(br#"{"name":"Eve"}"#);
        let tampered = format!("{}.{other}.{}", parts[0], parts[2]);
        assert_eq!(
            verify_compact(&tampered, &key().public_key()),
            Err(JwsError::BadSignature)
        );
    }

    #[test]
    fn a_critical_extension_is_refused_even_with_a_good_signature() {
        let mut header = JwsHeader::new();
        header.set_token_type(VC_JWT_TYPE);
        header.set_critical(&vec!["b64"]);
        header.set_claim("b64", Some(json!(true))).unwrap();
        let jws = sign_compact_with_header(&json!({"name": "Ada"}), &header, &key()).unwrap();
        let err = verify_compact(&jws, &key().public_key()).unwrap_err();
        assert!(
            matches!(&err, JwsError::Malformed(reason) if reason.contains("crit")),
            "{err}"
        );
    }

    #[test]
    fn a_signature_over_another_header_does_not_verify() {
        let jws = sign_compact(&json!({"name": "Ada"}), VC_JWT_TYPE, "kid", &key()).unwrap();
        let parts: Vec<&str> = jws.split('.').collect();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"EdDSA","typ":"vc+jwt","kid":"other"}"#);
        let moved = format!("{header}.{}.{}", parts[1], parts[2]);
        assert_eq!(
            verify_compact(&moved, &key().public_key()),
            Err(JwsError::BadSignature)
        );
    }

    #[test]
    fn alg_none_is_refused() {
        let token = forge(&json!({"alg": "none", "typ": "vc+jwt"}), &json!({}), b"");
        assert_eq!(
            verify_compact(&token, &key().public_key()),
            Err(JwsError::ForbiddenAlgorithm("none".into()))
        );
    }

    #[test]
    fn hs256_with_the_public_key_as_secret_is_refused() {
        let public_x = key().public_key().to_jwk().x;
        let mut header = JwsHeader::new();
        header.set_token_type(VC_JWT_TYPE);
        let attacker = josekit::jws::HS256
            .signer_from_bytes(public_x.as_bytes())
            .unwrap();
        let token = josekit::jws::serialize_compact(br#"{"name":"Eve"}"#, &header, &attacker).unwrap();
        assert_eq!(
            verify_compact(&token, &key().public_key()),
            Err(JwsError::ForbiddenAlgorithm("HS256".into()))
        );
    }

    #[test]
    fn an_es256_header_with_an_ed25519_key_is_refused() {
        let token = forge(&json!({"alg": "ES256"}), &json!({}), &[0; 64]);
        assert!(matches!(
            verify_compact(&token, &key().public_key()),
            Err(JwsError::AlgorithmMismatch { .. })
        ));
    }

    #[test]
    fn a_payload_that_repeats_a_key_is_malformed() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"did:example:ada","sub":"did:example:eve"}"#);
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"EdDSA","typ":"vc+jwt"}"#);
        assert_eq!(
            decode_unverified(&format!("{header}.{payload}.")),
            Err(JwsError::Malformed(
                r#"payload: duplicate key "sub" in a JSON object"#.into()
            ))
        );
    }

    #[test]
    fn malformed_tokens_are_clear_errors() {
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            "!!!.e30.",
            "e30.!!!.",
            "W10.e30.",
            "bnVsbA.e30.",
        ] {
            assert!(
                matches!(decode_unverified(bad), Err(JwsError::Malformed(_))),
                "{bad}"
            );
        }
    }
}
