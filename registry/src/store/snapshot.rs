//! The newest snapshot of the ledger state (`crate::ledger::snapshot`), kept in the node's
//! store in parts of about a mebibyte of JSON lines. Writing one replaces the last in one
//! database transaction, so a crash leaves the old snapshot or the new one, never half.

use sea_orm::{ActiveValue, EntityTrait, QueryOrder, TransactionTrait};

use super::entities::state_snapshot;
use super::{Store, StoreError, to_i64};
use crate::ledger::snapshot::Entry;

/// About how many bytes of JSON lines one part holds.
const PART_BYTES: usize = 1 << 20;

impl Store {
    /// Replaces the kept snapshot with `entries`, the state after block `height`.
    pub async fn write_state_snapshot(&self, height: u64, entries: &[Entry]) -> Result<(), StoreError> {
        let mut parts = vec![String::new()];
        for entry in entries {
            let line = serde_json::to_string(entry).map_err(|e| super::corrupt(to_i64(height), e))?;
            let part = match parts.last_mut() {
                Some(part) if part.len() + line.len() < PART_BYTES || part.is_empty() => part,
                _ => {
                    parts.push(String::new());
                    parts
                        .last_mut()
                        .ok_or_else(|| super::corrupt(to_i64(height), "no part"))?
                }
            };
            part.push_str(&line);
            part.push('\n');
        }
        let db_transaction = self.db.begin().await?;
        state_snapshot::Entity::delete_many()
            .exec(&db_transaction)
            .await?;
        for (part, body) in (0..).zip(parts) {
            let row = state_snapshot::ActiveModel {
                part: ActiveValue::Set(part),
                height: ActiveValue::Set(to_i64(height)),
                body: ActiveValue::Set(body),
            };
            state_snapshot::Entity::insert(row).exec(&db_transaction).await?;
        }
        db_transaction.commit().await?;
        Ok(())
    }

    /// The height of the block the kept snapshot is after; `None` when there is none.
    pub async fn state_snapshot_height(&self) -> Result<Option<u64>, StoreError> {
        let row = state_snapshot::Entity::find().one(&self.db).await?;
        Ok(row.map(|row| u64::try_from(row.height).unwrap_or(0)))
    }

    /// The kept snapshot's entries, in order; `None` when there is none.
    pub async fn state_snapshot(&self) -> Result<Option<Vec<Entry>>, StoreError> {
        let rows = state_snapshot::Entity::find()
            .order_by_asc(state_snapshot::Column::Part)
            .all(&self.db)
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut entries = Vec::new();
        for row in rows {
            for line in row.body.lines() {
                entries.push(serde_json::from_str(line).map_err(|e| super::corrupt(row.height, e))?);
            }
        }
        Ok(Some(entries))
    }
}
