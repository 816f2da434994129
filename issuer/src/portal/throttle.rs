//! Login throttling: failed sign-ins are counted per username and per client address over a
//! window; past the limit, further attempts are refused until the window ends, whatever the
//! password. An attempt is counted when it begins, not when its password has been found wrong:
//! argon2id takes a while, and counting afterwards let 40 concurrent guesses through a limit
//! of 5. Written here because the rate-limit crates (tower_governor and friends) limit
//! request rates, while what must be limited is failures, keyed by what the request names.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts allowed per username in a window.
pub const PER_USERNAME: u32 = 5;
/// Failed attempts allowed per client address in a window.
pub const PER_ADDRESS: u32 = 20;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys tracked at most; beyond this the oldest windows are dropped.
const MAX_KEYS: usize = 100_000;

/// Failure counts.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    /// Starts a sign-in attempt: counts it as failed *before* the password is checked, in the
    /// same step as the check against the limits, so a burst of concurrent attempts cannot all
    /// pass a check that none of them has counted yet. [`succeeded`](Self::succeeded) takes
    /// the count back. `Err(wait)` when the username or the address must wait.
    pub fn begin(&self, username: &str, address: &str, now: Instant) -> Result<(), Duration> {
        let Ok(mut failures) = self.failures.lock() else {
            return Err(WINDOW);
        };
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, (_, started)| now.saturating_duration_since(*started) < WINDOW);
        }
        let keys = [
            (user_key(username), PER_USERNAME),
            (address_key(address), PER_ADDRESS),
        ];
        let wait = keys
            .iter()
            .filter_map(|(key, limit)| {
                let (count, started) = failures.get(key)?;
                let elapsed = now.saturating_duration_since(*started);
                (*count >= *limit && elapsed < WINDOW).then(|| WINDOW - elapsed)
            })
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        for (key, _) in keys {
            let entry = failures.entry(key).or_insert((0, now));
            if now.saturating_duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        Ok(())
    }

    /// The attempt begun for `username` from `address` was right: forgets the username's
    /// failures and takes back the address's count for it.
    pub fn succeeded(&self, username: &str, address: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&user_key(username));
            if let Some((count, _)) = failures.get_mut(&address_key(address)) {
                *count = count.saturating_sub(1);
            }
        }
    }
}

fn user_key(username: &str) -> String {
    format!("user:{}", username.to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn five_failures_lock_a_username_for_the_window() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..PER_USERNAME {
            assert_eq!(throttle.begin("registrar", "10.0.0.1", start), Ok(()));
        }
        assert!(
            throttle.begin("Registrar", "10.0.0.2", start).is_err(),
            "any address, any case"
        );
        assert_eq!(throttle.begin("someone-else", "10.0.0.2", start), Ok(()));
        assert_eq!(throttle.begin("registrar", "10.0.0.1", start + WINDOW), Ok(()));
    }

    #[test]
    fn one_address_trying_many_usernames_is_locked_too() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for n in 0..PER_ADDRESS {
            assert_eq!(throttle.begin(&format!("user{n}"), "10.0.0.9", start), Ok(()));
        }
        assert!(throttle.begin("fresh-name", "10.0.0.9", start).is_err());
        assert_eq!(throttle.begin("fresh-name", "10.0.0.10", start), Ok(()));
    }

    #[test]
    fn a_burst_of_concurrent_attempts_gets_no_more_than_the_limit() {
        let throttle = Arc::new(LoginThrottle::default());
        let start = Instant::now();
        let barrier = Arc::new(std::sync::Barrier::new(41));
        let attempts: Vec<_> = (0..41)
            .map(|_| {
                let (throttle, barrier) = (throttle.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    throttle.begin("registrar", "10.0.0.1", start).is_ok()
                })
            })
            .collect();
        let admitted = attempts
            .into_iter()
            .map(|attempt| attempt.join().unwrap())
            .filter(|admitted| *admitted)
            .count();
        assert_eq!(admitted, PER_USERNAME as usize);
    }

    #[test]
    fn a_right_password_takes_its_attempt_back() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..PER_USERNAME - 1 {
            throttle.begin("registrar", "10.0.0.1", start).unwrap();
        }
        throttle.begin("registrar", "10.0.0.1", start).unwrap();
        throttle.succeeded("registrar", "10.0.0.1");
        for _ in 0..PER_USERNAME {
            assert_eq!(throttle.begin("registrar", "10.0.0.1", start), Ok(()));
        }
    }
}
