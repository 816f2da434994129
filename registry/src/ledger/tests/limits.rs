//! Size limits: what is over one is refused naming it, the state unchanged; the largest
//! transactions an issuer really writes — a full status list, a full anchor — pass.

use std::io::Write as _;

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::Digest as _;
use sigil_core::model::status_list::Bitstring;
use sigil_core::transaction::LimitExceeded;
use sigil_core::transaction::limits::{
    MAX_CREDENTIAL_TYPES, MAX_METHODS_PER_OPERATION, MAX_SERVICES, MAX_STATUS_LIST_ENTRIES,
    MAX_TRANSACTION_BYTES,
};

use super::statements::{MINISTRY, accreditation, ledger, publish, signed_anchor, signed_list, status_list};
use super::*;
use crate::ledger::anchor::{MAX_BATCH, unsigned};
use crate::ledger::statement;

/// The university's inception with `services`.
fn create_with_services(services: Vec<Value>) -> Transaction {
    let mut op = inception();
    op.services = Some(services);
    tx(&op.sign(&key(CONTROLLER)).unwrap())
}

fn service(endpoint: &str) -> Value {
    json!({"id": "#site", "type": "LinkedDomains", "serviceEndpoint": endpoint})
}

/// The limit `transaction` is refused for (after checking the state did not change).
fn limit_refusing(state: &LedgerState, transaction: &Transaction) -> LimitExceeded {
    let before = state.clone();
    let refusal = apply(state, transaction, &block());
    assert_eq!(state, &before, "a refused transaction changed the state");
    let limit = match &refusal {
        Err(LedgerError::TooLarge(limit)) => Some(limit.clone()),
        _ => None,
    };
    assert!(limit.is_some(), "not refused for a limit: {refusal:?}");
    limit.unwrap()
}

#[test]
fn a_did_created_with_a_service_of_1_9_mb_is_refused_naming_the_limit() {
    let endpoint = format!("https://example.org/{}", "a".repeat(1_900_000));
    let refused = limit_refusing(
        &LedgerState::default(),
        &create_with_services(vec![service(&endpoint)]),
    );
    assert_eq!(
        refused,
        LimitExceeded {
            what: "a service endpoint",
            found: endpoint.len() as u64 + 2,
            limit: 2048,
            unit: "bytes",
            name: "MAX_SERVICE_ENDPOINT_BYTES",
        }
    );
    assert!(
        LedgerError::TooLarge(refused)
            .to_string()
            .ends_with("over the registry's limit of 2048 (MAX_SERVICE_ENDPOINT_BYTES)")
    );
}

#[test]
fn a_did_with_too_many_services_is_refused_and_one_with_the_most_allowed_is_created() {
    let too_many = vec![service("https://university.example"); MAX_SERVICES + 1];
    let refused = limit_refusing(&LedgerState::default(), &create_with_services(too_many));
    assert_eq!(
        (refused.name, refused.found),
        ("MAX_SERVICES", MAX_SERVICES as u64 + 1)
    );
    let most = vec![service("https://university.example"); MAX_SERVICES];
    let state = apply(&LedgerState::default(), &create_with_services(most), &block()).unwrap();
    assert_eq!(state.dids.len(), 1);
}

#[test]
fn a_service_that_is_not_a_did_core_service_is_refused() {
    for shape in [
        json!("https://university.example"),
        json!({"id": "#a", "type": []}),
        json!({"type": "T"}),
    ] {
        assert_refused(
            &LedgerState::default(),
            &create_with_services(vec![shape]),
            &LedgerError::Malformed(
                "a service is an object with a string `id`, a `type` and a `serviceEndpoint`".into(),
            ),
        );
    }
}

#[test]
fn a_did_may_not_hold_more_than_the_methods_in_force_limit() {
    let methods = |from: usize| -> Vec<_> {
        (from..from + MAX_METHODS_PER_OPERATION)
            .map(|i| {
                operation::method(
                    &format!("key-{i}"),
                    &key(DIPLOMA_KEY).public_key(),
                    &[Purpose::AssertionMethod],
                )
            })
            .collect()
    };
    let (state, did) = with_university();
    let mut update = follow_up(&state, &did, OperationKind::Update, "2026-02-01T00:00:00Z");
    update.add_methods = methods(100);
    let state = apply(&state, &tx(&update.sign(&key(CONTROLLER)).unwrap()), &block()).unwrap();
    let mut update = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z");
    update.add_methods = methods(200);
    let refused = limit_refusing(&state, &tx(&update.clone().sign(&key(CONTROLLER)).unwrap()));
    assert_eq!((refused.name, refused.found), ("MAX_METHODS_IN_FORCE", 65));
    // Retiring one makes room for the same number.
    update.retire_methods = vec!["key-100".into()];
    apply(&state, &tx(&update.sign(&key(CONTROLLER)).unwrap()), &block()).unwrap();
}

#[test]
fn an_accreditation_naming_too_many_types_is_refused() {
    let (state, did) = ledger();
    let mut grant = accreditation(&key(MINISTRY), &did);
    grant.credential_types = (0..=MAX_CREDENTIAL_TYPES).map(|i| format!("Type{i}")).collect();
    grant.proof = Some(statement::sign(&grant, &key(MINISTRY), &key(MINISTRY).did_key_method()).unwrap());
    let refused = limit_refusing(&state, &Transaction::Accreditation(grant));
    assert_eq!(refused.name, "MAX_CREDENTIAL_TYPES");
}

#[test]
fn a_full_status_list_whose_bits_do_not_compress_is_published() {
    let (state, did) = ledger();
    // Every other entry set, scattered: about half the bits of 131,072 entries, which GZIP
    // cannot shrink — the largest list the issuer can publish.
    let revoked: Vec<u64> = (0..131_072u64)
        .filter(|i| sha2::Sha256::digest(i.to_be_bytes())[0] & 1 == 1)
        .collect();
    let list = university_list_with(&did, &revoked);
    let size = serde_jcs::to_vec(&list).unwrap().len();
    assert!(size > 20_000 && size < MAX_TRANSACTION_BYTES, "{size} bytes");
    let state = apply(&state, &list, &block()).unwrap();
    assert_eq!(state.status_lists.len(), 1);
}

fn university_list_with(did: &Did, revoked: &[u64]) -> Transaction {
    let method = format!("{did}#key-1");
    publish(status_list(
        did,
        &key(DIPLOMA_KEY),
        &method,
        "2026-07-01T00:00:00Z",
        revoked,
    ))
}

#[test]
fn a_status_list_that_inflates_past_the_entries_limit_is_refused() {
    let (state, did) = ledger();
    let bytes = vec![0u8; usize::try_from(MAX_STATUS_LIST_ENTRIES / 8).unwrap() + 1];
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&bytes).unwrap();
    let encoded = format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(gzip.finish().unwrap())
    );
    assert!(
        Bitstring::decode(&encoded).is_ok(),
        "a list the format itself allows"
    );
    let method = format!("{did}#key-1");
    let list = publish(signed_list(
        &did,
        &key(DIPLOMA_KEY),
        &method,
        "2026-07-01T00:00:00Z",
        &encoded,
    ));
    let refused = limit_refusing(&state, &list);
    assert_eq!(
        (refused.name, refused.found),
        ("MAX_STATUS_LIST_ENTRIES", MAX_STATUS_LIST_ENTRIES + 8)
    );
}

fn hashes(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{:064x}", i + 1)).collect()
}

#[test]
fn a_full_anchor_is_accepted_and_one_hash_more_is_refused() {
    let (state, did) = ledger();
    let full = signed_anchor(
        unsigned(did.as_str(), hashes(MAX_BATCH), "2026-07-01T00:00:00Z"),
        &did,
    );
    let state_after = apply(&state, &Transaction::Anchor(full), &block()).unwrap();
    assert_eq!(state_after.anchored.len(), MAX_BATCH);
    let over = signed_anchor(
        unsigned(did.as_str(), hashes(MAX_BATCH + 1), "2026-07-01T00:00:00Z"),
        &did,
    );
    let refused = limit_refusing(&state, &Transaction::Anchor(over));
    assert_eq!((refused.name, refused.limit), ("MAX_BATCH", MAX_BATCH as u64));
}
