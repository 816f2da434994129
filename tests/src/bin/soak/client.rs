//! One soak client: a holder that, until the deadline, has a diploma issued to it over
//! OpenID4VCI, presents it to the verifier over OpenID4VP and checks the verdict, and revokes
//! it when the shared revocation budget allows — presenting each revoked diploma again once the
//! verifier must know, and counting anything but "rejected, status failed" as an error.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sigil_tests::load::holder::{FORMATS, Held, Holder};
use sigil_tests::load::{Endpoints, ensure_rejected_for_status, ensure_verified};
use tokio::time::Instant;

use crate::stats::{Kind, Recorder};

/// What every client shares: where the services are, the issuer's API token, the recorder.
#[derive(Debug)]
pub struct Shared {
    pub api: Endpoints,
    pub recorder: Recorder,
    pub revocations: Budget,
}

/// Revocations shared by all clients at a steady rate: a client revokes the diploma it just
/// presented when the budget has one, else keeps it.
///
/// Why a rate, not "every third": the issuer publishes a new status list version for each
/// revocation, each dated at least a second after the last (and never ahead of the clock), so
/// one list takes at most one revocation a second and faster ones wait their turn. A
/// university revokes far less often than that; the soak revokes at a rate a busy one might,
/// so that the latencies it reports are those of revoking, not of queueing.
#[derive(Debug)]
pub struct Budget {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Budget {
    /// `per_second` revocations a second (at most; none if it is not positive).
    pub fn per_second(per_second: f64) -> Self {
        let interval = if per_second > 0.0 {
            Duration::try_from_secs_f64(1.0 / per_second).unwrap_or(Duration::MAX)
        } else {
            Duration::MAX
        };
        Budget {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Takes one revocation if one is due.
    fn take(&self) -> bool {
        let Ok(mut next) = self.next.lock() else {
            return false;
        };
        let now = Instant::now();
        if now < *next {
            return false;
        }
        *next = now
            .checked_add(self.interval)
            .unwrap_or(now + Duration::from_secs(86_400));
        true
    }
}

/// After a revocation's block receipt, how long the verifier may still answer from what it
/// read before: it asks the registry's height at most once per `HEIGHT_TTL` and keys every
/// answer by height (`sigil_core::registry`). It dates a height from when the answer arrived,
/// not from when it was asked, so a height read just before the revocation can be used until
/// `HEIGHT_TTL` plus that request's latency after it; a second covers the latency on a loaded
/// machine. A revoked credential presented later than this and accepted is a wrong answer.
const REVOCATION_VISIBLE_AFTER: Duration =
    Duration::from_millis(sigil_core::registry::HEIGHT_TTL.as_millis() as u64 + 1000);

/// Runs client `index` until `deadline`; what happens goes to the recorder.
pub async fn run(shared: Arc<Shared>, index: usize, deadline: Instant) {
    let holder = Holder::new(shared.api.http.clone());
    let mut revoked: VecDeque<(Instant, Held)> = VecDeque::new();
    let mut round = 0usize;
    while Instant::now() < deadline {
        if let Some((due, _)) = revoked.front() {
            if *due <= Instant::now() {
                if let Some((_, held)) = revoked.pop_front() {
                    timed(
                        &shared,
                        Kind::PresentRevoked,
                        present_revoked(&shared, &holder, &held),
                    )
                    .await;
                }
            }
        }
        let format = FORMATS
            .get((index + round) % FORMATS.len())
            .copied()
            .unwrap_or("vc+jwt");
        round += 1;
        let Some(held) = timed(&shared, Kind::Issue, shared.api.issue(&holder, format)).await else {
            continue;
        };
        timed(&shared, Kind::Present, present_valid(&shared, &holder, &held)).await;
        if shared.revocations.take()
            && timed(&shared, Kind::Revoke, shared.api.revoke(&held.id))
                .await
                .is_some()
        {
            revoked.push_back((Instant::now() + REVOCATION_VISIBLE_AFTER, held));
        }
    }
    // What was revoked last is checked too, once it is due.
    while let Some((due, held)) = revoked.pop_front() {
        tokio::time::sleep_until(due).await;
        timed(
            &shared,
            Kind::PresentRevoked,
            present_revoked(&shared, &holder, &held),
        )
        .await;
    }
}

/// Runs one operation, recording its latency or its error; its result if it succeeded.
pub async fn timed<T>(
    shared: &Shared,
    kind: Kind,
    operation: impl Future<Output = anyhow::Result<T>>,
) -> Option<T> {
    let started = Instant::now();
    let outcome = operation.await;
    shared.recorder.record(kind, started.elapsed(), &outcome);
    outcome.ok()
}

async fn present_valid(shared: &Shared, holder: &Holder, held: &Held) -> anyhow::Result<()> {
    let result = shared.api.present(holder, held).await?;
    ensure_verified(&result, held.format)
}

async fn present_revoked(shared: &Shared, holder: &Holder, held: &Held) -> anyhow::Result<()> {
    let result = shared.api.present(holder, held).await?;
    ensure_rejected_for_status(&result, held.format)
}
