//! Each limit refuses what is over it, naming it, and the largest real transactions pass.

use serde_json::{Value, json};

use super::*;
use crate::did::sigil::operation::{self, MethodSpec, Purpose};
use crate::key::SigningKey;
use crate::transaction::anchor::{self, MAX_BATCH};

fn create_with_services(services: Vec<Value>) -> Transaction {
    let key = SigningKey::from_seed(&[1; 32]);
    let mut op = operation::create(&key, &key.public_key(), vec![], crate::time::now()).unwrap();
    op.services = Some(services);
    Transaction::Did(op.sign(&key).unwrap())
}

fn service(endpoint: &str) -> Value {
    json!({"id": "#site", "type": "LinkedDomains", "serviceEndpoint": endpoint})
}

fn refused_by(transaction: &Transaction) -> &'static str {
    check(transaction).unwrap_err().name
}

fn grant(credential_types: Vec<String>) -> Transaction {
    Transaction::Accreditation(Accreditation {
        root: "did:key:z6MkRoot".into(),
        issuer: "did:key:z6MkIssuer".into(),
        role: Default::default(),
        legal_name: None,
        credential_types,
        valid_from: "2026-01-01T00:00:00Z".into(),
        valid_until: None,
        proof: None,
    })
}

#[test]
fn a_did_with_a_service_of_1_9_mb_is_refused_naming_the_limit() {
    let huge = format!("https://example.org/{}", "a".repeat(1_900_000));
    let error = check(&create_with_services(vec![service(&huge)])).unwrap_err();
    assert_eq!(error.name, "MAX_SERVICE_ENDPOINT_BYTES");
    assert_eq!(
        error.to_string(),
        format!(
            "a service endpoint is {} bytes, over the registry's limit of 2048 (MAX_SERVICE_ENDPOINT_BYTES)",
            huge.len() + 2
        )
    );
}

#[test]
fn a_did_with_a_few_ordinary_services_passes() {
    let services = vec![service("https://university.example"); MAX_SERVICES];
    assert_eq!(check(&create_with_services(services)), Ok(()));
}

#[test]
fn too_many_services_are_refused() {
    let services = vec![service("https://university.example"); MAX_SERVICES + 1];
    assert_eq!(refused_by(&create_with_services(services)), "MAX_SERVICES");
}

#[test]
fn a_service_with_an_overlong_id_or_type_or_too_many_types_is_refused() {
    let long_id = json!({"id": format!("#{}", "i".repeat(MAX_SERVICE_ID_BYTES)), "type": "T",
                         "serviceEndpoint": "https://a.example"});
    assert_eq!(
        refused_by(&create_with_services(vec![long_id])),
        "MAX_SERVICE_ID_BYTES"
    );
    let long_type = json!({"id": "#s", "type": "T".repeat(MAX_SERVICE_TYPE_BYTES + 1),
                           "serviceEndpoint": "https://a.example"});
    assert_eq!(
        refused_by(&create_with_services(vec![long_type])),
        "MAX_SERVICE_TYPE_BYTES"
    );
    let many_types = json!({"id": "#s", "type": vec!["T"; MAX_SERVICE_TYPES + 1],
                            "serviceEndpoint": "https://a.example"});
    assert_eq!(
        refused_by(&create_with_services(vec![many_types])),
        "MAX_SERVICE_TYPES"
    );
    let padded = json!({"id": "#s", "type": "T", "serviceEndpoint": "https://a.example",
                        "note": "n".repeat(MAX_SERVICE_BYTES)});
    assert_eq!(
        refused_by(&create_with_services(vec![padded])),
        "MAX_SERVICE_BYTES"
    );
}

#[test]
fn too_many_or_overlong_verification_methods_are_refused() {
    let key = SigningKey::from_seed(&[1; 32]);
    let method = |id: String| operation::method(&id, &key.public_key(), &[Purpose::AssertionMethod]);
    let methods: Vec<MethodSpec> = (0..=MAX_METHODS_PER_OPERATION)
        .map(|i| method(format!("key-{i}")))
        .collect();
    let op = operation::create(&key, &key.public_key(), methods, crate::time::now()).unwrap();
    assert_eq!(refused_by(&Transaction::Did(op)), "MAX_METHODS_PER_OPERATION");

    let long = method("k".repeat(MAX_FRAGMENT_BYTES + 1));
    let op = operation::create(&key, &key.public_key(), vec![long], crate::time::now()).unwrap();
    assert_eq!(refused_by(&Transaction::Did(op)), "MAX_FRAGMENT_BYTES");

    let mut long_key = method("key-1".into());
    long_key.public_key_multibase = format!("z{}", "6".repeat(MAX_KEY_BYTES));
    let op = operation::create(&key, &key.public_key(), vec![long_key], crate::time::now()).unwrap();
    assert_eq!(refused_by(&Transaction::Did(op)), "MAX_KEY_BYTES");
}

#[test]
fn an_overlong_did_is_refused() {
    let mut op = DidOperation::new(operation::OperationKind::Deactivate, crate::time::now());
    op.did = Some(format!("did:sigil:z{}", "a".repeat(MAX_DID_BYTES)));
    assert_eq!(refused_by(&Transaction::Did(op)), "MAX_DID_BYTES");
}

#[test]
fn an_accreditation_with_too_many_or_overlong_types_is_refused() {
    let many = vec!["UniversityDegreeCredential".to_owned(); MAX_CREDENTIAL_TYPES + 1];
    assert_eq!(refused_by(&grant(many)), "MAX_CREDENTIAL_TYPES");
    let long = vec!["T".repeat(MAX_CREDENTIAL_TYPE_BYTES + 1)];
    assert_eq!(refused_by(&grant(long)), "MAX_CREDENTIAL_TYPE_BYTES");
    let ordinary = vec![
        "UniversityDegreeCredential".to_owned(),
        "DiplomaSupplement".to_owned(),
    ];
    assert_eq!(check(&grant(ordinary)), Ok(()));
}

/// An anchor as long as every field limit allows: a full batch, the longest issuer DID,
/// verification method, signature and time.
fn largest_anchor() -> IssuanceAnchor {
    let hashes: Vec<String> = (0..MAX_BATCH).map(|i| format!("{i:064x}")).collect();
    let issuer = format!("did:sigil:z{}", "a".repeat(MAX_DID_BYTES - 11));
    let mut largest = anchor::unsigned(&issuer, hashes, &"9".repeat(MAX_TIME_BYTES));
    largest.proof = Some(StatementProof {
        verification_method: format!("{issuer}#{}", "k".repeat(MAX_DID_URL_BYTES - issuer.len() - 1)),
        signature: "z".repeat(MAX_SIGNATURE_BYTES),
    });
    largest
}

#[test]
fn the_largest_anchor_the_fields_allow_fits_the_transaction_limit() {
    let anchor = largest_anchor();
    assert_eq!(anchor.issuer.len(), MAX_DID_BYTES);
    assert_eq!(check(&Transaction::Anchor(anchor)), Ok(()));
}

#[test]
fn an_anchor_over_the_batch_limit_is_refused() {
    let mut anchor = largest_anchor();
    anchor.credential_hashes.push("0".repeat(64));
    assert_eq!(refused_by(&Transaction::Anchor(anchor)), "MAX_BATCH");
}

#[test]
fn a_transaction_whose_fields_pass_but_whose_whole_is_too_large_is_refused() {
    let publication = StatusListPublication {
        credential: json!({"id": "https://u.example/status/1", "description": "d".repeat(MAX_TRANSACTION_BYTES)}),
    };
    let error = check(&Transaction::StatusList(publication)).unwrap_err();
    assert_eq!(error.name, "MAX_TRANSACTION_BYTES");
    assert!(error.to_string().starts_with("the transaction is "), "{error}");
}

#[test]
fn an_overlong_encoded_list_is_refused_and_too_many_entries_too() {
    let publication = StatusListPublication {
        credential: json!({"credentialSubject": {"encodedList": "u".repeat(MAX_ENCODED_LIST_BYTES + 1)}}),
    };
    assert_eq!(
        refused_by(&Transaction::StatusList(publication)),
        "MAX_ENCODED_LIST_BYTES"
    );
    assert_eq!(status_list_entries(131_072), Ok(()));
    assert_eq!(
        status_list_entries(MAX_STATUS_LIST_ENTRIES + 1).unwrap_err().name,
        "MAX_STATUS_LIST_ENTRIES"
    );
}
