//! The institution behind an issuer: its data directory, its `did:sigil` and its keys.
//!
//! ```text
//! DATA_DIR/issuer.toml              name, registry, DID
//! DATA_DIR/keys/controller.key      the DID's controller key (encrypted)
//! DATA_DIR/keys/key-1.key           the signing key of DID#key-1 (encrypted)
//! DATA_DIR/keys/profile-NAME.key    a profile's did:key key (encrypted, `crate::profiles`)
//! ```
//!
//! The pre-rotation ("cold") key — what takes the DID back if the other keys are stolen — is
//! never in the data directory: `init` writes it to a path outside it (by default
//! [`default_cold_key_path`], beside the data directory) for the operator to move offline, and
//! the service never reads it. A compromise rotation is handed the cold key at the moment it is
//! used (a file given to the CLI, an upload in the portal, a field of the API call) and hands
//! back the next cold key, which it does not keep either.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sigil_core::did::Did;
use sigil_core::did::sigil::digest;
use sigil_core::did::sigil::operation::{self, Compromise, DidOperation, OperationKind, Purpose};
use sigil_core::key::SigningKey;
use sigil_core::keystore::{self, KdfParams};
use sigil_core::registry::{RegistryClient, RegistryNodes};
use sigil_core::time::{Timestamp, format_datetime};
use sigil_core::transaction::Transaction;

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
    /// The hash of the registry chain's genesis to trust: the registry's answers must be
    /// signed by its validators (unset: the genesis the registry first serves, each run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_genesis: Option<String>,
    /// Its DID.
    pub did: String,
    /// The fragment of the verification method it signs with now.
    #[serde(default = "first_signing_key")]
    pub signing_key: String,
    /// How `sigil-issuer serve` runs.
    #[serde(default)]
    pub service: crate::config::ServiceSettings,
    /// Further identities the service signs as (`did:key`s), added with
    /// `sigil-issuer profiles add` ([`crate::profiles`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<crate::profiles::ProfileConfig>,
}

impl IssuerConfig {
    /// A client of the institution's registry, pinned to `registry_genesis` when set.
    pub fn registry_client(&self) -> anyhow::Result<RegistryClient> {
        let nodes: RegistryNodes = self
            .registry
            .parse()
            .map_err(|e| anyhow::anyhow!("registry {:?}: {e}", self.registry))?;
        let client = nodes.client();
        Ok(match &self.registry_genesis {
            Some(genesis) => client.pinned(genesis.clone()),
            None => client,
        })
    }
}

fn first_signing_key() -> String {
    SIGNING_KEY.to_owned()
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

    /// The issuer service's database.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("issuer.db")
    }

    fn key_path(&self, name: &str) -> PathBuf {
        self.data_dir.join("keys").join(format!("{name}.key"))
    }

    /// Where a profile's sealed key is kept (the name is checked by
    /// [`crate::profiles::check_name`], so it stays inside `keys/`).
    pub(crate) fn profile_key_path(&self, profile: &str) -> PathBuf {
        self.key_path(&format!("profile-{profile}"))
    }

    /// Whether `path` lies inside the data directory (which the running service can read).
    pub fn holds(&self, path: &Path) -> bool {
        let absolute = |p: &Path| {
            std::path::absolute(p)
                .map(|p| p.components().collect::<PathBuf>())
                .unwrap_or_default()
        };
        let (dir, path) = (absolute(&self.data_dir), absolute(path));
        !dir.as_os_str().is_empty() && path.starts_with(dir)
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
        let config = self.config()?;
        let did = Did::parse(&config.did)?;
        let key = keystore::read(&self.key_path(&config.signing_key), passphrase)?;
        let method = format!("{did}#{}", config.signing_key);
        Ok((did, key, method))
    }

    /// Keeps `genesis_hash` as the registry genesis to trust (`registry_genesis`).
    pub fn pin_registry_genesis(&self, genesis_hash: &str) -> anyhow::Result<()> {
        let mut config = self.config()?;
        config.registry_genesis = Some(genesis_hash.to_owned());
        self.write_config(&config)
    }

    pub(crate) fn write_config(&self, config: &IssuerConfig) -> anyhow::Result<()> {
        std::fs::write(self.config_path(), toml::to_string(config)?)?;
        Ok(())
    }

    /// Moves a key file aside (keys are never deleted).
    fn set_aside(&self, path: &Path, suffix: &str) -> anyhow::Result<()> {
        let mut aside = path.as_os_str().to_owned();
        aside.push(format!(".{suffix}"));
        std::fs::rename(path, &aside).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

/// Where `init` writes the cold key when the operator names no other place: beside the data
/// directory, `DATA_DIR.next.key`.
pub fn default_cold_key_path(data_dir: &Path) -> PathBuf {
    let mut path = data_dir.as_os_str().to_owned();
    path.push(".next.key");
    PathBuf::from(path)
}

/// Sets up an institution: generates its keys (encrypted under `passphrase`), registers its
/// `did:sigil` on `registry` with a pre-rotation commitment, and writes `issuer.toml`. The
/// pre-rotation key is written to `cold_key`, which must be outside the data directory.
pub async fn init(
    institution: &Institution,
    registry: &RegistryNodes,
    name: &str,
    passphrase: &str,
    now: Timestamp,
    cold_key: &Path,
) -> anyhow::Result<Did> {
    if institution.config_path().exists() {
        anyhow::bail!("{} already holds an issuer", institution.data_dir.display());
    }
    if institution.holds(cold_key) {
        anyhow::bail!(
            "{}: the cold key must be kept outside the data directory, where the service cannot read it",
            cold_key.display()
        );
    }
    create_private_dir(&institution.data_dir.join("keys"))?;
    if let Some(parent) = cold_key.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| anyhow::anyhow!("{}: {e}", parent.display()))?;
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
    keystore::write(cold_key, &next, passphrase, params)?;
    registry.client().submit(&Transaction::Did(inception)).await?;
    let config = IssuerConfig {
        name: name.to_owned(),
        registry: registry.to_string(),
        registry_genesis: None,
        did: did.to_string(),
        signing_key: SIGNING_KEY.to_owned(),
        service: crate::config::ServiceSettings::default(),
        profiles: Vec::new(),
    };
    institution.write_config(&config)?;
    Ok(did)
}

/// How the signing key is replaced.
#[derive(Debug, Clone)]
pub enum Rotation {
    /// Routine: a new signing key replaces the current one, which stays valid for what it
    /// signed before. Signed by the controller key.
    Routine,
    /// The signing key (and perhaps the controller key) was stolen: the cold pre-rotation key
    /// (`cold_key`, brought back by the operator) takes control, the stolen signing key is
    /// declared compromised from `since`, and `next_cold_key` is committed to as the next
    /// pre-rotation key. The caller has put `next_cold_key` somewhere safe (or hands it to the
    /// operator); the institution never stores either.
    Compromised {
        since: Timestamp,
        cold_key: Box<SigningKey>,
        next_cold_key: Box<SigningKey>,
    },
}

/// Replaces the institution's signing key on its registry; returns the new method's fragment.
pub async fn rotate(
    institution: &Institution,
    passphrase: &str,
    rotation: &Rotation,
    now: Timestamp,
) -> anyhow::Result<String> {
    let mut config = institution.config()?;
    let did = Did::parse(&config.did)?;
    let registry = config.registry_client()?;
    let latest = registry
        .latest_operation(&did)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the registry does not know {did}"))?;
    // A thief with the hot key may have dated an update a few minutes ahead: recovery follows
    // it rather than waiting for the clock.
    let dated = latest.next_date(now);
    let prev = latest.hash;
    let current = config.signing_key.clone();
    let number: u32 = current
        .strip_prefix("key-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let fragment = format!("key-{}", number + 1);
    let signing = SigningKey::generate();
    let new_method = operation::method(
        &fragment,
        &signing.public_key(),
        &[Purpose::AssertionMethod, Purpose::Authentication],
    );
    let params = KdfParams::default();
    let (op, new_controller) = match rotation {
        Rotation::Routine => {
            let mut op = DidOperation::new(OperationKind::Update, dated);
            op.add_methods = vec![new_method];
            op.retire_methods = vec![current.clone()];
            op.did = Some(did.to_string());
            op.prev = Some(prev);
            (
                op.sign(&keystore::read(&institution.key_path("controller"), passphrase)?)?,
                None,
            )
        }
        Rotation::Compromised {
            since,
            cold_key,
            next_cold_key,
        } => {
            let next = SigningKey::clone(cold_key);
            let cold = next_cold_key;
            let mut op = DidOperation::new(OperationKind::Rotate, dated);
            op.controller_key = Some(next.public_key().to_multikey());
            op.next_key_commitment = Some(digest::key_commitment(&cold.public_key().to_multikey()));
            op.add_methods = vec![new_method];
            op.compromised_methods = vec![Compromise {
                id: current.clone(),
                since: format_datetime(*since),
            }];
            op.did = Some(did.to_string());
            op.prev = Some(prev);
            (op.sign(&next)?, Some(next))
        }
    };
    registry.submit(&Transaction::Did(op)).await?;
    // Recorded on the chain: now bring the key files in line.
    keystore::write(&institution.key_path(&fragment), &signing, passphrase, params)?;
    if let Some(controller) = new_controller {
        let stamp = now.timestamp().to_string();
        institution.set_aside(&institution.key_path("controller"), &format!("retired-{stamp}"))?;
        keystore::write(
            &institution.key_path("controller"),
            &controller,
            passphrase,
            params,
        )?;
    }
    config.signing_key = fragment.clone();
    institution.write_config(&config)?;
    Ok(fragment)
}

fn create_private_dir(path: &Path) -> anyhow::Result<()> {
    sigil_service::files::private_dir(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cold_key_path_is_outside_the_data_directory() {
        let institution = Institution {
            data_dir: PathBuf::from("/srv/sigil/university"),
        };
        let default = default_cold_key_path(&institution.data_dir);
        assert_eq!(default, PathBuf::from("/srv/sigil/university.next.key"));
        assert!(!institution.holds(&default));
        assert!(institution.holds(Path::new("/srv/sigil/university/cold-storage/next.key")));
        assert!(institution.holds(Path::new("/srv/sigil/university/keys/../next.key")));
    }

    #[tokio::test]
    async fn init_refuses_to_write_the_cold_key_where_the_service_can_read_it() {
        let dir = tempfile::tempdir().unwrap();
        let institution = Institution {
            data_dir: dir.path().join("university"),
        };
        let registry: RegistryNodes = "http://127.0.0.1:9".parse().unwrap();
        let inside = institution.data_dir.join("cold-storage").join("next.key");
        let refused = init(
            &institution,
            &registry,
            "U",
            "pass",
            sigil_core::time::now(),
            &inside,
        )
        .await
        .unwrap_err();
        assert!(
            refused.to_string().contains("outside the data directory"),
            "{refused}"
        );
        assert!(!inside.exists());
    }
}
