//! The registry's settings, layered by `sigil_service::config`: built-in defaults, then
//! `registry.toml` in the data directory (or `--config FILE`), then `SIGIL_*` variables, then
//! flags. The file holds only settings:
//!
//! ```toml
//! listen = "127.0.0.1:7400"
//! block_interval_ms = 200
//! block_max_transactions = 500
//! # HTTPS without a proxy: both or neither (relative paths are in the data directory)
//! tls_certificate = "/etc/sigil/registry-chain.pem"
//! tls_key = "/etc/sigil/registry-key.pem"
//! # PostgreSQL instead of DATA_DIR/registry.db (the password: PGPASSWORD or ~/.pgpass)
//! database = "postgres://sigil@db.internal/registry"
//! # One node of several (docs/consensus.md): every validator's node, in genesis order
//! peers = ["https://registry.ministry.example", "https://registry.uni-a.example", "https://registry.uni-b.example"]
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sigil_service::config::{self, Sources};
use sigil_service::tls::TlsFiles;

use crate::consensus::Peer;
use crate::node::BlockPolicy;
use crate::store::Database;

/// The default address: loopback, port 7400 (docs/design.md §1).
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 7400);

/// Transactions a client address may submit a minute by default: an issuer publishing and
/// anchoring as it works stays far below; a flood from one address does not.
pub const DEFAULT_WRITES_PER_MINUTE: u32 = 600;

/// What `registry.toml`, `SIGIL_*` and the flags of `serve` may set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the API and the explorer listen.
    pub listen: SocketAddr,
    /// Longest a submission waits for its block, in milliseconds.
    pub block_interval_ms: u64,
    /// Most transactions in one block.
    pub block_max_transactions: usize,
    /// Transactions one client address may submit a minute (0: no limit). Every submission
    /// is verified and, once in a block, kept forever: this bounds what one stranger costs.
    pub writes_per_minute: u32,
    /// HTTPS without a proxy: the PEM certificate chain (the server's certificate first),
    /// with `tls_key`; unset, the registry speaks plain HTTP.
    pub tls_certificate: Option<PathBuf>,
    /// The PEM private key of `tls_certificate`, readable by its owner only.
    pub tls_key: Option<PathBuf>,
    /// Where blocks and transactions are kept: a `postgres://` URL, or an SQLite file (a path
    /// or `sqlite:` URL, relative to the data directory); unset, `registry.db` in the data
    /// directory.
    pub database: Option<String>,
    /// The base URLs of the nodes of every validator genesis names, in genesis order, this
    /// node's own among them; empty when this node is the whole chain.
    pub peers: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        let policy = BlockPolicy::default();
        Settings {
            listen: DEFAULT_LISTEN,
            block_interval_ms: u64::try_from(policy.interval.as_millis()).unwrap_or(u64::MAX),
            block_max_transactions: policy.max_transactions,
            writes_per_minute: DEFAULT_WRITES_PER_MINUTE,
            tls_certificate: None,
            tls_key: None,
            database: None,
            peers: Vec::new(),
        }
    }
}

impl config::Settings for Settings {
    const SERVICE: &'static str = "registry";
    const SECTION: Option<&'static str> = None;
    const KEYS: &'static [&'static str] = &[
        "listen",
        "block_interval_ms",
        "block_max_transactions",
        "writes_per_minute",
        "tls_certificate",
        "tls_key",
        "database",
        "peers",
    ];
}

/// The flags of `serve` that override the settings (one per key; those not given are left out).
#[derive(Debug, Default, Clone, clap::Args, Serialize)]
pub struct SettingsFlags {
    /// Address to listen on [default 127.0.0.1:7400].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// Longest a submission waits for its block, in milliseconds [default 200].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_interval_ms: Option<u64>,
    /// Most transactions per block [default 500].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_max_transactions: Option<usize>,
    /// Transactions one client address may submit a minute, 0 for no limit [default 600].
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
    /// Keep the chain in this PostgreSQL database (postgres://…) or SQLite file [default:
    /// registry.db in the data directory].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// The nodes of every validator, in genesis order, comma-separated [default: this node
    /// is the whole chain].
    #[arg(long, value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peers: Option<Vec<String>>,
}

/// The registry's effective settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub policy: BlockPolicy,
    pub writes_per_minute: u32,
    /// The certificate and key to serve HTTPS with; `None` for plain HTTP.
    pub tls: Option<TlsFiles>,
    /// Where blocks and transactions are kept.
    pub database: Database,
    /// The nodes of the chain, in genesis order; empty when this node is the whole chain.
    pub peers: Vec<Peer>,
}

impl Config {
    /// Layers the defaults, the file, the environment and the flags.
    pub fn load(sources: &Sources<'_>) -> anyhow::Result<Config> {
        let settings: Settings = config::load(sources)?;
        if settings.block_interval_ms == 0 || settings.block_max_transactions == 0 {
            anyhow::bail!("block_interval_ms and block_max_transactions must be at least 1");
        }
        let tls = TlsFiles::from_settings(
            sources.data_dir,
            settings.tls_certificate.as_deref(),
            settings.tls_key.as_deref(),
        )?;
        let database = match settings.database.as_deref() {
            Some(value) => Database::parse(value)?.relative_to(sources.data_dir),
            None => Database::Sqlite(crate::service::DataDir(sources.data_dir.to_owned()).database()),
        };
        let peers = settings
            .peers
            .iter()
            .map(|url| match url::Url::parse(url) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(Peer { url: url.clone() }),
                _ => Err(anyhow::anyhow!("peers: {url:?} is not an http(s) URL")),
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Config {
            tls,
            database,
            peers,
            listen: settings.listen,
            writes_per_minute: settings.writes_per_minute,
            policy: BlockPolicy {
                interval: Duration::from_millis(settings.block_interval_ms),
                max_transactions: settings.block_max_transactions,
                ..BlockPolicy::default()
            },
        })
    }

    /// Layers the settings for a registry in `data_dir`, with the process's environment.
    pub fn for_data_dir(
        data_dir: &Path,
        file: Option<&Path>,
        flags: &SettingsFlags,
    ) -> anyhow::Result<Config> {
        Self::load(&Sources::new(data_dir, file, flags)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources<'a>(data_dir: &'a Path, flags: &SettingsFlags) -> Sources<'a> {
        Sources {
            environment: vec![("SIGIL_BLOCK_MAX_TRANSACTIONS".into(), "7".into())],
            flags: toml::Table::try_from(flags).unwrap(),
            ..Sources::file_only(data_dir)
        }
    }

    #[test]
    fn registry_toml_the_environment_and_flags_each_override_the_one_before() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("registry.toml"),
            "listen = \"127.0.0.1:9000\"\nblock_interval_ms = 50\nblock_max_transactions = 3\n",
        )
        .unwrap();
        let config = Config::load(&sources(dir.path(), &SettingsFlags::default())).unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.policy.interval, Duration::from_millis(50));
        assert_eq!(config.policy.max_transactions, 7);

        let flags = SettingsFlags {
            listen: Some("127.0.0.1:9001".parse().unwrap()),
            ..SettingsFlags::default()
        };
        assert_eq!(
            Config::load(&sources(dir.path(), &flags)).unwrap().listen.port(),
            9001
        );
    }

    #[test]
    fn the_defaults_are_the_node_s_block_policy() {
        let dir = tempfile::tempdir().unwrap();
        let mut sources = sources(dir.path(), &SettingsFlags::default());
        sources.environment.clear();
        let config = Config::load(&sources).unwrap();
        assert_eq!(config.listen, DEFAULT_LISTEN);
        assert_eq!(config.policy.interval, BlockPolicy::default().interval);
        assert_eq!(
            config.policy.max_transactions,
            BlockPolicy::default().max_transactions
        );
    }

    #[test]
    fn tls_needs_both_files_and_reads_them_from_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Config::load(&sources(dir.path(), &SettingsFlags::default()))
                .unwrap()
                .tls,
            None
        );

        std::fs::write(
            dir.path().join("registry.toml"),
            "tls_certificate = \"chain.pem\"\ntls_key = \"/etc/sigil/key.pem\"\n",
        )
        .unwrap();
        let tls = Config::load(&sources(dir.path(), &SettingsFlags::default()))
            .unwrap()
            .tls
            .unwrap();
        assert_eq!(tls.certificate, dir.path().join("chain.pem"));
        assert_eq!(tls.key, Path::new("/etc/sigil/key.pem"));

        std::fs::write(dir.path().join("registry.toml"), "tls_key = \"key.pem\"\n").unwrap();
        let error = Config::load(&sources(dir.path(), &SettingsFlags::default())).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("tls_key is set but tls_certificate is not"),
            "{error}"
        );
    }

    #[test]
    fn the_database_is_registry_db_unless_a_postgresql_url_or_another_file_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let load = |sources: &Sources<'_>| Config::load(sources).unwrap().database;
        let mut from_env = sources(dir.path(), &SettingsFlags::default());
        assert_eq!(load(&from_env), Database::Sqlite(dir.path().join("registry.db")));

        let url = "postgres://sigil@db.internal:5432/registry?sslmode=require";
        from_env.environment.push(("SIGIL_DATABASE".into(), url.into()));
        assert_eq!(load(&from_env), Database::Postgres(url.into()));

        std::fs::write(dir.path().join("registry.toml"), "database = \"chain.db\"\n").unwrap();
        let flags = SettingsFlags {
            database: Some("sqlite:other.db".into()),
            ..SettingsFlags::default()
        };
        assert_eq!(
            load(&sources(dir.path(), &SettingsFlags::default())),
            Database::Sqlite(dir.path().join("chain.db"))
        );
        assert_eq!(
            load(&sources(dir.path(), &flags)),
            Database::Sqlite(dir.path().join("other.db"))
        );

        std::fs::write(
            dir.path().join("registry.toml"),
            "database = \"mysql://db/registry\"\n",
        )
        .unwrap();
        let error = Config::load(&sources(dir.path(), &SettingsFlags::default())).unwrap_err();
        assert!(
            error.to_string().contains("unsupported database \"mysql\""),
            "{error}"
        );
    }

    #[test]
    fn an_empty_block_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let flags = SettingsFlags {
            block_interval_ms: Some(0),
            ..SettingsFlags::default()
        };
        assert!(Config::load(&sources(dir.path(), &flags)).is_err());
    }

    #[test]
    fn peers_come_from_the_file_or_a_comma_separated_flag_and_must_be_http_urls() {
        let dir = tempfile::tempdir().unwrap();
        let load = |flags: &SettingsFlags| Config::load(&sources(dir.path(), flags));
        assert!(load(&SettingsFlags::default()).unwrap().peers.is_empty());
        std::fs::write(
            dir.path().join("registry.toml"),
            "peers = [\"http://a.example:7400\", \"https://b.example\"]\n",
        )
        .unwrap();
        let urls = |config: Config| config.peers.into_iter().map(|p| p.url).collect::<Vec<_>>();
        assert_eq!(
            urls(load(&SettingsFlags::default()).unwrap()),
            ["http://a.example:7400", "https://b.example"]
        );
        let flags = SettingsFlags {
            peers: Some(vec!["http://c.example".into()]),
            ..SettingsFlags::default()
        };
        assert_eq!(urls(load(&flags).unwrap()), ["http://c.example"]);
        let flags = SettingsFlags {
            peers: Some(vec!["c.example:7400".into()]),
            ..SettingsFlags::default()
        };
        let error = load(&flags).unwrap_err();
        assert!(error.to_string().contains("is not an http(s) URL"), "{error}");
    }
}
