//! What the soak counts: for each kind of operation, the latency of every one completed in the
//! measured window, and every error anywhere (warm-up included: an error is never excused).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A kind of operation, each made of several HTTP requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// An offer over the issuer's API, redeemed over OpenID4VCI by an in-process holder.
    Issue,
    /// A verifier request over its API, answered by `direct_post`, its result read: verified.
    Present,
    /// A credential revoked over the issuer's API (answered once the registry holds it).
    Revoke,
    /// A revoked credential presented again: the verifier must answer "rejected", status failed.
    PresentRevoked,
    /// An offer redeemed by the real wallet through its web UI.
    WalletReceive,
    /// A verifier request answered by the real wallet through its consent page: verified.
    WalletPresent,
    /// The presented credential deleted through the wallet's UI, so that the wallet holds a
    /// steady number of them and its memory says something about leaks, not about its size.
    WalletDelete,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Issue,
        Kind::Present,
        Kind::Revoke,
        Kind::PresentRevoked,
        Kind::WalletReceive,
        Kind::WalletPresent,
        Kind::WalletDelete,
    ];

    /// The HTTP requests the soak sends for one (the wallet's UI sends more of its own to the
    /// issuer and the verifier, which the soak does not see).
    pub fn requests(self) -> u64 {
        match self {
            // offer, offer object, metadata, token, nonce, credential
            Kind::Issue => 6,
            // request, request object, direct_post, result
            Kind::Present | Kind::PresentRevoked => 4,
            Kind::Revoke => 1,
            // offer, the form, the post
            Kind::WalletReceive => 3,
            // request, the form, the post, the consent, result
            Kind::WalletPresent => 5,
            // the page with the form, the post
            Kind::WalletDelete => 2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Issue => "issue (OpenID4VCI)",
            Kind::Present => "present (OpenID4VP)",
            Kind::Revoke => "revoke",
            Kind::PresentRevoked => "present revoked",
            Kind::WalletReceive => "wallet UI receive",
            Kind::WalletPresent => "wallet UI present",
            Kind::WalletDelete => "wallet UI delete",
        }
    }
}

/// The errors kept in full; past this many only the count grows.
const KEPT_ERRORS: usize = 20;

/// Latencies and errors, shared by every client.
#[derive(Debug, Default)]
pub struct Recorder {
    measuring: AtomicBool,
    latencies: Mutex<BTreeMap<Kind, Vec<Duration>>>,
    errors: Mutex<(u64, Vec<String>)>,
}

impl Recorder {
    /// From now on, completed operations are measured (the warm-up is over).
    pub fn start_measuring(&self) {
        self.measuring.store(true, Ordering::SeqCst);
    }

    /// Records one operation: its latency when it succeeded in the measured window, an error
    /// whenever it failed.
    pub fn record<T>(&self, kind: Kind, took: Duration, outcome: &anyhow::Result<T>) {
        match outcome {
            Ok(_) if self.measuring.load(Ordering::SeqCst) => {
                if let Ok(mut latencies) = self.latencies.lock() {
                    latencies.entry(kind).or_default().push(took);
                }
            }
            Ok(_) => {}
            Err(e) => self.error(format!("{}: {e:#}", kind.name())),
        }
    }

    /// Counts an error.
    pub fn error(&self, message: String) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.0 += 1;
            if errors.1.len() < KEPT_ERRORS {
                errors.1.push(message);
            }
        }
    }

    /// The latencies of each kind, sorted, and the errors (count, first few).
    pub fn finish(&self) -> (BTreeMap<Kind, Vec<Duration>>, u64, Vec<String>) {
        let mut latencies = self
            .latencies
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        for list in latencies.values_mut() {
            list.sort_unstable();
        }
        let (count, kept) = self
            .errors
            .lock()
            .map(|mut e| (e.0, std::mem::take(&mut e.1)))
            .unwrap_or((1, vec!["the error list was poisoned".into()]));
        (latencies, count, kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_counts_even_in_the_warm_up_and_a_success_only_after_it() {
        let recorder = Recorder::default();
        recorder.record(Kind::Issue, Duration::from_millis(5), &anyhow::Result::Ok(()));
        recorder.record::<()>(
            Kind::Issue,
            Duration::from_millis(5),
            &Err(anyhow::anyhow!("HTTP 500")),
        );
        recorder.start_measuring();
        recorder.record(Kind::Present, Duration::from_millis(7), &anyhow::Result::Ok(()));
        let (latencies, errors, messages) = recorder.finish();
        assert_eq!(errors, 1);
        assert_eq!(messages, vec!["issue (OpenID4VCI): HTTP 500".to_owned()]);
        assert!(!latencies.contains_key(&Kind::Issue));
        assert_eq!(latencies[&Kind::Present], vec![Duration::from_millis(7)]);
    }
}
