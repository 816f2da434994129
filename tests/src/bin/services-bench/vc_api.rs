//! The load generator for the verifier's VC API: `connections` workers, each with its own
//! connection, send `POST /credentials/verify` back to back until the time or the request
//! budget runs out, and check every answer verified. Bounded both ways, loopback only (the
//! caller checked the URL).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use serde_json::{Value, json};
use sigil_tests::load::quantile;

use crate::{TARGET_VERIFICATIONS_PER_SECOND, ms};

/// How the verifier is loaded.
#[derive(Debug)]
pub struct Load {
    pub connections: usize,
    pub duration: Duration,
    pub max_requests: u64,
}

/// Requests sent, one after another, before the measured window: they fill the verifier's
/// caches (the registry's answers, the issuer's key) and open the connections.
const WARM_UP_REQUESTS: usize = 200;

/// What the window measured.
#[derive(Debug)]
pub struct Verifications {
    connections: usize,
    window: Duration,
    latencies: Vec<Duration>,
    /// CPU seconds the verifier and the load generator used in the window.
    verifier_cpu: f64,
    generator_cpu: f64,
}

pub async fn run(
    verifier: &str,
    credential: &Value,
    load: &Load,
    verifier_pid: u32,
) -> anyhow::Result<Verifications> {
    let url = format!("{verifier}/credentials/verify");
    let body = serde_json::to_vec(&json!({"verifiableCredential": credential}))?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(load.connections)
        .build()?;
    for _ in 0..WARM_UP_REQUESTS {
        verify(&client, &url, &body).await?;
    }

    let budget = Arc::new(AtomicU64::new(load.max_requests));
    let (verifier_before, generator_before) = (cpu_seconds(verifier_pid)?, own_cpu_seconds()?);
    let started = Instant::now();
    let deadline = started + load.duration;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..load.connections.max(1) {
        let (client, url, body, budget) = (client.clone(), url.clone(), body.clone(), Arc::clone(&budget));
        workers.spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline && take(&budget) {
                let sent = Instant::now();
                verify(&client, &url, &body).await?;
                latencies.push(sent.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = workers.join_next().await {
        latencies.extend(done.context("a load worker stopped")??);
    }
    let window = started.elapsed();
    latencies.sort_unstable();
    Ok(Verifications {
        connections: load.connections,
        window,
        latencies,
        verifier_cpu: cpu_seconds(verifier_pid)? - verifier_before,
        generator_cpu: own_cpu_seconds()? - generator_before,
    })
}

/// Takes one request from the budget, if any is left.
fn take(budget: &AtomicU64) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(1))
        .is_ok()
}

/// One verification, which must be `200` and `verified`.
async fn verify(client: &reqwest::Client, url: &str, body: &[u8]) -> anyhow::Result<()> {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.bytes().await?;
    ensure!(
        status == 200,
        "POST /credentials/verify: HTTP {status}: {}",
        String::from_utf8_lossy(&text)
    );
    let report: Value = serde_json::from_slice(&text)?;
    ensure!(
        report.get("verified") == Some(&Value::Bool(true)),
        "the diploma did not verify: {report}"
    );
    Ok(())
}

/// Linux reports a process's CPU time in clock ticks of 1/100 s (`USER_HZ`, fixed for
/// `/proc` whatever the kernel's own tick).
const TICKS_PER_SECOND: f64 = 100.0;

/// User and system CPU seconds process `pid` has used (`/proc/PID/stat`).
fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    stat_cpu_seconds(&std::fs::read_to_string(format!("/proc/{pid}/stat"))?)
}

fn own_cpu_seconds() -> anyhow::Result<f64> {
    stat_cpu_seconds(&std::fs::read_to_string("/proc/self/stat")?)
}

/// `utime` and `stime` are the 14th and 15th fields; the command name (2nd, in parentheses)
/// may hold spaces, so fields are counted after its closing parenthesis.
fn stat_cpu_seconds(stat: &str) -> anyhow::Result<f64> {
    let after_name = stat.rsplit_once(')').context("no command name in /proc stat")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name, the 3rd field (state) is at index 0, so the 14th is at index 11.
    let ticks = |index: usize| -> anyhow::Result<f64> {
        Ok(fields.get(index).context("a short /proc stat")?.parse::<f64>()?)
    };
    Ok((ticks(11)? + ticks(12)?) / TICKS_PER_SECOND)
}

/// What keeps the VC API under its target, as the verifier's profile under this load
/// (`docs/profiles/verifier-stop-29.txt`) shows it.
const IN_THE_WAY: &str = "\n\nWhat stands in the way: each request is a whole verification, and the load generator needs about a fifth of the two cores to send them. In the verifier's profile under this load (`docs/profiles/verifier-stop-29.txt`) the Data Integrity pipeline takes two thirds of its samples: the Ed25519 check 17%, canonicalising the credential and its proof options 17%, the status list's check (its verified copy reused within the second) 6%, the compact-form check 5%; parsing the request's JSON takes 8%, hyper's reading and writing of the connection 18%, and the allocator 10%. At 8,000 verifications a second with the generator's share, the verifier would have about 200 µs of a core for each, of which a signature is 45; what Sigil does beyond the signature for each credential — reading what was signed before trusting it, the issuer's key history, status and accreditation — is what holds it above that budget.";

impl Verifications {
    pub fn markdown(&self) -> String {
        let count = self.latencies.len();
        let per_second = count as f64 / self.window.as_secs_f64().max(f64::EPSILON);
        let per_verifier_cpu_second = count as f64 / self.verifier_cpu.max(f64::EPSILON);
        format!(
            "**The verifier's VC API:** `POST /credentials/verify` with one diploma, {connections} connections sending back to back for {seconds:.1} s after {warm} warm-up requests (the registry's answers cached, as the verifier caches them per block height).\n\n\
             | figure | Sigil | target |\n|---|---|---|\n\
             | verifications/s | **{per_second:.0}** | ≥ {target:.0} |\n\
             | latency p50 / p99 ms | {p50} / {p99} | |\n\
             | verifications per CPU-second of the verifier | {per_verifier_cpu_second:.0} | |\n\
             | CPU used in the window: verifier / load generator | {verifier_cpu:.1} s / {generator_cpu:.1} s | |\n\n\
             The load generator shares the two cores with the verifier; the verifications per CPU-second of the verifier say what it does with a core to itself.{in_the_way}",
            connections = self.connections,
            seconds = self.window.as_secs_f64(),
            warm = WARM_UP_REQUESTS,
            target = TARGET_VERIFICATIONS_PER_SECOND,
            p50 = ms(quantile(&self.latencies, 0.5)),
            p99 = ms(quantile(&self.latencies, 0.99)),
            verifier_cpu = self.verifier_cpu,
            generator_cpu = self.generator_cpu,
            in_the_way = if per_second >= TARGET_VERIFICATIONS_PER_SECOND {
                ""
            } else {
                IN_THE_WAY
            },
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn cpu_time_is_read_after_a_command_name_with_spaces_and_parentheses() {
        let stat = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0";
        assert!((stat_cpu_seconds(stat).unwrap() - 3.25).abs() < 1e-9);
    }

    #[test]
    fn the_request_budget_runs_out() {
        let budget = AtomicU64::new(2);
        assert!(take(&budget) && take(&budget));
        assert!(!take(&budget));
    }
}
