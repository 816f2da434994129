//! A credential on paper: the whole signed credential, compressed into the address a printed
//! QR code holds, so that anyone who scans the paper can verify it — and, since the verifier
//! reads the status list when it is scanned, a photocopy of a revoked diploma says "revoked".
//!
//! The payload is the credential's text (Data Integrity JSON or a compact JWS) deflated (RFC
//! 1951) and written in unpadded base32 (RFC 4648 §6), upper case. Base32's alphabet (A–Z, 2–7)
//! is all in the QR code's alphanumeric mode, which packs 5.5 bits a character against 8 in
//! byte mode: a 700-byte deflated diploma becomes 1,120 characters that fit a QR code of
//! version 25 or so at error-correction level Q — about 6 cm printed. Base64 would need byte
//! mode (larger), base45 needs characters that must be escaped in a URL path.
//!
//! An SD-JWT is not printed: its selective disclosure would be lost on paper (every
//! disclosure would have to be printed for the credential to be whole).

use std::io::{Read as _, Write as _};

use data_encoding::BASE32_NOPAD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

/// Largest payload read, in characters: a QR code holds at most 4,296 alphanumeric characters.
pub const MAX_PAYLOAD_CHARS: usize = 4_296;
/// Largest credential a payload may inflate to (a diploma is about 1.5 KB of JSON; this bounds
/// what a hostile payload can make the verifier allocate).
pub const MAX_CREDENTIAL_BYTES: usize = 64 * 1024;

/// Why a payload is not a credential on paper.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaperError {
    #[error("the code is longer than any QR code holds ({MAX_PAYLOAD_CHARS} characters)")]
    TooLong,
    #[error("the code is not base32: {0}")]
    NotBase32(String),
    #[error("the code does not inflate to a credential: {0}")]
    NotDeflate(String),
    #[error("the code inflates to more than {MAX_CREDENTIAL_BYTES} bytes")]
    TooLarge,
    #[error("the code holds no text")]
    NotText,
}

/// The payload of `credential` (its text as issued).
pub fn encode(credential: &str) -> String {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let deflated = encoder
        .write_all(credential.as_bytes())
        .and_then(|()| encoder.finish())
        .unwrap_or_default();
    BASE32_NOPAD.encode(&deflated)
}

/// The credential text a payload holds. Case does not matter (a scanner may lower it), and
/// what it inflates to is bounded by [`MAX_CREDENTIAL_BYTES`].
pub fn decode(payload: &str) -> Result<String, PaperError> {
    let payload = payload.trim();
    if payload.len() > MAX_PAYLOAD_CHARS {
        return Err(PaperError::TooLong);
    }
    let deflated = BASE32_NOPAD
        .decode(payload.to_ascii_uppercase().as_bytes())
        .map_err(|e| PaperError::NotBase32(e.to_string()))?;
    let mut inflated = Vec::new();
    DeflateDecoder::new(deflated.as_slice())
        .take(MAX_CREDENTIAL_BYTES as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(|e| PaperError::NotDeflate(e.to_string()))?;
    if inflated.len() > MAX_CREDENTIAL_BYTES {
        return Err(PaperError::TooLarge);
    }
    String::from_utf8(inflated).map_err(|_| PaperError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_comes_back_from_its_payload_in_either_case() {
        let credential =
            r#"{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"]}"#;
        let payload = encode(credential);
        assert!(
            payload
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)),
            "{payload}"
        );
        assert_eq!(decode(&payload).unwrap(), credential);
        assert_eq!(decode(&payload.to_lowercase()).unwrap(), credential);
    }

    #[test]
    fn hostile_payloads_are_refused_without_inflating_unbounded() {
        assert_eq!(
            decode(&"A".repeat(MAX_PAYLOAD_CHARS + 1)),
            Err(PaperError::TooLong)
        );
        assert!(matches!(decode("not base32!"), Err(PaperError::NotBase32(_))));
        assert!(matches!(
            decode(&BASE32_NOPAD.encode(b"plain, not deflated")),
            Err(PaperError::NotDeflate(_))
        ));
        // A deflate bomb: a megabyte of zeros is about a kilobyte deflated.
        let bomb = encode(&"0".repeat(1024 * 1024));
        assert!(bomb.len() < MAX_PAYLOAD_CHARS, "{}", bomb.len());
        assert_eq!(decode(&bomb), Err(PaperError::TooLarge));
        let not_text = {
            let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
            encoder.write_all(&[0xff, 0xfe]).unwrap();
            BASE32_NOPAD.encode(&encoder.finish().unwrap())
        };
        assert_eq!(decode(&not_text), Err(PaperError::NotText));
    }
}
