//! `services-bench`: the services' figures over HTTP on loopback, each printed next to its
//! target. It starts a registry, an accredited university's issuer and a verifier (the
//! binaries beside this one), then measures, in this order:
//!
//! 1. **A graduating class** ([`class`]): one CSV of `--class-size` diplomas uploaded to the
//!    issuer, every offer redeemed over OpenID4VCI by `--holders` concurrent holders, and every
//!    credential anchored on the registry — the time until the last anchor's block.
//! 2. **The VC API** ([`vc_api`]): a load generator holding `--connections` connections
//!    sends `POST /credentials/verify` with one of those diplomas for `--seconds` (at most
//!    `--max-requests`), after a warm-up that fills the verifier's caches of the registry's
//!    answers; verifications per second and latency.
//! 3. **OpenID4VP round trips** ([`round_trip`]): `--round-trips` times in a row, a request
//!    opened, the diploma presented by `direct_post`, the verdict read; latency of each.
//!
//! Every answer is checked (a diploma must verify), and an error stops the run: a figure made
//! of failures would be no figure. The load generator runs on the same two cores as the
//! services, so the figures are those of the whole machine doing both.
//!
//! ```text
//! bash scripts/bench-services.sh          # release binaries; writes BENCHMARKS.md
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a bench program; JSON is indexed where a missing member reads as null"
)]

mod class;
mod round_trip;
mod vc_api;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, ensure};
use clap::Parser;
use sigil_tests::load::Endpoints;
use sigil_tests::load::http::Http;
use sigil_tests::stack::Stack;
use sigil_tests::{ServiceProcess as _, VerifierProcess};

/// Measures the services over HTTP on loopback.
#[derive(Debug, Parser)]
struct Flags {
    /// Diplomas in the graduating class's CSV.
    #[arg(long, default_value_t = 10_000)]
    class_size: usize,
    /// Holders redeeming the class's offers at once.
    #[arg(long, default_value_t = 16)]
    holders: usize,
    /// How long the VC API is loaded, after its warm-up.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Connections the load generator keeps open to the verifier.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// At most this many VC API requests, whatever the time.
    #[arg(long, default_value_t = 1_000_000)]
    max_requests: u64,
    /// OpenID4VP round trips, one after the other.
    #[arg(long, default_value_t = 200)]
    round_trips: usize,
    /// Also write the figures into BENCHMARKS.md.
    #[arg(long)]
    record: bool,
}

/// Settings the services get for the bench unless the caller sets them (they inherit its
/// environment). The issuer's per-address limit on OpenID4VCI writes (600 a minute by
/// default) would hold a class collected from one address to ten offers a second; a campus
/// portal redeeming for its students raises it, as the bench does. The limiter still runs on
/// every write.
const SERVICE_SETTINGS: [(&str, &str); 1] = [("SIGIL_WRITES_PER_MINUTE", "100000000")];

/// The issue's targets, printed beside the figures.
const TARGET_CLASS_SECONDS: f64 = 10.0;
const TARGET_VERIFICATIONS_PER_SECOND: f64 = 8_000.0;

fn main() -> anyhow::Result<ExitCode> {
    let flags = Flags::parse();
    if let Some(code) = sigil_tests::load::rerun_with(&SERVICE_SETTINGS)? {
        return Ok(code);
    }
    let tables = tokio::runtime::Runtime::new()?.block_on(bench(&flags))?;
    println!("\n{tables}");
    if flags.record {
        let command = format!(
            "services-bench --class-size {} --holders {} --seconds {} --connections {} --round-trips {}",
            flags.class_size, flags.holders, flags.seconds, flags.connections, flags.round_trips
        );
        let written = sigil_core::benchmarks::record(
            &sigil_tests::repo_root().join("tests"),
            "Services over HTTP on loopback",
            &command,
            &tables,
        )?;
        println!("written to {}", written.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts the services and runs the three measurements; the Markdown for BENCHMARKS.md.
async fn bench(flags: &Flags) -> anyhow::Result<String> {
    let (stack, verifier) = tokio::task::spawn_blocking(|| {
        let stack = Stack::start();
        let verifier = VerifierProcess::start(&stack.scratch.path("verifier"), &stack.registry.url);
        (stack, verifier)
    })
    .await
    .context("starting the services failed (their output is above)")?;
    for url in [&stack.registry.url, &stack.issuer.url, &verifier.url] {
        ensure!(
            url.host_str() == Some("127.0.0.1"),
            "the bench runs on loopback only, not against {url}"
        );
    }
    let api = Endpoints {
        http: Http::new()?,
        issuer: stack.issuer.url.as_str().trim_end_matches('/').to_owned(),
        token: stack.token.clone(),
        verifier: verifier.url.as_str().trim_end_matches('/').to_owned(),
    };
    let verifier_pid = verifier.pid();

    println!("a graduating class of {} diplomas…", flags.class_size);
    let class = class::run(&api, flags.class_size, flags.holders).await?;
    let diploma = class.diplomas.first().context("the class is empty")?;
    println!("the VC API under load for {} s…", flags.seconds);
    let load = vc_api::Load {
        connections: flags.connections,
        duration: Duration::from_secs(flags.seconds),
        max_requests: flags.max_requests,
    };
    let verifications = vc_api::run(&api.verifier, &diploma.credential, &load, verifier_pid).await?;
    println!("{} OpenID4VP round trips…", flags.round_trips);
    let round_trips = round_trip::run(&api, &class.holder, diploma, flags.round_trips).await?;

    Ok(format!(
        "Registry, issuer and verifier (`{}` binaries) and the load on this machine's two cores, over HTTP on 127.0.0.1. Data Integrity (`eddsa-rdfc-2022`) diplomas from a `did:sigil` university accredited on the registry; every answer checked. Where each service spends its time under this load: `bash scripts/profile-service.sh verifier|issuer LABEL` writes a profile to `docs/profiles/`.\n\n{}\n\n{}\n\n{}",
        binaries(),
        class.markdown(),
        verifications.markdown(),
        round_trips.markdown()
    ))
}

/// Where the services' binaries are, relative to the repository (`target/release`).
fn binaries() -> String {
    let dir = sigil_tests::bin_dir();
    let relative = dir.strip_prefix(sigil_tests::repo_root()).unwrap_or(&dir);
    relative.display().to_string()
}

/// Milliseconds with one decimal.
fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}
