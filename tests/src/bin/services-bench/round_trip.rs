//! OpenID4VP round trips timed end to end: the relying party opens a request over the
//! verifier's API, the holder fetches the signed request object and answers by `direct_post`
//! with a presentation bound to its nonce, and the relying party reads the verdict.

use std::time::{Duration, Instant};

use sigil_tests::load::holder::{Held, Holder};
use sigil_tests::load::{Endpoints, ensure_verified, quantile};

use crate::ms;

/// What the round trips took.
#[derive(Debug)]
pub struct RoundTrips {
    latencies: Vec<Duration>,
}

pub async fn run(api: &Endpoints, holder: &Holder, held: &Held, count: usize) -> anyhow::Result<RoundTrips> {
    let mut latencies = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let result = api.present(holder, held).await?;
        latencies.push(started.elapsed());
        ensure_verified(&result, held.format)?;
    }
    latencies.sort_unstable();
    Ok(RoundTrips { latencies })
}

impl RoundTrips {
    pub fn markdown(&self) -> String {
        format!(
            "**An OpenID4VP round trip:** request opened over the verifier's API, request object fetched, a Data Integrity presentation of the diploma signed by the holder for its nonce and sent by `direct_post`, verdict read (four requests); {count} in a row, one at a time.\n\n\
             | figure | ms |\n|---|---|\n\
             | p50 | {p50} |\n\
             | p99 | {p99} |\n\
             | fastest | {fastest} |",
            count = self.latencies.len(),
            p50 = ms(quantile(&self.latencies, 0.5)),
            p99 = ms(quantile(&self.latencies, 0.99)),
            fastest = ms(self.latencies.first().copied().unwrap_or_default()),
        )
    }
}
