//! A credential on paper: the whole signed credential, compressed into the address a printed
//! QR code holds, so that anyone who scans the paper can verify it — and, since the verifier
//! reads the status list when it is scanned, a photocopy of a revoked diploma says "revoked".
//!
//! The payload is the credential, packed, deflated (RFC 1951) and written in unpadded base32
//! (RFC 4648 §6), upper case. Packed: a first byte says how — `0`, the text itself (Data
//! Integrity JSON); `1`, a compact JWS or SD-JWT with each base64url segment as its bytes (a
//! 4-byte big-endian length, the bytes, then the separator that followed it: `.`, `~` or `0`
//! at the end) — since deflate finds little to share in base64 but much in the JSON inside it,
//! which makes a diploma's SD-JWT about a third shorter on paper. Base32's alphabet (A–Z, 2–7)
//! is all in the QR code's alphanumeric mode, which packs 5.5 bits a character against 8 in
//! byte mode: a 700-byte deflated diploma becomes 1,120 characters that fit a QR code of
//! version 25 or so at error-correction level Q — about 6 cm printed. Base64 would need byte
//! mode (larger), base45 needs characters that must be escaped in a URL path.
//!
//! An SD-JWT goes on paper with every disclosure: what is printed is the whole credential.

use std::io::{Read as _, Write as _};

use data_encoding::{BASE32_NOPAD, BASE64URL_NOPAD};
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
    #[error("the code's credential is cut short or malformed")]
    Malformed,
}

/// How a credential is packed before it is deflated.
const TEXT: u8 = 0;
const COMPACT: u8 = 1;
/// The separator byte after a compact form's last segment.
const END: u8 = 0;

/// The payload of `credential` (its text as issued).
pub fn encode(credential: &str) -> String {
    let packed = pack_compact(credential).unwrap_or_else(|| {
        let mut packed = vec![TEXT];
        packed.extend_from_slice(credential.as_bytes());
        packed
    });
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let deflated = encoder
        .write_all(&packed)
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
    match inflated.split_first() {
        Some((&TEXT, text)) => String::from_utf8(text.to_vec()).map_err(|_| PaperError::NotText),
        Some((&COMPACT, packed)) => unpack_compact(packed),
        _ => Err(PaperError::NotText),
    }
}

/// A compact JWS or SD-JWT with each base64url segment as its bytes; `None` when `text` is
/// not one (or a segment is not canonical base64url, which would not come back the same).
fn pack_compact(text: &str) -> Option<Vec<u8>> {
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
    {
        return None;
    }
    let mut packed = vec![COMPACT];
    let mut rest = text;
    loop {
        let (segment, separator, after) = match rest.find(['.', '~']) {
            Some(at) => (rest.get(..at)?, *rest.as_bytes().get(at)?, rest.get(at + 1..)?),
            None => (rest, END, ""),
        };
        let bytes = BASE64URL_NOPAD.decode(segment.as_bytes()).ok()?;
        if BASE64URL_NOPAD.encode(&bytes) != segment {
            return None;
        }
        packed.extend_from_slice(&u32::try_from(bytes.len()).ok()?.to_be_bytes());
        packed.extend_from_slice(&bytes);
        packed.push(separator);
        if separator == END {
            return Some(packed);
        }
        rest = after;
    }
}

fn unpack_compact(mut packed: &[u8]) -> Result<String, PaperError> {
    let mut text = String::new();
    loop {
        let (length, after) = packed.split_first_chunk::<4>().ok_or(PaperError::Malformed)?;
        let length = usize::try_from(u32::from_be_bytes(*length)).map_err(|_| PaperError::Malformed)?;
        let bytes = after.get(..length).ok_or(PaperError::Malformed)?;
        let (&separator, after) = after
            .get(length..)
            .and_then(<[u8]>::split_first)
            .ok_or(PaperError::Malformed)?;
        text.push_str(&BASE64URL_NOPAD.encode(bytes));
        match separator {
            END if after.is_empty() => return Ok(text),
            b'.' | b'~' => text.push(char::from(separator)),
            _ => return Err(PaperError::Malformed),
        }
        packed = after;
    }
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
    fn a_compact_jws_and_an_sd_jwt_come_back_exactly_and_shorter_than_their_text() {
        let jws = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTp1bmkiLCJuYW1lIjoiQWRhIn0.c2lnbmF0dXJlLWJ5dGVzLXNpZ25hdHVyZS1ieXRlcw";
        let sd_jwt = format!("{jws}~WyJzYWx0IiwibmFtZSIsIkFkYSJd~WyJzYWx0MiIsImRlZ3JlZSIsIkJTYyJd~");
        for compact in [jws.to_owned(), sd_jwt] {
            let payload = encode(&compact);
            assert_eq!(decode(&payload).unwrap(), compact);
            let as_text = {
                let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
                encoder
                    .write_all(&[&[TEXT][..], compact.as_bytes()].concat())
                    .unwrap();
                BASE32_NOPAD.encode(&encoder.finish().unwrap())
            };
            assert!(
                payload.len() < as_text.len(),
                "{} ≥ {}",
                payload.len(),
                as_text.len()
            );
        }
        // Base64url with non-zero trailing bits would not come back the same: kept as text.
        let odd = "eyJhbGciOiJFZERTQSJ9.eB";
        assert_eq!(decode(&encode(odd)).unwrap(), odd);
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
        let packed = |bytes: &[u8]| {
            let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
            encoder.write_all(bytes).unwrap();
            BASE32_NOPAD.encode(&encoder.finish().unwrap())
        };
        assert_eq!(decode(&packed(&[TEXT, 0xff, 0xfe])), Err(PaperError::NotText));
        assert_eq!(decode(&packed(&[7, b'x'])), Err(PaperError::NotText));
        assert_eq!(decode(&packed(&[])), Err(PaperError::NotText));
        for cut in [
            &[COMPACT, 0, 0][..],
            &[COMPACT, 0, 0, 0, 9, 1],
            &[COMPACT, 0, 0, 0, 1, 1, b'!'],
            &[COMPACT, 0, 0, 0, 0, END, 1],
        ] {
            assert_eq!(decode(&packed(cut)), Err(PaperError::Malformed), "{cut:?}");
        }
    }
}
