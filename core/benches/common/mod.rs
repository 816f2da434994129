//! What the core benchmarks share: the diploma every one of them signs, and how they time an
//! operation.

#![allow(dead_code, reason = "each bench binary uses part of what they share")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use sigil_core::issue::CredentialRequest;
use sigil_core::key::SigningKey;
use sigil_core::model::CredentialType;
use sigil_core::time::Timestamp;

/// The diploma's subject claims, shared with the CLI examples.
const DIPLOMA_CLAIMS: &str = include_str!("../../../examples/diploma-claims.json");

/// The issuer key (a fixed seed, used as a `did:key`) and the request for Ada Lovelace's
/// diploma, valid from `valid_from`, bound to the holder key of another fixed seed.
pub fn diploma_request(valid_from: Timestamp) -> (SigningKey, CredentialRequest) {
    let issuer_key = SigningKey::from_seed(&[1; 32]);
    let holder_key = SigningKey::from_seed(&[2; 32]);
    let claims: Map<String, Value> =
        serde_json::from_str(DIPLOMA_CLAIMS).expect("examples/diploma-claims.json is a JSON object");
    let request = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential")
            .expect("the built-in UniversityDegreeCredential type"),
        issuer: issuer_key.did_key(),
        subject: Some(holder_key.did_key()),
        claims,
        valid_from,
        valid_until: None,
        status: None,
        schema: None,
        holder_key: Some(holder_key.public_key()),
    };
    (issuer_key, request)
}

/// Measuring time per operation when `SIGIL_BENCH_SECONDS` is not set.
pub const DEFAULT_SECONDS: f64 = 1.0;
/// Warm-up before measuring (caches, lazily parsed contexts, allocator).
pub const WARM_UP: Duration = Duration::from_millis(200);
/// Bounds on the measured iterations, whatever the time budget.
pub const MIN_ITERATIONS: u32 = 10;
pub const MAX_ITERATIONS: u32 = 1_000_000;

/// The per-operation time budget, from `SIGIL_BENCH_SECONDS` or [`DEFAULT_SECONDS`].
pub fn time_budget() -> Duration {
    let seconds = match std::env::var("SIGIL_BENCH_SECONDS") {
        Ok(text) => text
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or_else(|| {
                panic!("SIGIL_BENCH_SECONDS must be a positive number of seconds, found {text:?}")
            }),
        Err(_) => DEFAULT_SECONDS,
    };
    Duration::from_secs_f64(seconds)
}

/// Time per operation.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub mean: Duration,
    pub min: Duration,
    pub iterations: u32,
}

/// Runs `op` for [`WARM_UP`], then times it one call at a time until `budget` is spent
/// (within [`MIN_ITERATIONS`]..=[`MAX_ITERATIONS`] calls).
pub fn measure<T>(budget: Duration, mut op: impl FnMut() -> T) -> Timing {
    let warm_up_until = Instant::now() + WARM_UP.min(budget);
    while Instant::now() < warm_up_until {
        black_box(op());
    }
    let mut total = Duration::ZERO;
    let mut min = Duration::MAX;
    let mut iterations = 0;
    while (total < budget || iterations < MIN_ITERATIONS) && iterations < MAX_ITERATIONS {
        let start = Instant::now();
        black_box(op());
        let elapsed = start.elapsed();
        total += elapsed;
        min = min.min(elapsed);
        iterations += 1;
    }
    Timing {
        mean: total / iterations.max(1),
        min,
        iterations,
    }
}

/// `mean (min)` in microseconds.
pub fn describe(timing: Timing) -> String {
    format!("{:.1} ({:.1})", micros(timing.mean), micros(timing.min))
}

pub fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
