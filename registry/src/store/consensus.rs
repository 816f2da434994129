//! What a node of several keeps for the consensus (docs/consensus.md): the Raft log, the Raft
//! values that must survive a restart, and the validators' signatures over applied headers.
//! Entries and values are opaque JSON text here; `crate::consensus` gives them their types.
//! Applying a block and recording the log id it was applied at share one database
//! transaction, so a crash never leaves a block without its place in the log, or the reverse.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::entities::{header_signature, raft_log, raft_value};
use super::{Store, StoreError, insert_block, to_i64, transaction_hashes};
use crate::chain::Block;

/// The names of the Raft values a node keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RaftValue {
    /// The vote this node last made or saw.
    Vote,
    /// The last log id known committed.
    Committed,
    /// The last log id purged from the log.
    Purged,
    /// The last log id the state machine applied.
    Applied,
    /// The membership the state machine last applied.
    Membership,
    /// The metadata of the snapshot the node last built or installed.
    Snapshot,
}

impl RaftValue {
    fn name(self) -> &'static str {
        match self {
            RaftValue::Vote => "vote",
            RaftValue::Committed => "committed",
            RaftValue::Purged => "purged",
            RaftValue::Applied => "applied",
            RaftValue::Membership => "membership",
            RaftValue::Snapshot => "snapshot",
        }
    }
}

/// One validator's signature over the header at a height, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSignatureRow {
    pub height: u64,
    pub validator: String,
    pub header_hash: String,
    pub signature: String,
}

impl Store {
    /// Appends Raft log entries `(index, entry JSON)`, replacing any entry already at those
    /// indexes (Raft truncates a conflicting suffix before it appends over it), durably.
    pub async fn append_log(&self, entries: &[(u64, String)]) -> Result<(), StoreError> {
        let Some(first) = entries.first() else {
            return Ok(());
        };
        let db_transaction = self.db.begin().await?;
        raft_log::Entity::delete_many()
            .filter(raft_log::Column::LogIndex.gte(to_i64(first.0)))
            .exec(&db_transaction)
            .await?;
        // SQLite takes at most 32,766 bound values per statement: two per row.
        for chunk in entries.chunks(1_000) {
            raft_log::Entity::insert_many(chunk.iter().map(|(index, body)| raft_log::ActiveModel {
                log_index: ActiveValue::Set(to_i64(*index)),
                body: ActiveValue::Set(body.clone()),
            }))
            .exec(&db_transaction)
            .await?;
        }
        db_transaction.commit().await?;
        Ok(())
    }

    /// The log entries with index in `start..end`, in order.
    pub async fn log_entries(&self, start: u64, end: u64) -> Result<Vec<(u64, String)>, StoreError> {
        let rows = raft_log::Entity::find()
            .filter(raft_log::Column::LogIndex.gte(to_i64(start)))
            .filter(raft_log::Column::LogIndex.lt(to_i64(end)))
            .order_by_asc(raft_log::Column::LogIndex)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| (u64::try_from(row.log_index).unwrap_or(0), row.body))
            .collect())
    }

    /// The last log entry, if the log holds any.
    pub async fn last_log_entry(&self) -> Result<Option<(u64, String)>, StoreError> {
        let row = raft_log::Entity::find()
            .order_by_desc(raft_log::Column::LogIndex)
            .limit(1)
            .one(&self.db)
            .await?;
        Ok(row.map(|row| (u64::try_from(row.log_index).unwrap_or(0), row.body)))
    }

    /// Deletes the log entries from `index` on (a conflicting suffix).
    pub async fn truncate_log(&self, index: u64) -> Result<(), StoreError> {
        raft_log::Entity::delete_many()
            .filter(raft_log::Column::LogIndex.gte(to_i64(index)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Records `purged` (the last purged log id's JSON) and deletes the entries up to and
    /// including `index`, in that order, so a crash between them leaves a log that only
    /// claims less than it holds.
    pub async fn purge_log(&self, index: u64, purged: &str) -> Result<(), StoreError> {
        self.set_raft_value(RaftValue::Purged, purged).await?;
        raft_log::Entity::delete_many()
            .filter(raft_log::Column::LogIndex.lte(to_i64(index)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A Raft value's JSON, if it was ever set.
    pub async fn raft_value(&self, name: RaftValue) -> Result<Option<String>, StoreError> {
        let row = raft_value::Entity::find_by_id(name.name().to_owned())
            .one(&self.db)
            .await?;
        Ok(row.map(|row| row.value))
    }

    /// Sets a Raft value, durably.
    pub async fn set_raft_value(&self, name: RaftValue, value: &str) -> Result<(), StoreError> {
        upsert_value(&self.db, name, value).await
    }

    /// Applies a log entry: appends `block` (if the entry carried one the ledger accepted)
    /// and sets `values` (the applied log id, and the membership if it changed) in one
    /// database transaction.
    pub async fn apply_entry(
        &self,
        block: Option<&Block>,
        values: &[(RaftValue, String)],
    ) -> Result<(), StoreError> {
        let db_transaction = self.db.begin().await?;
        let hashes = match block {
            Some(block) => {
                let hashes = transaction_hashes(block)?;
                insert_block(&db_transaction, block, &hashes).await?;
                Some((block, hashes))
            }
            None => None,
        };
        for (name, value) in values {
            upsert_value(&db_transaction, *name, value).await?;
        }
        db_transaction.commit().await?;
        if let Some((block, hashes)) = hashes {
            self.remember_leaves(block, &hashes);
        }
        Ok(())
    }

    /// Keeps a validator's signature over the header at a height (already checked); a second
    /// signature by the same validator at the same height is not kept.
    pub async fn record_header_signature(&self, row: &HeaderSignatureRow) -> Result<(), StoreError> {
        header_signature::Entity::insert(header_signature::ActiveModel {
            height: ActiveValue::Set(to_i64(row.height)),
            validator: ActiveValue::Set(row.validator.clone()),
            header_hash: ActiveValue::Set(row.header_hash.clone()),
            signature: ActiveValue::Set(row.signature.clone()),
        })
        .on_conflict_do_nothing_on([
            header_signature::Column::Height,
            header_signature::Column::Validator,
        ])
        .exec(&self.db)
        .await?;
        Ok(())
    }

    /// The signatures kept for the header at `height`.
    pub async fn header_signatures(&self, height: u64) -> Result<Vec<HeaderSignatureRow>, StoreError> {
        let rows = header_signature::Entity::find()
            .filter(header_signature::Column::Height.eq(to_i64(height)))
            .order_by_asc(header_signature::Column::Validator)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| HeaderSignatureRow {
                height: u64::try_from(row.height).unwrap_or(0),
                validator: row.validator,
                header_hash: row.header_hash,
                signature: row.signature,
            })
            .collect())
    }
}

async fn upsert_value(
    db: &impl sea_orm::ConnectionTrait,
    name: RaftValue,
    value: &str,
) -> Result<(), StoreError> {
    raft_value::Entity::insert(raft_value::ActiveModel {
        name: ActiveValue::Set(name.name().to_owned()),
        value: ActiveValue::Set(value.to_owned()),
    })
    .on_conflict(
        OnConflict::column(raft_value::Column::Name)
            .update_column(raft_value::Column::Value)
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
