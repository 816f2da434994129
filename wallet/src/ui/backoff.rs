//! Slowing down passphrase guesses at the unlock page. Each attempt is counted as a failure
//! *before* its argon2id derivation runs (and forgiven when it succeeds), so a burst of
//! concurrent guesses cannot all be tried: after the n-th attempt the next waits
//! 1 s · 2ⁿ⁻¹, at most [`MAX_WAIT`], and an attempt too early is answered with the wait. A
//! semaphore bounds how many derivations run at once, whatever the count says. Time comes
//! from a [`Clock`], so tests move it instead of sleeping.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The wait after the first failed attempt; each further one doubles it.
pub const FIRST_WAIT: Duration = Duration::from_secs(1);
/// The longest wait between attempts.
pub const MAX_WAIT: Duration = Duration::from_secs(300);
/// How many passphrase derivations (argon2id, 64 MiB each by default) may run at once.
pub const CONCURRENT_CHECKS: usize = 2;

/// Where the back-off reads the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The system's monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to, for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<Instant>);

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock(Mutex::new(Instant::now()))
    }
}

impl ManualClock {
    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The failed attempts so far and when the next may start.
#[derive(Debug, Default)]
struct Count {
    failures: u32,
    not_before: Option<Instant>,
}

/// The unlock page's back-off.
#[derive(Debug)]
pub struct Backoff {
    clock: Arc<dyn Clock>,
    count: Mutex<Count>,
    checks: Arc<Semaphore>,
}

/// An attempt allowed to run: hold it (move it into the blocking task) while the passphrase
/// is checked, and call [`Backoff::succeeded`] if it was right.
#[derive(Debug)]
pub struct Attempt {
    _permit: OwnedSemaphorePermit,
}

impl Backoff {
    /// A back-off with no failures, reading `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Backoff {
            clock,
            count: Mutex::new(Count::default()),
            checks: Arc::new(Semaphore::new(CONCURRENT_CHECKS)),
        }
    }

    /// Starts an attempt, counting it as failed until [`Backoff::succeeded`]; or the time to
    /// wait before the next one may start.
    pub fn begin(&self) -> Result<Attempt, Duration> {
        let permit = Arc::clone(&self.checks)
            .try_acquire_owned()
            .map_err(|_| FIRST_WAIT)?;
        let now = self.clock.now();
        let mut count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(wait) = count.not_before.and_then(|t| t.checked_duration_since(now)) {
            if !wait.is_zero() {
                return Err(wait);
            }
        }
        count.failures = count.failures.saturating_add(1);
        count.not_before = Some(now + wait_after(count.failures));
        Ok(Attempt { _permit: permit })
    }

    /// The attempt was right: the count starts again.
    pub fn succeeded(&self) {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) = Count::default();
    }
}

/// The wait after `failures` failed attempts: 1 s, 2 s, 4 s … at most [`MAX_WAIT`].
fn wait_after(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_WAIT.saturating_mul(1u32 << doublings).min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_a_second_to_a_cap() {
        let waits: Vec<u64> = (1..=11).map(|n| wait_after(n).as_secs()).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
    }

    #[test]
    fn an_attempt_is_counted_before_it_runs_and_forgiven_when_it_succeeds() {
        let clock = Arc::new(ManualClock::default());
        let backoff = Backoff::new(clock.clone());
        let first = backoff.begin().unwrap();
        // Still running, and already counted: a second guess must wait.
        assert_eq!(backoff.begin().unwrap_err(), Duration::from_secs(1));
        drop(first);
        clock.advance(Duration::from_millis(400));
        assert_eq!(backoff.begin().unwrap_err(), Duration::from_millis(600));
        clock.advance(Duration::from_millis(600));
        let second = backoff.begin().unwrap();
        drop(second);
        assert_eq!(backoff.begin().unwrap_err(), Duration::from_secs(2));
        clock.advance(Duration::from_secs(2));
        let third = backoff.begin().unwrap();
        backoff.succeeded();
        drop(third);
        // Forgiven: the next attempt may start at once.
        assert!(backoff.begin().is_ok());
    }

    #[test]
    fn no_more_derivations_run_at_once_than_the_semaphore_allows() {
        let clock = Arc::new(ManualClock::default());
        let backoff = Backoff::new(clock);
        let mut running = Vec::new();
        for _ in 0..CONCURRENT_CHECKS {
            running.push(backoff.begin().unwrap());
            backoff.succeeded();
        }
        assert_eq!(backoff.begin().unwrap_err(), FIRST_WAIT);
        running.clear();
        assert!(backoff.begin().is_ok());
    }
}
