//! The property that closes the JSON-LD respelling attacks: take signed credentials and
//! presentations, respell them in ways that keep their JSON-LD meaning (keywords for aliases,
//! IRIs and compact IRIs for terms, inline contexts, reordered keys, arrays of one, `@graph`,
//! node references, value objects), and check that every respelling whose canonical RDF is
//! unchanged — so whose `eddsa-rdfc-2022` signature still verifies — is either refused or
//! verified to exactly the report of the original. A key written twice is always refused. For an `eddsa-jcs-2022` credential, whose
//! JSON itself is signed, a failed proof is a third acceptable answer.
//!
//! The originals carry what an attacker would want to hide: a revoked status entry, an
//! expiry in the past, a subject id that the holder binding compares. Among them is a VCDM
//! 1.1 credential signed with `Ed25519Signature2020`, whose contexts scope their terms by type
//! (the expiry there is `expirationDate`).

use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::sources::InMemoryStatusLists;
use super::tests::{LIST_URL, NOW, SIGNED_AT, request, status_entry, status_list, student, time, university};
use super::*;
use crate::data_integrity::{Cryptosuite, ProofOptions};
use crate::did::StandardResolver;
use crate::did::document::Relationship;
use crate::issue::CredentialFormat;
use crate::jsonld::vocabulary::VOCABULARY;
use crate::test_support::block_on;

const REVOKED: u64 = 7;
const CHALLENGE: &str = "challenge-1";
const DOMAIN: &str = "https://verifier.example";

/// An expired, revoked diploma about the student, signed with `eddsa-rdfc-2022`.
fn rdfc_credential() -> Value {
    let key = university();
    let mut request = request(&key.did_key());
    request.status = Some(status_entry(REVOKED));
    request.valid_until = Some(time("2026-10-01T00:00:00Z"));
    let text = block_on(request.issue(
        CredentialFormat::LdpVc,
        &key,
        &key.did_key_method(),
        time(SIGNED_AT),
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The same diploma signed with `eddsa-jcs-2022`.
fn jcs_credential() -> Value {
    let key = university();
    let mut unsecured = rdfc_credential();
    unsecured.as_object_mut().unwrap().remove("proof");
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaJcs2022,
        verification_method: key.did_key_method(),
        purpose: Relationship::AssertionMethod,
        created: time(SIGNED_AT),
        challenge: None,
        domain: None,
    };
    block_on(crate::data_integrity::sign(&unsecured, &key, &options)).unwrap()
}

/// An expired VCDM 1.1 diploma about the student, signed with `Ed25519Signature2020`.
fn v1_credential() -> Value {
    let key = university();
    let unsecured = json!({
        "@context": [crate::contexts::CREDENTIALS_V1, crate::contexts::ED25519_SIGNATURE_2020_V1,
                     crate::contexts::SIGIL_V1],
        "id": "urn:uuid:7e1f0c52-3b8a-4d0e-9f61-2c9d8a4b5e70",
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": key.did_key().to_string(),
        "issuanceDate": "2026-06-30T00:00:00Z",
        "expirationDate": "2026-10-01T00:00:00Z",
        "credentialSubject": {"id": student().did_key().to_string(), "studentId": "S-1815",
                              "fieldOfStudy": "Mathematics",
                              "degree": {"id": "urn:degree:bsc-42", "type": "BachelorDegree"}}
    });
    let options = ProofOptions {
        cryptosuite: Cryptosuite::Ed25519Signature2020,
        verification_method: key.did_key_method(),
        purpose: Relationship::AssertionMethod,
        created: time(SIGNED_AT),
        challenge: None,
        domain: None,
    };
    block_on(crate::data_integrity::sign(&unsecured, &key, &options)).unwrap()
}

/// The student presents the diploma, bound to the verifier's challenge and domain.
fn presentation() -> Value {
    block_on(crate::issue::data_integrity_presentation(
        vec![rdfc_credential()],
        &student().did_key(),
        &student(),
        &student().did_key_method(),
        CHALLENGE,
        DOMAIN,
        time(NOW),
    ))
    .unwrap()
}

struct Fixture {
    documents: Vec<(&'static str, Value)>,
    lists: InMemoryStatusLists,
    resolver: StandardResolver,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| Fixture {
    documents: vec![
        ("rdfc credential", rdfc_credential()),
        ("jcs credential", jcs_credential()),
        ("presentation", presentation()),
        ("vcdm 1.1 credential", v1_credential()),
    ],
    lists: InMemoryStatusLists([(LIST_URL.to_owned(), status_list(&university(), &[REVOKED]))].into()),
    resolver: StandardResolver::offline(),
});

fn expectations(name: &str) -> Expectations {
    if name == "presentation" {
        Expectations {
            challenge: Some(CHALLENGE.into()),
            domain: Some(DOMAIN.into()),
            require_holder_binding: true,
            ..Expectations::default()
        }
    } else {
        Expectations::default()
    }
}

fn verify_text(name: &str, text: &str) -> Result<VerificationReport, VerificationError> {
    let fixture = &*FIXTURE;
    let verifier = Verifier {
        status: Some(&fixture.lists),
        now: time(NOW),
        ..Verifier::new(&fixture.resolver)
    };
    block_on(verifier.verify(text, &expectations(name)))
}

/// One way of writing the same meaning differently, applied at the `place`-th object.
#[derive(Debug, Clone, Copy)]
enum Respelling {
    /// `id` → `@id`, or else `type` → `@type`.
    Keyword,
    /// A term → the IRI it stands for.
    IriKey,
    /// A term → `sigil:…` for terms of Sigil's vocabulary.
    CompactIriKey,
    /// A term → a new name defined by an inline context for the same IRI.
    InlineAlias,
    /// The object's keys in reverse order.
    Reorder,
    /// A value → an array holding it.
    WrapInArray,
    /// An array of one → its value.
    Unwrap,
    /// A string naming a node → `{"id": …}`, and back.
    NodeReference,
    /// A plain string → `{"@value": …}`.
    ValueObject,
    /// The whole document → `{"@context": …, "@graph": [document]}`.
    Graph,
}

fn respelling() -> impl Strategy<Value = (Respelling, usize, usize)> {
    (
        prop_oneof![
            Just(Respelling::Keyword),
            Just(Respelling::IriKey),
            Just(Respelling::CompactIriKey),
            Just(Respelling::InlineAlias),
            Just(Respelling::Reorder),
            Just(Respelling::WrapInArray),
            Just(Respelling::Unwrap),
            Just(Respelling::NodeReference),
            Just(Respelling::ValueObject),
            Just(Respelling::Graph),
        ],
        any::<usize>(),
        any::<usize>(),
    )
}

/// JSON pointers to every object in the document outside `@context`.
fn objects(value: &Value, pointer: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            out.push(pointer.to_owned());
            for (key, inner) in object {
                if key != "@context" {
                    objects(
                        inner,
                        &format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")),
                        out,
                    );
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                objects(item, &format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// The one IRI a term stands for in the bundled contexts, if it has exactly one.
fn iri_of(term: &str) -> Option<String> {
    let iris = VOCABULARY.iris.get(term)?;
    (iris.len() == 1).then(|| iris.iter().next().cloned()).flatten()
}

fn rename(object: &mut Map<String, Value>, from: &str, to: &str) {
    let entries: Vec<(String, Value)> = std::mem::take(object).into_iter().collect();
    for (key, value) in entries {
        object.insert(if key == from { to.to_owned() } else { key }, value);
    }
}

fn apply(document: &mut Value, (respelling, place, pick): (Respelling, usize, usize)) {
    if let Respelling::Graph = respelling {
        if let Some(object) = document.as_object_mut() {
            if let Some(context) = object.remove("@context") {
                *document = json!({"@context": context, "@graph": [Value::Object(object.clone())]});
            }
        }
        return;
    }
    let mut pointers = Vec::new();
    objects(document, "", &mut pointers);
    let Some(pointer) = pointers.get(place % pointers.len().max(1)).cloned() else {
        return;
    };
    let mut inline_alias = None;
    let Some(Value::Object(object)) = document.pointer_mut(&pointer) else {
        return;
    };
    let keys: Vec<String> = object.keys().filter(|k| !k.starts_with('@')).cloned().collect();
    let Some(key) = keys.get(pick % keys.len().max(1)).cloned() else {
        return;
    };
    match respelling {
        Respelling::Keyword => {
            if object.contains_key("id") {
                rename(object, "id", "@id");
            } else if object.contains_key("type") {
                rename(object, "type", "@type");
            }
        }
        Respelling::IriKey => {
            if let Some(iri) = iri_of(&key) {
                rename(object, &key, &iri);
            }
        }
        Respelling::CompactIriKey => {
            if let Some(suffix) = iri_of(&key).and_then(|iri| {
                iri.strip_prefix("https://w3id.org/sigil/vocab#")
                    .map(str::to_owned)
            }) {
                rename(object, &key, &format!("sigil:{suffix}"));
            }
        }
        Respelling::InlineAlias => {
            if let Some(iri) = iri_of(&key) {
                let alias = format!("alias{}", key.len());
                rename(object, &key, &alias);
                inline_alias = Some((alias, iri));
            }
        }
        Respelling::Reorder => {
            let entries: Vec<(String, Value)> = std::mem::take(object).into_iter().rev().collect();
            object.extend(entries);
        }
        Respelling::WrapInArray => {
            if let Some(value) = object.get_mut(&key) {
                if !value.is_array() {
                    *value = Value::Array(vec![value.take()]);
                }
            }
        }
        Respelling::Unwrap => {
            if let Some(value) = object.get_mut(&key) {
                if let Some([only]) = value.as_array().map(Vec::as_slice) {
                    *value = only.clone();
                }
            }
        }
        Respelling::NodeReference => match object.get_mut(&key) {
            Some(Value::String(id)) if VOCABULARY.iri_valued.contains(&key) => {
                *object.get_mut(&key).unwrap_or(&mut Value::Null) = json!({"id": id.clone()});
            }
            Some(Value::Object(node)) if node.len() == 1 && node.contains_key("id") => {
                let id = node["id"].clone();
                object.insert(key, id);
            }
            _ => {}
        },
        Respelling::ValueObject => {
            if let Some(value @ Value::String(_)) = object.get_mut(&key) {
                *value = json!({"@value": value.take()});
            }
        }
        Respelling::Graph => {}
    }
    if let Some((alias, iri)) = inline_alias {
        if let Some(context) = document.get_mut("@context") {
            let mut contexts = match context.take() {
                Value::Array(items) => items,
                single => vec![single],
            };
            contexts.push(json!({ alias: iri }));
            *context = Value::Array(contexts);
        }
    }
}

fn canonical(document: &Value) -> Option<Vec<String>> {
    block_on(crate::jsonld::canonicalize(document)).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, max_global_rejects: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn a_respelling_of_the_same_meaning_is_refused_or_verifies_to_the_same_report(
        which in 0usize..4,
        respellings in prop::collection::vec(respelling(), 1..4),
    ) {
        let (name, original) = &FIXTURE.documents[which];
        let mut respelled = original.clone();
        for step in &respellings {
            apply(&mut respelled, *step);
        }
        prop_assume!(&respelled != original);
        prop_assume!(canonical(&respelled).is_some() && canonical(&respelled) == canonical(original));

        let expected = verify_text(name, &original.to_string()).unwrap();
        match verify_text(name, &respelled.to_string()) {
            Err(VerificationError::Input(_)) => {}
            Ok(report) if *name == "jcs credential" && report.outcome(check_id::PROOF) == Some(Outcome::Failed) => {}
            Ok(report) => prop_assert_eq!(report, expected, "{} respelled as {:#}", name, respelled),
            Err(other) => prop_assert!(false, "{other} for {respelled:#}"),
        }
    }
}

/// The document's text with one key of the `place`-th object written twice (same value), a
/// spelling `serde_json::Value` cannot hold.
fn with_duplicated_key(document: &Value, place: usize, pick: usize) -> Option<String> {
    const MARKER: &str = "sigil-test-duplicate-marker";
    let mut pointers = Vec::new();
    objects(document, "", &mut pointers);
    let pointer = pointers.get(place % pointers.len().max(1))?;
    let mut marked = document.clone();
    let object = marked.pointer_mut(pointer)?.as_object_mut()?;
    let key = object.keys().nth(pick % object.len().max(1))?.clone();
    let value = object.get(&key)?.clone();
    object.insert(MARKER.to_owned(), value);
    let key = serde_json::to_string(&key).ok()?;
    Some(marked.to_string().replace(&format!("\"{MARKER}\""), &key))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_duplicated_key_is_refused(which in 0usize..4, place in any::<usize>(), pick in any::<usize>()) {
        let (name, original) = &FIXTURE.documents[which];
        let Some(text) = with_duplicated_key(original, place, pick) else {
            return Ok(());
        };
        let refused = matches!(verify_text(name, &text), Err(VerificationError::Input(ref m)) if m.contains("duplicate key"));
        prop_assert!(refused, "{}", text);
    }
}

#[test]
fn the_originals_are_what_an_attacker_would_want_to_hide() {
    for (name, document) in &FIXTURE.documents {
        let report = verify_text(name, &document.to_string()).unwrap();
        assert!(!report.valid, "{name}: {report:#?}");
        let credential = report.credentials.first().unwrap_or(&report);
        let status = if *name == "vcdm 1.1 credential" {
            Outcome::NotApplicable
        } else {
            Outcome::Failed
        };
        assert_eq!(credential.outcome(check_id::STATUS), Some(status), "{name}");
        assert_eq!(
            credential.outcome(check_id::VALIDITY),
            Some(Outcome::Failed),
            "{name}"
        );
    }
}

/// The attacks of the issue, one by one, each a respelling the property covers.
#[test]
fn each_known_attack_is_refused_with_the_key_named() {
    let cases = [
        ("/credentialSubject", "id", "@id"),
        (
            "",
            "credentialStatus",
            "https://www.w3.org/2018/credentials#credentialStatus",
        ),
        ("", "validUntil", "https://www.w3.org/2018/credentials#validUntil"),
        ("/credentialSubject", "studentId", "sigil:studentId"),
    ];
    let original = &FIXTURE.documents[0].1;
    for (pointer, key, spelling) in cases {
        let mut document = original.clone();
        let object = document.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
        if key == "validUntil" {
            // Under its IRI the date loses the term's datatype; a value object restores it.
            let date = object[key].clone();
            object[key] = json!({"@value": date, "@type": "http://www.w3.org/2001/XMLSchema#dateTime"});
        }
        rename(object, key, spelling);
        assert_eq!(canonical(&document), canonical(original), "{spelling}");
        let err = verify_text("rdfc credential", &document.to_string()).unwrap_err();
        assert!(
            matches!(&err, VerificationError::Input(m) if m.contains(spelling)),
            "{err}"
        );
    }
}

/// The same attacks on the VCDM 1.1 credential, whose terms live in type-scoped contexts.
#[test]
fn each_known_attack_on_a_vcdm_1_1_credential_is_refused_with_the_key_named() {
    let cases = [
        ("/credentialSubject", "id", "@id"),
        (
            "",
            "expirationDate",
            "https://www.w3.org/2018/credentials#expirationDate",
        ),
        ("/credentialSubject", "studentId", "sigil:studentId"),
    ];
    let original = &FIXTURE.documents[3].1;
    for (pointer, key, spelling) in cases {
        let mut document = original.clone();
        let object = document.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
        if key == "expirationDate" {
            let date = object[key].clone();
            object[key] = json!({"@value": date, "@type": "http://www.w3.org/2001/XMLSchema#dateTime"});
        }
        rename(object, key, spelling);
        assert_eq!(canonical(&document), canonical(original), "{spelling}");
        let err = verify_text("vcdm 1.1 credential", &document.to_string()).unwrap_err();
        assert!(
            matches!(&err, VerificationError::Input(m) if m.contains(spelling)),
            "{err}"
        );
    }
}

/// A thief presents a copy of the student's diploma with the subject id hidden; with the
/// subject id visible the holder binding fails, with it hidden the input is refused.
#[test]
fn a_thief_cannot_present_a_diploma_with_its_subject_hidden() {
    let thief = crate::key::SigningKey::from_seed(&[66; 32]);
    for hide in [false, true] {
        let mut credential = rdfc_credential();
        if hide {
            rename(
                credential["credentialSubject"].as_object_mut().unwrap(),
                "id",
                "@id",
            );
        }
        let presentation = block_on(crate::issue::data_integrity_presentation(
            vec![credential],
            &thief.did_key(),
            &thief,
            &thief.did_key_method(),
            CHALLENGE,
            DOMAIN,
            time(NOW),
        ))
        .unwrap();
        match verify_text("presentation", &presentation.to_string()) {
            Ok(report) => {
                assert!(!hide);
                assert_eq!(report.outcome(check_id::HOLDER_BINDING), Some(Outcome::Failed));
            }
            Err(err) => assert!(hide && matches!(err, VerificationError::Input(_)), "{err}"),
        }
    }
}
