//! The services bench, briefly: a small class issued from one CSV and anchored, the VC API
//! loaded for a second, a few OpenID4VP round trips — every answer checked by the program,
//! which stops at the first wrong one. The full run is by hand (`scripts/bench-services.sh`,
//! figures in `BENCHMARKS.md`); no timing is asserted here.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use sigil_tests::run;

#[test]
fn a_small_class_the_vc_api_and_round_trips_run_without_a_wrong_answer() {
    let out = run(
        std::process::Command::new(env!("CARGO_BIN_EXE_services-bench")).args([
            "--class-size",
            "20",
            "--holders",
            "3",
            "--seconds",
            "1",
            "--connections",
            "2",
            "--round-trips",
            "3",
        ]),
    );
    assert_eq!(out.code, Some(0), "{out:#?}");
    for table in [
        "| CSV upload: 20 offers checked and stored |",
        "| 20 diplomas issued over OpenID4VCI |",
        "| verifications/s |",
        "An OpenID4VP round trip",
    ] {
        assert!(out.stdout.contains(table), "{table} missing: {out:#?}");
    }
}
