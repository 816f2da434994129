//! The `[service]` table of `issuer.toml`: how `sigil-issuer serve` runs. Every value has a
//! default; `sigil_service::config` layers the file, `SIGIL_*` variables and `serve`'s flags
//! over it. The rest of `issuer.toml` (name, DID, registry, keys) is the institution's and is
//! read by [`crate::institution`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sigil_service::tls::{TlsError, TlsFiles};

/// Default address of the issuer (docs/design.md §1).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7401";

/// `[service]` in `issuer.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case", deny_unknown_fields)]
pub struct ServiceSettings {
    /// Where to listen.
    pub listen: String,
    /// The URL wallets and browsers reach the issuer at: the OpenID4VCI credential issuer
    /// identifier, and the base of offer, schema and status list URLs. Defaults to
    /// `http://` + `listen`, or `https://` when the service serves HTTPS; behind another name
    /// it must be set, and with TLS it must be an `https` URL.
    pub public_url: Option<String>,
    /// Extra credential type files (docs/design.md §6), relative to the data directory.
    pub type_files: Vec<String>,
    /// How long an offer's pre-authorized code stays valid.
    pub offer_lifetime_hours: u32,
    /// How often issued credentials are anchored on the registry.
    pub anchor_interval_seconds: u64,
    /// OpenID4VCI token and nonce requests one client address may send a minute (0: no
    /// limit). A campus behind one NAT address collects many diplomas at once, hence the
    /// generous default.
    pub writes_per_minute: u32,
    /// HTTPS without a proxy: the PEM certificate chain (the server's certificate first) and
    /// its private key, both or neither; a relative path is in the data directory. Unset, the
    /// service speaks plain HTTP.
    pub tls_certificate: Option<PathBuf>,
    /// The PEM private key of `tls_certificate`, readable by its owner only.
    pub tls_key: Option<PathBuf>,
    /// The public URL of the verifier a printed diploma's QR code leads to (its page for
    /// credentials on paper, `{paper_verifier}/P/{code}`). Unset, the portal prints no paper
    /// diplomas.
    pub paper_verifier: Option<String>,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            listen: DEFAULT_LISTEN.to_owned(),
            public_url: None,
            type_files: Vec::new(),
            offer_lifetime_hours: 72,
            anchor_interval_seconds: 60,
            writes_per_minute: 600,
            tls_certificate: None,
            tls_key: None,
            paper_verifier: None,
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

    /// The verifier printed diplomas lead to, when one is set; an error if it is not a URL.
    pub fn paper_verifier_url(&self) -> Result<Option<url::Url>, url::ParseError> {
        self.paper_verifier.as_deref().map(url::Url::parse).transpose()
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
    const SERVICE: &'static str = "issuer";
    const SECTION: Option<&'static str> = Some("service");
    const KEYS: &'static [&'static str] = &[
        "listen",
        "public_url",
        "type_files",
        "offer_lifetime_hours",
        "anchor_interval_seconds",
        "writes_per_minute",
        "tls_certificate",
        "tls_key",
        "paper_verifier",
    ];
}

/// The flags of `serve` that override the settings (one per key; those not given are left out).
#[derive(Debug, Default, Clone, clap::Args, Serialize)]
pub struct SettingsFlags {
    /// Where to listen [default 127.0.0.1:7401].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// The URL wallets reach the issuer at [default http:// (https:// with TLS) + the listen
    /// address].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// How long an offer's pre-authorized code stays valid, in hours [default 72].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_lifetime_hours: Option<u32>,
    /// Seconds between anchoring rounds [default 60].
    #[arg(long, alias = "anchor-interval")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor_interval_seconds: Option<u64>,
    /// OpenID4VCI token and nonce requests one client address may send a minute, 0 for no
    /// limit [default 600].
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
    /// The verifier's public URL, which printed diplomas' QR codes lead to [default: the
    /// portal prints no paper diplomas].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper_verifier: Option<String>,
}

#[cfg(test)]
mod tests {
    use sigil_service::config::{Sources, load};

    use super::*;

    #[test]
    fn the_service_table_of_issuer_toml_is_layered_under_variables_and_flags() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("issuer.toml"),
            "name = \"Example University\"\n[service]\nlisten = \"127.0.0.1:9401\"\nanchor_interval_seconds = 5\n",
        )
        .unwrap();
        let flags = SettingsFlags {
            public_url: Some("https://uni.example".into()),
            ..SettingsFlags::default()
        };
        let sources = Sources {
            environment: vec![("SIGIL_ANCHOR_INTERVAL_SECONDS".into(), "9".into())],
            flags: toml::Table::try_from(&flags).unwrap(),
            ..Sources::file_only(dir.path())
        };
        let settings: ServiceSettings = load(&sources).unwrap();
        assert_eq!(settings.listen, "127.0.0.1:9401");
        assert_eq!(settings.anchor_interval_seconds, 9);
        assert_eq!(settings.public_url(), "https://uni.example");
        assert_eq!(
            settings.offer_lifetime_hours,
            ServiceSettings::default().offer_lifetime_hours
        );
    }

    #[test]
    fn serving_tls_makes_the_default_public_url_https_and_needs_both_files() {
        let plain = ServiceSettings::default();
        assert_eq!(plain.public_url(), "http://127.0.0.1:7401");
        assert_eq!(plain.tls_files(Path::new("/data")).unwrap(), None);

        let tls = ServiceSettings {
            tls_certificate: Some("chain.pem".into()),
            tls_key: Some("/etc/sigil/key.pem".into()),
            ..ServiceSettings::default()
        };
        assert_eq!(tls.public_url(), "https://127.0.0.1:7401");
        let files = tls.tls_files(Path::new("/data")).unwrap().unwrap();
        assert_eq!(files.certificate, Path::new("/data/chain.pem"));
        assert_eq!(files.key, Path::new("/etc/sigil/key.pem"));

        let half = ServiceSettings { tls_key: None, ..tls };
        let error = half.tls_files(Path::new("/data")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("tls_certificate is set but tls_key is not"),
            "{error}"
        );
    }
}
