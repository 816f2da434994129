//! Waiting on conditions, never for a fixed time: a test that needs the verifier to have seen a
//! revocation asks until it has, and one that needs a later second on the clock (the ledger and
//! credentials date to the second) waits until the clock has passed it.

use std::future::Future;
use std::time::Duration;

use sigil_core::time::{Timestamp, now};

/// How long a condition may take before the test fails: far above what any takes on a loaded
/// two-core machine, so a timeout means a bug, not a slow host.
const PATIENCE: Duration = Duration::from_secs(20);

/// How often a condition is asked again.
const POLL: Duration = Duration::from_millis(20);

/// Asks `probe` until it answers `Some`, and returns that answer; `None` after [`PATIENCE`].
pub async fn until<T, F, Fut>(mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(answer) = probe().await {
            return Some(answer);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Returns once the clock reads a later second than `moment`'s: what happens next is dated
/// strictly after it at the ledger's one-second resolution.
pub async fn until_the_clock_passes(moment: Timestamp) {
    let second = moment.timestamp();
    while now().timestamp() <= second {
        tokio::time::sleep(POLL).await;
    }
}

/// [`until_the_clock_passes`] for tests that run outside a runtime.
pub fn until_the_clock_passes_blocking(moment: Timestamp) {
    let second = moment.timestamp();
    while now().timestamp() <= second {
        std::thread::sleep(POLL);
    }
}
