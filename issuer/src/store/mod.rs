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

use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait as _;

pub use sea_orm::DbErr;

/// The issuer's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and runs the migrations.
    pub async fn open(path: &Path) -> Result<Store, DbErr> {
        Self::migrated(sigil_service::sqlite::open(path, 4).await?).await
    }

    /// A private in-memory database, for tests.
    pub async fn in_memory() -> Result<Store, DbErr> {
        Self::migrated(sigil_service::sqlite::in_memory().await?).await
    }

    async fn migrated(db: DatabaseConnection) -> Result<Store, DbErr> {
        migration::Migrator::up(&db, None).await?;
        Ok(Store { db })
    }
}
