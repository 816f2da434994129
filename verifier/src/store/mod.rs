//! The verifier's storage: presentation requests and what became of them, in SQLite through
//! sea-orm (`DATA_DIR/verifier.db`).

mod migration;

use std::path::Path;

use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, DatabaseConnection, EntityTrait as _, IntoActiveModel as _,
    QueryFilter as _,
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

    pub async fn insert(&self, row: request::Model) -> Result<(), DbErr> {
        let active: request::ActiveModel = row.into();
        request::Entity::insert(active).exec(&self.db).await?;
        Ok(())
    }

    pub async fn get(&self, id: &str) -> Result<Option<request::Model>, DbErr> {
        request::Entity::find_by_id(id).one(&self.db).await
    }

    /// Moves a request from state `from` to `to` with its outcome — once: false if it was no
    /// longer in `from` (a replayed or concurrent response).
    pub async fn answer(
        &self,
        id: &str,
        from: RequestState,
        to: RequestState,
        outcome: &str,
        at: i64,
    ) -> Result<bool, DbErr> {
        let result = request::Entity::update_many()
            .col_expr(
                request::Column::Status,
                sea_orm::sea_query::Expr::value(to.as_str()),
            )
            .col_expr(request::Column::Outcome, sea_orm::sea_query::Expr::value(outcome))
            .col_expr(request::Column::AnsweredAt, sea_orm::sea_query::Expr::value(at))
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
