//! Records which identity signed an issued credential: `profile_did` is the `did:key` of the
//! issuer profile it was signed as (`crate::profiles`), NULL for the institution's own
//! `did:sigil` — which every credential issued before profiles existed was signed as.
//! Frozen once released, like every migration.

use sea_orm_migration::prelude::*;

/// The migration; its name is this file's.
#[derive(DeriveMigrationName)]
pub(super) struct IssuedSigner;

// async_trait's signature elides SchemaManager's lifetime; naming it breaks the impl.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for IssuedSigner {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE issued_credentials ADD COLUMN profile_did TEXT;")
            .await
            .map(|_| ())
    }
}
