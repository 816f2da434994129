//! The `c_nonce`s of OpenID4VCI's nonce endpoint, without a database.
//!
//! A nonce is its expiry and 16 random bytes, with a MAC under a key the process draws at
//! start: handing one out stores nothing, so the public nonce endpoint costs no write and
//! cannot fill a table. A nonce is spent once — the set of spent ones is kept until they
//! expire — and never accepted after it expires or after a restart (the key is gone with the
//! process; a wallet then asks for a fresh nonce, as the specification expects of an
//! `invalid_nonce` answer).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;

/// How long a nonce may be used.
pub const NONCE_SECONDS: i64 = 300;

const RANDOM: usize = 16;
const MAC: usize = 16;
/// Expiry (8 bytes), random, MAC.
const LENGTH: usize = 8 + RANDOM + MAC;

/// Why a nonce is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NonceError {
    #[error("the nonce was not issued here (or before the issuer restarted)")]
    Unknown,
    #[error("the nonce has expired")]
    Expired,
    #[error("the nonce was already used")]
    Spent,
}

/// The issuer's nonces: its MAC key and the nonces spent and not yet expired.
pub struct Nonces {
    key: [u8; 32],
    spent: Mutex<Spent>,
}

#[derive(Default)]
struct Spent {
    /// Spent nonces' random parts, with their expiry.
    by_random: HashMap<[u8; RANDOM], i64>,
    /// When expired entries were last dropped.
    pruned_at: i64,
}

impl std::fmt::Debug for Nonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nonces").finish_non_exhaustive()
    }
}

impl Default for Nonces {
    fn default() -> Self {
        Self::new()
    }
}

impl Nonces {
    /// Nonces under a fresh random key.
    pub fn new() -> Nonces {
        let mut key = [0; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Nonces {
            key,
            spent: Mutex::new(Spent::default()),
        }
    }

    /// A fresh nonce, usable until `now + NONCE_SECONDS` (Unix seconds).
    pub fn issue(&self, now: i64) -> String {
        let mut random = [0; RANDOM];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let expiry = (now + NONCE_SECONDS).to_be_bytes();
        let mac = self.mac(&expiry, &random);
        URL_SAFE_NO_PAD.encode([expiry.as_slice(), &random, &mac].concat())
    }

    /// Spends `nonce`: `Ok` once for each nonce issued here, until it expires.
    pub fn spend(&self, nonce: &str, now: i64) -> Result<(), NonceError> {
        let (random, expires_at) = self.open(nonce, now)?;
        let mut spent = self
            .spent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if now - spent.pruned_at >= NONCE_SECONDS {
            spent.by_random.retain(|_, expiry| *expiry >= now);
            spent.pruned_at = now;
        }
        match spent.by_random.insert(random, expires_at) {
            Some(_) => Err(NonceError::Spent),
            None => Ok(()),
        }
    }

    /// The random part and expiry of a genuine, unexpired nonce.
    fn open(&self, nonce: &str, now: i64) -> Result<([u8; RANDOM], i64), NonceError> {
        let mut bytes = [0; LENGTH];
        match URL_SAFE_NO_PAD.decode_slice(nonce, &mut bytes) {
            Ok(LENGTH) => {}
            _ => return Err(NonceError::Unknown),
        }
        let (expiry, rest) = bytes.split_first_chunk::<8>().ok_or(NonceError::Unknown)?;
        let (random, mac) = rest.split_first_chunk::<RANDOM>().ok_or(NonceError::Unknown)?;
        let expected = self.mac(expiry, random);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_slice(), mac)) {
            return Err(NonceError::Unknown);
        }
        let expires_at = i64::from_be_bytes(*expiry);
        if expires_at < now {
            return Err(NonceError::Expired);
        }
        Ok((*random, expires_at))
    }

    /// HMAC-SHA256 of expiry and random part, cut to [`MAC`] bytes.
    fn mac(&self, expiry: &[u8; 8], random: &[u8; RANDOM]) -> [u8; MAC] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(expiry);
        mac.update(random);
        let mut truncated = [0; MAC];
        for (kept, byte) in truncated.iter_mut().zip(mac.finalize().into_bytes()) {
            *kept = byte;
        }
        truncated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_spent_once() {
        let nonces = Nonces::new();
        let nonce = nonces.issue(1_000);
        assert_eq!(nonces.spend(&nonce, 1_001), Ok(()));
        assert_eq!(nonces.spend(&nonce, 1_002), Err(NonceError::Spent));
        let other = nonces.issue(1_000);
        assert_ne!(other, nonce);
        assert_eq!(nonces.spend(&other, 1_002), Ok(()));
    }

    #[test]
    fn an_expired_nonce_is_refused() {
        let nonces = Nonces::new();
        let nonce = nonces.issue(1_000);
        assert_eq!(nonces.spend(&nonce, 1_000 + NONCE_SECONDS), Ok(()));
        let late = nonces.issue(1_000);
        assert_eq!(
            nonces.spend(&late, 1_001 + NONCE_SECONDS),
            Err(NonceError::Expired)
        );
    }

    #[test]
    fn a_nonce_made_up_altered_or_from_another_process_is_unknown() {
        let nonces = Nonces::new();
        let nonce = nonces.issue(1_000);
        let restarted = Nonces::new();
        assert_eq!(restarted.spend(&nonce, 1_000), Err(NonceError::Unknown));
        for forged in ["made-up", "", &nonce[1..], &format!("{nonce}A")] {
            assert_eq!(nonces.spend(forged, 1_000), Err(NonceError::Unknown), "{forged}");
        }
        // A later expiry written into a real nonce breaks its MAC.
        let mut bytes = URL_SAFE_NO_PAD.decode(&nonce).unwrap();
        bytes[0] ^= 1;
        let stretched = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(nonces.spend(&stretched, 1_000), Err(NonceError::Unknown));
        assert_eq!(nonces.spend(&nonce, 1_000), Ok(()), "the genuine one still works");
    }

    #[test]
    fn spent_nonces_are_forgotten_once_expired() {
        let nonces = Nonces::new();
        for _ in 0..10 {
            let nonce = nonces.issue(1_000);
            nonces.spend(&nonce, 1_000).unwrap();
        }
        let fresh = nonces.issue(2_000);
        nonces.spend(&fresh, 2_000).unwrap();
        let spent = nonces.spent.lock().unwrap();
        assert_eq!(spent.by_random.len(), 1, "only the unexpired one is kept");
    }
}
