//! The wallet's data directory and the holder's keys:
//!
//! ```text
//! DATA_DIR/wallet.toml             registry, holder DID, signing method
//! DATA_DIR/keys/holder.key         the holder's signing key (encrypted)
//! DATA_DIR/keys/storage.key        the key the stored records are sealed with (encrypted)
//! DATA_DIR/keys/controller.key     did:sigil only: the DID's controller key (encrypted)
//! DATA_DIR/cold-storage/next.key   did:sigil only: the pre-rotation key — move it offline
//! DATA_DIR/wallet.db               credentials and history (SQLite, records sealed)
//! ```
//!
//! Every key file is encrypted under the passphrase (argon2id + XChaCha20-Poly1305), so the
//! passphrase is what opens the wallet: a wrong one is refused before anything is read.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sigil_core::did::Did;
use sigil_core::did::sigil::operation::{self, Purpose};
use sigil_core::key::SigningKey;
use sigil_core::keystore::{self, KdfParams, KeystoreError};
use sigil_core::registry::{RegistryClient, RegistryNodes};
use sigil_core::transaction::Transaction;

use crate::vault::Vault;

/// The purpose label of the storage key's derived secret.
const STORAGE_PURPOSE: &str = "sigil-wallet/records/v1";

/// Which DID method the holder uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DidMethod {
    /// `did:key`: nothing to register, nothing to rotate.
    Key,
    /// `did:sigil` on the registry: the holder can rotate keys, with pre-rotation.
    Sigil,
}

/// `wallet.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletConfig {
    /// The registry verification and did:sigil resolution use.
    pub registry: Option<String>,
    /// The hash of the registry chain's genesis to trust: the registry's answers must be
    /// signed by its validators (unset: the genesis the registry first serves, each run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_genesis: Option<String>,
    /// The holder's DID.
    pub did: String,
    /// The verification method the holder signs with.
    pub method: String,
    /// How `sigil-wallet serve` runs, layered under `SIGIL_*` variables and flags.
    #[serde(default)]
    pub service: crate::config::ServiceSettings,
}

impl WalletConfig {
    /// A client of the wallet's registry, pinned to `registry_genesis` when set; `None`
    /// without a registry.
    pub fn registry_client(&self) -> anyhow::Result<Option<RegistryClient>> {
        let Some(url) = &self.registry else {
            return Ok(None);
        };
        let nodes: RegistryNodes = url
            .parse()
            .map_err(|e| anyhow::anyhow!("registry {url:?}: {e}"))?;
        let client = nodes.client();
        Ok(Some(match &self.registry_genesis {
            Some(genesis) => client.pinned(genesis.clone()),
            None => client,
        }))
    }
}

/// A wallet's data directory.
#[derive(Debug, Clone)]
pub struct WalletDir(pub PathBuf);

impl WalletDir {
    pub fn config_path(&self) -> PathBuf {
        self.0.join("wallet.toml")
    }
    pub fn database_path(&self) -> PathBuf {
        self.0.join("wallet.db")
    }
    fn key_path(&self, name: &str) -> PathBuf {
        self.0.join("keys").join(format!("{name}.key"))
    }
    pub fn cold_key_path(&self) -> PathBuf {
        self.0.join("cold-storage").join("next.key")
    }

    /// Reads `wallet.toml`.
    pub fn config(&self) -> anyhow::Result<WalletConfig> {
        let path = self.config_path();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            anyhow::anyhow!(
                "{}: {e} (create a wallet with `sigil-wallet init`)",
                path.display()
            )
        })?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Writes `wallet.toml`.
    pub fn write_config(&self, config: &WalletConfig) -> anyhow::Result<()> {
        let path = self.config_path();
        std::fs::write(&path, toml::to_string(config)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

/// The unlocked holder.
#[derive(Debug)]
pub struct Holder {
    pub did: Did,
    pub key: SigningKey,
    /// The verification method id (`did:…#…`).
    pub method: String,
    pub vault: Vault,
    pub config: WalletConfig,
}

/// Creates a wallet in `dir`: the holder's keys and storage key, encrypted under `passphrase`,
/// and — for `did:sigil` — the DID registered on `registry` with a pre-rotation commitment.
pub async fn init(
    dir: &WalletDir,
    registry: Option<&RegistryNodes>,
    method: DidMethod,
    passphrase: &str,
    params: KdfParams,
) -> anyhow::Result<Did> {
    if dir.config_path().exists() {
        anyhow::bail!("{} already holds a wallet", dir.0.display());
    }
    create_private_dir(&dir.0.join("keys"))?;
    let holder = SigningKey::generate();
    let (did, method_id) = match method {
        DidMethod::Key => (holder.did_key(), holder.did_key_method()),
        DidMethod::Sigil => {
            let registry =
                registry.ok_or_else(|| anyhow::anyhow!("a did:sigil wallet needs --registry URL"))?;
            create_private_dir(&dir.0.join("cold-storage"))?;
            let (controller, next) = (SigningKey::generate(), SigningKey::generate());
            let methods = vec![operation::method(
                "key-1",
                &holder.public_key(),
                &[Purpose::Authentication, Purpose::AssertionMethod],
            )];
            let inception =
                operation::create(&controller, &next.public_key(), methods, sigil_core::time::now())?;
            let did = inception.created_did()?;
            keystore::write(&dir.key_path("controller"), &controller, passphrase, params)?;
            keystore::write(&dir.cold_key_path(), &next, passphrase, params)?;
            registry.client().submit(&Transaction::Did(inception)).await?;
            let method_id = format!("{did}#key-1");
            (did, method_id)
        }
    };
    keystore::write(&dir.key_path("holder"), &holder, passphrase, params)?;
    keystore::write(
        &dir.key_path("storage"),
        &SigningKey::generate(),
        passphrase,
        params,
    )?;
    let config = WalletConfig {
        registry: registry.map(RegistryNodes::to_string),
        registry_genesis: None,
        did: did.to_string(),
        method: method_id,
        service: crate::config::ServiceSettings::default(),
    };
    dir.write_config(&config)?;
    Ok(did)
}

/// The passphrase does not open the wallet's keys (an error [`unlock`] returns, so that a
/// page can say so in its own words).
#[derive(Debug, thiserror::Error)]
#[error("wrong passphrase: the wallet stays locked")]
pub struct WrongPassphrase;

/// Opens a wallet with its passphrase.
pub fn unlock(dir: &WalletDir, passphrase: &str) -> anyhow::Result<Holder> {
    let config = dir.config()?;
    let open = |name: &str| {
        keystore::read(&dir.key_path(name), passphrase).map_err(|e| match e {
            KeystoreError::WrongPassphrase => anyhow::Error::new(WrongPassphrase),
            other => anyhow::anyhow!(other),
        })
    };
    let key = open("holder")?;
    let storage = open("storage")?;
    Ok(Holder {
        did: Did::parse(&config.did)?,
        key,
        method: config.method.clone(),
        vault: Vault::new(&storage.derive_secret(STORAGE_PURPOSE)),
        config,
    })
}

fn create_private_dir(path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}
