//! The soak's report: throughput and latency per kind of operation, HTTP requests in all,
//! errors, each service's memory and the verdict — as Markdown (printed, and written to a
//! file with `--record`) and as JSON (`--json`, what the short test reads).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::memory::{self, Watched};
use sigil_tests::load::quantile;

use crate::stats::Kind;

/// Everything one soak run measured.
#[derive(Debug)]
pub struct Report {
    pub clients: usize,
    pub warmup: Duration,
    /// The measured window: from the end of the warm-up until every client stopped.
    pub window: Duration,
    /// Which binaries ran (`target/debug` or `target/release`).
    pub binaries: String,
    pub latencies: BTreeMap<Kind, Vec<Duration>>,
    /// HTTP requests sent in the window.
    pub requests: u64,
    pub errors: u64,
    pub error_messages: Vec<String>,
    pub memory: Vec<Watched>,
}

fn per_second(count: u64, window: Duration) -> f64 {
    count as f64 / window.as_secs_f64().max(f64::EPSILON)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

impl Report {
    /// Kinds that never completed once: a soak that did not exercise something did not pass.
    pub fn missing(&self) -> Vec<&'static str> {
        Kind::ALL
            .iter()
            .filter(|kind| self.latencies.get(kind).is_none_or(Vec::is_empty))
            .map(|kind| kind.name())
            .collect()
    }

    /// No errors, every kind exercised, every service's memory flat.
    pub fn passed(&self) -> bool {
        self.errors == 0 && self.missing().is_empty() && self.memory.iter().all(Watched::flat)
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let operations: usize = self.latencies.values().map(Vec::len).sum();
        let mut out = format!(
            "{} clients for {:.0} s after a {:.0} s warm-up, {} binaries, on this machine's {} cores.\n\n",
            self.clients,
            self.window.as_secs_f64(),
            self.warmup.as_secs_f64(),
            self.binaries,
            std::thread::available_parallelism().map_or(0, usize::from),
        );
        out.push_str(
            "| operation | count | per second | HTTP requests each | requests per second | p50 ms | p99 ms |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for (kind, list) in &self.latencies {
            let count = list.len() as u64;
            out.push_str(&format!(
                "| {} | {count} | {:.2} | {} | {:.1} | {:.1} | {:.1} |\n",
                kind.name(),
                per_second(count, self.window),
                kind.requests(),
                per_second(count * kind.requests(), self.window),
                ms(quantile(list, 0.5)),
                ms(quantile(list, 0.99)),
            ));
        }
        out.push_str(&format!(
            "| **all operations** | {operations} | {:.2} | | | | |\n\
             | **all HTTP requests** (the soak's) | {} | | | {:.1} | | |\n\n",
            per_second(operations as u64, self.window),
            self.requests,
            per_second(self.requests, self.window),
        ));
        out.push_str(&format!(
            "Errors: **{}** (a status other than the protocol's, or a wrong verdict).\n",
            self.errors
        ));
        for message in &self.error_messages {
            out.push_str(&format!("- {message}\n"));
        }
        for kind in self.missing() {
            out.push_str(&format!("- never completed: {kind}\n"));
        }
        out.push_str(&format!(
            "\nResident memory (VmRSS). Flat means end ≤ start × {} + {} MB:\n\n\
             | service | start MB | peak MB | end MB | limit MB | flat |\n|---|---|---|---|---|---|\n",
            memory::GROWTH_FACTOR,
            memory::ALLOWANCE_KB / 1024
        ));
        for watched in &self.memory {
            out.push_str(&format!(
                "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {} |\n",
                watched.name,
                mb(watched.start_kb),
                mb(watched.peak_kb),
                mb(watched.end_kb),
                mb(memory::limit_kb(watched.start_kb)),
                if watched.flat() { "yes" } else { "**no**" },
            ));
        }
        let verdict = if self.passed() { "passed" } else { "FAILED" };
        out.push_str(&format!("\nVerdict: **{verdict}**.\n"));
        out
    }

    /// The report as JSON.
    pub fn json(&self) -> Value {
        let kinds: Vec<Value> = self
            .latencies
            .iter()
            .map(|(kind, list)| {
                json!({
                    "kind": kind.name(),
                    "count": list.len(),
                    "per_second": per_second(list.len() as u64, self.window),
                    "requests_per_second": per_second(list.len() as u64 * kind.requests(), self.window),
                    "p50_ms": ms(quantile(list, 0.5)),
                    "p99_ms": ms(quantile(list, 0.99)),
                })
            })
            .collect();
        let memory: Vec<Value> = self
            .memory
            .iter()
            .map(|w| {
                json!({
                    "service": w.name,
                    "start_kb": w.start_kb,
                    "peak_kb": w.peak_kb,
                    "end_kb": w.end_kb,
                    "limit_kb": memory::limit_kb(w.start_kb),
                    "flat": w.flat(),
                })
            })
            .collect();
        json!({
            "clients": self.clients,
            "window_seconds": self.window.as_secs_f64(),
            "kinds": kinds,
            "missing": self.missing(),
            "requests": self.requests,
            "requests_per_second": per_second(self.requests, self.window),
            "errors": self.errors,
            "error_messages": self.error_messages,
            "memory": memory,
            "passed": self.passed(),
        })
    }

    /// Writes the Markdown report to `path` under a heading saying how to run it again.
    pub fn record(&self, path: &std::path::Path, command: &str) -> std::io::Result<()> {
        let text = format!(
            "# Soak test\n\n\
             The whole stack on loopback (registry, issuer, verifier, wallet UI) under concurrent \
             clients: issuance over OpenID4VCI, presentation over OpenID4VP, revocation, and every \
             revoked credential presented again (it must be rejected for its status). Written by \
             `{command}` on {}; run it again to refresh (`bash scripts/soak.sh`).\n\n\
             Revocations run at a steady rate below one a second: the issuer dates each status \
             list version a second after the last and never ahead of the clock, so revocations \
             faster than one a second per list wait their turn.\n\n{}",
            sigil_core::time::format_datetime(sigil_core::time::now()),
            self.markdown()
        );
        std::fs::write(path, text)
    }
}
