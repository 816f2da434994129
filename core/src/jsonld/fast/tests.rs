//! The fast path against the general one (`ssi`): wherever the fast path answers, its
//! canonical N-Quads must be byte for byte the general path's; where the general path refuses
//! a document, the fast path must not answer.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::contexts::{CREDENTIALS_EXAMPLES_V2, CREDENTIALS_V1, CREDENTIALS_V2, DATA_INTEGRITY_V2, SIGIL_V1};
use crate::jsonld::canonicalize_general;
use crate::test_support::block_on;

/// Asserts that both paths agree on `document`; returns whether the fast path answered. A
/// document `jsonld::canonicalize` refuses before either path sees it (an IRI percent-encoding
/// bytes that are not UTF-8) is refused by both.
fn agree(document: &Value) -> bool {
    if crate::jsonld::check_percent_encoding(document).is_err() {
        return false;
    }
    let Some(fast) = super::canonicalize(document) else {
        return false;
    };
    let general = block_on(canonicalize_general(document));
    assert!(
        general.is_ok(),
        "the general path refuses ({general:?}) what the fast path reads as {fast:#?}: {document:#}"
    );
    assert_eq!(
        Some(&fast),
        general.as_ref().ok(),
        "the paths differ on {document:#}"
    );
    true
}

/// The unsecured document and the proof configurations (with the document's `@context`) of
/// a secured one, as `data_integrity` canonicalises them; embedded credentials too.
fn canonicalised_parts(document: &Value) -> Vec<Value> {
    let mut parts = vec![document.clone()];
    let Some(object) = document.as_object() else {
        return parts;
    };
    let mut unsecured = object.clone();
    if let Some(proof) = unsecured.remove("proof") {
        let proofs = match proof {
            Value::Array(proofs) => proofs,
            single => vec![single],
        };
        for proof in proofs {
            let Value::Object(mut configuration) = proof else {
                continue;
            };
            configuration.remove("proofValue");
            if let Some(context) = object.get("@context") {
                configuration.insert("@context".into(), context.clone());
            }
            parts.push(Value::Object(configuration));
        }
        parts.push(Value::Object(unsecured));
    }
    if let Some(Value::Array(credentials)) = object.get("verifiableCredential") {
        for credential in credentials {
            parts.extend(canonicalised_parts(credential));
        }
    }
    parts
}

const FIXTURES: &[&str] = &[
    include_str!("../../../../fuzz/corpus/verify/valid-diploma-ldp.json"),
    include_str!("../../../../fuzz/corpus/verify/valid-diploma-vcdm1-ldp.json"),
    include_str!("../../../../fuzz/corpus/verify/valid-presentation-ldp.json"),
    include_str!("../../../../fuzz/corpus/verify/valid-status-list-credential.json"),
    include_str!("../../../../fuzz/corpus/json/valid-diploma-ldp.json"),
    include_str!("../../../../fuzz/corpus/json/valid-presentation-ldp.json"),
];

#[test]
fn every_fixture_gives_the_same_canonical_form_on_both_paths_and_the_fast_path_covers_them() {
    for fixture in FIXTURES {
        let document: Value = serde_json::from_str(fixture).unwrap();
        for part in canonicalised_parts(&document) {
            assert!(agree(&part), "the fast path does not cover {part:#}");
        }
    }
}

/// Real credentials and presentations have blank nodes that first-degree hashes tell apart,
/// where `ssi` 0.16's labelling is the standard's: the bytes Sigil signed them with before
/// it labelled blank nodes itself are the bytes it gives now.
#[test]
fn every_fixture_keeps_the_canonical_form_ssi_0_16_gave() {
    for fixture in FIXTURES {
        let document: Value = serde_json::from_str(fixture).unwrap();
        for part in canonicalised_parts(&document) {
            assert_eq!(
                block_on(canonicalize_general(&part)).unwrap(),
                block_on(crate::jsonld::canonicalize_as_ssi_0_16(&part)).unwrap(),
                "{part:#}"
            );
        }
    }
}

#[test]
fn the_fast_path_stands_aside_where_it_is_not_certain() {
    let documents = [
        // An inline context.
        json!({"@context": [CREDENTIALS_V2, {"nickname": "https://example.com/nickname"}],
               "type": ["VerifiablePresentation"], "holder": "did:example:2", "nickname": "Ada"}),
        // A number that is not an integer (xsd:double has a canonical form of its own).
        json!({"@context": [CREDENTIALS_V2, CREDENTIALS_EXAMPLES_V2], "type": ["VerifiableCredential"],
               "issuer": "did:example:1", "credentialSubject": {"gpa": 3.5}}),
        // A relative IRI, which RDF drops.
        json!({"@context": [CREDENTIALS_V2], "type": ["VerifiableCredential"],
               "issuer": "issuers/1", "credentialSubject": {"id": "did:example:2"}}),
        // A JSON literal.
        json!({"@context": [CREDENTIALS_V2], "type": ["VerifiableCredential"], "issuer": "did:example:1",
               "credentialSubject": {"id": "did:example:2"},
               "renderMethod": {"type": "TemplateRenderMethod", "template": {"a": 1}}}),
        // A tab, escaped differently by different writers.
        json!({"@context": [CREDENTIALS_V2, CREDENTIALS_EXAMPLES_V2], "type": ["VerifiableCredential"],
               "issuer": "did:example:1", "credentialSubject": {"name": "Ada\tLovelace"}}),
    ];
    for document in documents {
        assert!(!agree(&document), "the fast path answered {document:#}");
        assert!(
            block_on(crate::jsonld::canonicalize(&document)).is_ok()
                || block_on(canonicalize_general(&document)).is_err()
        );
    }
}

#[test]
fn the_fast_path_refuses_what_the_general_path_refuses() {
    let documents = [
        // A protected term redefined.
        json!({"@context": [CREDENTIALS_V2, CREDENTIALS_V1], "type": ["VerifiableCredential"]}),
        // An undefined term with no @vocab.
        json!({"@context": [DATA_INTEGRITY_V2], "type": "DataIntegrityProof", "unheardOf": "x"}),
        // A keyword the fast path does not read.
        json!({"@context": [CREDENTIALS_V2], "@graph": [{"id": "did:example:1"}]}),
    ];
    for document in documents {
        assert!(super::canonicalize(&document).is_none(), "{document:#}");
    }
}

// ----------------------------------------------------------------------------------------
// Generated credentials

/// Claim text: with `hostile`, also quotes, backslashes, line breaks, tabs and `%`.
fn text(hostile: bool) -> BoxedStrategy<String> {
    if !hostile {
        return prop_oneof![
            8 => "[A-Za-z ]{1,16}",
            1 => Just("张三".to_owned()),
            1 => Just("Ada \"the\" Countess".to_owned()),
        ]
        .boxed();
    }
    prop_oneof![
        "[A-Za-z ]{0,12}",
        "[a-zA-Z0-9\"\\\\\n\r\t%:/#@é文字 -]{0,16}",
        Just("Ada \"the\" Countess\\n".to_owned()),
        Just("张三".to_owned()),
    ]
    .boxed()
}

/// Identifiers: with `hostile`, also odd schemes, ports, brackets, relative IRIs and blank
/// node identifiers.
fn iri(hostile: bool) -> BoxedStrategy<String> {
    let plain = prop_oneof![
        "did:example:[a-z0-9]{1,8}",
        "urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}",
        "https://[a-z]{1,8}\\.example/[a-z0-9/._~-]{0,12}",
    ];
    if !hostile {
        return plain.boxed();
    }
    prop_oneof![
        3 => plain,
        1 => "https://[a-z]{1,8}\\.example/[a-z0-9/._~%-]{0,12}",
        1 => "https://[a-z]{1,4}\\.example:[0-9a-z]{1,4}/x",
        1 => "[a-z]{1,5}:[a-zA-Z0-9%#\\[\\]@:/?]{0,10}",
        1 => "[a-z/]{1,6}",
        1 => Just("_:b0".to_owned()),
    ]
    .boxed()
}

fn claim_value(depth: u32, hostile: bool) -> BoxedStrategy<Value> {
    let mut leaves = vec![
        text(hostile).prop_map(Value::from).boxed(),
        any::<i64>().prop_map(Value::from).boxed(),
        any::<bool>().prop_map(Value::from).boxed(),
        (text(hostile), prop_oneof![Just("en"), Just("zh-hans")])
            .prop_map(|(value, language)| json!({"@value": value, "@language": language}))
            .boxed(),
        text(hostile)
            .prop_map(|value| json!({"@value": value, "type": "xsd:date"}))
            .boxed(),
    ];
    if hostile {
        leaves.push((-1000.0f64..1000.0).prop_map(Value::from).boxed());
        leaves.push(
            (
                text(hostile),
                prop_oneof![Just("EN"), Just(""), Just("x-very-long-tag")],
            )
                .prop_map(|(value, language)| json!({"@value": value, "@language": language}))
                .boxed(),
        );
    }
    let leaf = proptest::strategy::Union::new(leaves);
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        4 => leaf,
        1 => prop::collection::vec(text(hostile).prop_map(Value::from), 0..3).prop_map(Value::from),
        1 => claims(depth - 1, hostile).prop_map(Value::Object),
        1 => (claims(depth - 1, hostile), iri(hostile)).prop_map(|(mut node, id)| {
            node.insert("id".into(), id.into());
            Value::Object(node)
        }),
        1 => text(hostile).prop_map(|name| json!({"type": "BachelorDegree", "name": name})),
    ]
    .boxed()
}

fn claims(depth: u32, hostile: bool) -> impl Strategy<Value = Map<String, Value>> {
    let key = prop_oneof![
        Just("name"),
        Just("studentId"),
        Just("dateOfBirth"),
        Just("graduationDate"),
        Just("fieldOfStudy"),
        Just("degree"),
        Just("description"),
        Just("honours"),
        Just("nickname"),
        Just("sigil:studentId"),
        Just("https://example.com/claim"),
        Just(if hostile { "@id" } else { "name" }),
    ];
    prop::collection::btree_map(key, claim_value(depth, hostile), 0..5).prop_map(|claims| {
        claims
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect()
    })
}

fn credential(hostile: bool) -> impl Strategy<Value = Value> {
    let context = prop_oneof![
        Just(json!([CREDENTIALS_V2, SIGIL_V1])),
        Just(json!([CREDENTIALS_V2, CREDENTIALS_EXAMPLES_V2, SIGIL_V1])),
        Just(json!([CREDENTIALS_V2])),
        Just(json!(CREDENTIALS_V2)),
    ];
    let ordinary_types = prop_oneof![
        Just(json!(["VerifiableCredential", "UniversityDegreeCredential"])),
        Just(json!("VerifiableCredential")),
    ];
    let types = if hostile {
        prop_oneof![2 => ordinary_types, 1 => Just(json!(["VerifiableCredential", "VerifiableCredential"]))]
            .boxed()
    } else {
        ordinary_types.boxed()
    };
    let issuer = prop_oneof![
        iri(hostile).prop_map(Value::from),
        (iri(hostile), text(hostile)).prop_map(|(id, name)| json!({"id": id, "name": name})),
    ];
    let status = prop_oneof![
        Just(None),
        (iri(hostile), any::<u16>()).prop_map(|(list, index)| Some(json!({
            "id": format!("{list}#{index}"), "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": index.to_string(),
            "statusListCredential": list}))),
    ];
    let proof = prop_oneof![
        Just(None),
        (iri(hostile), text(hostile)).prop_map(|(method, created)| Some(json!({
            "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
            "created": created, "proofPurpose": "assertionMethod",
            "verificationMethod": method}))),
    ];
    (
        context,
        types,
        prop::option::of(iri(hostile)),
        issuer,
        claims(2, hostile),
        prop::option::of(iri(hostile)),
        status,
        proof,
    )
        .prop_map(
            |(context, types, id, issuer, mut subject, subject_id, status, proof)| {
                let mut credential = json!({"@context": context, "type": types, "issuer": issuer,
                                        "validFrom": "2026-06-30T00:00:00Z"});
                if let Some(id) = subject_id {
                    subject.insert("id".into(), id.into());
                }
                credential["credentialSubject"] = Value::Object(subject);
                if let Some(id) = id {
                    credential["id"] = id.into();
                }
                if let Some(status) = status {
                    credential["credentialStatus"] = status;
                }
                if let Some(proof) = proof {
                    credential["proof"] = proof;
                }
                credential
            },
        )
}

#[test]
fn most_generated_credentials_take_the_fast_path() {
    use proptest::strategy::ValueTree as _;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = credential(false);
    let samples = 200;
    let covered = (0..samples)
        .filter(|_| agree(&strategy.new_tree(&mut runner).unwrap().current()))
        .count();
    // Ordinary credentials; those left out have a number or boolean under a date's datatype.
    assert!(
        covered * 2 >= samples,
        "only {covered} of {samples} generated credentials took the fast path"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn generated_credentials_give_the_same_canonical_form_on_both_paths(
        credential in prop_oneof![credential(false), credential(true)],
    ) {
        agree(&credential);
    }

    #[test]
    fn generated_presentations_give_the_same_canonical_form_on_both_paths(
        credentials in prop::collection::vec(credential(false), 1..3),
        holder in iri(false),
    ) {
        let presentation = json!({"@context": [CREDENTIALS_V2], "type": ["VerifiablePresentation"],
                                  "holder": holder, "verifiableCredential": credentials});
        agree(&presentation);
    }
}
