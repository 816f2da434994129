//! Nonces, status lists, anchors and the audit log.

use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _,
};

use super::entities::{anchor, audit, nonce, status_list};
use super::{DbErr, Store};

impl Store {
    /// Records a nonce valid until `expires_at`, dropping expired ones.
    pub async fn insert_nonce(&self, value: &str, expires_at: i64, now: i64) -> Result<(), DbErr> {
        nonce::Entity::delete_many()
            .filter(nonce::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?;
        nonce::Entity::insert(nonce::ActiveModel {
            nonce: Set(value.to_owned()),
            expires_at: Set(expires_at),
        })
        .exec(&self.db)
        .await?;
        Ok(())
    }

    /// Uses a nonce up: true if it was known and unexpired. A nonce is never accepted twice.
    pub async fn take_nonce(&self, value: &str, now: i64) -> Result<bool, DbErr> {
        let deleted = nonce::Entity::delete_many()
            .filter(nonce::Column::Nonce.eq(value))
            .filter(nonce::Column::ExpiresAt.gte(now))
            .exec(&self.db)
            .await?;
        Ok(deleted.rows_affected == 1)
    }

    /// The latest published version of a list.
    pub async fn status_list(&self, id: &str) -> Result<Option<status_list::Model>, DbErr> {
        status_list::Entity::find_by_id(id).one(&self.db).await
    }

    /// The latest published version of every list.
    pub async fn status_lists(&self) -> Result<Vec<status_list::Model>, DbErr> {
        status_list::Entity::find()
            .order_by_asc(status_list::Column::Number)
            .all(&self.db)
            .await
    }

    /// Records a newly published version of a list.
    pub async fn save_status_list(&self, list: status_list::Model) -> Result<(), DbErr> {
        let row: status_list::ActiveModel = list.into();
        status_list::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(status_list::Column::Id)
                    .update_columns([
                        status_list::Column::Credential,
                        status_list::Column::ValidFrom,
                        status_list::Column::Receipt,
                    ])
                    .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Records an anchor the registry accepted.
    pub async fn insert_anchor(&self, record: anchor::Model) -> Result<(), DbErr> {
        let row: anchor::ActiveModel = record.into();
        anchor::Entity::insert(row).exec(&self.db).await?;
        Ok(())
    }

    /// An anchor by its Merkle root.
    pub async fn anchor(&self, merkle_root: &str) -> Result<Option<anchor::Model>, DbErr> {
        anchor::Entity::find_by_id(merkle_root).one(&self.db).await
    }

    /// Appends to the audit log.
    pub async fn audit(
        &self,
        at: i64,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), DbErr> {
        audit::Entity::insert(audit::ActiveModel {
            at: Set(at),
            actor: Set(actor.to_owned()),
            action: Set(action.to_owned()),
            target: Set(target.to_owned()),
            detail: Set(detail.to_owned()),
            ..Default::default()
        })
        .exec(&self.db)
        .await?;
        Ok(())
    }

    /// The newest `limit` audit entries, newest first.
    pub async fn audit_log(&self, limit: u64) -> Result<Vec<audit::Model>, DbErr> {
        audit::Entity::find()
            .order_by_desc(audit::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
    }

    /// How many audit entries there are.
    pub async fn audit_count(&self) -> Result<u64, DbErr> {
        audit::Entity::find().count(&self.db).await
    }
}
