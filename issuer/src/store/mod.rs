//! The issuer's storage: SQLite through sea-orm, in `DATA_DIR/issuer.db`. The queries live
//! next to the tables they touch: [`offers`] (offers and the status positions they reserve),
//! [`issued`] (issued credentials, status, anchoring), [`credentials`] (both, as the registrar
//! searches them), [`accounts`] (registrars, sessions, API tokens), [`records`] (nonces,
//! status lists, anchors, audit log). Offers and credentials go in and come out as the
//! domain's types, never as rows.

pub mod accounts;
pub mod credentials;
pub mod entities;
pub mod issued;
mod migration;
pub mod offers;
pub mod records;

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait as _;
use sha2::{Digest as _, Sha256};

pub use sea_orm::DbErr;

/// The issuer's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and runs the migrations.
    pub async fn open(path: &Path) -> Result<Store, DbErr> {
        Self::connect(&format!("sqlite://{}?mode=rwc", path.display()), 4).await
    }

    /// A private in-memory database, for tests.
    pub async fn in_memory() -> Result<Store, DbErr> {
        // An in-memory database must not be split across connections.
        Self::connect("sqlite::memory:", 1).await
    }

    async fn connect(url: &str, connections: u32) -> Result<Store, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
            });
        let db = Database::connect(options).await?;
        migration::Migrator::up(&db, None).await?;
        Ok(Store { db })
    }
}

/// The digest under which a secret (code, PIN, token, session id) is stored: lowercase hex
/// SHA-256. The secrets are random and long, so no salt or stretching is needed; PINs are
/// short and are hashed together with their (long, random) pre-authorized code.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh 256-bit random secret, base64url.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
