//! Tests of the verification pipeline against in-memory resolvers and sources: every rule
//! of docs/design.md §5 in every format.

use serde_json::{Map, Value, json};

use super::sources::{
    Accreditation, AnchorEvidence, InMemoryKeyHistory, InMemoryStatusLists, InMemoryTrust, KeyEvents,
    Unreachable,
};
use super::*;
use crate::data_integrity::{Cryptosuite, ProofOptions};
use crate::did::document::{DidDocument, MethodReference, Relationship, VerificationMethod};
use crate::did::resolver::{DocumentMetadata, InMemoryResolver, Resolution};
use crate::did::{Did, StandardResolver};
use crate::issue::{CredentialFormat, CredentialRequest};
use crate::key::{Algorithm, PublicKey, SigningKey};
use crate::model::CredentialType;
use crate::model::status_list::Bitstring;
use crate::test_support::block_on;
use crate::time::{Timestamp, parse_datetime};

pub(super) fn time(text: &str) -> Timestamp {
    parse_datetime(text).unwrap()
}

pub(super) fn university() -> SigningKey {
    SigningKey::from_seed(&[21; 32])
}
pub(super) fn student() -> SigningKey {
    SigningKey::from_seed(&[22; 32])
}

pub(super) const SIGNED_AT: &str = "2026-06-30T12:00:00Z";
pub(super) const NOW: &str = "2026-11-28T12:00:00Z";

pub(super) fn request(issuer: &Did) -> CredentialRequest {
    let claims = json!({
        "name": "Ada Lovelace",
        "studentId": "S-1815",
        "dateOfBirth": "1815-12-10",
        "degree": {"type": "BachelorDegree", "name": "BSc Mathematics"},
        "fieldOfStudy": "Mathematics",
        "graduationDate": "2026-06-30"
    });
    CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
        issuer: issuer.clone(),
        subject: Some(student().did_key()),
        claims: claims.as_object().unwrap().clone(),
        valid_from: time("2026-06-30T00:00:00Z"),
        valid_until: None,
        status: None,
        schema: None,
        holder_key: Some(student().public_key()),
    }
}

pub(super) fn issue(
    request: &CredentialRequest,
    format: CredentialFormat,
    key: &SigningKey,
    method: &str,
    at: &str,
) -> String {
    block_on(request.issue(format, key, method, time(at))).unwrap()
}

pub(super) fn diploma(format: CredentialFormat) -> String {
    let key = university();
    issue(
        &request(&key.did_key()),
        format,
        &key,
        &key.did_key_method(),
        SIGNED_AT,
    )
}

pub(super) fn offline() -> StandardResolver {
    StandardResolver::offline()
}

pub(super) fn verifier(resolver: &dyn DidResolver) -> Verifier<'_> {
    Verifier {
        now: time(NOW),
        ..Verifier::new(resolver)
    }
}

pub(super) fn verify(verifier: &Verifier<'_>, input: &str) -> VerificationReport {
    block_on(verifier.verify(input, &Expectations::default())).unwrap()
}

pub(super) fn assert_check(report: &VerificationReport, id: &str, outcome: Outcome) {
    assert_eq!(
        report.outcome(id),
        Some(outcome),
        "check {id} in {:#?}",
        report.checks
    );
}

const ALL_FORMATS: [CredentialFormat; 3] = [
    CredentialFormat::LdpVc,
    CredentialFormat::VcJwt,
    CredentialFormat::SdJwt,
];

#[test]
fn a_diploma_in_every_format_verifies() {
    let resolver = offline();
    for format in ALL_FORMATS {
        let report = verify(&verifier(&resolver), &diploma(format));
        assert!(report.valid, "{format:?}: {report:#?}");
        assert_check(&report, check_id::PROOF, Outcome::Passed);
        assert_check(&report, check_id::SIGNING_KEY, Outcome::Passed);
        assert_check(&report, check_id::TRUST, Outcome::NotApplicable);
        assert_eq!(report.issuer.as_deref(), Some(university().did_key().as_str()));
    }
}

#[test]
fn a_credential_about_no_did_names_no_one_and_verifies_in_every_format_without_a_holder_key() {
    // A diploma printed on paper has no holder: no `credentialSubject.id`, no `sub`, no `cnf`.
    let resolver = offline();
    let key = university();
    let mut request = request(&key.did_key());
    request.subject = None;
    request.holder_key = None;
    let unsigned = request.unsigned_credential().unwrap();
    assert!(unsigned["credentialSubject"].get("id").is_none(), "{unsigned:#}");
    assert_eq!(unsigned["credentialSubject"]["name"], "Ada Lovelace");
    let jwt = issue(
        &request,
        CredentialFormat::VcJwt,
        &key,
        &key.did_key_method(),
        SIGNED_AT,
    );
    let payload = crate::jose::decode_unverified(&jwt).unwrap().payload;
    for claim in ["sub", "cnf"] {
        assert!(payload.get(claim).is_none(), "{claim}: {payload:#}");
    }
    assert!(payload["credentialSubject"].get("id").is_none(), "{payload:#}");
    for format in [CredentialFormat::LdpVc, CredentialFormat::VcJwt] {
        let credential = issue(&request, format, &key, &key.did_key_method(), SIGNED_AT);
        let report = verify(&verifier(&resolver), &credential);
        assert!(report.valid, "{format:?}: {report:#?}");
    }
    // An SD-JWT VC is always bound to a holder's key.
    assert!(matches!(
        block_on(request.issue(
            CredentialFormat::SdJwt,
            &key,
            &key.did_key_method(),
            time(SIGNED_AT)
        )),
        Err(crate::issue::IssueError::NoHolderKey)
    ));
}

#[test]
fn a_credential_with_numeric_claims_verifies_in_every_format() {
    // Numbers go through RFC 8785 number formatting in the JCS suites and in the credential
    // hash; with serde_json's arbitrary precision (enabled by a dependency) that path once
    // panicked instead of canonicalising.
    let resolver = offline();
    let key = university();
    let mut request = request(&key.did_key());
    request.claims.insert("credits".into(), json!(180));
    request.claims.insert("grade".into(), json!(1.50));
    request.claims.insert("rank".into(), json!(-3e2));
    for format in [CredentialFormat::VcJwt, CredentialFormat::SdJwt] {
        let credential = issue(&request, format, &key, &key.did_key_method(), SIGNED_AT);
        let report = verify(&verifier(&resolver), &credential);
        assert!(report.valid, "{format:?}: {report:#?}");
    }
    // Data Integrity needs the terms defined: the examples context's vocabulary does that.
    let mut credential = request.unsigned_credential().unwrap();
    credential["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!(crate::contexts::CREDENTIALS_EXAMPLES_V2));
    for suite in [Cryptosuite::EddsaRdfc2022, Cryptosuite::EddsaJcs2022] {
        let options = ProofOptions {
            cryptosuite: suite,
            verification_method: key.did_key_method(),
            purpose: Relationship::AssertionMethod,
            created: time(SIGNED_AT),
            challenge: None,
            domain: None,
        };
        let signed = block_on(crate::data_integrity::sign(&credential, &key, &options)).unwrap();
        let report = verify(&verifier(&resolver), &signed.to_string());
        assert!(report.valid, "{suite:?}: {report:#?}");
    }
}

#[test]
fn jcs_writes_numbers_the_way_rfc_8785_does() {
    let value: Value =
        serde_json::from_str(r#"{"b": 1.50, "a": 1e21, "c": -0.0, "d": 100E-2, "e": 180}"#).unwrap();
    assert_eq!(
        serde_jcs::to_string(&value).unwrap(),
        r#"{"a":1e+21,"b":1.5,"c":0,"d":1,"e":180}"#
    );
}

#[test]
fn a_one_character_change_to_a_claim_fails_the_proof_in_every_format() {
    let resolver = offline();
    let ldp = diploma(CredentialFormat::LdpVc).replace("Ada Lovelace", "Ada Lovelacf");
    let report = verify(&verifier(&resolver), &ldp);
    assert!(!report.valid);
    assert_check(&report, check_id::PROOF, Outcome::Failed);

    let jwt = diploma(CredentialFormat::VcJwt);
    let payload = crate::jose::decode_unverified(&jwt).unwrap().payload;
    let changed = payload.to_string().replace("Ada Lovelace", "Ada Lovelacf");
    let parts: Vec<&str> = jwt.split('.').collect();
    use base64::Engine as _;
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(changed),
        parts[2]
    );
    let report = verify(&verifier(&resolver), &forged);
    assert_check(&report, check_id::PROOF, Outcome::Failed);
}

#[test]
fn sd_jwt_vc_hides_the_selectively_disclosable_claims_until_disclosed() {
    let resolver = offline();
    let issued = diploma(CredentialFormat::SdJwt);
    let presented = crate::sd_jwt::present(
        &issued,
        &["studentId"],
        &student(),
        "n-42",
        "did:example:verifier",
        time(NOW),
    )
    .unwrap();
    let expect = Expectations {
        nonce: Some("n-42".into()),
        audience: Some("did:example:verifier".into()),
        ..Expectations::default()
    };
    let report = block_on(verifier(&resolver).verify(&presented, &expect)).unwrap();
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.subject, Subject::Presentation);
    let claims = report.claims.unwrap();
    assert_eq!(claims["studentId"], "S-1815");
    // Every diploma claim is selectively disclosable: what was not disclosed is not there.
    assert!(claims.get("name").is_none());
    assert!(claims.get("dateOfBirth").is_none());

    let wrong_nonce = Expectations {
        nonce: Some("n-43".into()),
        ..expect
    };
    let report = block_on(verifier(&resolver).verify(&presented, &wrong_nonce)).unwrap();
    assert_check(&report, check_id::HOLDER_BINDING, Outcome::Failed);
}

/// The student's Data Integrity presentation of `credentials` for `challenge-1` and
/// `verifier.example`.
fn student_presentation(credentials: Vec<Value>) -> String {
    block_on(crate::issue::data_integrity_presentation(
        credentials,
        &student().did_key(),
        &student(),
        &student().did_key_method(),
        "challenge-1",
        "verifier.example",
        time(NOW),
    ))
    .unwrap()
    .to_string()
}

fn challenge_and_domain() -> Expectations {
    Expectations {
        challenge: Some("challenge-1".into()),
        domain: Some("verifier.example".into()),
        ..Expectations::default()
    }
}

#[test]
fn a_data_integrity_presentation_is_bound_to_challenge_and_domain() {
    let resolver = offline();
    let credential: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc)).unwrap();
    let presentation = student_presentation(vec![credential]);
    let expect = challenge_and_domain();
    let report = block_on(verifier(&resolver).verify(&presentation, &expect)).unwrap();
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.credentials.len(), 1);
    assert!(report.credentials[0].valid);

    let replayed = Expectations {
        challenge: Some("challenge-2".into()),
        ..expect
    };
    let report = block_on(verifier(&resolver).verify(&presentation, &replayed)).unwrap();
    assert!(!report.valid);
    assert_check(&report, check_id::HOLDER_BINDING, Outcome::Failed);
}

/// The Ed25519 signatures of a presentation are checked in one batch; when one of them is
/// wrong the batch fails, and the report still names which credential's proof it was.
#[test]
fn a_wrong_signature_in_a_batched_presentation_is_named() {
    let resolver = offline();
    let diploma: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc)).unwrap();
    let expect = challenge_and_domain();
    let all_genuine = student_presentation(vec![diploma.clone(); 3]);
    let report = block_on(verifier(&resolver).verify(&all_genuine, &expect)).unwrap();
    assert!(report.valid, "{report:#?}");
    assert!(report.credentials.iter().all(|credential| credential.valid));

    // A well-formed signature by the right key, over other bytes: the batch takes it.
    let mut forged = diploma.clone();
    forged["proof"]["proofValue"] =
        multibase::encode(multibase::Base::Base58Btc, university().sign(b"another diploma")).into();
    let presentation = student_presentation(vec![diploma.clone(), forged, diploma]);
    let report = block_on(verifier(&resolver).verify(&presentation, &expect)).unwrap();
    assert!(!report.valid);
    assert_check(&report, check_id::PROOF, Outcome::Passed);
    assert!(report.credentials[0].valid && report.credentials[2].valid);
    assert_check(&report.credentials[1], check_id::PROOF, Outcome::Failed);
}

#[test]
fn a_presentation_by_someone_other_than_the_subject_is_a_note_unless_binding_is_required() {
    let resolver = offline();
    let credential: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc)).unwrap();
    let thief = SigningKey::from_seed(&[66; 32]);
    let presentation = block_on(crate::issue::data_integrity_presentation(
        vec![credential],
        &thief.did_key(),
        &thief,
        &thief.did_key_method(),
        "c",
        "d",
        time(NOW),
    ))
    .unwrap()
    .to_string();
    let report = verify(&verifier(&resolver), &presentation);
    assert!(report.valid, "{report:#?}");
    assert_check(&report, check_id::HOLDER_BINDING, Outcome::Note);
    let required = Expectations {
        require_holder_binding: true,
        ..Expectations::default()
    };
    let report = block_on(verifier(&resolver).verify(&presentation, &required)).unwrap();
    assert!(!report.valid);
    assert_check(&report, check_id::HOLDER_BINDING, Outcome::Failed);
}

#[test]
fn a_bare_credential_is_not_valid_where_a_presentation_was_asked_for() {
    let resolver = offline();
    let asks = [
        Expectations {
            challenge: Some("c-1".into()),
            ..Expectations::default()
        },
        Expectations {
            nonce: Some("n-1".into()),
            audience: Some("did:example:verifier".into()),
            ..Expectations::default()
        },
        Expectations {
            require_presentation: true,
            ..Expectations::default()
        },
    ];
    for format in ALL_FORMATS {
        let credential = diploma(format);
        assert!(verify(&verifier(&resolver), &credential).valid);
        for expect in &asks {
            let report = block_on(verifier(&resolver).verify(&credential, expect)).unwrap();
            assert!(!report.valid, "{format:?} {expect:?}");
            assert_check(&report, check_id::HOLDER_BINDING, Outcome::Failed);
        }
    }
}

#[test]
fn a_jwt_presentation_is_bound_to_nonce_and_audience() {
    let resolver = offline();
    let vc = diploma(CredentialFormat::VcJwt);
    let vp = crate::issue::jwt_presentation(
        &[&vc],
        &student().did_key(),
        &student(),
        &student().did_key_method(),
        "n-1",
        "did:example:verifier",
        time(NOW),
    )
    .unwrap();
    let expect = Expectations {
        nonce: Some("n-1".into()),
        audience: Some("did:example:verifier".into()),
        ..Expectations::default()
    };
    let report = block_on(verifier(&resolver).verify(&vp, &expect)).unwrap();
    assert!(report.valid, "{report:#?}");
    let other_audience = Expectations {
        audience: Some("did:example:other".into()),
        ..expect
    };
    let report = block_on(verifier(&resolver).verify(&vp, &other_audience)).unwrap();
    assert_check(&report, check_id::HOLDER_BINDING, Outcome::Failed);
}

#[test]
fn a_proof_whose_verification_method_belongs_to_another_did_fails() {
    let resolver = offline();
    let impostor = SigningKey::from_seed(&[99; 32]);
    let forged = issue(
        &request(&university().did_key()),
        CredentialFormat::LdpVc,
        &impostor,
        &impostor.did_key_method(),
        SIGNED_AT,
    );
    let report = verify(&verifier(&resolver), &forged);
    assert!(!report.valid);
    assert_check(&report, check_id::SIGNING_KEY, Outcome::Failed);
    let message = &report
        .checks
        .iter()
        .find(|c| c.id == check_id::SIGNING_KEY)
        .unwrap()
        .message;
    assert!(message.contains("not of"), "{message}");
}

#[test]
fn an_expired_credential_fails_the_validity_check() {
    let resolver = offline();
    let mut request = request(&university().did_key());
    request.valid_until = Some(time("2026-09-01T00:00:00Z"));
    for format in ALL_FORMATS {
        let credential = issue(
            &request,
            format,
            &university(),
            &university().did_key_method(),
            SIGNED_AT,
        );
        let report = verify(&verifier(&resolver), &credential);
        assert_check(&report, check_id::VALIDITY, Outcome::Failed);
    }
}

#[test]
fn an_unexpected_issuer_fails_when_one_is_required() {
    let resolver = offline();
    let expect = Expectations {
        issuer: Some(SigningKey::from_seed(&[1; 32]).did_key()),
        ..Expectations::default()
    };
    let report = block_on(verifier(&resolver).verify(&diploma(CredentialFormat::VcJwt), &expect)).unwrap();
    assert_check(&report, check_id::EXPECTED_ISSUER, Outcome::Failed);
}

// --- Status lists -------------------------------------------------------------------------

pub(super) const LIST_URL: &str = "https://registry.example/status/1";

pub(super) fn status_entry(index: u64) -> Value {
    json!({
        "id": format!("{LIST_URL}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index.to_string(),
        "statusListCredential": LIST_URL,
    })
}

pub(super) fn status_list(key: &SigningKey, revoked: &[u64]) -> String {
    let mut bits = Bitstring::new();
    for index in revoked {
        bits.set(*index, 1, 1).unwrap();
    }
    let list = json!({
        "@context": [crate::contexts::CREDENTIALS_V2],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": key.did_key().to_string(),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": format!("{LIST_URL}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode().unwrap(),
        }
    });
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: key.did_key_method(),
        purpose: Relationship::AssertionMethod,
        created: time(NOW) - chrono::Duration::hours(1),
        challenge: None,
        domain: None,
    };
    block_on(crate::data_integrity::sign(&list, key, &options))
        .unwrap()
        .to_string()
}

pub(super) fn with_status(index: u64, format: CredentialFormat) -> String {
    let key = university();
    let mut request = request(&key.did_key());
    request.status = Some(status_entry(index));
    issue(&request, format, &key, &key.did_key_method(), SIGNED_AT)
}

#[test]
fn a_revoked_credential_fails_and_an_unrevoked_one_passes() {
    let resolver = offline();
    let lists = InMemoryStatusLists([(LIST_URL.to_owned(), status_list(&university(), &[7]))].into());
    let verifier = Verifier {
        status: Some(&lists),
        ..verifier(&resolver)
    };
    for format in [CredentialFormat::LdpVc, CredentialFormat::VcJwt] {
        let revoked = verify(&verifier, &with_status(7, format));
        assert!(!revoked.valid);
        assert_check(&revoked, check_id::STATUS, Outcome::Failed);
        let fine = verify(&verifier, &with_status(8, format));
        assert!(fine.valid, "{fine:#?}");
        assert_check(&fine, check_id::STATUS, Outcome::Passed);
    }
}

#[test]
fn a_status_list_signed_by_someone_else_is_not_believed() {
    let resolver = offline();
    let lists = InMemoryStatusLists(
        [(
            LIST_URL.to_owned(),
            status_list(&SigningKey::from_seed(&[5; 32]), &[]),
        )]
        .into(),
    );
    let verifier = Verifier {
        status: Some(&lists),
        ..verifier(&resolver)
    };
    let report = verify(&verifier, &with_status(8, CredentialFormat::LdpVc));
    assert_check(&report, check_id::STATUS, Outcome::Failed);
}

#[test]
fn an_unreachable_status_list_is_could_not_check_not_invalid() {
    let resolver = offline();
    let credential = with_status(8, CredentialFormat::LdpVc);
    let unreachable = Unreachable;
    let verifier_down = Verifier {
        status: Some(&unreachable),
        ..verifier(&resolver)
    };
    let err = block_on(verifier_down.verify(&credential, &Expectations::default())).unwrap_err();
    assert!(
        matches!(err, VerificationError::CouldNotCheck { check: "status", .. }),
        "{err}"
    );
    let err = block_on(verifier(&resolver).verify(&credential, &Expectations::default())).unwrap_err();
    assert!(matches!(err, VerificationError::CouldNotCheck { .. }), "{err}");
}

// --- Trust --------------------------------------------------------------------------------

#[test]
fn trust_requires_an_accreditation_for_the_type_at_signing_time() {
    let resolver = offline();
    let accreditation = |from: &str| Accreditation {
        issuer: university().did_key(),
        credential_type: "UniversityDegreeCredential".into(),
        credential_types: vec!["UniversityDegreeCredential".into()],
        legal_name: None,
        accredited_by: "did:example:ministry".into(),
        accredited_by_name: None,
        valid_from: Some(time(from)),
        valid_until: None,
    };
    let trusted = InMemoryTrust(vec![accreditation("2020-01-01T00:00:00Z")]);
    let report = verify(
        &Verifier {
            trust: Some(&trusted),
            ..verifier(&resolver)
        },
        &diploma(CredentialFormat::LdpVc),
    );
    assert_check(&report, check_id::TRUST, Outcome::Passed);

    let too_late = InMemoryTrust(vec![accreditation("2026-07-01T00:00:00Z")]);
    let report = verify(
        &Verifier {
            trust: Some(&too_late),
            ..verifier(&resolver)
        },
        &diploma(CredentialFormat::LdpVc),
    );
    assert!(
        report.valid,
        "not required, an unaccredited issuer is a note: {report:#?}"
    );
    assert_check(&report, check_id::TRUST, Outcome::Note);
    let required = Expectations {
        require_accreditation: true,
        ..Expectations::default()
    };
    let verifier = Verifier {
        trust: Some(&too_late),
        ..verifier(&resolver)
    };
    let report = block_on(verifier.verify(&diploma(CredentialFormat::LdpVc), &required)).unwrap();
    assert!(!report.valid);
    assert_check(&report, check_id::TRUST, Outcome::Failed);
}

#[test]
fn the_issuer_is_named_by_its_accreditation_else_by_itself_marked_self_asserted() {
    use crate::names::{LegalName, NameSource};
    let resolver = offline();
    let key = university();
    // The issuer calls itself something grander than its accreditation records.
    let mut unsigned = request(&key.did_key()).unsigned_credential().unwrap();
    unsigned["issuer"] = json!({"id": key.did_key().to_string(), "name": "World's Best University"});
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: key.did_key_method(),
        purpose: Relationship::AssertionMethod,
        created: time(SIGNED_AT),
        challenge: None,
        domain: None,
    };
    let signed = block_on(crate::data_integrity::sign(&unsigned, &key, &options))
        .unwrap()
        .to_string();

    let report = verify(&verifier(&resolver), &signed);
    let shown = report.issuer_name.as_ref().unwrap();
    assert_eq!(
        (shown.name.in_language("en"), shown.source),
        ("World's Best University", NameSource::SelfAsserted)
    );
    assert_eq!(report.accredited_by, None);

    let legal = LegalName::new("en", "Example University")
        .unwrap()
        .with("zh-CN", "示例大学")
        .unwrap();
    let ministry = LegalName::new("zh-CN", "教育部").unwrap();
    let trusted = InMemoryTrust(vec![Accreditation {
        issuer: key.did_key(),
        credential_type: "UniversityDegreeCredential".into(),
        credential_types: vec!["UniversityDegreeCredential".into()],
        legal_name: Some(legal.clone()),
        accredited_by: "did:example:ministry".into(),
        accredited_by_name: Some(ministry.clone()),
        valid_from: None,
        valid_until: None,
    }]);
    let report = verify(
        &Verifier {
            trust: Some(&trusted),
            ..verifier(&resolver)
        },
        &signed,
    );
    assert_check(&report, check_id::TRUST, Outcome::Passed);
    let shown = report.issuer_name.as_ref().unwrap();
    assert_eq!((&shown.name, shown.source), (&legal, NameSource::Registry));
    let accreditor = report.accredited_by.as_ref().unwrap();
    assert_eq!(
        (accreditor.did.as_str(), accreditor.name.as_ref()),
        ("did:example:ministry", Some(&ministry))
    );
    let sentence = &report
        .checks
        .iter()
        .find(|c| c.id == check_id::TRUST)
        .unwrap()
        .message;
    assert!(sentence.starts_with("Example University (did:key:"), "{sentence}");
    assert!(
        sentence.ends_with("by 教育部 (did:example:ministry)."),
        "{sentence}"
    );
}

// --- Key history (did:sigil-like DIDs through an in-memory resolver) ----------------------

pub(super) const SIGIL_DID: &str = "did:sigil:zTestUniversity";

fn sigil_document(keys: &[(&str, &SigningKey)]) -> Resolution {
    let methods: Vec<VerificationMethod> = keys
        .iter()
        .map(|(fragment, key)| VerificationMethod {
            id: format!("{SIGIL_DID}#{fragment}"),
            type_: "Multikey".into(),
            controller: SIGIL_DID.into(),
            public_key_multibase: Some(key.public_key().to_multikey()),
            public_key_jwk: None,
            extra: Map::new(),
        })
        .collect();
    Resolution {
        document: DidDocument {
            context: json!(["https://www.w3.org/ns/did/v1"]),
            id: SIGIL_DID.into(),
            controller: None,
            assertion_method: methods
                .iter()
                .map(|m| MethodReference::Reference(m.id.clone()))
                .collect(),
            verification_method: methods,
            authentication: vec![],
            capability_invocation: vec![],
            capability_delegation: vec![],
            service: vec![],
            extra: Map::new(),
        },
        metadata: DocumentMetadata::default(),
    }
}

pub(super) fn old_key() -> SigningKey {
    SigningKey::from_seed(&[31; 32])
}
pub(super) fn new_key() -> SigningKey {
    SigningKey::from_seed(&[32; 32])
}

/// key-1 from January, rotated to key-2 in September.
pub(super) fn rotated_resolver() -> InMemoryResolver {
    let did = Did::parse(SIGIL_DID).unwrap();
    let mut resolver = InMemoryResolver::default();
    resolver.insert(
        did.clone(),
        time("2026-01-01T00:00:00Z"),
        sigil_document(&[("key-1", &old_key())]),
    );
    resolver.insert(
        did,
        time("2026-09-01T00:00:00Z"),
        sigil_document(&[("key-2", &new_key())]),
    );
    resolver
}

pub(super) fn sigil_diploma(key: &SigningKey, fragment: &str, at: &str) -> String {
    let did = Did::parse(SIGIL_DID).unwrap();
    issue(
        &request(&did),
        CredentialFormat::LdpVc,
        key,
        &format!("{SIGIL_DID}#{fragment}"),
        at,
    )
}

#[test]
fn credential_signed_before_a_normal_rotation_still_verifies() {
    let resolver = rotated_resolver();
    let history = InMemoryKeyHistory::default();
    let verifier = Verifier {
        history: Some(&history),
        ..verifier(&resolver)
    };
    let report = verify(&verifier, &sigil_diploma(&old_key(), "key-1", SIGNED_AT));
    assert!(report.valid, "{report:#?}");
    let report = verify(
        &verifier,
        &sigil_diploma(&new_key(), "key-2", "2026-10-01T00:00:00Z"),
    );
    assert!(report.valid, "{report:#?}");
}

#[test]
fn the_old_key_cannot_sign_after_the_rotation() {
    let resolver = rotated_resolver();
    let history = InMemoryKeyHistory::default();
    let verifier = Verifier {
        history: Some(&history),
        ..verifier(&resolver)
    };
    let report = verify(
        &verifier,
        &sigil_diploma(&old_key(), "key-1", "2026-10-01T00:00:00Z"),
    );
    assert_check(&report, check_id::SIGNING_KEY, Outcome::Failed);
}

pub(super) fn compromised_history() -> InMemoryKeyHistory {
    let mut history = InMemoryKeyHistory::default();
    history.methods.insert(
        format!("{SIGIL_DID}#key-1"),
        KeyEvents {
            compromised_since: Some(time("2026-08-01T00:00:00Z")),
            deactivated_at: None,
        },
    );
    history
}

#[test]
fn a_credential_claiming_a_time_after_the_compromise_fails() {
    let resolver = rotated_resolver();
    let history = compromised_history();
    let verifier = Verifier {
        history: Some(&history),
        ..verifier(&resolver)
    };
    let report = verify(
        &verifier,
        &sigil_diploma(&old_key(), "key-1", "2026-08-15T00:00:00Z"),
    );
    assert_check(&report, check_id::KEY_HISTORY, Outcome::Failed);
}

#[test]
fn a_credential_backdated_before_the_compromise_fails_without_an_anchor() {
    let resolver = rotated_resolver();
    let history = compromised_history();
    let verifier = Verifier {
        history: Some(&history),
        ..verifier(&resolver)
    };
    let report = verify(&verifier, &sigil_diploma(&old_key(), "key-1", SIGNED_AT));
    assert_check(&report, check_id::KEY_HISTORY, Outcome::Failed);
}

#[test]
fn a_credential_anchored_before_the_compromise_passes() {
    let resolver = rotated_resolver();
    let credential = sigil_diploma(&old_key(), "key-1", SIGNED_AT);
    let value: Value = serde_json::from_str(&credential).unwrap();
    let mut history = compromised_history();
    history.anchors.insert(
        (
            Did::parse(SIGIL_DID).unwrap(),
            credential_hash(&IssuedForm::Json(&value)).unwrap(),
        ),
        AnchorEvidence {
            block_height: 12,
            block_time: time("2026-07-01T00:00:00Z"),
        },
    );
    let verifier = Verifier {
        history: Some(&history),
        ..verifier(&resolver)
    };
    let report = verify(&verifier, &credential);
    assert!(report.valid, "{report:#?}");
    assert_check(&report, check_id::KEY_HISTORY, Outcome::Passed);
}

#[test]
fn a_deactivated_issuer_cannot_sign_new_credentials() {
    let resolver = rotated_resolver();
    let mut history = InMemoryKeyHistory::default();
    history
        .deactivated
        .insert(Did::parse(SIGIL_DID).unwrap(), time("2026-10-15T00:00:00Z"));
    let verifier = Verifier {
        history: Some(&history),
        ..verifier(&resolver)
    };
    let before = verify(
        &verifier,
        &sigil_diploma(&new_key(), "key-2", "2026-10-01T00:00:00Z"),
    );
    assert!(before.valid, "{before:#?}");
    let after = verify(
        &verifier,
        &sigil_diploma(&new_key(), "key-2", "2026-10-20T00:00:00Z"),
    );
    assert_check(&after, check_id::KEY_HISTORY, Outcome::Failed);
}

#[test]
fn a_did_sigil_issuer_without_a_registry_cannot_be_checked() {
    let resolver = offline();
    let err = block_on(verifier(&resolver).verify(
        &sigil_diploma(&old_key(), "key-1", SIGNED_AT),
        &Expectations::default(),
    ))
    .unwrap_err();
    assert!(matches!(err, VerificationError::CouldNotCheck { .. }), "{err}");
}

// --- ES256 (P-256) issuers ----------------------------------------------------------------

fn p256_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[41; 32]).unwrap()
}

fn p256_public() -> PublicKey {
    PublicKey::P256(*p256_key().verifying_key())
}

fn p256_sign(message: &[u8]) -> Vec<u8> {
    use p256::ecdsa::signature::Signer as _;
    let signature: p256::ecdsa::Signature = p256_key().sign(message);
    signature.to_bytes().to_vec()
}

fn p256_josekit_signer() -> josekit::jws::alg::ecdsa::EcdsaJwsSigner {
    let mut jwk = p256_public().to_jwk().to_value();
    use base64::Engine as _;
    jwk["d"] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(p256_key().to_bytes())
        .into();
    let jwk = josekit::jwk::Jwk::from_map(jwk.as_object().unwrap().clone()).unwrap();
    josekit::jws::ES256.signer_from_jwk(&jwk).unwrap()
}

fn es256_jws(payload: &Value, typ: &str) -> String {
    let mut header = josekit::jws::JwsHeader::new();
    header.set_token_type(typ);
    header.set_key_id(crate::did::key::method_id_for(&p256_public()));
    josekit::jws::serialize_compact(payload.to_string().as_bytes(), &header, &p256_josekit_signer()).unwrap()
}

#[test]
fn es256_issuers_verify_in_every_format() {
    let resolver = offline();
    let issuer = p256_public().did_key();
    let method = crate::did::key::method_id_for(&p256_public());
    let request = request(&issuer);

    for suite in [Cryptosuite::EcdsaRdfc2019, Cryptosuite::EcdsaJcs2019] {
        let options = ProofOptions {
            cryptosuite: suite,
            verification_method: method.clone(),
            purpose: Relationship::AssertionMethod,
            created: time(SIGNED_AT),
            challenge: None,
            domain: None,
        };
        let credential = request.unsigned_credential().unwrap();
        let signed = block_on(crate::data_integrity::sign_with(
            &credential,
            &options,
            Algorithm::Es256,
            p256_sign,
        ))
        .unwrap();
        let report = verify(&verifier(&resolver), &signed.to_string());
        assert!(report.valid, "{suite:?}: {report:#?}");
    }

    for typ in ["vc+jwt", "vc-ld+jwt"] {
        let vc_jwt = es256_jws(&request.unsigned_credential().unwrap(), typ);
        let report = verify(&verifier(&resolver), &vc_jwt);
        assert!(report.valid, "{typ}: {report:#?}");
    }

    let disclosure = crate::sd_jwt::Disclosure::new("studentId", json!("S-1815"));
    let payload = json!({
        "iss": issuer.to_string(), "vct": "https://w3id.org/sigil/types/UniversityDegreeCredential",
        "iat": time(SIGNED_AT).timestamp(), "name": "Ada Lovelace",
        "_sd": [disclosure.digest], "_sd_alg": "sha-256",
    });
    let sd_jwt = format!("{}~{}~", es256_jws(&payload, "dc+sd-jwt"), disclosure.encoded);
    let report = verify(&verifier(&resolver), &sd_jwt);
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.claims.unwrap()["studentId"], "S-1815");
}

// --- Unusable input -----------------------------------------------------------------------

fn input_error(input: &str) -> VerificationError {
    let resolver = offline();
    block_on(verifier(&resolver).verify(input, &Expectations::default())).unwrap_err()
}

#[test]
fn unusable_inputs_are_clear_errors_not_verdicts() {
    for (input, needle) in [
        ("", "not a credential"),
        ("hello", "not a credential"),
        ("{\"a\": ", "malformed JSON"),
        ("{\"@context\": 5}", "@context must name bundled contexts"),
        ("eyJhbGciOiJub25lIn0.e30.", "typ"),
    ] {
        let err = input_error(input);
        assert!(matches!(err, VerificationError::Input(_)), "{input}: {err}");
        assert!(err.to_string().contains(needle), "{input}: {err}");
    }
    let deep = format!("{{\"a\": {}{}}}", "[".repeat(5000), "]".repeat(5000));
    assert!(input_error(&deep).to_string().contains("nested"));
    let big = format!("{{\"a\": \"{}\"}}", "x".repeat(crate::json::MAX_INPUT_BYTES));
    assert!(input_error(&big).to_string().contains("limit"));
}

#[test]
fn an_unknown_cryptosuite_cannot_be_checked() {
    let mut value: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc)).unwrap();
    value["proof"]["cryptosuite"] = json!("bbs-2099");
    let err = input_error(&value.to_string());
    assert!(matches!(err, VerificationError::Unsupported(_)), "{err}");
    assert!(err.to_string().contains("bbs-2099"));
}

#[test]
fn an_unknown_context_is_a_clear_error() {
    let mut value: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc)).unwrap();
    value["@context"][1] = json!("https://evil.example/context");
    let err = input_error(&value.to_string());
    assert!(err.to_string().contains("unknown JSON-LD context"), "{err}");
}

#[test]
fn an_issuer_did_with_illegal_characters_is_refused() {
    let mut value: Value = serde_json::from_str(&diploma(CredentialFormat::LdpVc)).unwrap();
    value["issuer"] = json!("did:key:z6Mk<script>");
    let err = input_error(&value.to_string());
    assert!(matches!(err, VerificationError::Input(_)), "{err}");
    assert!(err.to_string().contains("a character an IRI cannot"), "{err}");
}

#[test]
fn alg_none_is_a_failed_proof() {
    let jwt = diploma(CredentialFormat::VcJwt);
    let (_, rest) = jwt.split_once('.').unwrap();
    let (payload, _) = rest.split_once('.').unwrap();
    use base64::Engine as _;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        r#"{{"alg":"none","typ":"vc+jwt","kid":"{}"}}"#,
        university().did_key_method()
    ));
    let resolver = offline();
    let report = verify(&verifier(&resolver), &format!("{header}.{payload}."));
    assert!(!report.valid);
    let proof = report.checks.iter().find(|c| c.id == check_id::PROOF).unwrap();
    assert!(proof.message.contains("\"none\""), "{}", proof.message);
}

// ==========================================================================================
// Duplicate JSON keys: the same bytes must not mean one thing to Sigil and
// another to the next reader, so every parser of strangers' JSON refuses a repeated key.
// ==========================================================================================

/// A compact JWS over `payload` exactly as written (`serde_json` could not write a duplicate
/// key), signed by `key` so that only the JSON, not the signature, can be the problem.
fn sign_raw_jws(typ: &str, kid: &str, payload: &str, key: &SigningKey) -> String {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = json!({"alg": "EdDSA", "typ": typ, "kid": kid}).to_string();
    let signing_input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let signature = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", b64(&signature))
}

#[test]
fn a_vc_jwt_whose_payload_repeats_a_key_is_unusable_input() {
    let key = university();
    let credential = request(&key.did_key()).unsigned_credential().unwrap();
    let text = credential.to_string();
    // The same credential, with a second `credentialSubject` appended: serde_json alone would
    // keep the second, a JSON-LD processor may keep the first.
    let forged_subject = r#"{"id":"did:example:eve","name":"Eve"}"#;
    let duplicated = format!(
        "{},\"credentialSubject\":{forged_subject}}}",
        text.strip_suffix('}').unwrap()
    );
    let well_formed = sign_raw_jws("vc+jwt", &key.did_key_method(), &text, &key);
    assert!(verify(&verifier(&offline()), &well_formed).valid);

    let jws = sign_raw_jws("vc+jwt", &key.did_key_method(), &duplicated, &key);
    let err = input_error(&jws);
    assert!(matches!(err, VerificationError::Input(_)), "{err}");
    assert!(
        err.to_string().contains(r#"duplicate key "credentialSubject""#),
        "{err}"
    );
}

#[test]
fn a_jws_header_that_repeats_a_key_is_unusable_input() {
    use base64::Engine as _;
    let jwt = diploma(CredentialFormat::VcJwt);
    let (_, rest) = jwt.split_once('.').unwrap();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        r#"{{"alg":"EdDSA","typ":"vc+jwt","kid":"{}","kid":"did:example:other#k"}}"#,
        university().did_key_method()
    ));
    let err = input_error(&format!("{header}.{rest}"));
    assert!(err.to_string().contains(r#"duplicate key "kid""#), "{err}");
}

#[test]
fn an_sd_jwt_disclosure_that_repeats_a_key_is_unusable_input() {
    use base64::Engine as _;
    let issued = diploma(CredentialFormat::SdJwt);
    let disclosure = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(r#"["c2FsdA","degree",{"type":"BachelorDegree","type":"DoctoralDegree"}]"#);
    let err = input_error(&format!("{issued}{disclosure}~"));
    assert!(matches!(err, VerificationError::Input(_)), "{err}");
    assert!(err.to_string().contains(r#"duplicate key "type""#), "{err}");
}

#[test]
fn a_data_integrity_credential_that_repeats_a_key_is_unusable_input() {
    let signed = diploma(CredentialFormat::LdpVc);
    assert!(verify(&verifier(&offline()), &signed).valid);
    let duplicated = signed.replacen(
        "\"credentialSubject\"",
        "\"validUntil\": \"2000-01-01T00:00:00Z\",\n  \"validUntil\": \"2100-01-01T00:00:00Z\",\n  \"credentialSubject\"",
        1,
    );
    let err = input_error(&duplicated);
    assert!(matches!(err, VerificationError::Input(_)), "{err}");
    assert!(err.to_string().contains(r#"duplicate key "validUntil""#), "{err}");
}

// ==========================================================================================
// JWT time claims: `exp`, `nbf` and `iat` are enforced as RFC 7519 says,
// together with the VCDM dates, in `vc+jwt`, SD-JWT VC and `vp+jwt`.
// ==========================================================================================

fn seconds(text: &str) -> i64 {
    time(text).timestamp()
}

/// NOW shifted by `minutes`, as a NumericDate.
fn minutes_from_now(minutes: i64) -> i64 {
    (time(NOW) + chrono::Duration::minutes(minutes)).timestamp()
}

/// The diploma as a `vc+jwt` (validFrom 2026-06-30, in the past) with `validUntil` when given
/// and the JWT claims `claims` beside the credential's own members.
fn vc_jwt_with(valid_until: Option<&str>, claims: Value) -> String {
    let key = university();
    let mut request = request(&key.did_key());
    request.valid_until = valid_until.map(time);
    let mut payload = request.unsigned_credential().unwrap();
    let object = payload.as_object_mut().unwrap();
    object.insert("iat".into(), seconds(SIGNED_AT).into());
    object.extend(into_object(claims));
    crate::jose::sign_compact(&payload, "vc+jwt", &key.did_key_method(), &key).unwrap()
}

/// An SD-JWT VC of the university signed at SIGNED_AT, with the JWT claims `claims`.
fn sd_jwt_with(claims: Value) -> String {
    let key = university();
    let mut payload = json!({
        "iss": key.did_key().to_string(),
        "vct": "https://w3id.org/sigil/types/UniversityDegreeCredential",
        "iat": seconds(SIGNED_AT),
        "name": "Ada Lovelace",
    });
    let object = payload.as_object_mut().unwrap();
    object.extend(into_object(claims));
    crate::sd_jwt::issue(object.clone(), &[], &key, &key.did_key_method()).unwrap()
}

/// The student's `vp+jwt` of a valid diploma, made at NOW, with the JWT claims `claims`.
fn vp_jwt_with(claims: Value) -> String {
    let mut payload = json!({
        "@context": [crate::contexts::CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": student().did_key().to_string(),
        "verifiableCredential": [crate::jose::envelope(&diploma(CredentialFormat::VcJwt))],
        "nonce": "n-1",
        "aud": "did:example:verifier",
        "iat": seconds(NOW),
    });
    let object = payload.as_object_mut().unwrap();
    object.extend(into_object(claims));
    crate::jose::sign_compact(&payload, "vp+jwt", &student().did_key_method(), &student()).unwrap()
}

fn into_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(object) => object,
        other => panic!("expected claims as an object, got {other}"),
    }
}

fn check_message<'a>(report: &'a VerificationReport, id: &str) -> &'a str {
    &report.checks.iter().find(|c| c.id == id).unwrap().message
}

#[test]
fn a_vc_jwt_whose_exp_has_passed_is_expired_even_if_valid_until_has_not() {
    let resolver = offline();
    let jwt = vc_jwt_with(
        Some("2027-06-30T00:00:00Z"),
        json!({"exp": seconds("2026-09-01T00:00:00Z")}),
    );
    let report = verify(&verifier(&resolver), &jwt);
    assert!(!report.valid, "{report:#?}");
    assert_check(&report, check_id::VALIDITY, Outcome::Failed);
    let message = check_message(&report, check_id::VALIDITY);
    assert!(message.contains("Expired on 2026-09-01T00:00:00Z."), "{message}");
}

#[test]
fn a_vc_jwt_whose_nbf_is_ahead_is_not_yet_valid_even_if_valid_from_has_passed() {
    let resolver = offline();
    let jwt = vc_jwt_with(None, json!({"nbf": seconds("2027-01-01T00:00:00Z")}));
    let report = verify(&verifier(&resolver), &jwt);
    assert!(!report.valid, "{report:#?}");
    assert_check(&report, check_id::VALIDITY, Outcome::Failed);
    let message = check_message(&report, check_id::VALIDITY);
    assert!(
        message.contains("Not valid until 2027-01-01T00:00:00Z."),
        "{message}"
    );
}

#[test]
fn a_vc_jwt_whose_exp_and_valid_until_disagree_is_invalid_and_says_so() {
    let resolver = offline();
    // Both in the future, a day apart: neither alone would fail, together they contradict.
    let disagreeing = vc_jwt_with(
        Some("2027-06-30T00:00:00Z"),
        json!({"exp": seconds("2027-07-01T00:00:00Z")}),
    );
    let report = verify(&verifier(&resolver), &disagreeing);
    assert!(!report.valid, "{report:#?}");
    assert_check(&report, check_id::VALIDITY, Outcome::Failed);
    assert_eq!(
        check_message(&report, check_id::VALIDITY),
        "The JWT `exp` (2027-07-01T00:00:00Z) and the credential's `validUntil` \
         (2027-06-30T00:00:00Z) disagree."
    );

    let agreeing = vc_jwt_with(
        Some("2027-06-30T00:00:00Z"),
        json!({"exp": seconds("2027-06-30T00:00:00Z"), "nbf": seconds("2026-06-30T00:00:00Z")}),
    );
    let report = verify(&verifier(&resolver), &agreeing);
    assert!(report.valid, "{report:#?}");
    assert_eq!(
        check_message(&report, check_id::VALIDITY),
        "Valid until 2027-06-30T00:00:00Z."
    );
}

#[test]
fn a_vc_jwt_whose_nbf_and_valid_from_disagree_is_invalid() {
    let resolver = offline();
    let jwt = vc_jwt_with(None, json!({"nbf": seconds("2026-01-01T00:00:00Z")}));
    let report = verify(&verifier(&resolver), &jwt);
    assert!(!report.valid, "{report:#?}");
    let message = check_message(&report, check_id::VALIDITY);
    assert!(
        message.contains("`nbf` (2026-01-01T00:00:00Z)")
            && message.contains("`validFrom` (2026-06-30T00:00:00Z)"),
        "{message}"
    );
}

#[test]
fn an_iat_in_the_future_fails_the_proof_beyond_the_clock_skew_only() {
    let resolver = offline();
    let an_hour_ahead = vc_jwt_with(None, json!({"iat": minutes_from_now(60)}));
    let report = verify(&verifier(&resolver), &an_hour_ahead);
    assert!(!report.valid, "{report:#?}");
    assert_check(&report, check_id::PROOF, Outcome::Failed);
    let message = check_message(&report, check_id::PROOF);
    assert!(
        message.contains("in the future, at 2026-11-28T13:00:00Z (`iat`)"),
        "{message}"
    );

    // Two minutes ahead is a clock that runs fast, within CLOCK_SKEW_SECONDS.
    let within_skew = vc_jwt_with(None, json!({"iat": minutes_from_now(2)}));
    let report = verify(&verifier(&resolver), &within_skew);
    assert!(report.valid, "{report:#?}");
}

#[test]
fn a_signing_time_an_hour_ahead_fails_the_proof_in_every_format() {
    let resolver = offline();
    let key = university();
    let ahead = |minutes: i64| format_datetime(time(NOW) + chrono::Duration::minutes(minutes));
    for format in ALL_FORMATS {
        let request = request(&key.did_key());
        let future = issue(&request, format, &key, &key.did_key_method(), &ahead(60));
        let report = verify(&verifier(&resolver), &future);
        assert!(!report.valid, "{format:?}: {report:#?}");
        assert_check(&report, check_id::PROOF, Outcome::Failed);
        let skewed = issue(&request, format, &key, &key.did_key_method(), &ahead(2));
        let report = verify(&verifier(&resolver), &skewed);
        assert!(report.valid, "{format:?}: {report:#?}");
    }
}

#[test]
fn a_time_claim_that_is_not_a_numeric_date_is_unusable_input() {
    for (name, value) in [
        ("exp", json!("2027-01-01T00:00:00Z")),
        ("exp", json!(-1)),
        ("exp", json!(1e20)),
        ("exp", json!(null)),
        ("nbf", json!("yesterday")),
        ("iat", json!({"seconds": 1})),
    ] {
        let claims = json!({ name: value });
        for (format, input) in [
            ("vc+jwt", vc_jwt_with(None, claims.clone())),
            ("SD-JWT VC", sd_jwt_with(claims.clone())),
            ("vp+jwt", vp_jwt_with(claims.clone())),
        ] {
            let err = input_error(&input);
            assert!(
                matches!(err, VerificationError::Input(_)),
                "{format} {claims}: {err}"
            );
            assert!(
                err.to_string()
                    .contains(&format!("the JWT claim `{name}` is not a NumericDate")),
                "{format} {claims}: {err}"
            );
        }
    }
    // RFC 7519 allows a fraction; it is read, to the second.
    let resolver = offline();
    let fractional = vc_jwt_with(None, json!({"exp": seconds("2027-01-01T00:00:00Z") as f64 + 0.5}));
    let report = verify(&verifier(&resolver), &fractional);
    assert!(report.valid, "{report:#?}");
    assert_eq!(
        check_message(&report, check_id::VALIDITY),
        "Valid until 2027-01-01T00:00:00Z."
    );
}

#[test]
fn an_sd_jwt_vc_checks_exp_nbf_and_iat() {
    let resolver = offline();
    let fine = sd_jwt_with(json!({"nbf": seconds(SIGNED_AT), "exp": seconds("2027-01-01T00:00:00Z")}));
    assert!(verify(&verifier(&resolver), &fine).valid);

    let expired = sd_jwt_with(json!({"exp": seconds("2026-09-01T00:00:00Z")}));
    let report = verify(&verifier(&resolver), &expired);
    assert_check(&report, check_id::VALIDITY, Outcome::Failed);

    let not_yet = sd_jwt_with(json!({"nbf": seconds("2027-01-01T00:00:00Z")}));
    let report = verify(&verifier(&resolver), &not_yet);
    assert_check(&report, check_id::VALIDITY, Outcome::Failed);

    let signed_ahead = sd_jwt_with(json!({"iat": minutes_from_now(60)}));
    let report = verify(&verifier(&resolver), &signed_ahead);
    assert!(!report.valid, "{report:#?}");
    assert_check(&report, check_id::PROOF, Outcome::Failed);
    assert_check(&report, check_id::VALIDITY, Outcome::Passed);
}

#[test]
fn a_vp_jwt_checks_its_own_iat_exp_and_nbf() {
    let resolver = offline();
    let fine = verify(&verifier(&resolver), &vp_jwt_with(json!({})));
    assert!(fine.valid, "{fine:#?}");
    assert_eq!(fine.outcome(check_id::VALIDITY), None);

    let ahead = verify(
        &verifier(&resolver),
        &vp_jwt_with(json!({"iat": minutes_from_now(60)})),
    );
    assert!(!ahead.valid, "{ahead:#?}");
    assert_check(&ahead, check_id::PROOF, Outcome::Failed);

    let expired = verify(
        &verifier(&resolver),
        &vp_jwt_with(json!({"exp": minutes_from_now(-60)})),
    );
    assert!(!expired.valid, "{expired:#?}");
    assert_check(&expired, check_id::VALIDITY, Outcome::Failed);

    let not_yet = verify(
        &verifier(&resolver),
        &vp_jwt_with(json!({"nbf": minutes_from_now(60), "exp": minutes_from_now(120)})),
    );
    assert!(!not_yet.valid, "{not_yet:#?}");
    assert_check(&not_yet, check_id::VALIDITY, Outcome::Failed);

    let within = verify(
        &verifier(&resolver),
        &vp_jwt_with(json!({"nbf": minutes_from_now(-1), "exp": minutes_from_now(10)})),
    );
    assert!(within.valid, "{within:#?}");
    assert_check(&within, check_id::VALIDITY, Outcome::Passed);
}

#[test]
fn a_verifier_that_keeps_status_lists_reuses_them_and_sees_a_new_list_at_once() {
    let resolver = offline();
    let seen = VerifiedStatusLists::new();
    let none_revoked = InMemoryStatusLists([(LIST_URL.to_owned(), status_list(&university(), &[]))].into());
    let seven_revoked = InMemoryStatusLists([(LIST_URL.to_owned(), status_list(&university(), &[7]))].into());
    let unreachable = Unreachable;
    let keeping = |lists: &'static str| -> &dyn StatusListSource {
        match lists {
            "none revoked" => &none_revoked,
            "seven revoked" => &seven_revoked,
            _ => &unreachable,
        }
    };
    let verify_with = |lists: &'static str| {
        let verifier = Verifier {
            status: Some(keeping(lists)),
            status_lists_seen: Some(&seen),
            ..verifier(&resolver)
        };
        block_on(verifier.verify(&with_status(7, CredentialFormat::LdpVc), &Expectations::default()))
    };
    // A source that cannot answer leaves nothing behind.
    assert!(matches!(
        verify_with("unreachable"),
        Err(VerificationError::CouldNotCheck { check: "status", .. })
    ));
    for _ in 0..2 {
        let report = verify_with("none revoked").unwrap();
        assert!(report.valid, "{report:#?}");
        assert_check(&report, check_id::STATUS, Outcome::Passed);
    }
    // The same second, a list that now revokes the credential: another text, another list.
    let report = verify_with("seven revoked").unwrap();
    assert!(!report.valid);
    assert_check(&report, check_id::STATUS, Outcome::Failed);
}
