//! One test per fuzz target: its corpus, then mutations for the configured time. A failure
//! names the input, where it was saved and the seed that repeats the run.

use sigil_fuzz::runner;
use sigil_fuzz::target::Target;
use sigil_fuzz::targets;

use super::settings::settings;

fn fuzz(target: &'static Target) -> Result<(), String> {
    let summary = runner::run(target, &settings()).map_err(|failure| failure.to_string())?;
    println!(
        "{}: {} inputs ({} in the corpus), {} accepted, seed {}",
        target.name, summary.runs, summary.corpus, summary.accepted, summary.seed
    );
    Ok(())
}

#[test]
fn json_parsing_never_panics_and_round_trips() -> Result<(), String> {
    fuzz(&targets::json::TARGET)
}

#[test]
fn jws_decoding_never_panics_and_no_changed_token_verifies() -> Result<(), String> {
    fuzz(&targets::jws::TARGET)
}

#[test]
fn sd_jwt_parsing_never_panics_and_round_trips() -> Result<(), String> {
    fuzz(&targets::sd_jwt::TARGET)
}

#[test]
fn did_and_did_url_parsing_never_panics_and_round_trips() -> Result<(), String> {
    fuzz(&targets::did::TARGET)
}

#[test]
fn did_sigil_operations_never_panic_and_round_trip() -> Result<(), String> {
    fuzz(&targets::did_operation::TARGET)
}

#[test]
fn the_ledger_never_panics_on_a_transaction_and_refuses_replays() -> Result<(), String> {
    fuzz(&targets::ledger_transaction::TARGET)
}

#[test]
fn registry_receipts_never_panic_when_checked() -> Result<(), String> {
    fuzz(&targets::receipt::TARGET)
}

#[test]
fn status_lists_never_panic_and_round_trip() -> Result<(), String> {
    fuzz(&targets::status_list::TARGET)
}

#[test]
fn dcql_queries_never_panic_and_round_trip() -> Result<(), String> {
    fuzz(&targets::dcql::TARGET)
}

#[test]
fn openid4vp_request_objects_never_panic_and_round_trip() -> Result<(), String> {
    fuzz(&targets::openid4vp_request::TARGET)
}

#[test]
fn openid4vp_links_never_panic_and_round_trip() -> Result<(), String> {
    fuzz(&targets::openid4vp_uri::TARGET)
}

#[test]
fn direct_post_responses_never_panic_the_verifier() -> Result<(), String> {
    fuzz(&targets::vp_token::TARGET)
}

#[test]
fn oid4vci_credential_requests_and_key_proofs_never_panic_the_issuer() -> Result<(), String> {
    fuzz(&targets::oid4vci_credential_request::TARGET)
}

#[test]
fn csv_batches_never_panic_and_name_their_lines() -> Result<(), String> {
    fuzz(&targets::csv_batch::TARGET)
}

#[test]
fn verification_never_panics_or_waits_on_any_input() -> Result<(), String> {
    fuzz(&targets::verify::TARGET)
}

/// Every target in `targets::ALL` has its test above (a new target without one fails here).
#[test]
fn every_target_has_a_test() {
    let source = include_str!("targets.rs");
    for target in targets::ALL {
        let module = format!("targets::{}::TARGET", target.name);
        assert!(source.contains(&module), "no test runs {}", target.name);
    }
}
