//! What the load programs (`src/bin/soak`, `src/bin/services-bench`) share: a counting HTTP
//! client ([`http`]), a light in-process holder ([`holder`]), and the calls they make on the
//! issuer's and the verifier's APIs ([`Endpoints`]). Every call returns an error rather than
//! panicking, so a program can count failures instead of stopping at the first.

pub mod holder;
pub mod http;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use serde_json::{Value, json};

use self::holder::{Held, Holder};
use self::http::{Http, text};

/// Where the services answer, and the issuer's API token.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub http: Http,
    /// The issuer's base URL, without the trailing slash.
    pub issuer: String,
    pub token: String,
    /// The verifier's base URL, without the trailing slash.
    pub verifier: String,
}

/// A new offer: the issuer's id for the credential, the offer URI and its PIN.
#[derive(Debug, Clone)]
pub struct Offer {
    pub credential_id: String,
    pub offer_uri: String,
    pub pin: String,
}

impl Offer {
    fn from_json(offer: &Value) -> anyhow::Result<Self> {
        Ok(Offer {
            credential_id: text(offer, "/credential_id")?,
            offer_uri: text(offer, "/offer_uri")?,
            pin: text(offer, "/tx_code")?,
        })
    }
}

/// The sample diploma's claims.
pub fn diploma_claims() -> anyhow::Result<Value> {
    Ok(serde_json::from_str(include_str!(
        "../../../examples/diploma-claims.json"
    ))?)
}

impl Endpoints {
    /// An offer of the sample diploma in `format`, over the issuer's API.
    pub async fn offer(&self, format: &str) -> anyhow::Result<Offer> {
        let body =
            json!({"type": "UniversityDegreeCredential", "claims": diploma_claims()?, "format": format});
        let http = &self.http;
        let offer = http
            .json(
                http.client
                    .post(format!("{}/api/offers", self.issuer))
                    .bearer_auth(&self.token)
                    .json(&body),
                201,
            )
            .await?;
        Offer::from_json(&offer)
    }

    /// Offers of diplomas from a CSV upload (`POST /api/offers/batch`), all or none.
    pub async fn offer_csv(&self, csv: String, format: &str) -> anyhow::Result<Vec<Offer>> {
        let http = &self.http;
        let answer = http
            .json(
                http.client
                    .post(format!(
                        "{}/api/offers/batch?type=UniversityDegreeCredential&format={format}",
                        self.issuer
                    ))
                    .bearer_auth(&self.token)
                    .header("content-type", "text/csv")
                    .body(csv),
                201,
            )
            .await?;
        answer
            .get("offers")
            .and_then(Value::as_array)
            .with_context(|| format!("no offers in {answer}"))?
            .iter()
            .map(Offer::from_json)
            .collect()
    }

    /// Anchors one batch of the issued credentials waiting for it; how many it anchored.
    pub async fn anchor_now(&self) -> anyhow::Result<u64> {
        let http = &self.http;
        let answer = http
            .json(
                http.client
                    .post(format!("{}/api/anchors", self.issuer))
                    .bearer_auth(&self.token),
                200,
            )
            .await?;
        answer
            .get("anchored")
            .and_then(Value::as_u64)
            .with_context(|| format!("no count in {answer}"))
    }

    /// Has `holder` receive an offer of the sample diploma in `format`.
    pub async fn issue(&self, holder: &Holder, format: &'static str) -> anyhow::Result<Held> {
        let offer = self.offer(format).await?;
        let credential = holder.receive(&offer.offer_uri, &offer.pin).await?;
        Ok(Held {
            id: offer.credential_id,
            format,
            credential,
        })
    }

    /// Revokes the credential the issuer knows as `id`.
    pub async fn revoke(&self, id: &str) -> anyhow::Result<()> {
        let http = &self.http;
        http.send(
            http.client
                .post(format!("{}/api/credentials/{id}/revoke", self.issuer))
                .bearer_auth(&self.token)
                .json(&json!({})),
            200,
        )
        .await
        .context("revoking")?;
        Ok(())
    }

    /// A verifier request over its API for a diploma in `format`: `(request id, request URI)`.
    pub async fn verifier_request(&self, format: &str) -> anyhow::Result<(String, String)> {
        let body = json!({"type": "UniversityDegreeCredential", "claims": ["name", "degree.name"], "formats": [format]});
        let http = &self.http;
        let created = http
            .json(
                http.client
                    .post(format!("{}/api/requests", self.verifier))
                    .json(&body),
                201,
            )
            .await?;
        Ok((text(&created, "/request_id")?, text(&created, "/request_uri")?))
    }

    /// The verifier's record of request `id`: its state and outcome.
    pub async fn verifier_result(&self, id: &str) -> anyhow::Result<Value> {
        let http = &self.http;
        http.json(
            http.client.get(format!("{}/api/requests/{id}", self.verifier)),
            200,
        )
        .await
    }

    /// An OpenID4VP round trip: a new request, `holder`'s presentation of `held`, and the
    /// verifier's record of the result.
    pub async fn present(&self, holder: &Holder, held: &Held) -> anyhow::Result<Value> {
        let (id, uri) = self.verifier_request(held.format).await?;
        holder.present(&uri, held).await?;
        self.verifier_result(&id).await
    }
}

/// A wrong verdict is an error: a valid diploma must be "verified".
pub fn ensure_verified(result: &Value, format: &str) -> anyhow::Result<()> {
    ensure!(
        result.get("state").and_then(Value::as_str) == Some("verified"),
        "a valid {format} diploma was not verified: {}",
        summary(result)
    );
    Ok(())
}

/// A revoked diploma must be rejected, and for its status.
pub fn ensure_rejected_for_status(result: &Value, format: &str) -> anyhow::Result<()> {
    if result.get("state").and_then(Value::as_str) != Some("rejected") {
        bail!("a revoked {format} diploma was not rejected: {}", summary(result));
    }
    ensure!(
        failed_checks(result).contains(&"status".to_owned()),
        "a revoked {format} diploma was rejected, but not for its status: {}",
        summary(result)
    );
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
        result.get("state").unwrap_or(&Value::Null),
        failed_checks(result)
    )
}

/// The `q`-quantile (0..=1) of sorted latencies, by the nearest-rank method.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len() - 1))
        .copied()
        .unwrap_or_default()
}

/// Makes sure the services this program starts get `settings` (`SIGIL_*` variables, which
/// they inherit) unless the caller set them. A program may not set its own environment safely
/// once threads run (and this workspace forbids `unsafe`), so when one is missing the program
/// runs itself again with it: the answer is then that run's exit code, and `None` means this
/// run has them all and should go on.
pub fn rerun_with(settings: &[(&str, &str)]) -> anyhow::Result<Option<ExitCode>> {
    let missing: Vec<_> = settings
        .iter()
        .filter(|(name, _)| std::env::var_os(name).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let status = std::process::Command::new(std::env::current_exe()?)
        .args(std::env::args_os().skip(1))
        .envs(missing.iter().map(|(name, value)| (name, value)))
        .status()?;
    Ok(Some(ExitCode::from(
        status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(1),
    )))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn quantiles_are_taken_by_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&sorted, 0.5), Duration::from_millis(50));
        assert_eq!(quantile(&sorted, 0.99), Duration::from_millis(99));
        assert_eq!(quantile(&sorted, 1.0), Duration::from_millis(100));
        assert_eq!(quantile(&sorted[..1], 0.99), Duration::from_millis(1));
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
    }
}
