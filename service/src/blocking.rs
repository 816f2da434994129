//! Bounded CPU- and memory-heavy work (argon2id password checks): at most `permits` jobs run at
//! once on the blocking pool, at most `max_waiting` more wait their turn, and anything past
//! that is refused at once. Without the bound, every concurrent sign-in attempt ran its own
//! argon2id (19 MiB each), and a burst of 150 took a service from 130 MB to 1.6 GB.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

/// The work could not even wait its turn: the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the service is busy checking other passwords; try again in a moment")]
pub struct Busy;

/// A bound on concurrent heavy jobs and on the queue in front of them.
#[derive(Debug)]
pub struct BlockingLimit {
    running: Semaphore,
    /// Jobs admitted (running or waiting): admission is one atomic step, so a burst cannot
    /// overshoot the queue between a check and an increment.
    admitted: AtomicUsize,
    max_admitted: usize,
}

impl BlockingLimit {
    /// At most `permits` jobs at once and `max_waiting` more queued.
    pub fn new(permits: usize, max_waiting: usize) -> Self {
        let permits = permits.max(1);
        BlockingLimit {
            running: Semaphore::new(permits),
            admitted: AtomicUsize::new(0),
            max_admitted: permits.saturating_add(max_waiting),
        }
    }

    /// One job per core, and a queue of 32 per core.
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        BlockingLimit::new(cores, cores.saturating_mul(32))
    }

    /// Runs `job` on the blocking pool once a permit is free, or refuses it with [`Busy`] if
    /// the queue is full. A job whose thread panicked counts as `Busy` too, never as a result.
    pub async fn run<T, F>(&self, job: F) -> Result<T, Busy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let admitted = self
            .admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_admitted).then_some(n + 1)
            });
        if admitted.is_err() {
            return Err(Busy);
        }
        let _admission = Admission(&self.admitted);
        let _permit = self.running.acquire().await.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(job).await.map_err(|_| Busy)
    }
}

/// Gives an admission back when its job ends, however it ends (even if the request that
/// waited for it is dropped).
struct Admission<'a>(&'a AtomicUsize);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_than_the_permits_run_and_the_rest_beyond_the_queue_are_refused() {
        let limit = Arc::new(BlockingLimit::new(2, 3));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(std::sync::Mutex::new(gate));
        let mut jobs = Vec::new();
        for _ in 0..5 {
            let (limit, running, most, gate) = (limit.clone(), running.clone(), most.clone(), gate.clone());
            jobs.push(tokio::spawn(async move {
                limit
                    .run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        gate.lock().unwrap().recv().unwrap();
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
            }));
        }
        // The five are admitted (two running, three waiting) once the count says so.
        while limit.admitted.load(Ordering::SeqCst) < 5 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            limit.run(|| ()).await,
            Err(Busy),
            "the sixth finds the queue full"
        );
        for _ in 0..5 {
            release.send(()).unwrap();
        }
        for job in jobs {
            assert_eq!(job.await.unwrap(), Ok(()));
        }
        assert!(most.load(Ordering::SeqCst) <= 2, "at most two ran at once");
        assert_eq!(
            limit.admitted.load(Ordering::SeqCst),
            0,
            "every admission was given back"
        );
        assert_eq!(limit.run(|| 7).await, Ok(7));
    }
}
