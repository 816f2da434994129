//! A fixed workload for profiling a verify path: one diploma from a `did:key` issuer, issued
//! once in the format `SIGIL_PROFILE_FORMAT` names (`ldp_vc` unless set; also `vc+jwt`
//! and `dc+sd-jwt`), then verified by Sigil's whole pipeline `SIGIL_PROFILE_ITERATIONS` times
//! (200 unless set).
//!
//! It measures nothing itself: `scripts/profile-verify.sh` runs it under callgrind and keeps
//! the summary in `docs/profiles/`, where the instruction counts show which parts of
//! verification cost what. Instruction counts do not depend on what else the machine is
//! doing, so two profiles of the same binary and input compare exactly.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a profiling workload whose setup fails must stop loudly; there is no caller to hand an error to"
)]

mod common;

use sigil_core::did::StandardResolver;
use sigil_core::issue::CredentialFormat;
use sigil_core::verify::{Expectations, Verifier};

fn main() {
    let iterations: u32 = std::env::var("SIGIL_PROFILE_ITERATIONS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(200);
    let format_name = std::env::var("SIGIL_PROFILE_FORMAT").unwrap_or_else(|_| "ldp_vc".into());
    let format = CredentialFormat::parse(&format_name)
        .unwrap_or_else(|| panic!("SIGIL_PROFILE_FORMAT={format_name:?} is not a credential format"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio current-thread runtime");
    let signed_at = sigil_core::time::parse_datetime("2026-06-30T12:00:00Z").expect("a date-time");
    let (issuer_key, request) = common::diploma_request(signed_at);
    let credential = runtime
        .block_on(request.issue(format, &issuer_key, &issuer_key.did_key_method(), signed_at))
        .expect("Sigil issues the diploma");
    let resolver = StandardResolver::offline();
    let verifier = Verifier {
        now: signed_at + chrono::Duration::minutes(1),
        ..Verifier::new(&resolver)
    };
    for _ in 0..iterations {
        let report = runtime
            .block_on(verifier.verify(&credential, &Expectations::default()))
            .expect("Sigil verifies its own diploma");
        assert!(report.valid, "Sigil rejected its own diploma: {report:#?}");
    }
    println!("verified the {format_name} diploma {iterations} times");
}
