//! Schema migrations, run at start-up. Each migration is frozen once released; a change of
//! schema is a new migration, in its own timestamped file under `migration/` (its name is
//! the file's). The first one, below, is named `migration` after this file and stays here.
//! Written as plain SQLite DDL so that what a migration does never changes when the entities
//! do.

use sea_orm_migration::prelude::*;

mod m20261201_000001_offers_and_issued_credentials;
mod m20261201_000002_issued_signer;
mod m20261203_000003_nonces_in_memory;

use m20261201_000001_offers_and_issued_credentials::OffersAndIssuedCredentials;
use m20261201_000002_issued_signer::IssuedSigner;
use m20261203_000003_nonces_in_memory::NoncesInMemory;

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateIssuer),
            Box::new(OffersAndIssuedCredentials),
            Box::new(IssuedSigner),
            Box::new(NoncesInMemory),
        ]
    }
}

/// The first schema: credentials and their offers, nonces, status lists, anchors, registrar
/// accounts and sessions, API tokens and the audit log.
#[derive(DeriveMigrationName)]
struct CreateIssuer;

const CREATE_ISSUER: &str = r#"
CREATE TABLE credentials (
    id TEXT NOT NULL PRIMARY KEY,
    type_name TEXT NOT NULL,
    format TEXT NOT NULL,
    summary TEXT NOT NULL,
    claims TEXT,
    subject TEXT,
    status TEXT NOT NULL,
    status_list INTEGER NOT NULL,
    status_index BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    batch TEXT,
    issued_at BIGINT,
    credential_hash TEXT,
    anchor_root TEXT,
    code_hash TEXT NOT NULL UNIQUE,
    tx_code_hash TEXT NOT NULL,
    offer_expires_at BIGINT NOT NULL,
    failed_tx_codes INTEGER NOT NULL,
    code_used BOOLEAN NOT NULL,
    access_token_hash TEXT UNIQUE,
    token_expires_at BIGINT,
    UNIQUE (status_list, status_index)
);
CREATE INDEX credentials_by_creation ON credentials (created_at);
CREATE INDEX credentials_to_anchor ON credentials (credential_hash, anchor_root);
CREATE TABLE nonces (nonce TEXT NOT NULL PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE TABLE status_lists (
    id TEXT NOT NULL PRIMARY KEY,
    number INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    credential TEXT NOT NULL,
    valid_from BIGINT NOT NULL,
    receipt TEXT,
    UNIQUE (number, purpose)
);
CREATE TABLE anchors (
    merkle_root TEXT NOT NULL PRIMARY KEY,
    size INTEGER NOT NULL,
    block_height BIGINT NOT NULL,
    anchored_at BIGINT NOT NULL
);
CREATE TABLE registrars (
    username TEXT NOT NULL PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    id_hash TEXT NOT NULL PRIMARY KEY,
    username TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE api_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
"#;

// async_trait's signature elides SchemaManager's lifetime; naming it breaks the impl.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateIssuer {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(CREATE_ISSUER)
            .await
            .map(|_| ())
    }
}
