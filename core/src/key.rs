//! Keys: Ed25519 (what Sigil signs with) and P-256 (accepted for verification, since EU
//! wallet issuers use ES256), in their Multikey and JWK forms.
//!
//! Multikey: W3C Controlled Identifiers §2.2.2 — `publicKeyMultibase` is base58btc multibase of
//! a multicodec-prefixed key (`ed25519-pub` 0xed, `p256-pub` 0x1200, compressed SEC1).
//! JWK: RFC 7517, with RFC 8037 (OKP/Ed25519) and RFC 7518 §6.2 (EC/P-256).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Varint encoding of the multicodec `ed25519-pub` (0xed).
const ED25519_PUB_PREFIX: [u8; 2] = [0xed, 0x01];
/// Varint encoding of the multicodec `p256-pub` (0x1200).
const P256_PUB_PREFIX: [u8; 2] = [0x80, 0x24];

/// Why a key could not be read or used.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The `publicKeyMultibase` value is not base58btc multibase of a known key codec.
    #[error("invalid Multikey: {0}")]
    InvalidMultikey(String),
    /// The JWK is malformed or of an unsupported key type or curve.
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    /// A private key was supplied where only a public key belongs (it would leak the secret).
    #[error("a private key was given where a public key is expected; refusing to use it")]
    PrivateKeyWherePublicExpected,
    /// A private JWK was expected but the JWK holds only a public key.
    #[error("the JWK holds no private key (`d` is missing)")]
    MissingPrivateKey,
    /// The signature did not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The signature has the wrong length or encoding for the key's algorithm.
    #[error("malformed signature: {0}")]
    MalformedSignature(String),
}

/// A JSON Web Key (RFC 7517) for the key types Sigil handles. Unknown members such as
/// `kid`, `use` or `alg` are accepted and ignored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// The private part; present only in private JWKs. Wiped from memory on drop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Jwk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty)
            .field("crv", &self.crv)
            .field("x", &self.x)
            .field("y", &self.y)
            .field("d", &self.d.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Jwk {
    /// Reads a JWK from a JSON value, without yet deciding whether it must be public.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, KeyError> {
        Jwk::deserialize(value).map_err(|e| KeyError::InvalidJwk(e.to_string()))
    }

    /// Whether this JWK carries private key material.
    pub fn is_private(&self) -> bool {
        self.d.is_some()
    }

    /// The same key without its private part.
    pub fn to_public(&self) -> Jwk {
        Jwk {
            d: None,
            ..self.clone()
        }
    }

    /// The JWK as a JSON value.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::json!(self)
    }
}

/// How many decoded multikeys [`PublicKey::from_multikey`] keeps; past it, it starts again.
const MAX_DECODED_KEYS: usize = 4_096;

static DECODED_KEYS: std::sync::LazyLock<std::sync::RwLock<std::collections::HashMap<String, PublicKey>>> =
    std::sync::LazyLock::new(Default::default);

/// A public key Sigil can verify signatures with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PublicKey {
    /// Ed25519 (RFC 8032), JOSE `EdDSA`.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// ECDSA over NIST P-256 with SHA-256, JOSE `ES256`.
    P256(p256::ecdsa::VerifyingKey),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.to_multikey())
    }
}

/// The signature algorithm a key implies. Sigil derives the algorithm from the key, never
/// from attacker-controlled headers, which closes algorithm-confusion attacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    EdDsa,
    Es256,
}

impl Algorithm {
    /// The JOSE `alg` name (RFC 7518 / RFC 8037).
    pub fn jose_name(self) -> &'static str {
        match self {
            Algorithm::EdDsa => "EdDSA",
            Algorithm::Es256 => "ES256",
        }
    }
}

impl PublicKey {
    /// Decodes a `publicKeyMultibase` value (`z6Mk…` for Ed25519, `zDn…` for P-256).
    ///
    /// Decoded keys are remembered (up to [`MAX_DECODED_KEYS`]): reading an Ed25519 key
    /// decompresses a curve point, a quarter of the cost of checking a signature with it, and
    /// a verifier meets the same issuers' keys again and again.
    pub fn from_multikey(multibase_text: &str) -> Result<Self, KeyError> {
        if let Some(key) = DECODED_KEYS
            .read()
            .ok()
            .and_then(|keys| keys.get(multibase_text).copied())
        {
            return Ok(key);
        }
        let key = Self::decode_multikey(multibase_text)?;
        if let Ok(mut keys) = DECODED_KEYS.write() {
            if keys.len() >= MAX_DECODED_KEYS {
                keys.clear();
            }
            keys.insert(multibase_text.to_owned(), key);
        }
        Ok(key)
    }

    fn decode_multikey(multibase_text: &str) -> Result<Self, KeyError> {
        let (base, bytes) =
            multibase::decode(multibase_text).map_err(|e| KeyError::InvalidMultikey(e.to_string()))?;
        if base != multibase::Base::Base58Btc {
            return Err(KeyError::InvalidMultikey(
                "expected base58btc (a leading 'z')".into(),
            ));
        }
        if let Some(raw) = bytes.strip_prefix(&ED25519_PUB_PREFIX) {
            return Self::ed25519_from_bytes(raw).map_err(KeyError::InvalidMultikey);
        }
        if let Some(raw) = bytes.strip_prefix(&P256_PUB_PREFIX) {
            return p256::ecdsa::VerifyingKey::from_sec1_bytes(raw)
                .map(PublicKey::P256)
                .map_err(|_| KeyError::InvalidMultikey("not a valid P-256 point".into()));
        }
        Err(KeyError::InvalidMultikey(
            "unsupported key codec; expected ed25519-pub or p256-pub".into(),
        ))
    }

    fn ed25519_from_bytes(raw: &[u8]) -> Result<Self, String> {
        let raw: [u8; 32] = raw
            .try_into()
            .map_err(|_| format!("an Ed25519 key is 32 bytes, found {}", raw.len()))?;
        ed25519_dalek::VerifyingKey::from_bytes(&raw)
            .map(PublicKey::Ed25519)
            .map_err(|_| "not a valid Ed25519 point".to_string())
    }

    /// The `publicKeyMultibase` form.
    pub fn to_multikey(&self) -> String {
        let mut bytes = Vec::with_capacity(35);
        match self {
            PublicKey::Ed25519(key) => {
                bytes.extend_from_slice(&ED25519_PUB_PREFIX);
                bytes.extend_from_slice(key.as_bytes());
            }
            PublicKey::P256(key) => {
                bytes.extend_from_slice(&P256_PUB_PREFIX);
                bytes.extend_from_slice(key.to_encoded_point(true).as_bytes());
            }
        }
        multibase::encode(multibase::Base::Base58Btc, bytes)
    }

    /// Reads a public JWK. A JWK with a private part is refused: a verifier must never be
    /// handed secrets, and accepting them hides a configuration mistake.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        if jwk.is_private() {
            return Err(KeyError::PrivateKeyWherePublicExpected);
        }
        Self::from_jwk_unchecked(jwk)
    }

    fn from_jwk_unchecked(jwk: &Jwk) -> Result<Self, KeyError> {
        match (jwk.kty.as_str(), jwk.crv.as_str()) {
            ("OKP", "Ed25519") => {
                let raw = decode_b64url(&jwk.x, "x")?;
                Self::ed25519_from_bytes(&raw).map_err(KeyError::InvalidJwk)
            }
            ("EC", "P-256") => {
                let x = decode_b64url(&jwk.x, "x")?;
                let y = decode_b64url(
                    jwk.y
                        .as_deref()
                        .ok_or_else(|| KeyError::InvalidJwk("EC key without `y`".into()))?,
                    "y",
                )?;
                if x.len() != 32 || y.len() != 32 {
                    return Err(KeyError::InvalidJwk("P-256 coordinates are 32 bytes".into()));
                }
                let mut sec1 = Vec::with_capacity(65);
                sec1.push(0x04);
                sec1.extend_from_slice(&x);
                sec1.extend_from_slice(&y);
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                    .map(PublicKey::P256)
                    .map_err(|_| KeyError::InvalidJwk("not a valid P-256 point".into()))
            }
            (kty, crv) => Err(KeyError::InvalidJwk(format!(
                "unsupported key type {kty}/{crv}; expected OKP/Ed25519 or EC/P-256"
            ))),
        }
    }

    /// The public JWK form.
    pub fn to_jwk(&self) -> Jwk {
        match self {
            PublicKey::Ed25519(key) => Jwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                x: URL_SAFE_NO_PAD.encode(key.as_bytes()),
                y: None,
                d: None,
            },
            PublicKey::P256(key) => {
                let point = key.to_encoded_point(false);
                Jwk {
                    kty: "EC".into(),
                    crv: "P-256".into(),
                    x: URL_SAFE_NO_PAD.encode(point.x().map(|x| x.as_slice()).unwrap_or_default()),
                    y: Some(URL_SAFE_NO_PAD.encode(point.y().map(|y| y.as_slice()).unwrap_or_default())),
                    d: None,
                }
            }
        }
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            PublicKey::Ed25519(_) => Algorithm::EdDsa,
            PublicKey::P256(_) => Algorithm::Es256,
        }
    }

    /// Verifies a raw signature: 64 bytes of Ed25519, or 64 bytes of P-256 `r || s`
    /// (IEEE P1363, the form JOSE and the ECDSA cryptosuites use).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), KeyError> {
        match self {
            PublicKey::Ed25519(key) => {
                let signature = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| KeyError::MalformedSignature("Ed25519 signatures are 64 bytes".into()))?;
                key.verify_strict(message, &signature)
                    .map_err(|_| KeyError::BadSignature)
            }
            PublicKey::P256(key) => {
                use p256::ecdsa::signature::Verifier as _;
                let signature = p256::ecdsa::Signature::from_slice(signature).map_err(|_| {
                    KeyError::MalformedSignature("P-256 signatures are 64 bytes (r || s)".into())
                })?;
                key.verify(message, &signature)
                    .map_err(|_| KeyError::BadSignature)
            }
        }
    }

    /// The `did:key` identifier of this key.
    pub fn did_key(&self) -> crate::did::Did {
        crate::did::key::did_for(self)
    }
}

/// An Ed25519 private key: what Sigil signs credentials, presentations and ledger operations with.
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public_key().to_multikey())
    }
}

impl SigningKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> Self {
        SigningKey(ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng))
    }

    /// A key from a 32-byte seed (RFC 8032 private key). Tests use fixed seeds.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// Reads a private OKP/Ed25519 JWK, checking that `x` matches `d`.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        if (jwk.kty.as_str(), jwk.crv.as_str()) != ("OKP", "Ed25519") {
            return Err(KeyError::InvalidJwk(format!(
                "Sigil signs with Ed25519 keys (kty OKP, crv Ed25519), found {}/{}",
                jwk.kty, jwk.crv
            )));
        }
        let d = jwk.d.as_ref().ok_or(KeyError::MissingPrivateKey)?;
        let seed = Zeroizing::new(decode_b64url(d, "d")?);
        let seed: &[u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::InvalidJwk("an Ed25519 `d` is 32 bytes".into()))?;
        let key = Self::from_seed(seed);
        if key.public_key() != PublicKey::from_jwk_unchecked(jwk)? {
            return Err(KeyError::InvalidJwk("`x` is not the public key of `d`".into()));
        }
        Ok(key)
    }

    /// The private JWK (holds the secret: write it only where the caller asked for it).
    pub fn to_private_jwk(&self) -> Jwk {
        Jwk {
            d: Some(Zeroizing::new(URL_SAFE_NO_PAD.encode(self.0.to_bytes()))),
            ..self.public_key().to_jwk()
        }
    }

    /// A 256-bit secret for `purpose`, derived from this key's seed: SHA-256 over a
    /// domain-separating label and the seed. The seed is uniformly random, so one hash is a
    /// sound key derivation, and different purposes give unrelated secrets. Lets a wallet keep
    /// one encrypted key file and derive its storage key from it.
    pub fn derive_secret(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        use sha2::{Digest as _, Sha256};
        let seed = Zeroizing::new(self.0.to_bytes());
        let digest = Sha256::new()
            .chain_update(b"sigil derived secret\0")
            .chain_update(purpose.as_bytes())
            .chain_update([0u8])
            .chain_update(seed.as_slice())
            .finalize();
        Zeroizing::new(digest.into())
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::Ed25519(self.0.verifying_key())
    }

    /// Signs a message (64-byte Ed25519 signature).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }

    /// The `did:key` identifier of this key.
    pub fn did_key(&self) -> crate::did::Did {
        self.public_key().did_key()
    }

    /// The `did:key` verification method id (`did:key:z…#z…`).
    pub fn did_key_method(&self) -> String {
        crate::did::key::method_id_for(&self.public_key())
    }
}

fn decode_b64url(text: &str, member: &str) -> Result<Vec<u8>, KeyError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| KeyError::InvalidJwk(format!("`{member}` is not base64url")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_seed(&[7; 32])
    }

    #[test]
    fn multikey_round_trips_for_ed25519() {
        let public = key().public_key();
        let text = public.to_multikey();
        assert!(text.starts_with("z6Mk"), "{text}");
        assert_eq!(PublicKey::from_multikey(&text), Ok(public));
    }

    #[test]
    fn multikey_round_trips_for_p256() {
        let secret = p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap();
        let public = PublicKey::P256(*secret.verifying_key());
        let text = public.to_multikey();
        assert!(text.starts_with("zDn"), "{text}");
        assert_eq!(PublicKey::from_multikey(&text), Ok(public));
        assert_eq!(PublicKey::from_jwk(&public.to_jwk()), Ok(public));
    }

    #[test]
    fn private_jwk_round_trips_and_verifies_its_own_signature() {
        let jwk = key().to_private_jwk();
        let again = SigningKey::from_jwk(&jwk).unwrap();
        let signature = again.sign(b"diploma");
        assert_eq!(key().public_key().verify(b"diploma", &signature), Ok(()));
        assert_eq!(
            key().public_key().verify(b"diplomb", &signature),
            Err(KeyError::BadSignature)
        );
    }

    #[test]
    fn a_private_jwk_is_refused_where_a_public_one_is_expected() {
        let jwk = key().to_private_jwk();
        assert_eq!(
            PublicKey::from_jwk(&jwk),
            Err(KeyError::PrivateKeyWherePublicExpected)
        );
    }

    #[test]
    fn a_private_jwk_whose_x_does_not_match_d_is_refused() {
        let mut jwk = key().to_private_jwk();
        jwk.x = SigningKey::from_seed(&[8; 32]).to_private_jwk().x;
        assert!(matches!(SigningKey::from_jwk(&jwk), Err(KeyError::InvalidJwk(_))));
    }

    #[test]
    fn unsupported_codecs_and_bases_are_refused() {
        assert!(PublicKey::from_multikey("not multibase").is_err());
        let hex = multibase::encode(multibase::Base::Base16Lower, [0xed, 0x01, 1, 2]);
        assert!(PublicKey::from_multikey(&hex).is_err());
        let secp = multibase::encode(multibase::Base::Base58Btc, [0xe7, 0x01, 2, 3]);
        assert!(PublicKey::from_multikey(&secp).is_err());
    }

    #[test]
    fn debug_output_never_shows_the_private_key() {
        let jwk = key().to_private_jwk();
        let secret = jwk.d.clone().unwrap();
        assert!(!format!("{jwk:?}").contains(secret.as_str()));
    }
}
