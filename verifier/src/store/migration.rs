//! Schema migrations, run at start-up; each frozen once released, in plain SQLite DDL.

use sea_orm_migration::prelude::*;

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateRequests),
            Box::new(AddResponseCode),
            Box::new(IndexExpiry),
        ]
    }
}

#[derive(DeriveMigrationName)]
struct CreateRequests;

const CREATE_REQUESTS: &str = r#"
CREATE TABLE requests (
    id TEXT NOT NULL PRIMARY KEY,
    policy TEXT NOT NULL,
    nonce TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    dcql TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    answered_at BIGINT
);
"#;

// async_trait's signature elides SchemaManager's lifetime; naming it breaks the impl.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateRequests {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(CREATE_REQUESTS)
            .await
            .map(|_| ())
    }
}

/// The same-device flow (OpenID4VP 1.0 §8.2): the digest of the `response_code` the verifier
/// hands the wallet with its `redirect_uri`, which the result page then asks for.
struct AddResponseCode;

// Named by hand: a derived name is the module's, which the first migration already has.
impl MigrationName for AddResponseCode {
    fn name(&self) -> &str {
        "m20261201_000001_add_response_code"
    }
}

const ADD_RESPONSE_CODE: &str = "ALTER TABLE requests ADD COLUMN response_code TEXT;";

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for AddResponseCode {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(ADD_RESPONSE_CODE)
            .await
            .map(|_| ())
    }
}

/// Opening a request purges those past retention and counts the open ones; without an index
/// on expiry both read every row kept — a day of requests, each with its result — on every
/// request opened.
struct IndexExpiry;

impl MigrationName for IndexExpiry {
    fn name(&self) -> &str {
        "m20261203_000001_index_expiry"
    }
}

const INDEX_EXPIRY: &str = r#"
CREATE INDEX requests_by_expiry ON requests (expires_at);
CREATE INDEX requests_open_by_expiry ON requests (status, expires_at);
"#;

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for IndexExpiry {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(INDEX_EXPIRY)
            .await
            .map(|_| ())
    }
}
