//! Secrets the services hand out and check: random URL-safe tokens (offer codes, access tokens,
//! nonces, session ids, CSRF tokens), the SHA-256 digests they are stored under, and
//! constant-time comparison so that checking a guess does not reveal how much of it was right.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// A fresh 256-bit random secret from the operating system, base64url without padding
/// (43 characters, safe in URLs, cookies and form fields).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The digest under which a secret (code, PIN, token, session id) is stored: lowercase hex
/// SHA-256. The secrets are random and long, so no salt or stretching is needed; a short
/// secret (a PIN) must be hashed together with a long random one.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Whether two secrets are equal, in time that depends only on their lengths.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Whether a form's CSRF token is the session's. An empty expected token never matches, so a
/// session that has none cannot be driven by a form that sends none.
pub fn check_csrf(expected: &str, given: &str) -> bool {
    !expected.is_empty() && constant_time_eq(expected, given)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_secrets_are_url_safe_and_never_repeat() {
        let first = random_secret();
        let second = random_secret();
        assert_eq!(first.len(), 43);
        assert!(
            first
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(first, second);
    }

    #[test]
    fn the_digest_is_lowercase_hex_sha256() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn csrf_tokens_must_match_exactly() {
        assert!(check_csrf("token", "token"));
        assert!(!check_csrf("token", "tokeN"));
        assert!(!check_csrf("token", "token2"));
        assert!(!check_csrf("token", ""));
        assert!(!check_csrf("", ""));
    }

    #[test]
    fn constant_time_comparison_tells_equal_from_different() {
        assert!(constant_time_eq("same secret", "same secret"));
        assert!(!constant_time_eq("same secret", "same secreT"));
        assert!(!constant_time_eq("short", "shorter"));
    }
}
