//! Splits the one `credentials` table — an offer until issued, then an issued credential —
//! into `offers` and `issued_credentials`, with every status-list position ever given kept in
//! `status_positions` so that no position is given twice. Existing rows move over; then the
//! old table is dropped. Frozen once released, like every migration.

use sea_orm_migration::prelude::*;

/// The migration; its name is this file's.
#[derive(DeriveMigrationName)]
pub(super) struct OffersAndIssuedCredentials;

const SPLIT: &str = r#"
CREATE TABLE status_positions (
    status_list INTEGER NOT NULL,
    status_index BIGINT NOT NULL,
    credential_id TEXT NOT NULL,
    PRIMARY KEY (status_list, status_index)
);
CREATE TABLE offers (
    id TEXT NOT NULL PRIMARY KEY,
    type_name TEXT NOT NULL,
    format TEXT NOT NULL,
    summary TEXT NOT NULL,
    claims TEXT NOT NULL,
    status_list INTEGER NOT NULL,
    status_index BIGINT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    tx_code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    failed_tx_codes INTEGER NOT NULL,
    access_token_hash TEXT UNIQUE,
    token_expires_at BIGINT,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    batch TEXT,
    UNIQUE (status_list, status_index),
    FOREIGN KEY (status_list, status_index) REFERENCES status_positions (status_list, status_index)
);
CREATE INDEX offers_by_creation ON offers (created_at);
CREATE TABLE issued_credentials (
    id TEXT NOT NULL PRIMARY KEY,
    type_name TEXT NOT NULL,
    format TEXT NOT NULL,
    summary TEXT NOT NULL,
    subject TEXT,
    status TEXT NOT NULL,
    status_list INTEGER NOT NULL,
    status_index BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    batch TEXT,
    issued_at BIGINT NOT NULL,
    credential_hash TEXT NOT NULL,
    anchor_root TEXT,
    UNIQUE (status_list, status_index),
    FOREIGN KEY (status_list, status_index) REFERENCES status_positions (status_list, status_index)
);
CREATE INDEX issued_by_creation ON issued_credentials (created_at);
CREATE INDEX issued_to_anchor ON issued_credentials (anchor_root, issued_at);

-- Every position given so far stays given, whatever became of its credential.
INSERT INTO status_positions (status_list, status_index, credential_id)
SELECT status_list, status_index, id FROM credentials;

-- Issued: signed and handed out. A row marked issued without a hash was never handed out
-- (the VC API records the hash before it answers); only its position is kept.
INSERT INTO issued_credentials (id, type_name, format, summary, subject, status, status_list,
    status_index, created_at, created_by, batch, issued_at, credential_hash, anchor_root)
SELECT id, type_name, format, summary, subject, status, status_list, status_index, created_at,
    created_by, batch, issued_at, credential_hash, anchor_root
FROM credentials WHERE issued_at IS NOT NULL AND credential_hash IS NOT NULL;

-- Offers, with the state their columns implied: five wrong PINs locked an offer; a used code
-- with a live token waits for the credential request; a used code whose token is gone
-- without a credential can lead nowhere any more.
INSERT INTO offers (id, type_name, format, summary, claims, status_list, status_index,
    code_hash, tx_code_hash, expires_at, failed_tx_codes, access_token_hash, token_expires_at,
    state, version, created_at, created_by, batch)
SELECT id, type_name, format, summary, COALESCE(claims, '{}'), status_list, status_index,
    code_hash, tx_code_hash, offer_expires_at, failed_tx_codes, access_token_hash,
    token_expires_at,
    CASE
        WHEN failed_tx_codes >= 5 THEN 'locked'
        WHEN code_used AND access_token_hash IS NOT NULL THEN 'token_issued'
        WHEN code_used THEN 'expired'
        ELSE 'offered'
    END,
    0, created_at, created_by, batch
FROM credentials WHERE issued_at IS NULL;

DROP TABLE credentials;
"#;

// async_trait's signature elides SchemaManager's lifetime; naming it breaks the impl.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for OffersAndIssuedCredentials {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(SPLIT)
            .await
            .map(|_| ())
    }

    /// The rows move and the old table goes in one transaction: all of it or none.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectOptions, ConnectionTrait as _, Database, EntityTrait as _, PaginatorTrait as _};
    use sea_orm_migration::MigratorTrait as _;
    use sigil_core::lifecycle::{CredentialStatus, OfferState};

    use super::super::Migrator;
    use crate::domain::offer::examples::{PIN, at};
    use crate::domain::offer::tx_code_digest;
    use crate::domain::{RedeemError, StatusPosition};
    use crate::store::Store;
    use crate::store::entities::status_position;
    use sigil_service::tokens::digest;

    /// One row of the old table at index `index` of list 1, with `claims`, `subject_status`
    /// (subject, status) and `rest` (issued_at and what follows) as SQL.
    fn old_row(id: &str, index: i64, claims: &str, subject_status: &str, rest: &str) -> String {
        format!(
            "INSERT INTO credentials (id, type_name, format, summary, claims, subject, status, \
             status_list, status_index, created_at, created_by, batch, issued_at, credential_hash, \
             anchor_root, code_hash, tx_code_hash, offer_expires_at, failed_tx_codes, code_used, \
             access_token_hash, token_expires_at) VALUES ('{id}', 'UniversityDegreeCredential', \
             'ldp_vc', 'Ada', {claims}, {subject_status}, 1, {index}, {created}, 'registrar:ada', NULL, {rest});",
            created = at(0).timestamp(),
        )
    }

    /// A database with the schema before this migration, holding one row of each kind: an
    /// open offer, a locked one, one with a token, one whose token was spent without a
    /// credential, an issued (and revoked) credential, and a VC API one never signed.
    async fn old_database() -> sea_orm::DatabaseConnection {
        let mut options = ConnectOptions::new("sqlite::memory:");
        options.max_connections(1);
        let db = Database::connect(options).await.unwrap();
        Migrator::up(&db, Some(1)).await.unwrap();
        let expires = at(3600).timestamp();
        let claims = "'{\"name\": \"Ada\"}'";
        let offered = "NULL, 'active'";
        // issued_at, credential_hash, anchor_root, then the offer's columns for `code`.
        let columns = |issued: &str, code: &str, failed: i32, used: i32, token: &str| {
            format!(
                "{issued}, '{}', '{}', {expires}, {failed}, {used}, {token}",
                digest(code),
                tx_code_digest(code, PIN)
            )
        };
        let never_issued = "NULL, NULL, NULL";
        let rows = [
            old_row(
                "open",
                10,
                claims,
                offered,
                &columns(never_issued, "open", 2, 0, "NULL, NULL"),
            ),
            old_row(
                "locked",
                11,
                claims,
                offered,
                &columns(never_issued, "locked", 5, 0, "NULL, NULL"),
            ),
            old_row(
                "token",
                12,
                claims,
                offered,
                &columns(never_issued, "token", 0, 1, &format!("'token-digest', {expires}")),
            ),
            old_row(
                "spent",
                13,
                claims,
                offered,
                &columns(never_issued, "spent", 0, 1, "NULL, NULL"),
            ),
            old_row(
                "issued",
                14,
                "NULL",
                "'did:key:z6Mk', 'revoked'",
                &columns(
                    &format!("{expires}, 'hash', 'root'"),
                    "issued",
                    0,
                    1,
                    "NULL, NULL",
                ),
            ),
            old_row(
                "unsigned",
                15,
                "NULL",
                offered,
                &columns(&format!("{expires}, NULL, NULL"), "unsigned", 0, 1, "NULL, NULL"),
            ),
        ];
        db.execute_unprepared(&rows.concat()).await.unwrap();

        db
    }

    #[tokio::test]
    async fn rows_of_the_one_table_move_to_offers_and_issued_credentials() {
        let db = old_database().await;
        Migrator::up(&db, None).await.unwrap();
        let store = Store::migrated(db).await.unwrap();

        let open = store.offer("open").await.unwrap().unwrap();
        assert_eq!((open.state, open.failed_pin_attempts), (OfferState::Offered, 2));
        assert_eq!(open.position, StatusPosition { list: 1, index: 10 });
        assert_eq!(open.claims["name"], "Ada");
        assert!(open.redeem("open", PIN, at(10)).is_ok(), "the PIN still works");
        let locked = store.offer("locked").await.unwrap().unwrap();
        assert_eq!(locked.redeem("locked", PIN, at(10)), Err(RedeemError::Locked));
        let token = store.offer_by_token("token-digest").await.unwrap().unwrap();
        assert_eq!(token.state, OfferState::TokenIssued);
        let spent = store.offer("spent").await.unwrap().unwrap();
        assert_eq!(spent.state, OfferState::Expired);
        assert_eq!(spent.redeem("spent", PIN, at(10)), Err(RedeemError::Expired));

        let issued = store.issued_credential("issued").await.unwrap().unwrap();
        assert_eq!(issued.status, CredentialStatus::Revoked);
        assert_eq!(issued.subject.as_deref(), Some("did:key:z6Mk"));
        assert_eq!(issued.anchor_root.as_deref(), Some("root"));
        assert_eq!(store.offer("issued").await.unwrap(), None);
        assert_eq!(
            store.credential("unsigned").await.unwrap(),
            None,
            "never handed out"
        );
        assert_eq!(
            store.list_positions(1).await.unwrap(),
            vec![(CredentialStatus::Revoked, 14)]
        );

        // Every position stays given, the never-signed one's too.
        let positions = status_position::Entity::find().count(&store.db).await.unwrap();
        assert_eq!(positions, 6);
        let old_table = store
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "SELECT name FROM sqlite_master WHERE name = 'credentials'",
            ))
            .await
            .unwrap();
        assert!(old_table.is_none(), "the old table is dropped");
    }
}
