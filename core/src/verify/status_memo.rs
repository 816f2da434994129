//! Status lists verified once a second, not once a credential.
//!
//! Checking a credential's status means verifying the issuer's status list credential — its
//! proof, signing key, key history and validity — and decompressing its bitstring: about as
//! much work as the credential itself, the same for every credential of the issuer. A
//! verifier serving many requests keeps a [`VerifiedStatusLists`] and gives it to each
//! [`super::Verifier`]; the outcome of verifying a list is then reused for the rest of the
//! second it was reached in.
//!
//! Why that is the same answer: the outcome depends on the list's exact text, its URL and the
//! credential's issuer (all in the key), on the time (`now`, which the pipeline takes to the
//! second, also in the key), and on the DID documents and key history the sources give. Those
//! come from the registry, whose answers a verifier already reuses while the chain height it
//! read is under a second old, so within one second the memo adds no staleness the sources do
//! not already have. An outcome that could not be reached (a source unavailable) is never
//! kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest as _, Sha256};

use crate::model::status_list::StatusList;
use crate::time::Timestamp;

/// Most outcomes kept within one second (one per list a verifier meets in that second); past
/// it, nothing more is kept until the next second.
const MAX_KEPT: usize = 4_096;

/// A list verified and decoded, or the sentence saying why it is unusable.
pub(crate) type Outcome = Result<Arc<StatusList>, String>;

/// What identifies one verification of a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    issuer: String,
    url: String,
    text: [u8; 32],
}

/// Outcomes of status list verifications within the current second.
#[derive(Debug, Default)]
pub struct VerifiedStatusLists {
    current: Mutex<(Option<Timestamp>, HashMap<Key, Outcome>)>,
}

impl VerifiedStatusLists {
    pub fn new() -> Self {
        Self::default()
    }

    /// What identifies the list `text` at `url`, of `issuer`: taken once per check (it hashes
    /// the whole list), for [`Self::get`] and then, on a miss, [`Self::keep`].
    pub(crate) fn key(issuer: &str, url: &str, text: &str) -> Key {
        Key {
            issuer: issuer.to_owned(),
            url: url.to_owned(),
            text: Sha256::digest(text.as_bytes()).into(),
        }
    }

    /// The outcome kept for the list `key` names, verified at `now`.
    pub(crate) fn get(&self, key: &Key, now: Timestamp) -> Option<Outcome> {
        let current = self.current.lock().ok()?;
        if current.0 != Some(now) {
            return None;
        }
        current.1.get(key).cloned()
    }

    /// Keeps an outcome reached at `now`; outcomes of an earlier second are dropped.
    pub(crate) fn keep(&self, key: Key, now: Timestamp, outcome: &Outcome) {
        let Ok(mut current) = self.current.lock() else {
            return;
        };
        match current.0 {
            Some(second) if second == now => {}
            // A verification that started in an earlier second finished late: its outcome
            // belongs to a second that is over.
            Some(second) if second > now => return,
            _ => *current = (Some(now), HashMap::new()),
        }
        if current.1.len() < MAX_KEPT {
            current.1.insert(key, outcome.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::time::parse_datetime;

    fn at(second: u32) -> Timestamp {
        parse_datetime(&format!("2026-06-30T12:00:{second:02}Z")).unwrap()
    }

    fn unusable(reason: &str) -> Outcome {
        Err(reason.to_owned())
    }

    fn key(issuer: &str, url: &str, text: &str) -> Key {
        VerifiedStatusLists::key(issuer, url, text)
    }

    #[test]
    fn an_outcome_is_reused_within_its_second_only() {
        let memo = VerifiedStatusLists::new();
        memo.keep(
            key("did:example:a", "https://a/1", "list"),
            at(1),
            &unusable("expired"),
        );
        assert_eq!(
            memo.get(&key("did:example:a", "https://a/1", "list"), at(1)),
            Some(unusable("expired"))
        );
        assert_eq!(
            memo.get(&key("did:example:a", "https://a/1", "list"), at(2)),
            None
        );
    }

    #[test]
    fn another_text_url_or_issuer_is_another_list() {
        let memo = VerifiedStatusLists::new();
        memo.keep(
            key("did:example:a", "https://a/1", "list"),
            at(1),
            &unusable("expired"),
        );
        assert_eq!(
            memo.get(&key("did:example:a", "https://a/1", "list "), at(1)),
            None
        );
        assert_eq!(
            memo.get(&key("did:example:a", "https://a/2", "list"), at(1)),
            None
        );
        assert_eq!(
            memo.get(&key("did:example:b", "https://a/1", "list"), at(1)),
            None
        );
    }

    #[test]
    fn a_new_second_forgets_the_last_and_a_late_outcome_is_not_kept() {
        let memo = VerifiedStatusLists::new();
        memo.keep(
            key("did:example:a", "https://a/1", "list"),
            at(1),
            &unusable("one"),
        );
        memo.keep(
            key("did:example:a", "https://a/2", "list"),
            at(2),
            &unusable("two"),
        );
        memo.keep(
            key("did:example:a", "https://a/1", "list"),
            at(1),
            &unusable("late"),
        );
        assert_eq!(
            memo.get(&key("did:example:a", "https://a/1", "list"), at(1)),
            None
        );
        assert_eq!(
            memo.get(&key("did:example:a", "https://a/1", "list"), at(2)),
            None
        );
        assert_eq!(
            memo.get(&key("did:example:a", "https://a/2", "list"), at(2)),
            Some(unusable("two"))
        );
    }
}
