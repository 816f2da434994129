//! How the wallet runs: the `[service]` table of `wallet.toml`, layered by
//! `sigil_service::config` under `SIGIL_*` variables and the commands' flags. The rest of
//! `wallet.toml` (registry, holder DID, signing method) is the holder's ([`crate::holder`]).
//!
//! `allow_insecure_targets` is read by every command that reaches a stranger's URL
//! (`receive`, `present`, `serve`): see [`crate::targets`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sigil_service::tls::{TlsError, TlsFiles};

/// Default address of the wallet's UI: loopback only (docs/design.md §7).
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 7403);

/// `[service]` in `wallet.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceSettings {
    /// Where the UI listens; a loopback address only.
    pub listen: SocketAddr,
    /// For demos and development only: let issuers and verifiers be reached over plain http
    /// and on this computer or a private network ([`crate::targets`]).
    pub allow_insecure_targets: bool,
    /// The UI over HTTPS (for a browser that insists on it even on loopback): the PEM
    /// certificate chain and its private key, both or neither; a relative path is in the data
    /// directory. Unset, the UI speaks plain HTTP on loopback.
    pub tls_certificate: Option<PathBuf>,
    /// The PEM private key of `tls_certificate`, readable by its owner only.
    pub tls_key: Option<PathBuf>,
    /// The verifier a printed credential's QR code leads to (its "check a credential on paper"
    /// page, `/P/…`). Unset, the wallet does not print.
    pub paper_verifier: Option<String>,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            listen: DEFAULT_LISTEN,
            allow_insecure_targets: false,
            tls_certificate: None,
            tls_key: None,
            paper_verifier: None,
        }
    }
}

impl ServiceSettings {
    /// The TLS files, when the UI is served over HTTPS (relative paths in `data_dir`).
    pub fn tls_files(&self, data_dir: &Path) -> Result<Option<TlsFiles>, TlsError> {
        TlsFiles::from_settings(data_dir, self.tls_certificate.as_deref(), self.tls_key.as_deref())
    }
}

impl sigil_service::config::Settings for ServiceSettings {
    const SERVICE: &'static str = "wallet";
    const SECTION: Option<&'static str> = Some("service");
    const KEYS: &'static [&'static str] = &[
        "listen",
        "allow_insecure_targets",
        "tls_certificate",
        "tls_key",
        "paper_verifier",
    ];
}

/// The flags of `serve` that override the settings (those not given are left out).
#[derive(Debug, Default, Clone, clap::Args, Serialize)]
pub struct SettingsFlags {
    /// Where the UI listens, on this computer only [default 127.0.0.1:7403].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// Serve the UI over HTTPS with this PEM certificate chain (with --tls-key) [default:
    /// plain HTTP].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_certificate: Option<PathBuf>,
    /// The PEM private key of --tls-certificate.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// The verifier a printed credential's QR code leads to (its base URL) [default: none,
    /// the wallet does not print].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper_verifier: Option<String>,
    #[command(flatten)]
    #[serde(flatten)]
    pub targets: TargetsFlag,
}

/// The flag of every command that reaches a stranger's URL (`init` writes it to `wallet.toml`).
#[derive(Debug, Default, Clone, clap::Args, Serialize)]
pub struct TargetsFlag {
    /// Demos and development only: reach issuers and verifiers over plain http and on this
    /// computer or a private network (SIGIL_ALLOW_INSECURE_TARGETS).
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_insecure_targets: bool,
}

#[cfg(test)]
mod tests {
    use sigil_service::config::{Sources, load};

    use super::*;
    use crate::holder::WalletDir;

    #[test]
    fn a_wallet_toml_written_before_the_service_table_still_opens() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wallet.toml"),
            "did = \"did:key:z6Mk\"\nmethod = \"did:key:z6Mk#z6Mk\"\n",
        )
        .unwrap();
        assert_eq!(
            WalletDir(dir.path().to_owned()).config().unwrap().service,
            ServiceSettings::default()
        );
        let settings: ServiceSettings = load(&Sources::file_only(dir.path())).unwrap();
        assert_eq!(settings.listen, DEFAULT_LISTEN);
    }

    #[test]
    fn insecure_targets_are_allowed_only_when_a_layer_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wallet.toml");
        std::fs::write(&path, "did = \"d\"\nmethod = \"m\"\n").unwrap();
        let mut sources = Sources::file_only(dir.path());
        assert!(!load::<ServiceSettings>(&sources).unwrap().allow_insecure_targets);

        let flag = SettingsFlags {
            targets: TargetsFlag {
                allow_insecure_targets: true,
            },
            ..SettingsFlags::default()
        };
        sources.flags = toml::Table::try_from(&flag).unwrap();
        assert!(load::<ServiceSettings>(&sources).unwrap().allow_insecure_targets);
        // A flag left out leaves the other layers alone.
        sources.flags = toml::Table::try_from(SettingsFlags::default()).unwrap();
        assert!(sources.flags.is_empty());

        sources.environment = vec![("SIGIL_ALLOW_INSECURE_TARGETS".into(), "true".into())];
        assert!(load::<ServiceSettings>(&sources).unwrap().allow_insecure_targets);

        sources.environment.clear();
        std::fs::write(
            &path,
            "did = \"d\"\nmethod = \"m\"\n[service]\nallow_insecure_targets = true\n",
        )
        .unwrap();
        assert!(load::<ServiceSettings>(&sources).unwrap().allow_insecure_targets);
    }

    #[test]
    fn the_service_table_sets_the_address_and_refuses_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wallet.toml");
        std::fs::write(
            &path,
            "did = \"did:key:z6Mk\"\nmethod = \"m\"\n[service]\nlisten = \"127.0.0.1:9403\"\n",
        )
        .unwrap();
        let settings: ServiceSettings = load(&Sources::file_only(dir.path())).unwrap();
        assert_eq!(settings.listen.port(), 9403);

        std::fs::write(&path, "did = \"d\"\nmethod = \"m\"\n[service]\nport = 9403\n").unwrap();
        let error = load::<ServiceSettings>(&Sources::file_only(dir.path())).unwrap_err();
        assert!(error.to_string().contains("unknown key \"port\""), "{error}");
    }
}
