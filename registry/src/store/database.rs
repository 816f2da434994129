//! Which database a store uses, read from the `database` setting: the embedded SQLite file
//! (the default) or a PostgreSQL server that consortium operators run themselves. Both hold
//! the same tables, made by the same migrations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::{ConnectOptions, DatabaseConnection, DbErr};

use super::StoreError;

/// Connections to a PostgreSQL server: one writer (the node) and a few readers (the API).
const POSTGRES_CONNECTIONS: u32 = 4;
/// How long a caller waits for a free connection, or for the server to answer at all.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the blocks and transactions are kept.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its `postgres://` URL; the URL may hold a password, so it is
    /// never shown whole.
    Postgres(String),
}

impl Database {
    /// Reads a `database` setting: a `postgres://` or `postgresql://` URL, a `sqlite:` path or
    /// URL (`sqlite:registry.db`, `sqlite:///var/lib/sigil/registry.db`), or a bare file path
    /// (SQLite). Any other scheme is refused.
    pub fn parse(value: &str) -> Result<Database, StoreError> {
        let value = value.trim();
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            // Checked here, so a mistyped URL stops the start with a clear message.
            url::Url::parse(value).map_err(|e| StoreError::BadUrl(format!("{e}")))?;
            return Ok(Database::Postgres(value.to_owned()));
        }
        if let Some(rest) = value.strip_prefix("sqlite:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            // sea-orm's connection options (`?mode=rwc`) are set by the store, not the setting.
            let path = rest.split_once('?').map_or(rest, |(path, _)| path);
            if path.is_empty() {
                return Err(StoreError::BadUrl("a sqlite: URL needs a file path".into()));
            }
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        if value.is_empty() {
            return Err(StoreError::BadUrl("the database setting is empty".into()));
        }
        if let Some((scheme, _)) = value.split_once("://") {
            return Err(StoreError::BadUrl(format!(
                "unsupported database {scheme:?}: use a postgres:// URL or an SQLite file"
            )));
        }
        Ok(Database::Sqlite(PathBuf::from(value)))
    }

    /// The same database, a relative SQLite path taken as relative to `dir` (the data
    /// directory).
    #[must_use]
    pub fn relative_to(self, dir: &Path) -> Database {
        match self {
            Database::Sqlite(path) if path.is_relative() => Database::Sqlite(dir.join(path)),
            other => other,
        }
    }

    /// Whether this is a PostgreSQL server.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Database::Postgres(_))
    }

    /// Opens a connection pool: SQLite the way every service opens it (write-ahead log,
    /// `synchronous = FULL`, one connection: the ledger has one writer), PostgreSQL with a
    /// small pool.
    pub(super) async fn connect(&self) -> Result<DatabaseConnection, DbErr> {
        match self {
            Database::Sqlite(path) => sigil_service::sqlite::open(path, 1).await,
            Database::Postgres(url) => {
                let mut options = ConnectOptions::new(url.clone());
                options
                    .max_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_timeout(ACQUIRE_TIMEOUT)
                    .sqlx_logging(false);
                sea_orm::Database::connect(options).await
            }
        }
    }
}

/// Shows the database with any password in a URL replaced by `***`.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "SQLite {}", path.display()),
            Database::Postgres(url) => match url::Url::parse(url) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        // Only fails for URLs that cannot have a password, which this one has.
                        let _ = parsed.set_password(Some("***"));
                    }
                    // The password may also be a query parameter.
                    if parsed.query_pairs().any(|(key, _)| key == "password") {
                        let pairs: Vec<(String, String)> = parsed
                            .query_pairs()
                            .map(|(key, value)| {
                                let value = if key == "password" { "***".into() } else { value };
                                (key.into_owned(), value.into_owned())
                            })
                            .collect();
                        parsed.query_pairs_mut().clear().extend_pairs(pairs);
                    }
                    write!(f, "PostgreSQL {parsed}")
                }
                Err(_) => f.write_str("PostgreSQL (an unreadable URL)"),
            },
        }
    }
}

/// As [`Display`](std::fmt::Display): the password is never shown.
impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Database({self})")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn postgres_urls_sqlite_urls_and_paths_are_told_apart() {
        for url in [
            "postgres://sigil@db.example/registry",
            "postgresql://sigil:secret@10.0.0.5:5432/registry?sslmode=require",
        ] {
            assert_eq!(Database::parse(url).unwrap(), Database::Postgres(url.into()));
        }
        for (value, path) in [
            ("sqlite:registry.db", "registry.db"),
            ("sqlite://registry.db?mode=rwc", "registry.db"),
            (
                "sqlite:///var/lib/sigil/registry.db",
                "/var/lib/sigil/registry.db",
            ),
            ("/var/lib/sigil/registry.db", "/var/lib/sigil/registry.db"),
            ("chain.db", "chain.db"),
        ] {
            assert_eq!(
                Database::parse(value).unwrap(),
                Database::Sqlite(path.into()),
                "{value}"
            );
        }
    }

    #[test]
    fn other_schemes_and_empty_values_are_refused() {
        for value in ["mysql://sigil@db/registry", "", "sqlite:", "postgres://[bad"] {
            assert!(
                matches!(Database::parse(value), Err(StoreError::BadUrl(_))),
                "{value}"
            );
        }
        let error = Database::parse("mysql://sigil@db/registry").unwrap_err();
        assert_eq!(
            error.to_string(),
            "database URL: unsupported database \"mysql\": use a postgres:// URL or an SQLite file"
        );
    }

    #[test]
    fn a_relative_sqlite_path_is_in_the_data_directory() {
        let dir = Path::new("/srv/registry");
        assert_eq!(
            Database::parse("chain.db").unwrap().relative_to(dir),
            Database::Sqlite(dir.join("chain.db"))
        );
        assert_eq!(
            Database::parse("/elsewhere/chain.db").unwrap().relative_to(dir),
            Database::Sqlite("/elsewhere/chain.db".into())
        );
        let postgres = Database::parse("postgres://db/registry").unwrap();
        assert_eq!(postgres.clone().relative_to(dir), postgres);
    }

    #[test]
    fn the_password_in_a_url_is_never_shown() {
        let database = Database::parse("postgres://sigil:hunter2@db.example/registry").unwrap();
        assert_eq!(
            database.to_string(),
            "PostgreSQL postgres://sigil:***@db.example/registry"
        );
        assert!(!format!("{database:?}").contains("hunter2"));
        let database =
            Database::parse("postgres://sigil@db.example/registry?password=hunter2&sslmode=require").unwrap();
        assert_eq!(
            database.to_string(),
            "PostgreSQL postgres://sigil@db.example/registry?password=***&sslmode=require"
        );
    }
}
