//! The issuer's storage: SQLite through sea-orm, in `DATA_DIR/issuer.db`. The queries live
//! next to the tables they touch: [`offers`] (offers and the status positions they reserve),
//! [`issued`] (issued credentials, status, anchoring), [`credentials`] (both, as the registrar
//! searches them), [`accounts`] (registrars, sessions, API tokens), [`records`] (status
//! lists, anchors, audit log). Offers and credentials go in and come out as the
//! domain's types, never as rows.
//!
//! Reads go straight to the pool; every write goes through the database's one writer
//! ([`GroupCommit`]), so writes arriving together share one commit and none waits out
//! SQLite's busy handler.

pub mod accounts;
pub mod credentials;
pub mod entities;
pub mod issued;
mod migration;
pub mod offers;
pub mod records;

use std::path::Path;

use futures::future::BoxFuture;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use sea_orm_migration::MigratorTrait as _;
use sigil_service::group_commit::GroupCommit;

pub use sea_orm::DbErr;

/// The issuer's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    writer: GroupCommit,
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
        let writer = GroupCommit::start(db.clone());
        Ok(Store { db, writer })
    }

    /// Runs `work` in the writer's next transaction; its result once that is committed.
    /// `E` is [`DbErr`] or an error of the caller's that rolls the write back.
    async fn write<T, E, W>(&self, work: W) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbErr> + Send + 'static,
        W: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T, E>> + Send + 'static,
    {
        self.writer.write(work).await
    }
}
