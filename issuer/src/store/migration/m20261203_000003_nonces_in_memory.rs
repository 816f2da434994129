//! Drops the `nonces` table: the nonce endpoint's nonces carry their own expiry under a MAC
//! (`crate::nonces`), and the ones spent are kept in memory until they expire. A nonce handed
//! out before this migration was only good for five minutes and is refused afterwards, like
//! any nonce from before a restart. Frozen once released, like every migration.

use sea_orm_migration::prelude::*;

/// The migration; its name is this file's.
#[derive(DeriveMigrationName)]
pub(super) struct NoncesInMemory;

// async_trait's signature elides SchemaManager's lifetime; naming it breaks the impl.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for NoncesInMemory {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE nonces;")
            .await
            .map(|_| ())
    }
}
