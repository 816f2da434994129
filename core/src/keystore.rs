//! Private keys at rest: a JSON file holding the key encrypted under a passphrase.
//!
//! The passphrase goes through argon2id (RFC 9106) to a 256-bit key, which seals the private
//! JWK with XChaCha20-Poly1305. The file's header (format version, KDF parameters, public key)
//! is the AEAD's associated data, so tampering with any of it makes decryption fail rather
//! than, say, silently weakening the KDF for the next write.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::key::{Jwk, KeyError, SigningKey};

/// The format tag written in every key file.
const FORMAT: &str = "sigil-encrypted-key/1";
/// The format tag of sealed data (see [`seal_data`]).
const DATA_FORMAT: &str = "sigil-encrypted-data/1";

/// Why a key file could not be written or opened.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a Sigil encrypted key file.
    #[error("not a Sigil encrypted key file: {0}")]
    Format(String),
    /// The passphrase is wrong, or the file was altered.
    #[error("wrong passphrase, or the key file has been altered")]
    WrongPassphrase,
    /// The decrypted key is unusable.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The key derivation function failed (for example, absurd parameters in the file).
    #[error("key derivation failed: {0}")]
    Kdf(String),
    /// No passphrase was given and none could be asked for.
    #[error("no passphrase: set SIGIL_PASSPHRASE or run in a terminal ({0})")]
    NoPassphrase(String),
    /// The file already exists; Sigil never overwrites a key.
    #[error("{0} already exists; refusing to overwrite a key")]
    Exists(String),
}

/// Cost parameters of argon2id, stored in the file so they can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Parallelism.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// OWASP's recommended argon2id minimum (19 MiB, 2 iterations, 1 lane).
    fn default() -> Self {
        KdfParams {
            m_cost: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

/// Upper bounds on KDF parameters read from a file, so a hostile file cannot make us
/// allocate gigabytes or spin for hours.
const MAX_M_COST: u32 = 1024 * 1024;
const MAX_T_COST: u32 = 64;
const MAX_P_COST: u32 = 16;

/// What every sealed file's header holds: its format, the KDF and its parameters and salt, the
/// cipher and its nonce. The whole header is the AEAD's associated data.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    format: String,
    kdf: String,
    params: KdfParams,
    salt: String,
    cipher: String,
    nonce: String,
}

impl Envelope {
    /// A fresh envelope (random salt and nonce) for `format`.
    fn new(format: &str, params: KdfParams) -> Envelope {
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        Envelope {
            format: format.into(),
            kdf: "argon2id".into(),
            params,
            salt: URL_SAFE_NO_PAD.encode(salt),
            cipher: "xchacha20poly1305".into(),
            nonce: URL_SAFE_NO_PAD.encode(nonce),
        }
    }

    /// Seals `plaintext` under `passphrase`, with `header` (which holds this envelope) as
    /// associated data.
    fn seal<H: Serialize>(
        &self,
        header: &H,
        passphrase: &str,
        plaintext: &[u8],
    ) -> Result<String, KeystoreError> {
        let (cipher, nonce) = self.cipher(passphrase)?;
        let aad = serde_jcs::to_vec(header).map_err(|e| KeystoreError::Format(e.to_string()))?;
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| KeystoreError::Format("encryption failed".into()))?;
        Ok(URL_SAFE_NO_PAD.encode(ciphertext))
    }

    /// Opens `ciphertext` sealed under this envelope, refusing an envelope that is not
    /// `format` or asks for KDF costs out of bounds.
    fn open<H: Serialize>(
        &self,
        format: &str,
        header: &H,
        passphrase: &str,
        ciphertext: &str,
    ) -> Result<Zeroizing<Vec<u8>>, KeystoreError> {
        if self.format != format || self.kdf != "argon2id" || self.cipher != "xchacha20poly1305" {
            return Err(KeystoreError::Format(format!(
                "unsupported format {} / {} / {}",
                self.format, self.kdf, self.cipher
            )));
        }
        let p = self.params;
        if p.m_cost > MAX_M_COST || p.t_cost > MAX_T_COST || p.p_cost > MAX_P_COST {
            return Err(KeystoreError::Format("KDF parameters are out of range".into()));
        }
        let ciphertext = decode(ciphertext, "ciphertext")?;
        let (cipher, nonce) = self.cipher(passphrase)?;
        let aad = serde_jcs::to_vec(header).map_err(|e| KeystoreError::Format(e.to_string()))?;
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| KeystoreError::WrongPassphrase)
    }

    fn cipher(&self, passphrase: &str) -> Result<(XChaCha20Poly1305, [u8; 24]), KeystoreError> {
        let salt = decode(&self.salt, "salt")?;
        let nonce: [u8; 24] = decode(&self.nonce, "nonce")?
            .try_into()
            .map_err(|_| KeystoreError::Format("nonce must be 24 bytes".into()))?;
        Ok((cipher_for(passphrase, &salt, self.params)?, nonce))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    #[serde(flatten)]
    envelope: Envelope,
    public_key_multibase: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeyFile {
    #[serde(flatten)]
    header: Header,
    ciphertext: String,
}

/// The passphrase that unlocks a service's keys (docs/design.md §7): `from_env` — the value of
/// `SIGIL_PASSPHRASE`, which `main` reads — or else a prompt on the terminal. Never a
/// command-line argument, which other users could read in the process list.
pub fn passphrase(from_env: Option<String>) -> Result<String, KeystoreError> {
    match from_env {
        Some(passphrase) if !passphrase.is_empty() => Ok(passphrase),
        _ => {
            rpassword::prompt_password("passphrase: ").map_err(|e| KeystoreError::NoPassphrase(e.to_string()))
        }
    }
}

/// Encrypts `key` under `passphrase` into the text of a key file.
pub fn seal(key: &SigningKey, passphrase: &str, params: KdfParams) -> Result<String, KeystoreError> {
    let header = Header {
        envelope: Envelope::new(FORMAT, params),
        public_key_multibase: key.public_key().to_multikey(),
    };
    let plaintext = Zeroizing::new(
        serde_json::to_vec(&key.to_private_jwk()).map_err(|e| KeystoreError::Format(e.to_string()))?,
    );
    let ciphertext = header.envelope.seal(&header, passphrase, &plaintext)?;
    let file = KeyFile { header, ciphertext };
    serde_json::to_string_pretty(&file).map_err(|e| KeystoreError::Format(e.to_string()))
}

/// Decrypts the text of a key file.
pub fn open(text: &str, passphrase: &str) -> Result<SigningKey, KeystoreError> {
    let file: KeyFile = serde_json::from_str(text).map_err(|e| KeystoreError::Format(e.to_string()))?;
    let header = &file.header;
    let plaintext = header
        .envelope
        .open(FORMAT, header, passphrase, &file.ciphertext)?;
    let jwk: Jwk = serde_json::from_slice(&plaintext).map_err(|e| KeystoreError::Format(e.to_string()))?;
    let key = SigningKey::from_jwk(&jwk)?;
    if key.public_key().to_multikey() != header.public_key_multibase {
        return Err(KeystoreError::WrongPassphrase);
    }
    Ok(key)
}

/// The header of sealed data: like a key file's, with what the data is instead of a public key.
#[derive(Debug, Serialize, Deserialize)]
struct DataHeader {
    #[serde(flatten)]
    envelope: Envelope,
    /// What the data is (e.g. `sigil-wallet-backup`), bound into the AEAD so one kind of
    /// sealed file cannot be passed off as another.
    content: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct DataFile {
    #[serde(flatten)]
    header: DataHeader,
    ciphertext: String,
}

/// Encrypts arbitrary bytes under `passphrase`, as key files are (argon2id, then
/// XChaCha20-Poly1305 with the header as associated data); `content` names what they are.
pub fn seal_data(
    plaintext: &[u8],
    content: &str,
    passphrase: &str,
    params: KdfParams,
) -> Result<String, KeystoreError> {
    let header = DataHeader {
        envelope: Envelope::new(DATA_FORMAT, params),
        content: content.into(),
    };
    let ciphertext = header.envelope.seal(&header, passphrase, plaintext)?;
    let file = DataFile { header, ciphertext };
    serde_json::to_string_pretty(&file).map_err(|e| KeystoreError::Format(e.to_string()))
}

/// Decrypts what [`seal_data`] sealed, checking it holds `content`.
pub fn open_data(text: &str, content: &str, passphrase: &str) -> Result<Zeroizing<Vec<u8>>, KeystoreError> {
    let file: DataFile = serde_json::from_str(text).map_err(|e| KeystoreError::Format(e.to_string()))?;
    let header = &file.header;
    if header.content != content {
        return Err(KeystoreError::Format(format!(
            "this file holds {:?}, not {content:?}",
            header.content
        )));
    }
    header
        .envelope
        .open(DATA_FORMAT, header, passphrase, &file.ciphertext)
}

/// Writes an encrypted key file, refusing to overwrite an existing one. On Unix the file is
/// created readable by its owner only.
pub fn write(
    path: &Path,
    key: &SigningKey,
    passphrase: &str,
    params: KdfParams,
) -> Result<(), KeystoreError> {
    let text = seal(key, passphrase, params)?;
    write_new_private_file(path, text.as_bytes())
}

/// Reads and decrypts a key file.
pub fn read(path: &Path, passphrase: &str) -> Result<SigningKey, KeystoreError> {
    let text = std::fs::read_to_string(path).map_err(|source| io_error(path, source))?;
    open(&text, passphrase)
}

/// Reads a plain private JWK file: only ever used when the caller explicitly passes one
/// (`--key JWK_FILE`), never for keys Sigil generates itself.
pub fn read_plain_jwk(path: &Path) -> Result<SigningKey, KeystoreError> {
    let text = std::fs::read_to_string(path).map_err(|source| io_error(path, source))?;
    let value =
        crate::json::parse(&text).map_err(|e| KeystoreError::Format(format!("{}: {e}", path.display())))?;
    Ok(SigningKey::from_jwk(&Jwk::from_value(&value)?)?)
}

fn write_new_private_file(path: &Path, bytes: &[u8]) -> Result<(), KeystoreError> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            KeystoreError::Exists(path.display().to_string())
        } else {
            io_error(path, source)
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|source| io_error(path, source))
}

fn cipher_for(passphrase: &str, salt: &[u8], p: KdfParams) -> Result<XChaCha20Poly1305, KeystoreError> {
    let params = argon2::Params::new(p.m_cost, p.t_cost, p.p_cost, Some(32))
        .map_err(|e| KeystoreError::Kdf(e.to_string()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
        .map_err(|e| KeystoreError::Kdf(e.to_string()))?;
    Ok(XChaCha20Poly1305::new(key.as_ref().into()))
}

fn decode(text: &str, what: &str) -> Result<Vec<u8>, KeystoreError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| KeystoreError::Format(format!("`{what}` is not base64url")))
}

fn io_error(path: &Path, source: std::io::Error) -> KeystoreError {
    KeystoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters: the tests exercise the format, not the cost.
    const FAST: KdfParams = KdfParams {
        m_cost: 64,
        t_cost: 1,
        p_cost: 1,
    };

    #[test]
    fn a_sealed_key_opens_with_its_passphrase() {
        let key = SigningKey::from_seed(&[1; 32]);
        let text = seal(&key, "correct horse", FAST).unwrap();
        assert!(!text.contains(key.to_private_jwk().d.unwrap().as_str()));
        let opened = open(&text, "correct horse").unwrap();
        assert_eq!(opened.public_key(), key.public_key());
    }

    #[test]
    fn sealed_data_opens_only_with_its_passphrase_and_as_what_it_is() {
        let text = seal_data(b"the backup", "sigil-wallet-backup", "right", FAST).unwrap();
        assert!(!text.contains("the backup"));
        assert_eq!(
            open_data(&text, "sigil-wallet-backup", "right")
                .unwrap()
                .as_slice(),
            b"the backup"
        );
        assert!(matches!(
            open_data(&text, "sigil-wallet-backup", "wrong"),
            Err(KeystoreError::WrongPassphrase)
        ));
        assert!(matches!(
            open_data(&text, "something-else", "right"),
            Err(KeystoreError::Format(_))
        ));
        let relabelled = text.replace("sigil-wallet-backup", "something-else");
        assert!(open_data(&relabelled, "something-else", "right").is_err());
    }

    #[test]
    fn a_wrong_passphrase_is_a_clear_error() {
        let text = seal(&SigningKey::from_seed(&[1; 32]), "right", FAST).unwrap();
        assert!(matches!(
            open(&text, "wrong"),
            Err(KeystoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn tampering_with_the_header_is_detected() {
        let text = seal(&SigningKey::from_seed(&[1; 32]), "pw", FAST).unwrap();
        let tampered = text.replace("\"t_cost\": 1", "\"t_cost\": 2");
        assert_ne!(text, tampered);
        assert!(matches!(
            open(&tampered, "pw"),
            Err(KeystoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn hostile_kdf_parameters_are_refused_without_running_them() {
        let text = seal(&SigningKey::from_seed(&[1; 32]), "pw", FAST).unwrap();
        let hostile = text.replace("\"m_cost\": 64", "\"m_cost\": 4000000000");
        assert!(matches!(open(&hostile, "pw"), Err(KeystoreError::Format(_))));
    }

    #[test]
    fn an_existing_key_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.json");
        let key = SigningKey::from_seed(&[1; 32]);
        write(&path, &key, "pw", FAST).unwrap();
        assert!(matches!(
            write(&path, &key, "pw", FAST),
            Err(KeystoreError::Exists(_))
        ));
        assert_eq!(read(&path, "pw").unwrap().public_key(), key.public_key());
    }
}
