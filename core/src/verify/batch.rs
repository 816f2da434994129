//! Ed25519 signatures of one presentation checked in one batch.
//!
//! A presentation of *n* credentials carries at least *n* + 1 signatures, most of them
//! Ed25519. Checked one by one, each costs a double-scalar multiplication; checked together
//! (ed25519-dalek's `verify_batch`), they share one multi-scalar multiplication, with random
//! weights drawn from a transcript of all of them, so that no signature can make up for
//! another.
//!
//! The pipeline runs once with a [`DeferredSignatures`]: a Data Integrity proof whose key is
//! Ed25519 hands its signing input and signature over instead of verifying, and its check
//! passes for now. Then the batch decides. If it holds, every deferred signature is valid
//! and the report stands. If not, the whole presentation is verified again one signature at
//! a time, which names the one that fails (a forged presentation costs two passes, not
//! more).
//!
//! Sigil verifies single Ed25519 signatures strictly (`verify_strict`: no small-order key or
//! `R`). A batch cannot see everything that refuses: a signature whose `R` has a small-order
//! component can pass a batch. Only the holder of the private key can make one (the `R` is
//! bound into the hash that is signed), and what it signs is still what was signed; but so
//! that a batch refuses what the strict check refuses wherever it can, small-order keys and
//! small-order `R` values are not deferred, and go to the strict check.

use std::sync::Mutex;

use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signature, VerifyingKey};

/// Ed25519 signatures set aside to be verified together.
///
/// The verifier makes one for the length of one presentation's verification (a
/// [`super::Verifier`] built elsewhere has none); the registry one for each share of a
/// block's `did:sigil` operations.
#[derive(Debug, Default)]
pub struct DeferredSignatures {
    deferred: Mutex<Vec<Deferred>>,
}

#[derive(Debug)]
struct Deferred {
    key: VerifyingKey,
    message: Vec<u8>,
    signature: Signature,
}

impl DeferredSignatures {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `signature` of `message` by `key` aside for the batch; `false` when it cannot go
    /// into one (malformed, or a small-order key or `R`), and must be verified on its own.
    pub fn defer(&self, key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        let r_is_small = CompressedEdwardsY(*signature.r_bytes())
            .decompress()
            .is_none_or(|r| r.is_small_order());
        if r_is_small || key.is_weak() {
            return false;
        }
        let Ok(mut deferred) = self.deferred.lock() else {
            return false;
        };
        deferred.push(Deferred {
            key: *key,
            message: message.to_vec(),
            signature,
        });
        true
    }

    /// Whether every signature set aside verifies (`true` when there are none).
    pub fn all_verify(self) -> bool {
        let Ok(deferred) = self.deferred.into_inner() else {
            return false;
        };
        if deferred.is_empty() {
            return true;
        }
        let messages: Vec<&[u8]> = deferred.iter().map(|entry| entry.message.as_slice()).collect();
        let signatures: Vec<Signature> = deferred.iter().map(|entry| entry.signature).collect();
        let keys: Vec<VerifyingKey> = deferred.iter().map(|entry| entry.key).collect();
        ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use ed25519_dalek::{Signer as _, SigningKey};

    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn signatures_that_verify_alone_verify_together() {
        let deferred = DeferredSignatures::new();
        for seed in 1..=5 {
            let message = [seed; 64];
            let signature = key(seed).sign(&message).to_bytes();
            assert!(deferred.defer(&key(seed).verifying_key(), &message, &signature));
        }
        assert!(deferred.all_verify());
        assert!(DeferredSignatures::new().all_verify());
    }

    #[test]
    fn one_wrong_signature_fails_the_batch() {
        let deferred = DeferredSignatures::new();
        for seed in 1..=4 {
            let signature = key(seed).sign(&[seed; 64]).to_bytes();
            let message = if seed == 3 { [0; 64] } else { [seed; 64] };
            assert!(deferred.defer(&key(seed).verifying_key(), &message, &signature));
        }
        assert!(!deferred.all_verify());
    }

    #[test]
    fn what_the_strict_check_refuses_is_not_deferred() {
        let deferred = DeferredSignatures::new();
        let good = key(1).sign(&[1; 64]).to_bytes();
        assert!(!deferred.defer(&key(1).verifying_key(), &[1; 64], &good[..63]));
        // R = the identity point (small order), encoded as y = 1.
        let mut small_r = good;
        small_r[..32].copy_from_slice(&{
            let mut identity = [0u8; 32];
            identity[0] = 1;
            identity
        });
        assert!(!deferred.defer(&key(1).verifying_key(), &[1; 64], &small_r));
        // A small-order public key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = VerifyingKey::from_bytes(&identity).unwrap();
        assert!(!deferred.defer(&weak, &[1; 64], &good));
        assert!(deferred.all_verify(), "nothing was deferred");
    }
}
