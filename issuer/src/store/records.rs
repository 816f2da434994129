//! Status lists, anchors and the audit log.

use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait as _, PaginatorTrait as _, QueryOrder as _,
    QuerySelect as _,
};

use super::entities::{anchor, audit, status_list};
use super::{DbErr, Store};

/// One line of the audit log: who did what to what, when.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl AuditEntry {
    pub fn new(at: i64, actor: &str, action: &str, target: &str, detail: &str) -> AuditEntry {
        AuditEntry {
            at,
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            detail: detail.to_owned(),
        }
    }

    fn row(self) -> audit::ActiveModel {
        audit::ActiveModel {
            at: Set(self.at),
            actor: Set(self.actor),
            action: Set(self.action),
            target: Set(self.target),
            detail: Set(self.detail),
            ..Default::default()
        }
    }
}

impl Store {
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
        self.write(move |txn| {
            Box::pin(async move {
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
                    .exec(txn)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// Records an anchor the registry accepted.
    pub async fn insert_anchor(&self, record: anchor::Model) -> Result<(), DbErr> {
        let row: anchor::ActiveModel = record.into();
        self.write(move |txn| {
            Box::pin(async move {
                anchor::Entity::insert(row).exec(txn).await?;
                Ok(())
            })
        })
        .await
    }

    /// An anchor by its Merkle root.
    pub async fn anchor(&self, merkle_root: &str) -> Result<Option<anchor::Model>, DbErr> {
        anchor::Entity::find_by_id(merkle_root).one(&self.db).await
    }

    /// Appends to the audit log.
    pub async fn audit(&self, entry: AuditEntry) -> Result<(), DbErr> {
        self.write(move |txn| Box::pin(append_audit(txn, entry))).await
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

/// Appends `entry` to the audit log in `txn`.
pub(super) async fn append_audit(txn: &impl ConnectionTrait, entry: AuditEntry) -> Result<(), DbErr> {
    audit::Entity::insert(entry.row()).exec(txn).await?;
    Ok(())
}
