//! Encrypted backups: the whole wallet — settings, key files (still encrypted), credentials
//! exactly as received, and the history — in one file sealed under the passphrase
//! (argon2id + XChaCha20-Poly1305, `sigil_core::keystore::seal_data`). Importing restores it
//! into an empty data directory, where the same passphrase opens it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sigil_core::keystore::{self, KdfParams};

use crate::holder::{self, WalletDir};
use crate::store::{CredentialRecord, HistoryEntry, Store, credential};

/// What the sealed file says it holds.
const CONTENT: &str = "sigil-wallet-backup/1";

/// The files a backup carries, relative to the data directory.
const FILES: [&str; 5] = [
    "wallet.toml",
    "keys/holder.key",
    "keys/storage.key",
    "keys/controller.key",
    "cold-storage/next.key",
];

#[derive(Debug, Serialize, Deserialize)]
struct BackedUpCredential {
    id: String,
    format: String,
    type_name: String,
    issuer: String,
    issuer_name: String,
    received_at: i64,
    valid_until: Option<i64>,
    record: CredentialRecord,
}

impl BackedUpCredential {
    /// The clear columns, to be sealed again by the receiving wallet.
    fn row(&self) -> credential::Model {
        credential::Model {
            id: self.id.clone(),
            format: self.format.clone(),
            type_name: self.type_name.clone(),
            issuer: self.issuer.clone(),
            issuer_name: self.issuer_name.clone(),
            received_at: self.received_at,
            valid_until: self.valid_until,
            sealed: String::new(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Bundle {
    files: BTreeMap<String, String>,
    credentials: Vec<BackedUpCredential>,
    history: Vec<HistoryEntry>,
}

/// Writes the wallet in `dir` to `out`, sealed under `passphrase` (which must open the
/// wallet). Returns how many credentials it holds.
pub async fn export(dir: &WalletDir, passphrase: &str, out: &Path) -> anyhow::Result<usize> {
    let (sealed, count) = export_text(dir, passphrase).await?;
    write_new(out, sealed.as_bytes())?;
    Ok(count)
}

/// The backup of the wallet in `dir`, sealed under `passphrase`, and how many credentials it
/// holds.
pub async fn export_text(dir: &WalletDir, passphrase: &str) -> anyhow::Result<(String, usize)> {
    let holder = holder::unlock(dir, passphrase)?;
    let store = Store::open(&dir.database_path()).await?;
    let mut files = BTreeMap::new();
    for name in FILES {
        let path = dir.0.join(name);
        if path.exists() {
            files.insert(name.to_owned(), std::fs::read_to_string(&path)?);
        }
    }
    let credentials: Vec<BackedUpCredential> = store
        .all(&holder.vault)
        .await?
        .into_iter()
        .map(|held| BackedUpCredential {
            id: held.row.id,
            format: held.row.format,
            type_name: held.row.type_name,
            issuer: held.row.issuer,
            issuer_name: held.row.issuer_name,
            received_at: held.row.received_at,
            valid_until: held.row.valid_until,
            record: held.record,
        })
        .collect();
    let count = credentials.len();
    let bundle = Bundle {
        files,
        credentials,
        history: store.history(&holder.vault).await?,
    };
    let plaintext = zeroize::Zeroizing::new(serde_json::to_vec(&bundle)?);
    let sealed = keystore::seal_data(&plaintext, CONTENT, passphrase, KdfParams::default())?;
    Ok((sealed, count))
}

/// The passphrase given does not open the backup (an error [`merge`] returns, so that a page
/// can say so in its own words).
#[derive(Debug, thiserror::Error)]
#[error("wrong passphrase, or the backup file has been altered")]
pub struct WrongBackupPassphrase;

fn open_bundle(text: &str, passphrase: &str) -> anyhow::Result<Bundle> {
    let plaintext = keystore::open_data(text, CONTENT, passphrase).map_err(|e| match e {
        keystore::KeystoreError::WrongPassphrase => anyhow::Error::new(WrongBackupPassphrase),
        other => anyhow::anyhow!("the backup: {other}"),
    })?;
    serde_json::from_slice(&plaintext).map_err(|e| anyhow::anyhow!("the backup is unreadable: {e}"))
}

/// Adds the credentials (and history) of a backup to an open wallet, skipping credentials it
/// already holds. Returns how many were added.
pub async fn merge(
    holder: &holder::Holder,
    store: &Store,
    text: &str,
    passphrase: &str,
) -> anyhow::Result<usize> {
    let bundle = open_bundle(text, passphrase)?;
    let held: Vec<String> = store.list().await?.into_iter().map(|row| row.id).collect();
    let mut added = 0;
    for backed_up in bundle.credentials {
        if held.contains(&backed_up.id) {
            continue;
        }
        store
            .insert_credential(&holder.vault, backed_up.row(), &backed_up.record)
            .await?;
        added += 1;
    }
    Ok(added)
}

/// Restores the backup `from` into the empty directory `dir`. Returns how many credentials
/// it restored.
pub async fn import(dir: &WalletDir, passphrase: &str, from: &Path) -> anyhow::Result<usize> {
    if dir.config_path().exists() {
        anyhow::bail!(
            "{} already holds a wallet; import into an empty directory",
            dir.0.display()
        );
    }
    let text = std::fs::read_to_string(from).map_err(|e| anyhow::anyhow!("{}: {e}", from.display()))?;
    let bundle = open_bundle(&text, passphrase)?;
    for (name, contents) in &bundle.files {
        if !FILES.contains(&name.as_str()) {
            anyhow::bail!("the backup holds an unexpected file {name:?}");
        }
        let path: PathBuf = dir.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        write_new(&path, contents.as_bytes())?;
    }
    let holder = holder::unlock(dir, passphrase)?;
    let store = Store::open(&dir.database_path()).await?;
    let count = bundle.credentials.len();
    for backed_up in bundle.credentials {
        let row = credential::Model {
            id: backed_up.id,
            format: backed_up.format,
            type_name: backed_up.type_name,
            issuer: backed_up.issuer,
            issuer_name: backed_up.issuer_name,
            received_at: backed_up.received_at,
            valid_until: backed_up.valid_until,
            sealed: String::new(),
        };
        store
            .insert_credential(&holder.vault, row, &backed_up.record)
            .await?;
    }
    for entry in bundle.history.iter().rev() {
        store.add_history(&holder.vault, entry).await?;
    }
    Ok(count)
}

/// Writes a new file readable by its owner only; never overwrites.
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
