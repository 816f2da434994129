//! The registry's configuration, layered: built-in defaults, then a TOML file
//! (`--config FILE`, or `registry.toml` in the data directory when present), then `SIGIL_*`
//! environment variables and command-line flags, each overriding what came before.
//!
//! ```toml
//! listen = "127.0.0.1:7400"
//! block_interval_ms = 200
//! block_max_transactions = 500
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::node::BlockPolicy;

/// The default address: loopback, port 7400 (docs/design.md §1).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7400";

/// What a configuration file may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub listen: Option<SocketAddr>,
    pub block_interval_ms: Option<u64>,
    pub block_max_transactions: Option<usize>,
}

/// Values given on the command line or in the environment (clap reads both).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub block_interval_ms: Option<u64>,
    pub block_max_transactions: Option<usize>,
}

/// The registry's settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub policy: BlockPolicy,
}

impl Config {
    /// Layers defaults, the file and the overrides.
    pub fn load(data_dir: &Path, overrides: &Overrides) -> anyhow::Result<Config> {
        let default_file = data_dir.join("registry.toml");
        let file = match &overrides.config {
            Some(path) => read(path)?,
            None if default_file.exists() => read(&default_file)?,
            None => ConfigFile::default(),
        };
        let defaults = BlockPolicy::default();
        let listen = match overrides.listen.or(file.listen) {
            Some(listen) => listen,
            None => DEFAULT_LISTEN.parse()?,
        };
        let interval_ms = overrides
            .block_interval_ms
            .or(file.block_interval_ms)
            .map_or(defaults.interval, Duration::from_millis);
        let max_transactions = overrides
            .block_max_transactions
            .or(file.block_max_transactions)
            .unwrap_or(defaults.max_transactions);
        if interval_ms.is_zero() || max_transactions == 0 {
            anyhow::bail!("block_interval_ms and block_max_transactions must be at least 1");
        }
        Ok(Config {
            listen,
            policy: BlockPolicy {
                interval: interval_ms,
                max_transactions,
            },
        })
    }
}

fn read(path: &Path) -> anyhow::Result<ConfigFile> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_and_flags_override_the_file_which_overrides_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("registry.toml"),
            "listen = \"127.0.0.1:9000\"\nblock_interval_ms = 50\n",
        )
        .unwrap();
        let from_file = Config::load(dir.path(), &Overrides::default()).unwrap();
        assert_eq!(from_file.listen.port(), 9000);
        assert_eq!(from_file.policy.interval, Duration::from_millis(50));
        assert_eq!(
            from_file.policy.max_transactions,
            BlockPolicy::default().max_transactions
        );

        let overrides = Overrides {
            listen: Some("127.0.0.1:9001".parse().unwrap()),
            ..Overrides::default()
        };
        assert_eq!(Config::load(dir.path(), &overrides).unwrap().listen.port(), 9001);
    }

    #[test]
    fn an_unknown_setting_is_an_error_not_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("custom.toml");
        std::fs::write(&path, "block_intervall_ms = 50\n").unwrap();
        let overrides = Overrides {
            config: Some(path),
            ..Overrides::default()
        };
        assert!(Config::load(dir.path(), &overrides).is_err());
    }
}
