//! Tests of VCDM 1.1 credentials and presentations, `Ed25519Signature2020` proofs, and proof
//! sets and chains (VC DI §2.1.1–2.1.2) through the whole pipeline.

use serde_json::{Value, json};

use super::tests::{SIGNED_AT, assert_check, offline, student, time, university, verifier};
use super::*;
use crate::contexts::{CREDENTIALS_V1, DATA_INTEGRITY_V2, ED25519_SIGNATURE_2020_V1, SIGIL_V1};
use crate::data_integrity::proof_set::{ProofLink, add_proof};
use crate::data_integrity::{Cryptosuite, ProofOptions};
use crate::did::document::Relationship;
use crate::key::SigningKey;
use crate::test_support::block_on;

fn endorser() -> SigningKey {
    SigningKey::from_seed(&[23; 32])
}

/// An unsigned VCDM 1.1 diploma of the university, about the student.
fn v1_diploma(extra_context: Option<&str>) -> Value {
    let mut context = vec![json!(CREDENTIALS_V1)];
    context.extend(extra_context.map(|url| json!(url)));
    context.push(json!(SIGIL_V1));
    json!({
        "@context": context,
        "id": "urn:uuid:0c07c1ce-57cf-41c4-b3d9-9f2b2f8b1b1a",
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": university().did_key().to_string(),
        "issuanceDate": "2026-06-30T00:00:00Z",
        "expirationDate": "2031-06-30T00:00:00Z",
        "credentialSubject": {"id": student().did_key().to_string(), "studentId": "S-1815",
                              "fieldOfStudy": "Mathematics"}
    })
}

fn options(key: &SigningKey, suite: Cryptosuite, purpose: Relationship) -> ProofOptions {
    ProofOptions {
        cryptosuite: suite,
        verification_method: key.did_key_method(),
        purpose,
        created: time(SIGNED_AT),
        challenge: None,
        domain: None,
    }
}

fn signed_v1(suite: Cryptosuite) -> Value {
    let extra = (suite == Cryptosuite::Ed25519Signature2020).then_some(ED25519_SIGNATURE_2020_V1);
    let key = university();
    block_on(crate::data_integrity::sign(
        &v1_diploma(extra),
        &key,
        &options(&key, suite, Relationship::AssertionMethod),
    ))
    .unwrap()
}

fn report_of(value: &Value) -> VerificationReport {
    let resolver = offline();
    block_on(verifier(&resolver).verify(&value.to_string(), &Expectations::default())).unwrap()
}

fn format_message(report: &VerificationReport) -> &str {
    report
        .checks
        .iter()
        .find(|check| check.id == check_id::FORMAT)
        .map(|check| check.message.as_str())
        .unwrap()
}

#[test]
fn a_vcdm_1_1_credential_with_ed25519_signature_2020_verifies_and_a_changed_claim_fails() {
    let signed = signed_v1(Cryptosuite::Ed25519Signature2020);
    assert_eq!(signed["proof"]["type"], "Ed25519Signature2020");
    assert!(signed["proof"].get("cryptosuite").is_none());
    let report = report_of(&signed);
    assert!(report.valid, "{report:#?}");
    assert_eq!(
        format_message(&report),
        "A VCDM 1.1 Data Integrity credential secured with Ed25519Signature2020."
    );
    assert!(
        report
            .checks
            .iter()
            .any(|check| check.message == "Valid until 2031-06-30T00:00:00Z."),
        "{report:#?}"
    );

    let mut tampered = signed;
    tampered["credentialSubject"]["studentId"] = json!("S-1816");
    let report = report_of(&tampered);
    assert!(!report.valid);
    assert_check(&report, check_id::PROOF, Outcome::Failed);
}

#[test]
fn sigil_signs_a_vcdm_1_1_credential_with_eddsa_rdfc_2022_adding_the_data_integrity_context() {
    let signed = signed_v1(Cryptosuite::EddsaRdfc2022);
    assert_eq!(
        signed["@context"],
        json!([CREDENTIALS_V1, SIGIL_V1, DATA_INTEGRITY_V2])
    );
    let report = report_of(&signed);
    assert!(report.valid, "{report:#?}");
    assert_eq!(
        format_message(&report),
        "A VCDM 1.1 Data Integrity credential secured with eddsa-rdfc-2022."
    );
    let mut tampered = signed;
    tampered["issuanceDate"] = json!("2026-06-29T00:00:00Z");
    assert_check(&report_of(&tampered), check_id::PROOF, Outcome::Failed);
}

#[test]
fn the_issuance_and_expiration_dates_of_a_vcdm_1_1_credential_are_its_validity_period() {
    let key = university();
    let mut expired = v1_diploma(None);
    expired["expirationDate"] = json!("2026-07-01T00:00:00Z");
    let signed = block_on(crate::data_integrity::sign(
        &expired,
        &key,
        &options(&key, Cryptosuite::EddsaRdfc2022, Relationship::AssertionMethod),
    ))
    .unwrap();
    let report = report_of(&signed);
    assert_check(&report, check_id::PROOF, Outcome::Passed);
    assert_check(&report, check_id::VALIDITY, Outcome::Failed);
}

#[test]
fn a_vcdm_1_1_credential_with_vcdm_2_0_dates_is_unusable_input() {
    let mut credential = signed_v1(Cryptosuite::Ed25519Signature2020);
    credential["validUntil"] = json!("2030-01-01T00:00:00Z");
    let resolver = offline();
    let err =
        block_on(verifier(&resolver).verify(&credential.to_string(), &Expectations::default())).unwrap_err();
    assert!(err.to_string().contains("`validUntil` is VCDM 2.0"), "{err}");
}

#[test]
fn a_vcdm_1_1_presentation_of_a_vcdm_1_1_credential_verifies_with_its_challenge() {
    let holder = student();
    let presentation = json!({
        "@context": [CREDENTIALS_V1, ED25519_SIGNATURE_2020_V1],
        "type": ["VerifiablePresentation"],
        "holder": holder.did_key().to_string(),
        "verifiableCredential": [signed_v1(Cryptosuite::Ed25519Signature2020)]
    });
    let mut options = options(
        &holder,
        Cryptosuite::Ed25519Signature2020,
        Relationship::Authentication,
    );
    options.challenge = Some("c-42".into());
    options.domain = Some("https://verifier.example".into());
    let signed = block_on(crate::data_integrity::sign(&presentation, &holder, &options)).unwrap();
    let expect = Expectations {
        challenge: Some("c-42".into()),
        domain: Some("https://verifier.example".into()),
        require_holder_binding: true,
        ..Expectations::default()
    };
    let resolver = offline();
    let report = block_on(verifier(&resolver).verify(&signed.to_string(), &expect)).unwrap();
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.credentials.len(), 1);
    assert_check(&report, check_id::HOLDER_BINDING, Outcome::Passed);

    let wrong = Expectations {
        challenge: Some("c-43".into()),
        ..expect
    };
    let report = block_on(verifier(&resolver).verify(&signed.to_string(), &wrong)).unwrap();
    assert_check(&report, check_id::HOLDER_BINDING, Outcome::Failed);
}

/// The diploma signed by the university as proof `urn:proof:1`, then endorsed by a second key
/// as `urn:proof:2`, joined to the set (`previous` empty) or chained after the first.
fn endorsed(previous: &[&str]) -> Value {
    let key = university();
    let link = |id: &str, previous: &[&str]| ProofLink {
        id: Some(id.into()),
        previous: previous.iter().map(|id| (*id).to_owned()).collect(),
    };
    let signed = block_on(add_proof(
        &v1_diploma(None),
        &key,
        &options(&key, Cryptosuite::EddsaRdfc2022, Relationship::AssertionMethod),
        &link("urn:proof:1", &[]),
    ))
    .unwrap();
    let mut endorsement = options(
        &endorser(),
        Cryptosuite::EddsaRdfc2022,
        Relationship::AssertionMethod,
    );
    endorsement.created = time(ENDORSED_AT);
    block_on(add_proof(
        &signed,
        &endorser(),
        &endorsement,
        &link("urn:proof:2", previous),
    ))
    .unwrap()
}

/// When the endorsement is made: after the issuance, so it is proof 2 of 2.
const ENDORSED_AT: &str = "2026-07-01T09:00:00Z";

fn proof_checks(report: &VerificationReport) -> Vec<(Outcome, &str)> {
    report
        .checks
        .iter()
        .filter(|check| check.id == check_id::PROOF)
        .map(|check| (check.outcome, check.message.as_str()))
        .collect()
}

#[test]
fn a_proof_set_verifies_only_when_every_proof_does_and_reports_each() {
    let set = endorsed(&[]);
    assert_eq!(set["proof"].as_array().unwrap().len(), 2);
    let report = report_of(&set);
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.issued_at, Some(time(SIGNED_AT)));
    assert_eq!(
        proof_checks(&report),
        vec![
            (
                Outcome::Passed,
                "Proof 1 of 2: The eddsa-rdfc-2022 signature verifies."
            ),
            (
                Outcome::Passed,
                "Proof 2 of 2: The eddsa-rdfc-2022 signature verifies."
            ),
        ]
    );
    assert!(format_message(&report).contains("2 proofs"), "{report:#?}");

    // A set has no order: written the other way round, the report is the same.
    let mut reversed = set.clone();
    reversed["proof"] = json!([set["proof"][1], set["proof"][0]]);
    assert_eq!(report_of(&reversed), report);

    // The endorsement alone is not the issuer's signature.
    let mut endorsement_only = set.clone();
    endorsement_only["proof"] = set["proof"][1].clone();
    let report = report_of(&endorsement_only);
    assert!(!report.valid);
    assert_check(&report, check_id::SIGNING_KEY, Outcome::Failed);

    // One character of the endorsement's signature changed: the whole credential fails.
    let mut forged = set;
    let value = forged["proof"][1]["proofValue"].as_str().unwrap().to_owned();
    let last = if value.ends_with('A') { "B" } else { "A" };
    forged["proof"][1]["proofValue"] = json!(format!("{}{last}", &value[..value.len() - 1]));
    let report = report_of(&forged);
    assert!(!report.valid);
    let checks = proof_checks(&report);
    assert_eq!(checks[0].0, Outcome::Passed);
    assert_eq!(checks[1].0, Outcome::Failed, "{checks:?}");
}

#[test]
fn a_proof_chain_covers_the_proof_it_names_and_fails_when_that_proof_changes() {
    let chain = endorsed(&["urn:proof:1"]);
    assert_eq!(chain["proof"][1]["previousProof"], "urn:proof:1");
    let report = report_of(&chain);
    assert!(report.valid, "{report:#?}");

    // The endorsement written first in the array is still verified after the proof it names.
    let mut reordered = chain.clone();
    reordered["proof"] = json!([chain["proof"][1], chain["proof"][0]]);
    assert!(report_of(&reordered).valid);

    // Changing the first proof's creation time breaks it and, since the second covers it, the
    // second as well.
    let mut changed = chain.clone();
    changed["proof"][0]["created"] = json!("2026-06-30T12:00:01Z");
    let report = report_of(&changed);
    let checks = proof_checks(&report);
    assert!(
        checks.iter().all(|(outcome, _)| *outcome == Outcome::Failed),
        "{checks:?}"
    );
    assert!(
        checks[1].1.contains("chained to the proof urn:proof:1"),
        "{checks:?}"
    );

    // A chained proof does not verify as a set member: it signed the earlier proof too.
    let mut unchained = chain;
    unchained["proof"][1]
        .as_object_mut()
        .unwrap()
        .remove("previousProof");
    assert!(!report_of(&unchained).valid);
}

#[test]
fn a_chain_covers_only_the_proofs_it_names() {
    // Proof 3 is chained to proof 1 only; proof 2, a set member, can go without harm to it.
    let three = block_on(add_proof(
        &endorsed(&[]),
        &student(),
        &options(
            &student(),
            Cryptosuite::EddsaRdfc2022,
            Relationship::AssertionMethod,
        ),
        &ProofLink {
            id: Some("urn:proof:3".into()),
            previous: vec!["urn:proof:1".into()],
        },
    ))
    .unwrap();
    assert!(report_of(&three).valid);
    let mut without_second = three.clone();
    without_second["proof"] = json!([three["proof"][0], three["proof"][2]]);
    let report = report_of(&without_second);
    assert!(report.valid, "{report:#?}");
}

#[test]
fn dangling_and_cyclic_previous_proofs_are_unusable_input() {
    let resolver = offline();
    let refused = |value: &Value, expected: &str| {
        let err =
            block_on(verifier(&resolver).verify(&value.to_string(), &Expectations::default())).unwrap_err();
        assert!(err.to_string().contains(expected), "{expected}: {err}");
    };
    let chain = endorsed(&["urn:proof:1"]);
    let mut dangling = chain.clone();
    dangling["proof"] = json!([chain["proof"][1]]);
    refused(&dangling, "not a proof of this document");
    let mut cyclic = chain.clone();
    cyclic["proof"][0]["previousProof"] = json!(["urn:proof:2"]);
    refused(&cyclic, "cycle");
    let mut duplicated = chain.clone();
    duplicated["proof"][1]["id"] = json!("urn:proof:1");
    refused(&duplicated, "two proofs have the id");
    let mut empty = chain;
    empty["proof"] = json!([]);
    refused(&empty, "empty list");
}

#[test]
fn an_endorsement_cannot_reuse_an_id_or_name_a_missing_proof() {
    let set = endorsed(&[]);
    let key = endorser();
    let add = |link: ProofLink| {
        block_on(add_proof(
            &set,
            &key,
            &options(&key, Cryptosuite::EddsaRdfc2022, Relationship::AssertionMethod),
            &link,
        ))
        .unwrap_err()
        .to_string()
    };
    assert!(
        add(ProofLink {
            id: Some("urn:proof:1".into()),
            previous: vec![],
        })
        .contains("exists already")
    );
    assert!(
        add(ProofLink {
            id: None,
            previous: vec!["urn:proof:9".into()],
        })
        .contains("not a proof of this document")
    );
}

#[test]
fn an_endorsed_credential_keeps_the_issuance_anchor_of_the_credential_as_issued() {
    use super::sources::AnchorEvidence;
    use super::tests::{SIGIL_DID, compromised_history, new_key, old_key, rotated_resolver, sigil_diploma};
    let issued: Value = serde_json::from_str(&sigil_diploma(&old_key(), "key-1", SIGNED_AT)).unwrap();
    let mut history = compromised_history();
    history.anchors.insert(
        (
            Did::parse(SIGIL_DID).unwrap(),
            credential_hash(&IssuedForm::Json(&issued)).unwrap(),
        ),
        AnchorEvidence {
            block_height: 12,
            block_time: time("2026-07-01T00:00:00Z"),
        },
    );
    // After key-1 was stolen, the issuer adds a proof with its new key to the set.
    let mut options = options(
        &new_key(),
        Cryptosuite::EddsaRdfc2022,
        Relationship::AssertionMethod,
    );
    options.verification_method = format!("{SIGIL_DID}#key-2");
    options.created = time("2026-10-01T00:00:00Z");
    let endorsed = block_on(add_proof(&issued, &new_key(), &options, &ProofLink::default())).unwrap();
    let resolver = rotated_resolver();
    let verifier = Verifier {
        history: Some(&history),
        ..verifier(&resolver)
    };
    let report = block_on(verifier.verify(&endorsed.to_string(), &Expectations::default())).unwrap();
    assert!(report.valid, "{report:#?}");
    assert_check(&report, check_id::KEY_HISTORY, Outcome::Passed);
    assert_eq!(proof_checks(&report).len(), 2);
}

#[test]
fn sigil_signs_a_vcdm_1_1_credential_with_eddsa_jcs_2022_too() {
    let signed = signed_v1(Cryptosuite::EddsaJcs2022);
    assert_eq!(signed["proof"]["@context"], signed["@context"]);
    let report = report_of(&signed);
    assert!(report.valid, "{report:#?}");
    let mut tampered = signed;
    tampered["credentialSubject"]["fieldOfStudy"] = json!("Mathematict");
    assert_check(&report_of(&tampered), check_id::PROOF, Outcome::Failed);
}

// --- StatusList2021, the status lists of VCDM 1.1 issuers ---------------------------------

const STATUS_LIST_2021_V1: &str = "https://w3id.org/vc/status-list/2021/v1";
const LIST_2021_URL: &str = "https://uni.example/status/2021/1";

/// A VCDM 1.1 diploma with a `StatusList2021Entry` (or another `entry_type`) at `index`.
fn v1_diploma_with_status(entry_type: &str, index: u64) -> Value {
    let mut diploma = v1_diploma(None);
    diploma["@context"] = json!([CREDENTIALS_V1, STATUS_LIST_2021_V1, SIGIL_V1]);
    diploma["credentialStatus"] = json!({
        "id": format!("{LIST_2021_URL}#{index}"),
        "type": entry_type,
        "statusPurpose": "revocation",
        "statusListIndex": index.to_string(),
        "statusListCredential": LIST_2021_URL,
    });
    let key = university();
    block_on(crate::data_integrity::sign(
        &diploma,
        &key,
        &options(&key, Cryptosuite::EddsaRdfc2022, Relationship::AssertionMethod),
    ))
    .unwrap()
}

/// The university's `StatusList2021Credential` with `revoked` set, its list in plain
/// base64url as that draft writes it.
fn status_list_2021(revoked: &[u64]) -> String {
    let mut bits = crate::model::status_list::Bitstring::new();
    for index in revoked {
        bits.set(*index, 1, 1).unwrap();
    }
    let multibase = bits.encode().unwrap();
    let list = json!({
        "@context": [CREDENTIALS_V1, STATUS_LIST_2021_V1],
        "id": LIST_2021_URL,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": university().did_key().to_string(),
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": format!("{LIST_2021_URL}#list"),
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": multibase.strip_prefix('u').unwrap(),
        }
    });
    let key = university();
    block_on(crate::data_integrity::sign(
        &list,
        &key,
        &options(&key, Cryptosuite::EddsaRdfc2022, Relationship::AssertionMethod),
    ))
    .unwrap()
    .to_string()
}

fn status_of(credential: &Value, list: String) -> VerificationReport {
    let resolver = offline();
    let lists = sources::InMemoryStatusLists([(LIST_2021_URL.to_owned(), list)].into());
    let verifier = Verifier {
        status: Some(&lists),
        ..verifier(&resolver)
    };
    block_on(verifier.verify(&credential.to_string(), &Expectations::default())).unwrap()
}

#[test]
fn a_status_list_2021_entry_is_read_from_its_status_list_2021_credential() {
    let list = status_list_2021(&[7]);
    let revoked = status_of(&v1_diploma_with_status("StatusList2021Entry", 7), list.clone());
    assert!(!revoked.valid, "{revoked:#?}");
    assert_check(&revoked, check_id::STATUS, Outcome::Failed);
    let fine = status_of(&v1_diploma_with_status("StatusList2021Entry", 8), list);
    assert!(fine.valid, "{fine:#?}");
    assert_check(&fine, check_id::STATUS, Outcome::Passed);
}

#[test]
fn an_entry_of_one_status_specification_is_not_read_from_a_list_of_the_other() {
    // A StatusList2021 entry pointing at a Bitstring Status List credential.
    let report = status_of(
        &v1_diploma_with_status("StatusList2021Entry", 8),
        tests::status_list(&university(), &[]),
    );
    assert!(!report.valid, "{report:#?}");
    assert_check(&report, check_id::STATUS, Outcome::Failed);
    let status = report.checks.iter().find(|c| c.id == check_id::STATUS).unwrap();
    assert!(
        status.message.contains("but the entry is a StatusList2021Entry"),
        "{}",
        status.message
    );
}
