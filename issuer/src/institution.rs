//! The institution behind an issuer: its data directory, its `did:sigil` and its keys.
//!
//! ```text
//! DATA_DIR/issuer.toml              name, registry, DID
//! DATA_DIR/keys/controller.key      the DID's controller key (encrypted)
//! DATA_DIR/keys/key-1.key           the signing key of DID#key-1 (encrypted)
//! DATA_DIR/cold-storage/next.key    the pre-rotation key (encrypted): move it offline; it is
//!                                   what takes the DID back if the other keys are stolen
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::json;
use sigil_core::did::Did;
use sigil_core::did::sigil::operation::{self, Purpose};
use sigil_core::key::SigningKey;
use sigil_core::keystore::{self, KdfParams};
use sigil_core::registry::RegistryClient;
use sigil_core::time::Timestamp;

/// The fragment of the key diplomas are signed with.
pub const SIGNING_KEY: &str = "key-1";

/// `issuer.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// The institution's name, as students and verifiers see it.
    pub name: String,
    /// The registry its DID lives on.
    pub registry: String,
    /// Its DID.
    pub did: String,
}

/// An institution's data directory.
#[derive(Debug, Clone)]
pub struct Institution {
    pub data_dir: PathBuf,
}

impl Institution {
    fn config_path(&self) -> PathBuf {
        self.data_dir.join("issuer.toml")
    }

    fn key_path(&self, name: &str) -> PathBuf {
        self.data_dir.join("keys").join(format!("{name}.key"))
    }

    /// Where the pre-rotation key is written, to be moved to cold storage.
    pub fn cold_key_path(&self) -> PathBuf {
        self.data_dir.join("cold-storage").join("next.key")
    }

    /// Reads `issuer.toml`.
    pub fn config(&self) -> anyhow::Result<IssuerConfig> {
        let path = self.config_path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: {e} (run `sigil-issuer init` first)", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// The DID and the unlocked signing key with its verification method id.
    pub fn signer(&self, passphrase: &str) -> anyhow::Result<(Did, SigningKey, String)> {
        let did = Did::parse(&self.config()?.did)?;
        let key = keystore::read(&self.key_path(SIGNING_KEY), passphrase)?;
        let method = format!("{did}#{SIGNING_KEY}");
        Ok((did, key, method))
    }
}

/// Sets up an institution: generates its keys (encrypted under `passphrase`), registers its
/// `did:sigil` on `registry` with a pre-rotation commitment, and writes `issuer.toml`.
pub async fn init(
    institution: &Institution,
    registry: &url::Url,
    name: &str,
    passphrase: &str,
    now: Timestamp,
) -> anyhow::Result<Did> {
    if institution.config_path().exists() {
        anyhow::bail!("{} already holds an issuer", institution.data_dir.display());
    }
    for dir in ["keys", "cold-storage"] {
        create_private_dir(&institution.data_dir.join(dir))?;
    }
    let (controller, next, signing) = (
        SigningKey::generate(),
        SigningKey::generate(),
        SigningKey::generate(),
    );
    let methods = vec![operation::method(
        SIGNING_KEY,
        &signing.public_key(),
        &[Purpose::AssertionMethod, Purpose::Authentication],
    )];
    let inception = operation::create(&controller, &next.public_key(), methods, now)?;
    let did = inception.created_did()?;
    let params = KdfParams::default();
    keystore::write(
        &institution.key_path("controller"),
        &controller,
        passphrase,
        params,
    )?;
    keystore::write(&institution.key_path(SIGNING_KEY), &signing, passphrase, params)?;
    keystore::write(&institution.cold_key_path(), &next, passphrase, params)?;
    RegistryClient::new(registry.clone())
        .submit(&json!({ "did": inception }))
        .await?;
    let config = IssuerConfig {
        name: name.to_owned(),
        registry: registry.to_string(),
        did: did.to_string(),
    };
    std::fs::write(institution.config_path(), toml::to_string(&config)?)?;
    Ok(did)
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
