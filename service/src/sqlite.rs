//! Opening a service's SQLite database the one way all four services do: created if missing,
//! write-ahead log, `synchronous = FULL` (a committed write survives a power cut), a busy
//! timeout so concurrent writers wait instead of failing, and a bounded pool. The database and
//! its directory are the service's alone (`0600`, `0700`; SQLite gives its `-wal` and `-shm`
//! files the database's permissions). Each store runs its own migrations on the connection it
//! gets back.

use std::path::Path;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// How long a connection waits for a lock held by another writer.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a caller waits for a free connection from the pool.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens (creating if needed) the database at `path` with at most `connections` connections.
pub async fn open(path: &Path, connections: u32) -> Result<DatabaseConnection, DbErr> {
    let private = |e: std::io::Error| DbErr::Custom(format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        crate::files::private_dir(dir).map_err(private)?;
    }
    crate::files::private_file(path).map_err(private)?;
    connect(&format!("sqlite://{}?mode=rwc", path.display()), connections).await
}

/// A private in-memory database, for tests. It has one connection: an in-memory database
/// must not be split across connections, each of which would see its own empty one.
pub async fn in_memory() -> Result<DatabaseConnection, DbErr> {
    connect("sqlite::memory:", 1).await
}

async fn connect(url: &str, connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(connections.max(1))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(BUSY_TIMEOUT)
        });
    Database::connect(options).await
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait as _, Statement};

    use super::*;

    #[tokio::test]
    async fn a_missing_database_is_created_in_write_ahead_log_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("service.db");
        let db = open(&path, 2).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "PRAGMA journal_mode",
            ))
            .await
            .unwrap()
            .unwrap();
        let mode: String = row.try_get_by_index(0).unwrap();
        assert_eq!(mode, "wal");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600, "the database is the service's alone");
            assert_eq!(mode(dir.path()), 0o700, "and so is its directory");
            db.execute_unprepared("CREATE TABLE t (x INTEGER)").await.unwrap();
            let wal = path.with_extension("db-wal");
            assert_eq!(mode(&wal), 0o600, "the write-ahead log takes the database's mode");
        }
    }
}
