//! The digests the ledger links things with: SHA-256 as a multihash (`0x12 0x20` + digest),
//! written base58btc with the multibase prefix `z` — the form of `did:sigil` identifiers,
//! `prev` links and pre-rotation commitments (DID-METHOD.md §2).

use serde::Serialize;
use sha2::{Digest as _, Sha256};

/// The multihash prefix of a 32-byte SHA-256 digest.
const SHA2_256_MULTIHASH: [u8; 2] = [0x12, 0x20];

/// `z` + base58btc(multihash(SHA-256(bytes))).
pub fn digest(bytes: &[u8]) -> String {
    let mut multihash = Vec::with_capacity(34);
    multihash.extend_from_slice(&SHA2_256_MULTIHASH);
    multihash.extend_from_slice(&Sha256::digest(bytes));
    format!("z{}", bs58::encode(multihash).into_string())
}

/// The digest of a value's RFC 8785 (JCS) canonical form.
pub fn digest_jcs<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    Ok(digest(&serde_jcs::to_vec(value)?))
}

/// The pre-rotation commitment to a controller key: the digest of its Multikey text.
pub fn key_commitment(multikey: &str) -> String {
    digest(multikey.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_multihashes_in_base58btc() {
        let text = digest(b"");
        assert!(text.starts_with("zQm"), "{text}");
        let bytes = bs58::decode(&text[1..]).into_vec().unwrap();
        assert_eq!(&bytes[..2], &SHA2_256_MULTIHASH);
        assert_eq!(bytes.len(), 34);
    }

    #[test]
    fn the_jcs_digest_ignores_member_order() {
        let a = serde_json::json!({"a": 1, "b": [true, "x"]});
        let b = serde_json::json!({"b": [true, "x"], "a": 1});
        assert_eq!(digest_jcs(&a).unwrap(), digest_jcs(&b).unwrap());
    }
}
