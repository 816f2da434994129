//! One soak client: a holder that, until the deadline, has a diploma issued to it over
//! OpenID4VCI, presents it to the verifier over OpenID4VP and checks the verdict, and revokes
//! it when the shared revocation budget allows — presenting each revoked diploma again once the
//! verifier must know, and counting anything but "rejected, status failed" as an error.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::holder::{FORMATS, Held, Holder};
use crate::http::{Http, text};
use crate::stats::{Kind, Recorder};

/// What every client shares: where the services are, the issuer's API token, the recorder.
#[derive(Debug)]
pub struct Shared {
    pub http: Http,
    pub issuer: String,
    pub token: String,
    pub verifier: String,
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
    let holder = Holder::new(shared.http.clone());
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
        let Some(held) = timed(&shared, Kind::Issue, issue(&shared, &holder, format)).await else {
            continue;
        };
        timed(&shared, Kind::Present, present_valid(&shared, &holder, &held)).await;
        if shared.revocations.take()
            && timed(&shared, Kind::Revoke, revoke(&shared, &held))
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

/// The sample diploma's claims.
pub fn diploma_claims() -> anyhow::Result<Value> {
    Ok(serde_json::from_str(include_str!(
        "../../../../examples/diploma-claims.json"
    ))?)
}

/// An offer over the issuer's API: `(credential id, offer URI, PIN)`.
pub async fn offer(shared: &Shared, format: &str) -> anyhow::Result<(String, String, String)> {
    let body = json!({"type": "UniversityDegreeCredential", "claims": diploma_claims()?, "format": format});
    let http = &shared.http;
    let offer = http
        .json(
            http.client
                .post(format!("{}/api/offers", shared.issuer))
                .bearer_auth(&shared.token)
                .json(&body),
            201,
        )
        .await?;
    Ok((
        text(&offer, "/credential_id")?,
        text(&offer, "/offer_uri")?,
        text(&offer, "/tx_code")?,
    ))
}

async fn issue(shared: &Shared, holder: &Holder, format: &'static str) -> anyhow::Result<Held> {
    let (id, offer_uri, pin) = offer(shared, format).await?;
    let credential = holder.receive(&offer_uri, &pin).await?;
    Ok(Held {
        id,
        format,
        credential,
    })
}

/// A verifier request over its API for a diploma in `format`: `(request id, request URI)`.
pub async fn verifier_request(shared: &Shared, format: &str) -> anyhow::Result<(String, String)> {
    let body =
        json!({"type": "UniversityDegreeCredential", "claims": ["name", "degree.name"], "formats": [format]});
    let http = &shared.http;
    let created = http
        .json(
            http.client
                .post(format!("{}/api/requests", shared.verifier))
                .json(&body),
            201,
        )
        .await?;
    Ok((text(&created, "/request_id")?, text(&created, "/request_uri")?))
}

/// The verifier's record of request `id`: its state and outcome.
pub async fn verifier_result(shared: &Shared, id: &str) -> anyhow::Result<Value> {
    let http = &shared.http;
    http.json(
        http.client.get(format!("{}/api/requests/{id}", shared.verifier)),
        200,
    )
    .await
}

/// Presents `held` to a new request; returns the verifier's record of it.
async fn present(shared: &Shared, holder: &Holder, held: &Held) -> anyhow::Result<Value> {
    let (id, uri) = verifier_request(shared, held.format).await?;
    holder.present(&uri, held).await?;
    verifier_result(shared, &id).await
}

async fn present_valid(shared: &Shared, holder: &Holder, held: &Held) -> anyhow::Result<()> {
    let result = present(shared, holder, held).await?;
    ensure_verified(&result, held.format)
}

/// A wrong verdict is an error: a valid diploma must be "verified".
pub fn ensure_verified(result: &Value, format: &str) -> anyhow::Result<()> {
    ensure!(
        result["state"] == "verified",
        "a valid {format} diploma was not verified: {}",
        summary(result)
    );
    Ok(())
}

async fn present_revoked(shared: &Shared, holder: &Holder, held: &Held) -> anyhow::Result<()> {
    let result = present(shared, holder, held).await?;
    if result["state"] != "rejected" {
        bail!(
            "a revoked {} diploma was not rejected: {}",
            held.format,
            summary(&result)
        );
    }
    ensure!(
        failed_checks(&result).contains(&"status".to_owned()),
        "a revoked {} diploma was rejected, but not for its status: {}",
        held.format,
        summary(&result)
    );
    Ok(())
}

async fn revoke(shared: &Shared, held: &Held) -> anyhow::Result<()> {
    let http = &shared.http;
    http.send(
        http.client
            .post(format!("{}/api/credentials/{}/revoke", shared.issuer, held.id))
            .bearer_auth(&shared.token)
            .json(&json!({})),
        200,
    )
    .await
    .context("revoking")?;
    Ok(())
}

/// The ids of every failed check anywhere in a verifier's outcome.
fn failed_checks(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    match value {
        Value::Object(object) => {
            if object.get("outcome").and_then(Value::as_str) == Some("failed") {
                if let Some(id) = object.get("id").and_then(Value::as_str) {
                    found.push(id.to_owned());
                }
            }
            for member in object.values() {
                found.extend(failed_checks(member));
            }
        }
        Value::Array(items) => items.iter().for_each(|item| found.extend(failed_checks(item))),
        _ => {}
    }
    found
}

/// The state and the failed checks of a verifier's record, for an error message.
fn summary(result: &Value) -> String {
    format!(
        "state {}, failed checks {:?}",
        result["state"],
        failed_checks(result)
    )
}
