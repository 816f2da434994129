//! Credentials with their offers: creation (all rows of a batch or none), the lookups the
//! OpenID4VCI endpoints need, the registrar's search, status and anchoring.

use rand::Rng as _;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, Condition, EntityTrait as _, IntoActiveModel as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, TransactionTrait as _,
};

use super::entities::credential::{Column, Entity, Model};
use super::{DbErr, Store};

/// Status positions per list (W3C Bitstring Status List v1.0 §6.1: at least 131,072 entries,
/// so that one credential's position says little about its holder).
pub const LIST_SIZE: i64 = 131_072;

/// How full a list may get before new credentials go to the next one: random positions in a
/// half-empty list are found in a couple of tries.
const LIST_FILL: i64 = LIST_SIZE / 2;

/// Counts for the dashboard.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub offered: u64,
    pub issued: u64,
    pub revoked: u64,
    pub suspended: u64,
}

impl Store {
    /// Inserts credentials in one transaction — all of them or none — giving each a random
    /// free position in the current status list (their `status_list`/`status_index` are set
    /// here). Returns the status lists the rows went into.
    pub async fn insert_credentials(&self, rows: Vec<Model>) -> Result<Vec<i32>, DbErr> {
        self.insert_credentials_reporting(rows, &|_| {}).await
    }

    /// [`Store::insert_credentials`], calling `progress` with the count stored so far (not
    /// yet committed) after each row.
    pub async fn insert_credentials_reporting(
        &self,
        rows: Vec<Model>,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<Vec<i32>, DbErr> {
        let txn = self.db.begin().await?;
        let mut list = Entity::find()
            .select_only()
            .column_as(Column::StatusList.max(), "max")
            .into_tuple::<Option<i32>>()
            .one(&txn)
            .await?
            .flatten()
            .unwrap_or(1);
        let mut used = Entity::find()
            .filter(Column::StatusList.eq(list))
            .count(&txn)
            .await?;
        let mut stored = 0;
        let mut lists = Vec::new();
        for mut row in rows {
            if used >= LIST_FILL as u64 {
                list += 1;
                used = 0;
            }
            let index = loop {
                let candidate = rand::thread_rng().gen_range(0..LIST_SIZE);
                let taken = Entity::find()
                    .filter(Column::StatusList.eq(list))
                    .filter(Column::StatusIndex.eq(candidate))
                    .count(&txn)
                    .await?;
                if taken == 0 {
                    break candidate;
                }
            };
            row.status_list = list;
            row.status_index = index;
            if !lists.contains(&list) {
                lists.push(list);
            }
            row.into_active_model().reset_all().insert(&txn).await?;
            used += 1;
            stored += 1;
            progress(stored);
        }
        txn.commit().await?;
        Ok(lists)
    }

    /// A credential by id.
    pub async fn credential(&self, id: &str) -> Result<Option<Model>, DbErr> {
        Entity::find_by_id(id).one(&self.db).await
    }

    /// The credential a pre-authorized code (or the offer URL holding it) belongs to.
    pub async fn credential_by_code(&self, code_hash: &str) -> Result<Option<Model>, DbErr> {
        Entity::find()
            .filter(Column::CodeHash.eq(code_hash))
            .one(&self.db)
            .await
    }

    /// The credential an access token was granted for.
    pub async fn credential_by_token(&self, token_hash: &str) -> Result<Option<Model>, DbErr> {
        Entity::find()
            .filter(Column::AccessTokenHash.eq(token_hash))
            .one(&self.db)
            .await
    }

    /// Forgets a credential that was never handed out.
    pub async fn delete_credential(&self, id: &str) -> Result<(), DbErr> {
        Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    /// Writes a changed credential row back.
    pub async fn save_credential(&self, row: Model) -> Result<(), DbErr> {
        row.into_active_model().reset_all().update(&self.db).await?;
        Ok(())
    }

    /// Writes a changed row back only if it is still as `expected` says it was (the compare
    /// half of a compare-and-swap on `code_used` and `access_token_hash`): false if another
    /// request got there first.
    pub async fn save_credential_if(&self, row: Model, expected: &Model) -> Result<bool, DbErr> {
        let mut condition = Condition::all()
            .add(Column::Id.eq(expected.id.clone()))
            .add(Column::CodeUsed.eq(expected.code_used))
            .add(Column::FailedTxCodes.eq(expected.failed_tx_codes));
        condition = match &expected.access_token_hash {
            Some(hash) => condition.add(Column::AccessTokenHash.eq(hash.clone())),
            None => condition.add(Column::AccessTokenHash.is_null()),
        };
        let result = Entity::update_many()
            .set(row.into_active_model().reset_all())
            .filter(condition)
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// The newest credentials whose summary, id, type or batch contains `query`.
    pub async fn search_credentials(&self, query: &str, limit: u64) -> Result<Vec<Model>, DbErr> {
        let mut select = Entity::find().order_by_desc(Column::CreatedAt);
        let query = query.trim();
        if !query.is_empty() {
            select = select.filter(
                Condition::any()
                    .add(Column::Summary.contains(query))
                    .add(Column::Id.eq(query))
                    .add(Column::TypeName.contains(query))
                    .add(Column::Batch.eq(query)),
            );
        }
        select.limit(limit).all(&self.db).await
    }

    /// The positions in list `number` whose credential is not `active`, with its status.
    pub async fn list_positions(&self, number: i32) -> Result<Vec<(String, i64)>, DbErr> {
        Entity::find()
            .select_only()
            .column(Column::Status)
            .column(Column::StatusIndex)
            .filter(Column::StatusList.eq(number))
            .filter(Column::Status.ne("active"))
            .into_tuple()
            .all(&self.db)
            .await
    }

    /// The status lists credentials have been given.
    pub async fn list_numbers(&self) -> Result<Vec<i32>, DbErr> {
        Entity::find()
            .select_only()
            .column(Column::StatusList)
            .distinct()
            .into_tuple()
            .all(&self.db)
            .await
    }

    /// Issued credentials not yet anchored, oldest first.
    pub async fn unanchored(&self, limit: u64) -> Result<Vec<Model>, DbErr> {
        Entity::find()
            .filter(Column::CredentialHash.is_not_null())
            .filter(Column::AnchorRoot.is_null())
            .order_by_asc(Column::IssuedAt)
            .limit(limit)
            .all(&self.db)
            .await
    }

    /// Records that `ids` are covered by the anchor `merkle_root`.
    pub async fn mark_anchored(&self, ids: &[String], merkle_root: &str) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::AnchorRoot, sea_orm::sea_query::Expr::value(merkle_root))
            .filter(Column::Id.is_in(ids.iter().cloned()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Counts for the dashboard.
    pub async fn counts(&self) -> Result<Counts, DbErr> {
        let count = |condition: Condition| Entity::find().filter(condition).count(&self.db);
        Ok(Counts {
            offered: count(Condition::all().add(Column::IssuedAt.is_null())).await?,
            issued: count(Condition::all().add(Column::IssuedAt.is_not_null())).await?,
            revoked: count(Condition::all().add(Column::Status.eq("revoked"))).await?,
            suspended: count(Condition::all().add(Column::Status.eq("suspended"))).await?,
        })
    }
}
