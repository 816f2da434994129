//! One writer per SQLite database, committing many writes with one `fsync`.
//!
//! SQLite takes one writer at a time. When several requests write at once through a pool,
//! all but one wait in SQLite's busy handler, which polls by sleeping (1, 2, 5, 10 … 100 ms),
//! and every write pays its own `fsync` of the write-ahead log. A service under load then
//! spends its time asleep: the issuer redeemed 124 diplomas a second on an idle disk.
//!
//! [`GroupCommit`] instead queues each write as a job for one task. The task takes every
//! job waiting (up to [`MAX_BATCH`]), runs them one after another in one `IMMEDIATE`
//! transaction — each after its own savepoint, so a job that fails is rolled back alone —
//! commits once, and only then answers each caller. A caller therefore learns of its write
//! only once it is durable, exactly as with a transaction of its own; what changes is that
//! writes arriving together share the commit. No write waits on another's lock, and readers
//! (the pool's other connections, under the write-ahead log) are never blocked.
//!
//! A job must only talk to the database: whatever it awaits, every write queued behind it
//! waits too.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::FutureExt as _;
use futures::future::BoxFuture;
use sea_orm::{
    ConnectionTrait as _, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait as _,
};
use tokio::sync::{mpsc, oneshot};

/// The most jobs committed together: enough to take every request of a busy service, few
/// enough that one commit's transaction stays small.
pub const MAX_BATCH: usize = 256;

/// Jobs that may wait for the writer before callers wait to queue theirs.
const QUEUE: usize = 4 * MAX_BATCH;

/// What a job does once its batch is committed (or failed to be): answers its caller.
type Answer = Box<dyn FnOnce(Result<(), &DbErr>) + Send>;

/// A queued write: runs in the batch's transaction (or learns why there is none) and
/// returns how to answer its caller once the batch is over.
type Job =
    Box<dyn for<'t> FnOnce(Result<&'t DatabaseTransaction, &'t DbErr>) -> BoxFuture<'t, Answer> + Send>;

/// The writer of one database; cloning it gives another handle to the same writer.
#[derive(Debug, Clone)]
pub struct GroupCommit {
    jobs: mpsc::Sender<Job>,
    batches: Arc<AtomicU64>,
}

impl GroupCommit {
    /// Starts the writer of `db` on the current Tokio runtime. It stops once every handle is
    /// dropped and the jobs queued are done.
    pub fn start(db: DatabaseConnection) -> GroupCommit {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let batches = Arc::new(AtomicU64::new(0));
        tokio::spawn(run(db, queue, Arc::clone(&batches)));
        GroupCommit { jobs, batches }
    }

    /// Runs `work` in the writer's next transaction and returns what it returned once that
    /// transaction is committed. If `work` fails — a database error, or a refusal of the
    /// caller's own error type — what it wrote is rolled back and its error returned; the
    /// other writes of the batch are unaffected. If the commit fails, every write of the
    /// batch fails with it.
    pub async fn write<T, E, W>(&self, work: W) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbErr> + Send + 'static,
        W: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T, E>> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |txn| {
            Box::pin(async move {
                let outcome = match txn {
                    Ok(txn) => in_savepoint(txn, work).await,
                    Err(e) => Err(E::from(not_begun(e))),
                };
                Box::new(move |committed: Result<(), &DbErr>| {
                    let answer_now = match committed {
                        Ok(()) => outcome,
                        Err(e) => Err(E::from(DbErr::Custom(format!(
                            "the write was not committed: {e}"
                        )))),
                    };
                    // A caller that stopped waiting has nothing to be told.
                    let _ = answer.send(answer_now);
                }) as Answer
            })
        });
        self.jobs.send(job).await.map_err(|_| E::from(stopped()))?;
        answered.await.map_err(|_| E::from(stopped()))?
    }

    /// How many transactions the writer has committed (or tried to): with writes arriving
    /// together, fewer than writes.
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }
}

/// `work` after a savepoint of `txn`, rolled back to if it fails.
///
/// The savepoint of a job that succeeds is left open rather than released: the batch's
/// `COMMIT` commits every savepoint still open, so releasing would be one more statement per
/// job for nothing. Each is a prepared statement the connection keeps (a nested
/// [`DatabaseTransaction`] would parse its `SAVEPOINT` and `RELEASE` text anew every time).
async fn in_savepoint<T, E, W>(txn: &DatabaseTransaction, work: W) -> Result<T, E>
where
    E: From<DbErr>,
    W: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T, E>>,
{
    let statement = |sql: &str| Statement::from_string(txn.get_database_backend(), sql);
    txn.execute_raw(statement("SAVEPOINT job")).await?;
    let outcome = work(txn).await;
    if outcome.is_err() {
        txn.execute_raw(statement("ROLLBACK TO job")).await?;
    }
    outcome
}

async fn run(db: DatabaseConnection, mut queue: mpsc::Receiver<Job>, batches: Arc<AtomicU64>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        batches.fetch_add(1, Ordering::Relaxed);
        // A job that panics loses its batch (its callers are told the writer stopped, and
        // the transaction is rolled back as it is dropped), not the writer.
        if AssertUnwindSafe(commit(&db, batch)).catch_unwind().await.is_err() {
            tracing::error!("a database write panicked; its batch was rolled back");
        }
    }
}

/// Runs `batch` in one transaction and answers each job once it is committed.
async fn commit(db: &DatabaseConnection, batch: Vec<Job>) {
    let begun = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await;
    let txn = match begun {
        Ok(txn) => txn,
        Err(e) => {
            tracing::error!(error = %e, "could not begin a write transaction");
            for job in batch {
                job(Err(&e)).await(Err(&e));
            }
            return;
        }
    };
    let mut answers = Vec::with_capacity(batch.len());
    for job in batch {
        answers.push(job(Ok(&txn)).await);
    }
    match txn.commit().await {
        Ok(()) => answers.into_iter().for_each(|answer| answer(Ok(()))),
        Err(e) => {
            tracing::error!(error = %e, "could not commit a batch of writes");
            answers.into_iter().for_each(|answer| answer(Err(&e)));
        }
    }
}

fn not_begun(e: &DbErr) -> DbErr {
    DbErr::Custom(format!("the write could not begin: {e}"))
}

fn stopped() -> DbErr {
    DbErr::Custom("the database writer has stopped".to_owned())
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait as _, Statement};

    use super::*;

    async fn table() -> (tempfile::TempDir, DatabaseConnection, GroupCommit) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::sqlite::open(&dir.path().join("t.db"), 2).await.unwrap();
        db.execute_unprepared("CREATE TABLE t (x INTEGER PRIMARY KEY)")
            .await
            .unwrap();
        let writer = GroupCommit::start(db.clone());
        (dir, db, writer)
    }

    async fn insert(writer: &GroupCommit, x: i64) -> Result<u64, DbErr> {
        writer
            .write(move |txn| {
                Box::pin(async move {
                    let sql = format!("INSERT INTO t (x) VALUES ({x})");
                    Ok::<_, DbErr>(txn.execute_unprepared(&sql).await?.rows_affected())
                })
            })
            .await
    }

    async fn stored(db: &DatabaseConnection) -> Vec<i64> {
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT x FROM t ORDER BY x",
            ))
            .await
            .unwrap();
        rows.iter().map(|row| row.try_get_by_index(0).unwrap()).collect()
    }

    #[tokio::test]
    async fn writes_sent_together_share_a_commit_and_each_is_stored() {
        let (_dir, db, writer) = table().await;
        let writes = (0..50).map(|x| insert(&writer, x));
        let answers = futures::future::join_all(writes).await;
        assert!(answers.iter().all(|answer| answer == &Ok(1)));
        assert_eq!(stored(&db).await, (0..50).collect::<Vec<_>>());
        assert!(
            writer.batches() < 50,
            "{} commits for 50 writes",
            writer.batches()
        );
    }

    #[tokio::test]
    async fn a_failing_write_is_rolled_back_alone() {
        let (_dir, db, writer) = table().await;
        let failing = writer.write(|txn| {
            Box::pin(async move {
                txn.execute_unprepared("INSERT INTO t (x) VALUES (7)").await?;
                Err::<(), DbErr>(DbErr::Custom("refused after writing".to_owned()))
            })
        });
        let (before, failed, after) = tokio::join!(insert(&writer, 1), failing, insert(&writer, 2));
        assert_eq!(writer.batches(), 1, "the three writes went in one transaction");
        assert_eq!((before, after), (Ok(1), Ok(1)));
        assert_eq!(failed, Err(DbErr::Custom("refused after writing".to_owned())));
        assert_eq!(stored(&db).await, vec![1, 2], "the failed write left nothing");
    }

    #[tokio::test]
    async fn a_write_that_breaks_a_constraint_fails_and_the_writer_goes_on() {
        let (_dir, db, writer) = table().await;
        insert(&writer, 1).await.unwrap();
        assert!(insert(&writer, 1).await.is_err(), "the key is taken");
        insert(&writer, 2).await.unwrap();
        assert_eq!(stored(&db).await, vec![1, 2]);
    }
}
