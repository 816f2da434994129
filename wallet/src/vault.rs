//! Sealing the wallet's records at rest: XChaCha20-Poly1305 under the storage key (derived
//! from `keys/storage.key`, itself encrypted under the passphrase), with the row's id as
//! associated data so a sealed value cannot be moved to another row.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a sealed value could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("a stored record is damaged or belongs to another wallet")]
    Damaged,
    #[error("a record could not be encoded: {0}")]
    Encoding(String),
}

/// The storage key in use.
pub struct Vault {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

impl Vault {
    /// A vault over a 256-bit storage key.
    pub fn new(key: &[u8; 32]) -> Self {
        Vault {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// Seals `value` (as JSON) for the row `row_id`: base64url of nonce ‖ ciphertext.
    pub fn seal<T: Serialize>(&self, row_id: &str, value: &T) -> Result<String, VaultError> {
        let plaintext = zeroize::Zeroizing::new(
            serde_json::to_vec(value).map_err(|e| VaultError::Encoding(e.to_string()))?,
        );
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plaintext,
                    aad: row_id.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Encoding("encryption failed".into()))?;
        let mut sealed = nonce.to_vec();
        sealed.extend(ciphertext);
        Ok(URL_SAFE_NO_PAD.encode(sealed))
    }

    /// Opens what [`Vault::seal`] sealed for `row_id`.
    pub fn open<T: DeserializeOwned>(&self, row_id: &str, sealed: &str) -> Result<T, VaultError> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| VaultError::Damaged)?;
        let (nonce, ciphertext) = bytes.split_at_checked(24).ok_or(VaultError::Damaged)?;
        let plaintext = zeroize::Zeroizing::new(
            self.cipher
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: ciphertext,
                        aad: row_id.as_bytes(),
                    },
                )
                .map_err(|_| VaultError::Damaged)?,
        );
        serde_json::from_slice(&plaintext).map_err(|_| VaultError::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_record_opens_only_in_its_own_row_and_wallet() {
        let vault = Vault::new(&[7; 32]);
        let sealed = vault.seal("row-1", &"Ada Lovelace").unwrap();
        assert!(!sealed.contains("Ada"));
        assert_eq!(vault.open::<String>("row-1", &sealed).unwrap(), "Ada Lovelace");
        assert!(matches!(
            vault.open::<String>("row-2", &sealed),
            Err(VaultError::Damaged)
        ));
        let other = Vault::new(&[8; 32]);
        assert!(matches!(
            other.open::<String>("row-1", &sealed),
            Err(VaultError::Damaged)
        ));
        assert!(matches!(
            vault.open::<String>("row-1", "!!"),
            Err(VaultError::Damaged)
        ));
    }
}
