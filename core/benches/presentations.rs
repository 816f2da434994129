//! Presentations: the time Sigil takes to verify a Data Integrity presentation of *n*
//! diplomas (n = 1, 4 and 16, each from a `did:key` issuer, the holder's proof bound to a
//! challenge and domain), per credential, beside one diploma verified alone and one bare
//! Ed25519 check — the floor under every credential a presentation carries.
//!
//! Run it with `cargo bench -p sigil-core --bench presentations` (`SIGIL_BENCH_SECONDS=0.2`
//! for a quicker, noisier pass). It writes its table into `BENCHMARKS.md`.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark whose setup or sanity check fails must stop loudly; there is no caller to hand an error to"
)]

mod common;

use common::{Timing, describe, measure, micros, time_budget};
use serde_json::Value;
use sigil_core::did::StandardResolver;
use sigil_core::issue::{CredentialFormat, data_integrity_presentation};
use sigil_core::key::SigningKey;
use sigil_core::verify::{Expectations, Verifier};

/// How many diplomas the presentations carry.
const SIZES: [usize; 3] = [1, 4, 16];
const CHALLENGE: &str = "a-fresh-challenge";
const DOMAIN: &str = "https://verifier.example";

fn main() {
    let budget = time_budget();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio current-thread runtime");
    let signed_at = sigil_core::time::parse_datetime("2026-06-30T12:00:00Z").expect("a date-time");
    let (issuer_key, request) = common::diploma_request(signed_at);
    let holder_key = SigningKey::from_seed(&[2; 32]);
    let largest = SIZES.iter().copied().max().unwrap_or(1);
    let diplomas: Vec<Value> = (0..largest)
        .map(|i| {
            let mut request = request.clone();
            request
                .claims
                .insert("studentId".into(), format!("S-1815-{i:03}").into());
            let text = runtime
                .block_on(request.issue(
                    CredentialFormat::LdpVc,
                    &issuer_key,
                    &issuer_key.did_key_method(),
                    signed_at,
                ))
                .expect("Sigil issues a diploma");
            serde_json::from_str(&text).expect("a Data Integrity diploma is JSON")
        })
        .collect();
    let resolver = StandardResolver::offline();
    let verifier = Verifier {
        now: signed_at + chrono::Duration::minutes(1),
        ..Verifier::new(&resolver)
    };
    let verify = |text: &str, expect: &Expectations| {
        let report = runtime
            .block_on(verifier.verify(text, expect))
            .expect("Sigil verifies what it made");
        assert!(report.valid, "Sigil rejected its own document: {report:#?}");
    };

    let alone = diplomas.first().expect("a diploma").to_string();
    let single = measure(budget, || verify(&alone, &Expectations::default()));
    let expect = Expectations {
        challenge: Some(CHALLENGE.into()),
        domain: Some(DOMAIN.into()),
        ..Expectations::default()
    };
    let presentations: Vec<(usize, Timing)> = SIZES
        .iter()
        .map(|&n| {
            let presentation = runtime
                .block_on(data_integrity_presentation(
                    diplomas.iter().take(n).cloned().collect(),
                    &holder_key.did_key(),
                    &holder_key,
                    &holder_key.did_key_method(),
                    CHALLENGE,
                    DOMAIN,
                    signed_at,
                ))
                .expect("the holder signs the presentation")
                .to_string();
            (n, measure(budget, || verify(&presentation, &expect)))
        })
        .collect();
    let message = alone.as_bytes();
    let signature = issuer_key.sign(message);
    let public_key = issuer_key.public_key();
    let floor = measure(budget, || public_key.verify(message, &signature));

    let batch = signature_batch(budget);

    let table = markdown_table(single, &presentations, floor, batch, budget);
    println!("\n{table}");
    let written = sigil_core::benchmarks::record(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        "Presentations: the cost per credential",
        "cargo bench -p sigil-core --bench presentations",
        &table,
    )
    .expect("BENCHMARKS.md written");
    println!("written to {}", written.display());
}

/// The signatures of a presentation of 16: 17 Ed25519 checks one by one (`verify_strict`,
/// as Sigil checks one), and in one batch (as it checks a presentation's).
fn signature_batch(budget: std::time::Duration) -> (Timing, Timing) {
    use ed25519_dalek::{Signer as _, SigningKey as DalekKey};
    let keys: Vec<DalekKey> = (0..17u8).map(|seed| DalekKey::from_bytes(&[seed; 32])).collect();
    let messages: Vec<[u8; 64]> = (0..17u8).map(|seed| [seed; 64]).collect();
    let signatures: Vec<ed25519_dalek::Signature> = keys
        .iter()
        .zip(&messages)
        .map(|(key, message)| key.sign(message))
        .collect();
    let verifying: Vec<ed25519_dalek::VerifyingKey> = keys.iter().map(DalekKey::verifying_key).collect();
    let one_by_one = measure(budget, || {
        for ((key, message), signature) in verifying.iter().zip(&messages).zip(&signatures) {
            key.verify_strict(message, signature).expect("a valid signature");
        }
    });
    let slices: Vec<&[u8]> = messages.iter().map(|message| message.as_slice()).collect();
    let together = measure(budget, || {
        ed25519_dalek::verify_batch(&slices, &signatures, &verifying).expect("valid signatures");
    });
    (one_by_one, together)
}

fn markdown_table(
    single: Timing,
    presentations: &[(usize, Timing)],
    floor: Timing,
    (one_by_one, together): (Timing, Timing),
    budget: std::time::Duration,
) -> String {
    let floor_us = micros(floor.mean);
    let mut out = format!(
        "Data Integrity (`eddsa-rdfc-2022`) diplomas from a `did:key` issuer, in a presentation the holder signed for a challenge and domain; Sigil's whole pipeline for each credential and for the presentation; {:.1} s per row. Times in µs: mean (fastest). Per credential = the presentation's time / n, which includes the holder's proof. The Ed25519 signatures of a presentation (each credential's and the holder's) are checked in one batch; the last two rows compare 17 checks (a presentation of 16) one by one and in one batch.\n\n",
        budget.as_secs_f64()
    );
    out.push_str("| what | time | per credential | per credential / Ed25519 floor |\n|---|---|---|---|\n");
    out.push_str(&format!(
        "| one diploma alone | {} | {:.1} | {:.2}× |\n",
        describe(single),
        micros(single.mean),
        micros(single.mean) / floor_us
    ));
    for (n, timing) in presentations {
        let per = micros(timing.mean) / *n as f64;
        out.push_str(&format!(
            "| presentation of {n} | {} | {per:.1} | {:.2}× |\n",
            describe(*timing),
            per / floor_us
        ));
    }
    out.push_str(&format!(
        "| bare Ed25519 verify (floor) | {} | – | 1.00× |\n",
        describe(floor)
    ));
    for (what, timing) in [
        ("17 Ed25519 signatures one by one", one_by_one),
        ("17 Ed25519 signatures in one batch", together),
    ] {
        let per = micros(timing.mean) / 17.0;
        out.push_str(&format!(
            "| {what} | {} | {per:.1} per signature | {:.2}× |\n",
            describe(timing),
            per / floor_us
        ));
    }
    out
}
