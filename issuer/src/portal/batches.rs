//! Graduating classes being stored: the upload is checked at once (every row, nothing stored
//! on any error), then its offers are stored in one transaction in the background while the
//! registrar watches a page that refreshes itself. The offers and their PINs stay in memory
//! for an hour so the registrar can download them; the database never holds a PIN.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::issuance::{OfferHandout, OfferRequest};
use crate::service::Issuer;

/// How long finished batches (with their PINs) are kept in memory.
const KEEP: Duration = Duration::from_secs(3600);

/// One upload's progress and outcome.
#[derive(Debug)]
pub struct BatchJob {
    /// The registrar who uploaded it: only they see it.
    pub owner: String,
    pub total: usize,
    pub stored: AtomicUsize,
    /// `None` while running.
    pub outcome: Mutex<Option<Result<Vec<OfferHandout>, StoreFailed>>>,
    started: Instant,
}

/// A batch whose offers could not be stored: nothing was issued (why is in the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreFailed;

/// The batches of the last hour.
#[derive(Debug, Default)]
pub struct BatchJobs {
    jobs: Mutex<HashMap<String, Arc<BatchJob>>>,
}

impl BatchJobs {
    /// Starts storing `requests` as batch `batch`, on behalf of `owner`.
    pub fn start(&self, issuer: Arc<Issuer>, batch: String, requests: Vec<OfferRequest>, owner: &str) {
        let job = Arc::new(BatchJob {
            owner: owner.to_owned(),
            total: requests.len(),
            stored: AtomicUsize::new(0),
            outcome: Mutex::new(None),
            started: Instant::now(),
        });
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.retain(|_, job| job.started.elapsed() < KEEP);
            jobs.insert(batch.clone(), job.clone());
        }
        let actor = format!("registrar:{owner}");
        tokio::spawn(async move {
            let counter = Arc::clone(&job);
            let progress = Arc::new(move |stored: usize| counter.stored.store(stored, Ordering::Relaxed));
            let outcome = issuer
                .create_offers_reporting(requests, &actor, Some(&batch), sigil_core::time::now(), progress)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, %batch, "storing a batch failed");
                    StoreFailed
                });
            if let Ok(mut slot) = job.outcome.lock() {
                *slot = Some(outcome);
            }
        });
    }

    /// A batch of the last hour.
    pub fn get(&self, batch: &str) -> Option<Arc<BatchJob>> {
        let jobs = self.jobs.lock().ok()?;
        jobs.get(batch)
            .filter(|job| job.started.elapsed() < KEEP)
            .cloned()
    }
}
