//! The soak program, briefly: the whole stack on loopback under a few concurrent clients for a
//! few seconds — issuance over OpenID4VCI, presentation over OpenID4VP, revocation, revoked
//! credentials presented again, and the real wallet through its UI (receive, present,
//! delete) — with no error, every kind of operation done, and every service's memory flat. The long run is by hand
//! (`scripts/soak.sh`, figures in `docs/soak.md`); no timing is asserted here.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::Value;
use sigil_tests::run;

#[test]
fn the_whole_stack_under_concurrent_clients_makes_no_error_and_keeps_its_memory_flat() {
    let out = run(std::process::Command::new(env!("CARGO_BIN_EXE_soak")).args([
        "--seconds",
        "12",
        "--warmup-seconds",
        "4",
        "--clients",
        "3",
        "--json",
    ]));
    let report = serde_json::from_str::<Value>(out.stdout.trim());
    assert!(report.is_ok(), "no report: {out:#?}");
    let report = report.unwrap();
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(report["missing"], serde_json::json!([]), "{report:#}");
    let kinds = report["kinds"].as_array().unwrap();
    assert_eq!(kinds.len(), 7, "{report:#}");
    for kind in kinds {
        assert!(kind["count"].as_u64().unwrap() > 0, "{report:#}");
    }
    let memory = report["memory"].as_array().unwrap();
    assert_eq!(memory.len(), 4, "registry, issuer, verifier, wallet: {report:#}");
    for service in memory {
        assert_eq!(service["flat"], true, "{report:#}");
    }
    assert_eq!(report["passed"], true, "{report:#}");
    assert_eq!(out.code, Some(0), "{out:#?}");
}
