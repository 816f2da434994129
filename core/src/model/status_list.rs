//! W3C Bitstring Status List v1.0: the compressed bitstring inside a
//! `BitstringStatusListCredential`, and reading one entry from it.
//!
//! `encodedList` is the multibase base64url (no padding, prefix `u`) of the GZIP-compressed
//! bitstring; bit 0 is the most significant bit of the first byte (§3.2).

use std::io::Read as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

/// The smallest list the specification allows: 16 KiB, for herd privacy (§2.1).
pub const MIN_LIST_BYTES: usize = 16 * 1024;
/// Largest decompressed list Sigil accepts (a guard against decompression bombs).
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

/// Why a status list could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum StatusListError {
    /// `encodedList` is not multibase base64url of GZIP data.
    #[error("status list is not encoded as specified: {0}")]
    Encoding(String),
    /// The list decompresses to more than [`MAX_LIST_BYTES`].
    #[error("status list is larger than {MAX_LIST_BYTES} bytes")]
    TooLarge,
    /// The entry points outside the list.
    #[error("status index {index} is outside the list of {entries} entries")]
    OutOfRange { index: u64, entries: u64 },
    /// The entry's index or size is malformed.
    #[error("malformed status entry: {0}")]
    BadEntry(String),
}

/// A decoded status bitstring.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitstring(Vec<u8>);

impl std::fmt::Debug for Bitstring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bitstring({} bytes)", self.0.len())
    }
}

impl Bitstring {
    /// An all-zero list of the minimum size.
    pub fn new() -> Self {
        Bitstring(vec![0; MIN_LIST_BYTES])
    }

    /// Decodes `encodedList`.
    pub fn decode(encoded: &str) -> Result<Self, StatusListError> {
        let base64 = encoded
            .strip_prefix('u')
            .ok_or_else(|| StatusListError::Encoding("expected multibase base64url (prefix `u`)".into()))?;
        let compressed = URL_SAFE_NO_PAD
            .decode(base64)
            .map_err(|e| StatusListError::Encoding(e.to_string()))?;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(MAX_LIST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| StatusListError::Encoding(e.to_string()))?;
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusListError::TooLarge);
        }
        Ok(Bitstring(bytes))
    }

    /// Encodes as `encodedList`. (Compressing into memory fails only on a bug; it is still an
    /// error, never an empty list that would clear every revocation.)
    pub fn encode(&self) -> Result<String, StatusListError> {
        use std::io::Write as _;
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder
            .write_all(&self.0)
            .map_err(|e| StatusListError::Encoding(e.to_string()))?;
        let compressed = encoder
            .finish()
            .map_err(|e| StatusListError::Encoding(e.to_string()))?;
        Ok(format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
    }

    /// Reads the `size`-bit value of entry `index` (§3.3, "validate algorithm").
    pub fn get(&self, index: u64, size: u32) -> Result<u32, StatusListError> {
        let (start, size) = self.locate(index, size)?;
        let mut value = 0u32;
        for bit in start..start + u64::from(size) {
            value = (value << 1) | u32::from(self.bit(bit));
        }
        Ok(value)
    }

    /// Sets the `size`-bit value of entry `index`.
    pub fn set(&mut self, index: u64, size: u32, value: u32) -> Result<(), StatusListError> {
        let (start, size) = self.locate(index, size)?;
        for offset in 0..size {
            let on = (value >> (size - 1 - offset)) & 1 == 1;
            let bit = start + u64::from(offset);
            let mask = 0x80u8 >> (bit % 8);
            if let Some(byte) = self.0.get_mut((bit / 8) as usize) {
                if on { *byte |= mask } else { *byte &= !mask }
            }
        }
        Ok(())
    }

    fn locate(&self, index: u64, size: u32) -> Result<(u64, u32), StatusListError> {
        if !(1..=8).contains(&size) {
            return Err(StatusListError::BadEntry(format!(
                "statusSize {size} is not between 1 and 8"
            )));
        }
        let entries = (self.0.len() as u64 * 8) / u64::from(size);
        if index >= entries {
            return Err(StatusListError::OutOfRange { index, entries });
        }
        Ok((index * u64::from(size), size))
    }

    fn bit(&self, bit: u64) -> bool {
        self.0
            .get((bit / 8) as usize)
            .is_some_and(|byte| byte & (0x80 >> (bit % 8)) != 0)
    }
}

impl Default for Bitstring {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_bit_survives_encoding() {
        let mut list = Bitstring::new();
        list.set(94567, 1, 1).unwrap();
        let decoded = Bitstring::decode(&list.encode().unwrap()).unwrap();
        assert_eq!(decoded.get(94567, 1), Ok(1));
        assert_eq!(decoded.get(94566, 1), Ok(0));
        assert_eq!(decoded.get(94568, 1), Ok(0));
    }

    #[test]
    fn bit_zero_is_the_most_significant_bit_of_the_first_byte() {
        let mut list = Bitstring::new();
        list.set(0, 1, 1).unwrap();
        assert_eq!(list.0[0], 0x80);
    }

    #[test]
    fn multi_bit_entries_read_back() {
        let mut list = Bitstring::new();
        list.set(5, 2, 0b10).unwrap();
        assert_eq!(list.get(5, 2), Ok(0b10));
    }

    #[test]
    fn an_index_past_the_end_is_an_error() {
        let list = Bitstring::new();
        assert!(matches!(
            list.get(MIN_LIST_BYTES as u64 * 8, 1),
            Err(StatusListError::OutOfRange { .. })
        ));
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let bomb = Bitstring(vec![0; MAX_LIST_BYTES + 1]).encode().unwrap();
        assert_eq!(Bitstring::decode(&bomb), Err(StatusListError::TooLarge));
    }
}
