//! The verifier's data directory and `verifier.toml`:
//!
//! ```text
//! DATA_DIR/verifier.toml      name, registry, [service], [[policy]]
//! DATA_DIR/keys/verifier.key  the key that signs request objects (encrypted); its did:key is
//!                             the verifier's client identifier
//! DATA_DIR/verifier.db        presentation requests and their outcomes (SQLite)
//! ```
//!
//! `sigil-verifier serve` creates what is missing on its first start. The `[service]` table
//! is layered by `sigil_service::config` under `SIGIL_*` variables and `serve`'s flags; the
//! rest of the file (name, registry, policies) is the verifier's own and read here.

use sigil_core::registry::RegistryNodes;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sigil_core::key::SigningKey;
use sigil_core::keystore::{self, KdfParams};
use sigil_service::tls::{TlsError, TlsFiles};

use crate::policy::Policy;

/// Default address of the verifier (docs/design.md §1).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7402";

/// Presentation requests and responses a client address may post a minute, by default: a
/// relying party's back end serving many people from one address raises it.
pub const DEFAULT_WRITES_PER_MINUTE: u32 = 300;

/// `[service]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceSettings {
    pub listen: String,
    /// The URL wallets and browsers reach the verifier at (default `http://` + `listen`, or
    /// `https://` when the service serves HTTPS; with TLS, a URL set here must be `https`).
    pub public_url: Option<String>,
    /// How long a presentation request (and its nonce) stays open.
    pub request_lifetime_seconds: i64,
    /// Presentation requests and responses one client address may post a minute (0: no limit).
    pub writes_per_minute: u32,
    /// HTTPS without a proxy: the PEM certificate chain (the server's certificate first) and
    /// its private key, both or neither; a relative path is in the data directory. Unset, the
    /// service speaks plain HTTP.
    pub tls_certificate: Option<PathBuf>,
    /// The PEM private key of `tls_certificate`, readable by its owner only.
    pub tls_key: Option<PathBuf>,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            listen: DEFAULT_LISTEN.into(),
            public_url: None,
            request_lifetime_seconds: 600,
            writes_per_minute: DEFAULT_WRITES_PER_MINUTE,
            tls_certificate: None,
            tls_key: None,
        }
    }
}

impl ServiceSettings {
    /// The public base URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("{}://{}", self.scheme(), self.listen))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The TLS files, when the service serves HTTPS (relative paths in `data_dir`).
    pub fn tls_files(&self, data_dir: &Path) -> Result<Option<TlsFiles>, TlsError> {
        TlsFiles::from_settings(data_dir, self.tls_certificate.as_deref(), self.tls_key.as_deref())
    }

    /// `https` when the service serves HTTPS, else `http`.
    fn scheme(&self) -> &'static str {
        if self.tls_certificate.is_some() {
            "https"
        } else {
            "http"
        }
    }
}

impl sigil_service::config::Settings for ServiceSettings {
    const SERVICE: &'static str = "verifier";
    const SECTION: Option<&'static str> = Some("service");
    const KEYS: &'static [&'static str] = &[
        "listen",
        "public_url",
        "request_lifetime_seconds",
        "writes_per_minute",
        "tls_certificate",
        "tls_key",
    ];
}

/// The flags of `serve` that override the settings (one per key; those not given are left out).
#[derive(Debug, Default, Clone, clap::Args, Serialize)]
pub struct SettingsFlags {
    /// Where to listen [default 127.0.0.1:7402].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// The URL wallets and browsers reach the verifier at [default http:// (https:// with TLS)
    /// + the listen address].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// How long a presentation request stays open, in seconds [default 600].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_lifetime_seconds: Option<i64>,
    /// Presentation requests and responses one client address may post a minute, 0 for no
    /// limit [default 300].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writes_per_minute: Option<u32>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key) [default: plain HTTP].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_certificate: Option<PathBuf>,
    /// The PEM private key of --tls-certificate.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
}

/// `verifier.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierConfig {
    /// The relying party's name, as wallets show it.
    pub name: String,
    /// The registry to resolve DIDs and read status, key history and accreditations from.
    pub registry: String,
    /// The hash of the registry chain's genesis to trust (docs/registry-proofs.md): answers
    /// must be signed by its validators. Unset, the genesis the registry first serves is
    /// trusted for as long as the service runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_genesis: Option<String>,
    #[serde(default)]
    pub service: ServiceSettings,
    #[serde(default = "default_policies", rename = "policy")]
    pub policies: Vec<Policy>,
}

fn default_policies() -> Vec<Policy> {
    vec![Policy::diploma()]
}

/// A verifier's data directory.
#[derive(Debug, Clone)]
pub struct DataDir(pub PathBuf);

impl DataDir {
    pub fn config_path(&self) -> PathBuf {
        self.0.join("verifier.toml")
    }
    pub fn key_path(&self) -> PathBuf {
        self.0.join("keys").join("verifier.key")
    }
    pub fn database_path(&self) -> PathBuf {
        self.0.join("verifier.db")
    }

    /// Reads `verifier.toml`, writing a first one (named `name`, for `registry`) if there is
    /// none yet.
    pub fn config_or_create(
        &self,
        registry: Option<&RegistryNodes>,
        name: Option<&str>,
    ) -> anyhow::Result<VerifierConfig> {
        let path = self.config_path();
        if !path.exists() {
            let registry = registry.ok_or_else(|| {
                anyhow::anyhow!(
                    "{} does not exist yet: give --registry URL to create it",
                    path.display()
                )
            })?;
            std::fs::create_dir_all(&self.0)?;
            let config = VerifierConfig {
                name: name.unwrap_or("Sigil verifier").to_owned(),
                registry: registry.to_string(),
                registry_genesis: None,
                service: ServiceSettings::default(),
                policies: default_policies(),
            };
            std::fs::write(&path, toml::to_string(&config)?)?;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let config: VerifierConfig =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        if config.policies.is_empty() {
            anyhow::bail!("{}: configure at least one [[policy]]", path.display());
        }
        Ok(config)
    }

    /// Keeps `genesis_hash` as the registry genesis to trust (`registry_genesis`), replacing
    /// the one kept before.
    pub fn pin_registry_genesis(&self, genesis_hash: &str) -> anyhow::Result<()> {
        let path = self.config_path();
        let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut config: VerifierConfig =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        if config.registry_genesis.as_deref() == Some(genesis_hash) {
            return Ok(());
        }
        config.registry_genesis = Some(genesis_hash.to_owned());
        std::fs::write(&path, toml::to_string(&config)?)?;
        Ok(())
    }

    /// Unlocks the request-signing key, creating it on the first start.
    pub fn key_or_create(&self, passphrase: &str) -> anyhow::Result<SigningKey> {
        let path = self.key_path();
        if !path.exists() {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            keystore::write(&path, &SigningKey::generate(), passphrase, KdfParams::default())?;
        }
        Ok(keystore::read(&path, passphrase)?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_registry_genesis_given_on_a_later_start_is_kept_in_verifier_toml() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = DataDir(scratch.path().join("verifier"));
        let registry = url::Url::parse("http://127.0.0.1:7400").unwrap();
        let first = dir
            .config_or_create(Some(&registry.into()), Some("Example Employer"))
            .unwrap();
        assert_eq!(first.registry_genesis, None, "unpinned until told");
        dir.pin_registry_genesis("zQmGenesis").unwrap();
        let pinned = dir.config_or_create(None, None).unwrap();
        assert_eq!(pinned.registry_genesis.as_deref(), Some("zQmGenesis"));
        assert_eq!(
            (pinned.name.as_str(), pinned.policies.len()),
            ("Example Employer", 1)
        );
        dir.pin_registry_genesis("zQmAnother").unwrap();
        let replaced = dir.config_or_create(None, None).unwrap();
        assert_eq!(replaced.registry_genesis.as_deref(), Some("zQmAnother"));
    }
}
