//! The verifier's storage: presentation requests and what became of them, in SQLite through
//! sea-orm (`DATA_DIR/verifier.db`).

mod migration;

use std::path::Path;

use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, DatabaseConnection, EntityTrait as _, IntoActiveModel as _,
    PaginatorTrait as _, QueryFilter as _,
};
use sea_orm_migration::MigratorTrait as _;
use sigil_core::presentation_request::RequestState;

pub use sea_orm::DbErr;

/// One row per presentation request.
pub mod request {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "requests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub policy: String,
        /// The nonce presentations must be bound to.
        pub nonce: String,
        /// The OAuth `state` the response must echo.
        pub state: String,
        /// The DCQL query (JSON).
        pub dcql: String,
        pub created_at: i64,
        pub expires_at: i64,
        /// The request's [`RequestState`](sigil_core::presentation_request::RequestState) by
        /// name: `pending`, `verified`, `rejected` or `expired`; read it with [`Model::state`].
        pub status: String,
        /// The outcome (JSON): the report, the policy's checks, warnings; or the wallet's error.
        pub outcome: Option<String>,
        pub answered_at: Option<i64>,
        /// The digest ([`sigil_service::tokens::digest`]) of the `response_code` given to the
        /// wallet with the result page's address once the request was answered.
        pub response_code: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        /// The request's state; a name no version of Sigil wrote is an error.
        pub fn state(
            &self,
        ) -> Result<
            sigil_core::presentation_request::RequestState,
            sigil_core::presentation_request::UnknownState,
        > {
            sigil_core::presentation_request::RequestState::parse(&self.status)
        }
    }
}

/// The verifier's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and runs the migrations.
    pub async fn open(path: &Path) -> Result<Store, DbErr> {
        let db = sigil_service::sqlite::open(path, 4).await?;
        migration::Migrator::up(&db, None).await?;
        Ok(Store { db })
    }

    /// Inserts a request, unless `max_open` requests are still open at `now`: false then.
    /// Requests that expired before `purge_before` are deleted first. (Concurrent inserts may
    /// pass the count together, so the bound can be overshot by the requests in flight.)
    pub async fn insert_bounded(
        &self,
        row: request::Model,
        now: i64,
        purge_before: i64,
        max_open: u64,
    ) -> Result<bool, DbErr> {
        expired_before(purge_before).exec(&self.db).await?;
        let open = open_at(now).count(&self.db).await?;
        if open >= max_open {
            return Ok(false);
        }
        let active: request::ActiveModel = row.into();
        request::Entity::insert(active).exec(&self.db).await?;
        Ok(true)
    }

    pub async fn get(&self, id: &str) -> Result<Option<request::Model>, DbErr> {
        request::Entity::find_by_id(id).one(&self.db).await
    }

    /// Moves a request from state `from` to `to` with its outcome and the digest of the
    /// response code for its result page — once: false if it was no longer in `from` (a
    /// replayed or concurrent response).
    pub async fn answer(
        &self,
        id: &str,
        from: RequestState,
        to: RequestState,
        outcome: &str,
        at: i64,
        response_code_digest: &str,
    ) -> Result<bool, DbErr> {
        let result = request::Entity::update_many()
            .col_expr(
                request::Column::Status,
                sea_orm::sea_query::Expr::value(to.as_str()),
            )
            .col_expr(request::Column::Outcome, sea_orm::sea_query::Expr::value(outcome))
            .col_expr(request::Column::AnsweredAt, sea_orm::sea_query::Expr::value(at))
            .col_expr(
                request::Column::ResponseCode,
                sea_orm::sea_query::Expr::value(response_code_digest),
            )
            .filter(request::Column::Id.eq(id))
            .filter(request::Column::Status.eq(from.as_str()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Stores a request's new state (`expired`, which needs no outcome).
    pub async fn set_state(&self, row: request::Model, state: RequestState) -> Result<request::Model, DbErr> {
        let mut active = row.into_active_model();
        active.status = sea_orm::ActiveValue::Set(state.as_str().into());
        active.update(&self.db).await
    }
}

/// The requests that expired before `time`.
fn expired_before(time: i64) -> sea_orm::DeleteMany<request::Entity> {
    request::Entity::delete_many().filter(request::Column::ExpiresAt.lt(time))
}

/// The requests still waiting for an answer at `time`.
fn open_at(time: i64) -> sea_orm::Select<request::Entity> {
    request::Entity::find()
        .filter(request::Column::ExpiresAt.gte(time))
        .filter(request::Column::Status.eq(RequestState::Pending.as_str()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    fn row(id: &str, expires_at: i64) -> request::Model {
        request::Model {
            id: id.into(),
            policy: "{}".into(),
            nonce: format!("nonce-{id}"),
            state: format!("state-{id}"),
            dcql: "{}".into(),
            created_at: expires_at - 600,
            expires_at,
            status: RequestState::Pending.as_str().into(),
            outcome: None,
            answered_at: None,
            response_code: None,
        }
    }

    #[tokio::test]
    async fn old_requests_are_purged_and_open_ones_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("verifier.db")).await.unwrap();
        let now = 1_000_000;
        assert!(
            store
                .insert_bounded(row("old", now - 90_000), now - 90_000, 0, 2)
                .await
                .unwrap()
        );
        assert!(
            store
                .insert_bounded(row("a", now + 600), now, now - 86_400, 2)
                .await
                .unwrap()
        );
        assert_eq!(store.get("old").await.unwrap(), None, "expired a day ago: purged");
        assert!(
            store
                .insert_bounded(row("b", now + 600), now, now - 86_400, 2)
                .await
                .unwrap()
        );
        assert!(
            !store
                .insert_bounded(row("c", now + 600), now, now - 86_400, 2)
                .await
                .unwrap(),
            "two are open: the third is refused"
        );
        assert_eq!(store.get("c").await.unwrap(), None);
        assert!(store.get("a").await.unwrap().is_some(), "open requests are kept");
    }

    #[tokio::test]
    async fn a_request_is_answered_once_with_its_response_code() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("verifier.db")).await.unwrap();
        let now = 1_000_000;
        assert!(
            store
                .insert_bounded(row("a", now + 600), now, 0, 2)
                .await
                .unwrap()
        );
        let (pending, verified) = (RequestState::Pending, RequestState::Verified);
        assert!(
            store
                .answer("a", pending, verified, "{}", now, "digest-1")
                .await
                .unwrap()
        );
        assert!(
            !store
                .answer("a", pending, verified, "{}", now, "digest-2")
                .await
                .unwrap(),
            "a second answer is refused"
        );
        let stored = store.get("a").await.unwrap().unwrap();
        assert_eq!(stored.response_code.as_deref(), Some("digest-1"));
        assert_eq!(stored.state().unwrap(), verified);
    }

    /// What SQLite plans for `statement`: one line per step.
    async fn plan(store: &Store, statement: sea_orm::Statement) -> Vec<String> {
        use sea_orm::ConnectionTrait as _;
        let explained = sea_orm::Statement::from_sql_and_values(
            statement.db_backend,
            format!("EXPLAIN QUERY PLAN {}", statement.sql),
            statement.values.map(|values| values.0).unwrap_or_default(),
        );
        let rows = store.db.query_all_raw(explained).await.unwrap();
        rows.iter()
            .map(|row| row.try_get::<String>("", "detail").unwrap())
            .collect()
    }

    #[tokio::test]
    async fn opening_a_request_reads_an_index_not_every_request_kept() {
        use sea_orm::QueryTrait as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("verifier.db");
        // Planned on connections opened after the migrations: `EXPLAIN QUERY PLAN` reads no
        // table, so a connection opened before them may answer from the schema it had (a
        // statement that runs notices the change and is planned again).
        drop(Store::open(&path).await.unwrap());
        let store = Store::open(&path).await.unwrap();
        let backend = store.db.get_database_backend();
        for statement in [expired_before(0).build(backend), open_at(0).build(backend)] {
            let plan = plan(&store, statement).await;
            assert!(
                plan.iter()
                    .all(|step| step.contains("USING") && step.contains("INDEX")),
                "{plan:?}"
            );
        }
    }
}
