//! `soak`: a bounded soak test of the whole stack. It starts the registry, the issuer, the
//! verifier and the wallet's UI on loopback (the binaries beside this one: `target/debug` or
//! `target/release`), then for `--warmup-seconds` and `--seconds` runs `--clients` concurrent
//! holders — each issued diplomas over OpenID4VCI, presenting them over OpenID4VP, revoking
//! some (`--revocations-per-second`) and presenting them again — and one browser session on
//! the real wallet, and reports operations and requests per second, p50/p99 latency, errors and each service's
//! memory. It exits 1 unless there were no errors, every kind of operation ran, and memory
//! stayed flat (`memory::GROWTH_FACTOR`).
//!
//! ```text
//! cargo run -p sigil-tests --bin soak -- --seconds 300 --clients 4 --record docs/soak.md
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test program; JSON is indexed where a missing member reads as null"
)]

mod client;
mod memory;
mod report;
mod services;
mod stats;
mod wallet_ui;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use sigil_tests::load::Endpoints;
use sigil_tests::load::http::Http;
use tokio::time::Instant;

use crate::client::Shared;
use crate::report::Report;
use crate::services::Services;
use crate::stats::Recorder;

/// Drives the whole stack on loopback with concurrent clients and reports.
#[derive(Debug, Parser)]
struct Flags {
    /// How long to measure, after the warm-up.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Concurrent holders (the wallet's UI session comes on top).
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Revocations a second, shared by the clients (see `client::Budget` for the limit).
    #[arg(long, default_value_t = 0.5)]
    revocations_per_second: f64,
    /// Load before the memory is first read: caches and pools fill up first.
    #[arg(long, default_value_t = 10)]
    warmup_seconds: u64,
    /// Also write the report (Markdown) to this file.
    #[arg(long)]
    record: Option<PathBuf>,
    /// Print the report as JSON instead of Markdown.
    #[arg(long)]
    json: bool,
}

/// How often memory is read during the window (for the peak).
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

/// Settings the services get for the soak unless the caller sets them (the services read
/// `SIGIL_*` variables, and inherit the soak's environment). All the soak's clients come from
/// 127.0.0.1, as a relying party's back end serving many people from one address does, and
/// such a back end raises the verifier's per-address limit on writes (300 a minute by
/// default): the limiter still runs on every write, it just does not refuse the soak's.
const SERVICE_SETTINGS: [(&str, &str); 1] = [("SIGIL_WRITES_PER_MINUTE", "1000000")];

fn main() -> anyhow::Result<ExitCode> {
    let flags = Flags::parse();
    if let Some(code) = sigil_tests::load::rerun_with(&SERVICE_SETTINGS)? {
        return Ok(code);
    }
    tokio::runtime::Runtime::new()?.block_on(run(&flags))
}

/// Runs the soak, prints and records the report; success when it passed.
async fn run(flags: &Flags) -> anyhow::Result<ExitCode> {
    let report = soak(flags).await?;
    if flags.json {
        println!("{}", report.json());
    } else {
        println!("{}", report.markdown());
    }
    if let Some(path) = &flags.record {
        let command = format!(
            "soak --seconds {} --clients {} --warmup-seconds {} --revocations-per-second {}",
            flags.seconds, flags.clients, flags.warmup_seconds, flags.revocations_per_second
        );
        report
            .record(path, &command)
            .with_context(|| path.display().to_string())?;
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Starts the stack, runs the clients, and measures.
async fn soak(flags: &Flags) -> anyhow::Result<Report> {
    let services = Services::start().await?;
    let shared = Arc::new(Shared {
        api: Endpoints {
            http: Http::new()?,
            issuer: services.issuer_url(),
            token: services.stack.token.clone(),
            verifier: services.verifier_url(),
        },
        recorder: Recorder::default(),
        revocations: client::Budget::per_second(flags.revocations_per_second),
    });
    let browser = wallet_ui::Browser::unlock(&shared, &services.wallet.url, sigil_tests::TEST_PASSPHRASE)
        .await
        .context("unlocking the wallet's UI")?;
    let warmup = Duration::from_secs(flags.warmup_seconds);
    let deadline = Instant::now() + warmup + Duration::from_secs(flags.seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..flags.clients {
        tasks.spawn(client::run(Arc::clone(&shared), index, deadline));
    }
    tasks.spawn(wallet_ui::run(Arc::clone(&shared), browser, deadline));

    tokio::time::sleep(warmup).await;
    let mut memory = services.watch()?;
    shared.recorder.start_measuring();
    let (started, sent_before) = (Instant::now(), shared.api.http.sent());
    while Instant::now() < deadline {
        tokio::time::sleep(SAMPLE_EVERY.min(deadline.saturating_duration_since(Instant::now()))).await;
        for watched in &mut memory {
            watched.sample()?;
        }
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done {
            shared.recorder.error(format!("a client stopped: {e}"));
        }
    }
    let window = started.elapsed();
    let requests = shared.api.http.sent() - sent_before;
    for watched in &mut memory {
        watched.sample()?;
    }
    let (latencies, errors, error_messages) = shared.recorder.finish();
    Ok(Report {
        clients: flags.clients,
        warmup,
        window,
        binaries: {
            let dir = sigil_tests::bin_dir();
            let relative = dir.strip_prefix(sigil_tests::repo_root()).unwrap_or(&dir);
            relative.display().to_string()
        },
        latencies,
        requests,
        errors,
        error_messages,
        memory,
    })
}
