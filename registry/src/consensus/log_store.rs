//! The Raft log and vote on the node's store. Each call returns only once what it wrote is
//! durable (the store commits synchronously), so Raft is told an entry is flushed only when a
//! crash can no longer lose it.

// openraft's traits fix the error type, large as it is.
#![allow(clippy::result_large_err)]

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};

use openraft::storage::{LogFlushed, LogState, RaftLogReader, RaftLogStorage};
use openraft::{Entry, LogId, StorageIOError, Vote};

use super::{NodeId, StorageError, TypeConfig};
use crate::store::{RaftValue, Store};

/// The log store: a handle on the node's store.
#[derive(Debug, Clone)]
pub struct LogStore {
    store: Store,
}

impl LogStore {
    pub fn new(store: Store) -> LogStore {
        LogStore { store }
    }

    async fn value<T: serde::de::DeserializeOwned>(
        &self,
        name: RaftValue,
    ) -> Result<Option<T>, StorageError> {
        let text = self
            .store
            .raft_value(name)
            .await
            .map_err(|e| StorageIOError::read(&e))?;
        text.map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|e| StorageIOError::read(&e).into())
    }

    async fn set_value<T: serde::Serialize>(&self, name: RaftValue, value: &T) -> Result<(), StorageError> {
        let text = serde_json::to_string(value).map_err(|e| StorageIOError::write(&e))?;
        self.store
            .set_raft_value(name, &text)
            .await
            .map_err(|e| StorageIOError::write(&e).into())
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry<TypeConfig>>, StorageError> {
        let start = match range.start_bound() {
            Bound::Included(start) => *start,
            Bound::Excluded(start) => start.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(end) => end.saturating_add(1),
            Bound::Excluded(end) => *end,
            Bound::Unbounded => u64::MAX,
        };
        let rows = self
            .store
            .log_entries(start, end)
            .await
            .map_err(|e| StorageIOError::read_logs(&e))?;
        rows.into_iter()
            .map(|(index, body)| {
                serde_json::from_str(&body).map_err(|e| StorageIOError::read_log_at_index(index, &e).into())
            })
            .collect()
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError> {
        let last_purged_log_id: Option<LogId<NodeId>> = self.value(RaftValue::Purged).await?;
        let last = self
            .store
            .last_log_entry()
            .await
            .map_err(|e| StorageIOError::read_logs(&e))?;
        let last_log_id = match last {
            Some((index, body)) => {
                let entry: Entry<TypeConfig> =
                    serde_json::from_str(&body).map_err(|e| StorageIOError::read_log_at_index(index, &e))?;
                Some(entry.log_id)
            }
            None => last_purged_log_id,
        };
        Ok(LogState {
            last_purged_log_id,
            last_log_id,
        })
    }

    async fn get_log_reader(&mut self) -> LogStore {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote<NodeId>) -> Result<(), StorageError> {
        self.set_value(RaftValue::Vote, vote).await
    }

    async fn read_vote(&mut self) -> Result<Option<Vote<NodeId>>, StorageError> {
        self.value(RaftValue::Vote).await
    }

    async fn save_committed(&mut self, committed: Option<LogId<NodeId>>) -> Result<(), StorageError> {
        self.set_value(RaftValue::Committed, &committed).await
    }

    async fn read_committed(&mut self) -> Result<Option<LogId<NodeId>>, StorageError> {
        Ok(self
            .value::<Option<LogId<NodeId>>>(RaftValue::Committed)
            .await?
            .flatten())
    }

    async fn append<I>(&mut self, entries: I, callback: LogFlushed<TypeConfig>) -> Result<(), StorageError>
    where
        I: IntoIterator<Item = Entry<TypeConfig>> + Send,
        I::IntoIter: Send,
    {
        let rows = entries
            .into_iter()
            .map(|entry| {
                let body = serde_json::to_string(&entry)
                    .map_err(|e| StorageIOError::write_log_entry(entry.log_id, &e))?;
                Ok((entry.log_id.index, body))
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        let written = self.store.append_log(&rows).await;
        let outcome = written.map_err(|e| std::io::Error::other(e.to_string()));
        let failed = outcome.as_ref().err().map(StorageIOError::write_logs);
        callback.log_io_completed(outcome);
        match failed {
            Some(error) => Err(error.into()),
            None => Ok(()),
        }
    }

    async fn truncate(&mut self, log_id: LogId<NodeId>) -> Result<(), StorageError> {
        self.store
            .truncate_log(log_id.index)
            .await
            .map_err(|e| StorageIOError::write_logs(&e).into())
    }

    async fn purge(&mut self, log_id: LogId<NodeId>) -> Result<(), StorageError> {
        let purged = serde_json::to_string(&Some(log_id)).map_err(|e| StorageIOError::write_logs(&e))?;
        self.store
            .purge_log(log_id.index, &purged)
            .await
            .map_err(|e| StorageIOError::write_logs(&e).into())
    }
}
