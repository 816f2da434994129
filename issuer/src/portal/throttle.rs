//! Login throttling: failed sign-ins are counted per username and per client address over a
//! window; past the limit, further attempts are refused until the window ends, whatever the
//! password. Written here because the rate-limit crates (tower_governor and friends) limit
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
    /// How long to wait before `username` may try again from `address`, if it must.
    pub fn wait(&self, username: &str, address: &str, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().ok()?;
        [
            (user_key(username), PER_USERNAME),
            (address_key(address), PER_ADDRESS),
        ]
        .iter()
        .filter_map(|(key, limit)| {
            let (count, started) = failures.get(key)?;
            let elapsed = now.saturating_duration_since(*started);
            (*count >= *limit && elapsed < WINDOW).then(|| WINDOW - elapsed)
        })
        .max()
    }

    /// Counts a failed attempt.
    pub fn failed(&self, username: &str, address: &str, now: Instant) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, (_, started)| now.saturating_duration_since(*started) < WINDOW);
        }
        for key in [user_key(username), address_key(address)] {
            let entry = failures.entry(key).or_insert((0, now));
            if now.saturating_duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    /// Forgets a username's failures after it signs in.
    pub fn succeeded(&self, username: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&user_key(username));
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
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_a_username_for_the_window() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..PER_USERNAME {
            assert_eq!(throttle.wait("registrar", "10.0.0.1", start), None);
            throttle.failed("registrar", "10.0.0.1", start);
        }
        assert!(
            throttle.wait("Registrar", "10.0.0.2", start).is_some(),
            "any address, any case"
        );
        assert_eq!(throttle.wait("someone-else", "10.0.0.2", start), None);
        assert_eq!(throttle.wait("registrar", "10.0.0.1", start + WINDOW), None);
    }

    #[test]
    fn one_address_trying_many_usernames_is_locked_too() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for n in 0..PER_ADDRESS {
            throttle.failed(&format!("user{n}"), "10.0.0.9", start);
        }
        assert!(throttle.wait("fresh-name", "10.0.0.9", start).is_some());
        assert_eq!(throttle.wait("fresh-name", "10.0.0.10", start), None);
    }
}
