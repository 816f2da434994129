//! The registry's storage: blocks and transactions through sea-orm, in an embedded SQLite
//! file by default or in a PostgreSQL database ([`Database`]); the same migrations and queries
//! serve both. Only the node writes; a block and its transactions are written in one database
//! transaction, committed durably (SQLite with `synchronous = FULL`, PostgreSQL with its
//! default `synchronous_commit = on`), so once `append` returns the block survives a crash or
//! power loss, and only then is a submission acknowledged.

mod consensus;
mod database;
mod entities;
mod migration;
mod receipts;
mod snapshot;

use std::path::Path;
use std::sync::Arc;

use sea_orm::{
    ActiveValue, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait as _;

use crate::chain::{Block, BlockHeader, Receipt};
use crate::ledger::Transaction;
pub use consensus::{HeaderSignatureRow, RaftValue};
pub use database::Database;
use entities::{block, equivocation, transaction};
pub use receipts::BlockTree;
use sigil_core::state::commit::GovernanceStep;
use sigil_core::state::evidence::Equivocation;

use crate::ledger::state::GovernanceEntry;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// A stored row does not hold what it should (the file was altered or damaged).
    #[error("block {height}: stored data is unreadable: {reason}")]
    Corrupt { height: i64, reason: String },
    /// The `database` setting is neither a PostgreSQL URL nor an SQLite file.
    #[error("database URL: {0}")]
    BadUrl(String),
}

/// Where a transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub height: u64,
    pub index: usize,
}

/// The block store.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Committed blocks' Merkle leaves, for receipts ([`Store::receipt`]).
    receipts: Arc<receipts::ReceiptCache>,
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and runs the migrations.
    /// One connection: the ledger has one writer.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_database(&Database::Sqlite(path.to_owned())).await
    }

    /// Connects to the database `url` names — a `postgres://` or `postgresql://` URL, or a
    /// `sqlite:` path or URL (see [`Database::parse`]) — and runs the migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::open_database(&Database::parse(url)?).await
    }

    /// Opens (creating the SQLite file, or the tables in PostgreSQL, if needed) `database`
    /// and runs the migrations.
    pub async fn open_database(database: &Database) -> Result<Store, StoreError> {
        // Boxed: connecting to PostgreSQL is a large future, which would otherwise swell
        // every future that opens a store.
        Self::migrated(Box::pin(database.connect()).await?).await
    }

    /// A private in-memory database, for tests.
    pub async fn in_memory() -> Result<Store, StoreError> {
        Self::migrated(sigil_service::sqlite::in_memory().await?).await
    }

    async fn migrated(db: DatabaseConnection) -> Result<Store, StoreError> {
        migration::Migrator::up(&db, None).await?;
        Ok(Store {
            db,
            receipts: Arc::default(),
        })
    }

    /// Appends a block and its transactions atomically and durably.
    pub async fn append(&self, block: &Block) -> Result<(), StoreError> {
        self.append_hashed(block, &transaction_hashes(block)?).await
    }

    /// [`Store::append`] for a block whose transactions' hashes are known (a block this node
    /// produced): `transaction_hashes` are theirs, in block order.
    pub async fn append_hashed(
        &self,
        block: &Block,
        transaction_hashes: &[String],
    ) -> Result<(), StoreError> {
        let db_transaction = self.db.begin().await?;
        insert_block(&db_transaction, block, transaction_hashes).await?;
        db_transaction.commit().await?;
        self.remember_leaves(block, transaction_hashes);
        Ok(())
    }

    /// Keeps a committed block's leaves for [`Store::receipt`].
    fn remember_leaves(&self, block: &Block, transaction_hashes: &[String]) {
        self.receipts.remember(
            block.header.height,
            Arc::new(BlockTree::new(block.header.clone(), transaction_hashes)),
        );
    }

    /// The receipt of the stored transaction `hash`, if it is in a block: from the cached
    /// tree of its block, reading the block only the first time (see `receipts`).
    pub async fn receipt(&self, hash: &str) -> Result<Option<Receipt>, StoreError> {
        if let Some(receipt) = self.receipts.receipt(hash) {
            return Ok(Some(receipt));
        }
        let Some(location) = self.locate(hash).await? else {
            return Ok(None);
        };
        let tree = match self.receipts.get(location.height) {
            Some(tree) => tree,
            None => {
                let Some(block) = self.block(location.height).await? else {
                    return Ok(None);
                };
                self.tree_of(&block)?
            }
        };
        Ok(tree.receipt(location.index, hash))
    }

    /// The receipt of transaction `hash` at `index` of `block`, which the caller has read
    /// already: from the block's cached tree, or one built from `block` and kept.
    pub fn receipt_in(&self, block: &Block, index: usize, hash: &str) -> Result<Option<Receipt>, StoreError> {
        let tree = match self.receipts.get(block.header.height) {
            Some(tree) => tree,
            None => self.tree_of(block)?,
        };
        Ok(tree.receipt(index, hash))
    }

    /// Builds and keeps the Merkle tree of a stored `block`.
    fn tree_of(&self, block: &Block) -> Result<Arc<BlockTree>, StoreError> {
        let hashes = transaction_hashes(block)?;
        let tree = Arc::new(BlockTree::new(block.header.clone(), &hashes));
        self.receipts.remember(block.header.height, tree.clone());
        Ok(tree)
    }

    /// The height of the last block (0 when there is none).
    pub async fn height(&self) -> Result<u64, StoreError> {
        let last = block::Entity::find()
            .order_by_desc(block::Column::Height)
            .limit(1)
            .one(&self.db)
            .await?;
        Ok(last.map_or(0, |row| u64::try_from(row.height).unwrap_or(0)))
    }

    /// The block at `height`, if there is one.
    pub async fn block(&self, height: u64) -> Result<Option<Block>, StoreError> {
        let height = to_i64(height);
        let Some(row) = block::Entity::find_by_id(height).one(&self.db).await? else {
            return Ok(None);
        };
        let header: BlockHeader = serde_json::from_str(&row.header).map_err(|e| corrupt(height, e))?;
        let rows = transaction::Entity::find()
            .filter(transaction::Column::Height.eq(height))
            .order_by_asc(transaction::Column::Position)
            .all(&self.db)
            .await?;
        let transactions = rows
            .iter()
            .map(|row| serde_json::from_str::<Transaction>(&row.body).map_err(|e| corrupt(height, e)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Block { header, transactions }))
    }

    /// The hash stored for the block at `height`.
    pub async fn block_hash(&self, height: u64) -> Result<Option<String>, StoreError> {
        let row = block::Entity::find_by_id(to_i64(height)).one(&self.db).await?;
        Ok(row.map(|row| row.hash))
    }

    /// Where the transaction `hash` is, if it is in a block.
    pub async fn locate(&self, hash: &str) -> Result<Option<Location>, StoreError> {
        let row = transaction::Entity::find_by_id(hash.to_owned())
            .one(&self.db)
            .await?;
        Ok(row.map(|row| Location {
            height: u64::try_from(row.height).unwrap_or(0),
            index: usize::try_from(row.position).unwrap_or(0),
        }))
    }

    /// The governance changes the chain applied (`applied`, from the state), from the one
    /// after the `after`th, each with its receipt: what a client follows to the validators in
    /// force.
    pub async fn governance_steps(
        &self,
        applied: &imbl::Vector<GovernanceEntry>,
        after: u64,
    ) -> Result<Vec<GovernanceStep>, StoreError> {
        let mut steps = Vec::new();
        for entry in applied.iter().skip(usize::try_from(after).unwrap_or(usize::MAX)) {
            let height = to_i64(entry.height);
            let missing = || {
                corrupt(
                    height,
                    format!("governance transaction {} is not stored", entry.transaction),
                )
            };
            let location = self.locate(&entry.transaction).await?.ok_or_else(missing)?;
            let block = self.block(location.height).await?.ok_or_else(missing)?;
            let receipt = self
                .receipt_in(&block, location.index, &entry.transaction)?
                .ok_or_else(missing)?;
            let Some(Transaction::Governance(change)) = block.transactions.get(location.index).cloned()
            else {
                return Err(missing());
            };
            steps.push(GovernanceStep { change, receipt });
        }
        Ok(steps)
    }

    /// Keeps `evidence` (already checked) unless the same evidence is kept already; returns
    /// whether it was new.
    pub async fn record_equivocation(
        &self,
        evidence: &Equivocation,
        recorded_at: &str,
    ) -> Result<bool, StoreError> {
        let height = to_i64(evidence.first.header.height);
        let id = sigil_core::did::sigil::digest::digest_jcs(evidence).map_err(|e| corrupt(height, e))?;
        if equivocation::Entity::find_by_id(id.clone())
            .one(&self.db)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        let body = serde_json::to_string(evidence).map_err(|e| corrupt(height, e))?;
        equivocation::Entity::insert(equivocation::ActiveModel {
            id: ActiveValue::Set(id),
            validator: ActiveValue::Set(evidence.validator.clone()),
            height: ActiveValue::Set(height),
            body: ActiveValue::Set(body),
            recorded_at: ActiveValue::Set(recorded_at.to_owned()),
        })
        .exec(&self.db)
        .await?;
        Ok(true)
    }

    /// The evidence kept, newest first (at most `limit`), with when each was recorded.
    pub async fn equivocations(&self, limit: u64) -> Result<Vec<(Equivocation, String)>, StoreError> {
        let rows = equivocation::Entity::find()
            .order_by_desc(equivocation::Column::RecordedAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                let evidence = serde_json::from_str(&row.body).map_err(|e| corrupt(row.height, e))?;
                Ok((evidence, row.recorded_at))
            })
            .collect()
    }

    /// Raw access for tests that play the part of someone editing the file.
    #[cfg(test)]
    pub(crate) fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// Writes `block` and its transactions within `db` (a database transaction); returns the
/// transactions' hashes, in order.
/// The hash of each of `block`'s transactions, in block order.
fn transaction_hashes(block: &Block) -> Result<Vec<String>, StoreError> {
    let height = to_i64(block.header.height);
    block
        .transactions
        .iter()
        .map(|tx| tx.hash().map_err(|e| corrupt(height, e)))
        .collect()
}

async fn insert_block(
    db: &impl sea_orm::ConnectionTrait,
    block: &Block,
    hashes: &[String],
) -> Result<(), StoreError> {
    let height = to_i64(block.header.height);
    let header = serde_json::to_string(&block.header).map_err(|e| corrupt(height, e))?;
    let rows = block
        .transactions
        .iter()
        .zip(hashes)
        .enumerate()
        .map(|(position, (tx, hash))| {
            Ok(transaction::ActiveModel {
                hash: ActiveValue::Set(hash.clone()),
                height: ActiveValue::Set(height),
                position: ActiveValue::Set(i32::try_from(position).unwrap_or(i32::MAX)),
                body: ActiveValue::Set(serde_json::to_string(tx).map_err(|e| corrupt(height, e))?),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    block::Entity::insert(block::ActiveModel {
        height: ActiveValue::Set(height),
        hash: ActiveValue::Set(block.header.hash().map_err(|e| corrupt(height, e))?),
        header: ActiveValue::Set(header),
    })
    .exec(db)
    .await?;
    if !rows.is_empty() {
        transaction::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

fn to_i64(height: u64) -> i64 {
    i64::try_from(height).unwrap_or(i64::MAX)
}

fn corrupt(height: i64, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        height,
        reason: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use sea_orm::{ConnectionTrait as _, Statement};

    use super::*;

    #[tokio::test]
    async fn a_sqlite_url_opens_the_file_the_way_open_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chain.db");
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        assert_eq!(store.height().await.unwrap(), 0);
        assert!(path.exists());
        let db = store.connection();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "PRAGMA journal_mode",
            ))
            .await
            .unwrap()
            .unwrap();
        let mode: String = row.try_get_by_index(0).unwrap();
        assert_eq!(mode, "wal", "the write-ahead log, as every service's SQLite");
    }

    #[tokio::test]
    async fn a_url_of_another_database_is_refused_before_connecting() {
        let error = Store::connect("mysql://sigil@localhost/registry")
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::BadUrl(_)), "{error}");
    }
}
