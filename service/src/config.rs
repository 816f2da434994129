//! Service settings, layered the same way for all four services: built-in defaults, then a
//! TOML file (`--config FILE`, else `<service>.toml` in the data directory when present), then
//! `SIGIL_*` environment variables, then command-line flags — each overriding the one before.
//!
//! A setting has one name everywhere: the TOML key `block_interval_ms` is the variable
//! `SIGIL_BLOCK_INTERVAL_MS` and the flag `--block-interval-ms`. Every layer is checked on its
//! own before it is merged, so an error names the key and where it came from
//! (`registry.toml: unknown key "block_intervall_ms"`, `SIGIL_LISTEN: invalid socket address`).
//!
//! Why a small helper over serde and `toml` rather than `figment`: the settings are a flat table
//! per service, and the workspace already uses `toml` 1; `figment`'s TOML provider would bring
//! a second `toml` and its own parser stack for what is ~150 lines here, and its environment
//! provider reads the process environment itself, where Sigil's libraries take what `main`
//! hands them (so tests pass variables without touching the process).
//!
//! Where the settings sit in the file: `registry.toml` holds only settings, at the top level.
//! `issuer.toml`, `verifier.toml` and `wallet.toml` are written by `init` (or the verifier's
//! first start) and hold more — names, DIDs, the registry, policies — so there the settings
//! are their `[service]` table ([`Settings::SECTION`]); the rest of those files is read by the
//! service as before.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The prefix of every settings variable.
pub const ENV_PREFIX: &str = "SIGIL_";

/// A service's settings: flat, every field with a default.
///
/// Implementations derive `Serialize` and `Deserialize` with `#[serde(default,
/// deny_unknown_fields)]`, so that any one key can be read on its own.
pub trait Settings: Serialize + DeserializeOwned + Default {
    /// The service's name: its file is `<SERVICE>.toml` in the data directory.
    const SERVICE: &'static str;
    /// The table of that file holding the settings, or `None` for the top level.
    const SECTION: Option<&'static str>;
    /// Every key, as in the file; the variable is `SIGIL_` + the key in capitals.
    const KEYS: &'static [&'static str];
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read or is not TOML.
    #[error("{path}: {reason}")]
    File { path: PathBuf, reason: String },
    /// A layer names a setting the service does not have.
    #[error("{layer}: unknown key {key:?} (known: {known})")]
    UnknownKey {
        layer: String,
        key: String,
        known: String,
    },
    /// A setting's value is not one the service can use.
    #[error("{layer}: {key}: {reason}")]
    BadValue {
        layer: String,
        key: String,
        reason: String,
    },
}

/// Where the layers come from; [`load`] merges them.
#[derive(Debug)]
pub struct Sources<'a> {
    /// The data directory, where `<service>.toml` is looked for.
    pub data_dir: &'a Path,
    /// `--config FILE`: read instead of `<service>.toml`.
    pub file: Option<&'a Path>,
    /// The process's environment (`main` passes `std::env::vars()`); only `SIGIL_` + a known
    /// key is read.
    pub environment: Vec<(String, String)>,
    /// The flags given on the command line (flags left out are not in the table).
    pub flags: toml::Table,
}

impl<'a> Sources<'a> {
    /// Only the file of `data_dir`: no variables, no flags (tests add theirs to this).
    pub fn file_only(data_dir: &'a Path) -> Self {
        Sources {
            data_dir,
            file: None,
            environment: Vec::new(),
            flags: toml::Table::new(),
        }
    }

    /// Sources for `data_dir` with the process's environment and the given flags, which
    /// serialise to a table leaving out the flags not given (`Option::None`).
    pub fn new(
        data_dir: &'a Path,
        file: Option<&'a Path>,
        flags: &impl Serialize,
    ) -> Result<Self, ConfigError> {
        let flags = toml::Table::try_from(flags).map_err(|e| ConfigError::BadValue {
            layer: "command line".into(),
            key: "flags".into(),
            reason: e.to_string(),
        })?;
        Ok(Sources {
            data_dir,
            file,
            environment: std::env::vars().collect(),
            flags,
        })
    }
}

/// The settings: defaults, overridden by the file, then the environment, then the flags.
pub fn load<S: Settings>(sources: &Sources<'_>) -> Result<S, ConfigError> {
    let mut merged = toml::Table::try_from(S::default()).map_err(|e| ConfigError::BadValue {
        layer: "defaults".into(),
        key: S::SERVICE.into(),
        reason: e.to_string(),
    })?;
    let layers = [
        file_layer::<S>(sources)?,
        environment_layer::<S>(&sources.environment),
        ("command line".to_owned(), sources.flags.clone()),
    ];
    for (layer, table) in layers {
        for (key, value) in table {
            check_one::<S>(&layer, &key, &value)?;
            merged.insert(key, value);
        }
    }
    merged
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::BadValue {
            layer: "settings".into(),
            key: S::SERVICE.into(),
            reason: e.message().to_owned(),
        })
}

/// The file's settings table, named by its path; empty when there is no file.
fn file_layer<S: Settings>(sources: &Sources<'_>) -> Result<(String, toml::Table), ConfigError> {
    let default_path = sources.data_dir.join(format!("{}.toml", S::SERVICE));
    let path = match sources.file {
        Some(path) => path,
        None if default_path.exists() => &default_path,
        None => return Ok((String::new(), toml::Table::new())),
    };
    let unreadable = |reason: String| ConfigError::File {
        path: path.to_owned(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
    let mut file: toml::Table = toml::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
    let table = match S::SECTION {
        None => file,
        Some(section) => match file.remove(section) {
            None => toml::Table::new(),
            Some(toml::Value::Table(table)) => table,
            Some(_) => return Err(unreadable(format!("{section} must be a table"))),
        },
    };
    let source = match S::SECTION {
        None => path.display().to_string(),
        Some(section) => format!("{} [{section}]", path.display()),
    };
    Ok((source, table))
}

/// `SIGIL_<KEY>` for each known key that is set. A value is read as TOML when it is one
/// (`50`, `true`, `["a.json"]`), else as a string (`127.0.0.1:7400`).
fn environment_layer<S: Settings>(environment: &[(String, String)]) -> (String, toml::Table) {
    let mut table = toml::Table::new();
    let mut names = Vec::new();
    for (name, raw) in environment {
        let Some(key) = name.strip_prefix(ENV_PREFIX).map(str::to_lowercase) else {
            continue;
        };
        if S::KEYS.contains(&key.as_str()) {
            table.insert(key, toml_value(raw));
            names.push(name.as_str());
        }
    }
    (names.join(", "), table)
}

fn toml_value(raw: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("value = {raw}")) {
        Ok(mut parsed) => parsed
            .remove("value")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

/// Refuses a key the service does not have, or a value it cannot use, naming both.
fn check_one<S: Settings>(layer: &str, key: &str, value: &toml::Value) -> Result<(), ConfigError> {
    let layer = match layer {
        "" => "settings".to_owned(),
        layer if layer.starts_with(ENV_PREFIX) => format!("{ENV_PREFIX}{}", key.to_uppercase()),
        layer => layer.to_owned(),
    };
    if !S::KEYS.contains(&key) {
        return Err(ConfigError::UnknownKey {
            layer,
            key: key.to_owned(),
            known: S::KEYS.join(", "),
        });
    }
    let mut alone = toml::Table::new();
    alone.insert(key.to_owned(), value.clone());
    alone
        .try_into::<S>()
        .map(drop)
        .map_err(|e: toml::de::Error| ConfigError::BadValue {
            layer,
            key: key.to_owned(),
            reason: e.message().to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Example {
        listen: SocketAddr,
        interval_ms: u64,
        public_url: Option<String>,
        files: Vec<String>,
    }

    impl Default for Example {
        fn default() -> Self {
            Example {
                listen: SocketAddr::from(([127, 0, 0, 1], 7400)),
                interval_ms: 200,
                public_url: None,
                files: Vec::new(),
            }
        }
    }

    impl Settings for Example {
        const SERVICE: &'static str = "example";
        const SECTION: Option<&'static str> = None;
        const KEYS: &'static [&'static str] = &["listen", "interval_ms", "public_url", "files"];
    }

    /// An example whose settings are the `[service]` table of a larger file.
    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Sectioned {
        listen: String,
    }

    impl Settings for Sectioned {
        const SERVICE: &'static str = "sectioned";
        const SECTION: Option<&'static str> = Some("service");
        const KEYS: &'static [&'static str] = &["listen"];
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn flags(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn each_layer_overrides_the_one_before() {
        let dir = tempfile::tempdir().unwrap();
        let mut sources = Sources::file_only(dir.path());
        assert_eq!(load::<Example>(&sources).unwrap(), Example::default());

        std::fs::write(
            dir.path().join("example.toml"),
            "listen = \"127.0.0.1:9000\"\ninterval_ms = 50\npublic_url = \"https://file\"\n",
        )
        .unwrap();
        let from_file = load::<Example>(&sources).unwrap();
        assert_eq!(from_file.listen.port(), 9000);
        assert_eq!(from_file.interval_ms, 50);

        sources.environment = env(&[
            ("SIGIL_LISTEN", "127.0.0.1:9001"),
            ("SIGIL_INTERVAL_MS", "60"),
            ("SIGIL_FILES", "[\"extra.json\"]"),
            ("SIGIL_PASSPHRASE", "not a setting, so not read"),
            ("HOME", "/elsewhere"),
        ]);
        let from_env = load::<Example>(&sources).unwrap();
        assert_eq!(from_env.listen.port(), 9001);
        assert_eq!(from_env.interval_ms, 60);
        assert_eq!(from_env.files, vec!["extra.json".to_owned()]);
        assert_eq!(from_env.public_url.as_deref(), Some("https://file"));

        sources.flags = flags("listen = \"127.0.0.1:9002\"");
        let from_flags = load::<Example>(&sources).unwrap();
        assert_eq!(from_flags.listen.port(), 9002);
        assert_eq!(from_flags.interval_ms, 60);
    }

    #[test]
    fn a_config_file_given_replaces_the_one_in_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("example.toml"), "interval_ms = 50\n").unwrap();
        let other = dir.path().join("other.toml");
        std::fs::write(&other, "listen = \"127.0.0.1:9100\"\n").unwrap();
        let sources = Sources {
            file: Some(&other),
            ..Sources::file_only(dir.path())
        };
        let settings = load::<Example>(&sources).unwrap();
        assert_eq!(settings.listen.port(), 9100);
        assert_eq!(settings.interval_ms, 200);
    }

    #[test]
    fn an_unknown_key_in_the_file_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("example.toml"), "interval_msx = 50\n").unwrap();
        let sources = Sources::file_only(dir.path());
        let error = load::<Example>(&sources).unwrap_err();
        assert!(matches!(&error, ConfigError::UnknownKey { key, .. } if key == "interval_msx"));
        assert!(error.to_string().contains("example.toml"), "{error}");
    }

    #[test]
    fn a_bad_value_is_named_with_where_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("example.toml"), "interval_ms = \"soon\"\n").unwrap();
        let mut sources = Sources::file_only(dir.path());
        let error = load::<Example>(&sources).unwrap_err();
        assert!(matches!(&error, ConfigError::BadValue { key, .. } if key == "interval_ms"));
        assert!(error.to_string().contains("example.toml"), "{error}");

        std::fs::write(dir.path().join("example.toml"), "").unwrap();
        sources.environment = env(&[("SIGIL_LISTEN", "port nine thousand")]);
        let error = load::<Example>(&sources).unwrap_err();
        assert!(matches!(&error, ConfigError::BadValue { key, .. } if key == "listen"));
        assert!(error.to_string().starts_with("SIGIL_LISTEN: listen:"), "{error}");
    }

    #[test]
    fn settings_in_a_section_leave_the_rest_of_the_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("sectioned.toml"),
            "name = \"Example University\"\n[service]\nlisten = \"127.0.0.1:7401\"\n",
        )
        .unwrap();
        let sources = Sources::file_only(dir.path());
        assert_eq!(load::<Sectioned>(&sources).unwrap().listen, "127.0.0.1:7401");

        std::fs::write(
            dir.path().join("sectioned.toml"),
            "[service]\nlisten = \"127.0.0.1:7401\"\nlisen = \"typo\"\n",
        )
        .unwrap();
        let error = load::<Sectioned>(&sources).unwrap_err();
        assert!(
            error.to_string().contains("[service]: unknown key \"lisen\""),
            "{error}"
        );
    }
}
