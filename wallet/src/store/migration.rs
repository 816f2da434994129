//! Schema migrations, run when the wallet opens. Each is frozen once released; a change of
//! schema is a new migration, in plain SQLite DDL.

use sea_orm_migration::prelude::*;

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateWallet), Box::new(CreateVerifiers)]
    }
}

#[derive(DeriveMigrationName)]
struct CreateWallet;

const CREATE_WALLET: &str = r#"
CREATE TABLE credentials (
    id TEXT NOT NULL PRIMARY KEY,
    format TEXT NOT NULL,
    type_name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    issuer_name TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    valid_until BIGINT,
    sealed TEXT NOT NULL
);
CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    party TEXT NOT NULL,
    credential_id TEXT,
    sealed TEXT NOT NULL
);
"#;

// async_trait's signature elides SchemaManager's lifetime; naming it breaks the impl.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateWallet {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(CREATE_WALLET)
            .await
            .map(|_| ())
    }
}

/// The verifiers presented to (the consent screen says whether a verifier is new).
struct CreateVerifiers;

// Named by hand: the derived name is the file's, which `CreateWallet` already has.
impl MigrationName for CreateVerifiers {
    fn name(&self) -> &str {
        "m20261201_000001_create_verifiers"
    }
}

const CREATE_VERIFIERS: &str = r#"
CREATE TABLE verifiers (
    id TEXT NOT NULL PRIMARY KEY,
    sealed TEXT NOT NULL
);
"#;

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateVerifiers {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(CREATE_VERIFIERS)
            .await
            .map(|_| ())
    }
}
