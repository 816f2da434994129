//! Tests of VC-JWT 1.1 (VCDM 1.1 §6.3.1) through the whole pipeline, and of ES256 in every
//! JWT format: P-256 issuers and holders named by `did:key`, `did:jwk`, and Multikey or
//! JWK verification methods of a resolved document.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::report::check_id;
use super::sources::InMemoryKeyHistory;
use super::tests::{NOW, SIGNED_AT, assert_check, offline, student, time, university, verifier, verify};
use super::{Expectations, Outcome, VerificationError, VerificationReport};
use crate::contexts::{CREDENTIALS_V1, CREDENTIALS_V2};
use crate::did::document::{DidDocument, VerificationMethod};
use crate::did::resolver::{DocumentMetadata, InMemoryResolver, Resolution};
use crate::did::{Did, DidResolver};
use crate::key::{PublicKey, SigningKey};
use crate::test_support::block_on;

/// A key that signs JWTs in a test: Ed25519 (EdDSA) or P-256 (ES256).
enum TestKey {
    Ed25519(SigningKey),
    P256(p256::ecdsa::SigningKey),
}

impl TestKey {
    fn p256(seed: u8) -> Self {
        TestKey::P256(p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
    }

    fn public(&self) -> PublicKey {
        match self {
            TestKey::Ed25519(key) => key.public_key(),
            TestKey::P256(key) => PublicKey::P256(*key.verifying_key()),
        }
    }

    fn did_key(&self) -> String {
        self.public().did_key().to_string()
    }

    fn did_key_method(&self) -> String {
        crate::did::key::method_id_for(&self.public())
    }

    fn alg(&self) -> &'static str {
        self.public().algorithm().jose_name()
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            TestKey::Ed25519(key) => key.sign(message).to_vec(),
            TestKey::P256(key) => {
                use p256::ecdsa::signature::Signer as _;
                let signature: p256::ecdsa::Signature = key.sign(message);
                signature.to_bytes().to_vec()
            }
        }
    }
}

/// A compact JWS of `payload` under `header`, with the key's `alg` unless the header names one.
fn jwt(header: Value, payload: &Value, key: &TestKey) -> String {
    let mut header = header;
    if header.get("alg").is_none() {
        header["alg"] = key.alg().into();
    }
    let b64 = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let signing_input = format!("{}.{}", b64(&header), b64(payload));
    let signature = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn seconds(text: &str) -> i64 {
    time(text).timestamp()
}

/// A diploma as the `vc` claim of a VC-JWT 1.1, without the properties the claims stand for.
fn vc(context: &str) -> Value {
    json!({
        "@context": [context],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "credentialSubject": {"name": "Ada Lovelace", "fieldOfStudy": "Mathematics"},
    })
}

/// A VC-JWT 1.1 payload: `vc` plus the registered claims of `issuer`, about the student.
fn payload(vc: &Value, issuer: &str) -> Value {
    json!({
        "vc": vc,
        "iss": issuer,
        "sub": student().did_key().to_string(),
        "jti": "urn:uuid:0f3c5d52-7cc1-4b8e-9f0e-000000000001",
        "nbf": seconds(SIGNED_AT),
        "iat": seconds(SIGNED_AT),
    })
}

fn university_key() -> TestKey {
    TestKey::Ed25519(university())
}

/// The university's VC-JWT 1.1 of a credential with `context`, typ `JWT`.
fn university_vc_jwt(context: &str) -> String {
    let key = university_key();
    jwt(
        json!({"typ": "JWT", "kid": key.did_key_method()}),
        &payload(&vc(context), &key.did_key()),
        &key,
    )
}

fn expect_binding() -> Expectations {
    Expectations {
        nonce: Some("n-1".into()),
        audience: Some("did:example:verifier".into()),
        ..Expectations::default()
    }
}

fn verify_with(resolver: &dyn DidResolver, input: &str, expect: &Expectations) -> VerificationReport {
    block_on(verifier(resolver).verify(input, expect)).unwrap()
}

fn input_error(input: &str) -> VerificationError {
    let resolver = offline();
    block_on(verifier(&resolver).verify(input, &Expectations::default())).unwrap_err()
}

fn message<'a>(report: &'a VerificationReport, id: &str) -> &'a str {
    report
        .checks
        .iter()
        .find(|check| check.id == id)
        .map_or("(no such check)", |check| check.message.as_str())
}

// --- VC-JWT 1.1 credentials ---------------------------------------------------------------

#[test]
fn a_vc_jwt_whose_properties_are_only_claims_verifies_with_a_v2_credential() {
    let report = verify(&verifier(&offline()), &university_vc_jwt(CREDENTIALS_V2));
    assert!(report.valid, "{report:#?}");
    assert!(
        message(&report, check_id::FORMAT).contains("VCDM 1.1"),
        "{report:#?}"
    );
    assert_eq!(report.issuer.as_deref(), Some(university().did_key().as_str()));
    assert_eq!(report.issued_at, Some(time(SIGNED_AT)));
    let claims = report.claims.unwrap();
    assert_eq!(claims["id"], student().did_key().as_str(), "{claims}");
    assert_eq!(claims["name"], "Ada Lovelace");
}

#[test]
fn a_vc_jwt_of_a_vcdm_1_1_credential_verifies() {
    let report = verify(&verifier(&offline()), &university_vc_jwt(CREDENTIALS_V1));
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.issued_at, Some(time(SIGNED_AT)));
}

#[test]
fn a_vc_jwt_without_typ_is_read_as_vcdm_1_1() {
    let key = university_key();
    let token = jwt(
        json!({"kid": key.did_key_method()}),
        &payload(&vc(CREDENTIALS_V2), &key.did_key()),
        &key,
    );
    assert!(verify(&verifier(&offline()), &token).valid);
}

#[test]
fn a_changed_claim_of_a_vc_jwt_fails_the_proof() {
    let token = university_vc_jwt(CREDENTIALS_V2);
    let parts: Vec<&str> = token.split('.').collect();
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let forged = URL_SAFE_NO_PAD.encode(payload.replace("Ada Lovelace", "Eve Lovelace"));
    let report = verify(
        &verifier(&offline()),
        &format!("{}.{forged}.{}", parts[0], parts[2]),
    );
    assert!(!report.valid);
    assert_check(&report, check_id::PROOF, Outcome::Failed);
}

#[test]
fn a_vc_jwt_whose_iss_and_issuer_disagree_fails_the_format_check() {
    let key = university_key();
    let mut credential = vc(CREDENTIALS_V2);
    credential["issuer"] = json!("did:example:other-university");
    let token = jwt(
        json!({"typ": "JWT", "kid": key.did_key_method()}),
        &payload(&credential, &key.did_key()),
        &key,
    );
    let report = verify(&verifier(&offline()), &token);
    assert!(!report.valid);
    assert_check(&report, check_id::FORMAT, Outcome::Failed);
    assert!(
        message(&report, check_id::FORMAT).contains("did:example:other-university"),
        "{report:#?}"
    );
    // The signed claim is the issuer the report names, never the property.
    assert_eq!(report.issuer.as_deref(), Some(university().did_key().as_str()));
}

#[test]
fn a_vc_jwt_whose_sub_or_jti_disagrees_fails_the_format_check() {
    for (property, value) in [
        (
            "credentialSubject",
            json!({"id": "did:example:eve", "name": "Eve"}),
        ),
        ("id", json!("urn:uuid:another")),
    ] {
        let key = university_key();
        let mut credential = vc(CREDENTIALS_V2);
        credential[property] = value;
        let token = jwt(
            json!({"typ": "JWT", "kid": key.did_key_method()}),
            &payload(&credential, &key.did_key()),
            &key,
        );
        let report = verify(&verifier(&offline()), &token);
        assert!(!report.valid, "{property}");
        assert_check(&report, check_id::FORMAT, Outcome::Failed);
    }
}

#[test]
fn a_vc_jwt_whose_nbf_or_exp_disagrees_with_its_dates_fails_validity() {
    for (property, claim) in [("validFrom", "nbf"), ("validUntil", "exp")] {
        let key = university_key();
        let mut credential = vc(CREDENTIALS_V2);
        credential[property] = json!("2026-06-30T12:00:00Z");
        let mut claims = payload(&credential, &key.did_key());
        claims[claim] = json!(seconds("2027-06-30T12:00:00Z"));
        let token = jwt(json!({"typ": "JWT", "kid": key.did_key_method()}), &claims, &key);
        let report = verify(&verifier(&offline()), &token);
        assert!(!report.valid, "{claim}");
        assert_check(&report, check_id::VALIDITY, Outcome::Failed);
        assert!(
            message(&report, check_id::VALIDITY).contains(&format!("`{claim}`")),
            "{report:#?}"
        );
    }
}

#[test]
fn a_vc_jwt_whose_exp_has_passed_is_expired() {
    let key = university_key();
    let mut claims = payload(&vc(CREDENTIALS_V2), &key.did_key());
    claims["exp"] = json!(seconds("2026-09-01T00:00:00Z"));
    let token = jwt(json!({"typ": "JWT", "kid": key.did_key_method()}), &claims, &key);
    let report = verify(&verifier(&offline()), &token);
    assert_check(&report, check_id::VALIDITY, Outcome::Failed);
    assert!(
        message(&report, check_id::VALIDITY).contains("Expired"),
        "{report:#?}"
    );
}

#[test]
fn a_vc_jwt_whose_iss_is_not_the_signing_key_s_did_fails_the_signing_key_check() {
    let key = university_key();
    let token = jwt(
        json!({"typ": "JWT", "kid": key.did_key_method()}),
        &payload(&vc(CREDENTIALS_V2), &student().did_key().to_string()),
        &key,
    );
    let report = verify(&verifier(&offline()), &token);
    assert!(!report.valid);
    assert_check(&report, check_id::SIGNING_KEY, Outcome::Failed);
    assert_eq!(report.issuer.as_deref(), Some(student().did_key().as_str()));
}

#[test]
fn a_vc_jwt_whose_kid_is_not_a_method_of_the_issuer_fails_the_signing_key_check() {
    let key = university_key();
    let token = jwt(
        json!({"typ": "JWT", "kid": format!("{}#key-2", key.did_key())}),
        &payload(&vc(CREDENTIALS_V2), &key.did_key()),
        &key,
    );
    let report = verify(&verifier(&offline()), &token);
    assert!(!report.valid);
    assert_check(&report, check_id::SIGNING_KEY, Outcome::Failed);
}

#[test]
fn a_vc_jwt_with_alg_none_fails_the_proof() {
    let key = university_key();
    let signed = university_vc_jwt(CREDENTIALS_V2);
    let payload = signed.split('.').nth(1).unwrap();
    let header =
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": key.did_key_method()}).to_string());
    let report = verify(&verifier(&offline()), &format!("{header}.{payload}."));
    assert!(!report.valid);
    assert_check(&report, check_id::PROOF, Outcome::Failed);
    assert!(
        message(&report, check_id::PROOF).contains("\"none\""),
        "{report:#?}"
    );
}

#[test]
fn malformed_vc_jwts_are_unusable_input() {
    let key = university_key();
    let header = json!({"typ": "JWT", "kid": key.did_key_method()});
    let with =
        |typ: &str, payload: Value| jwt(json!({"typ": typ, "kid": key.did_key_method()}), &payload, &key);
    for (token, needle) in [
        (
            with("at+jwt", payload(&vc(CREDENTIALS_V2), &key.did_key())),
            "\"at+jwt\"",
        ),
        (
            jwt(header.clone(), &json!({"vc": "a credential"}), &key),
            "`vc` must be a JSON object",
        ),
        (
            jwt(header.clone(), &json!({"iss": key.did_key()}), &key),
            "`vc` or `vp` claim",
        ),
        (
            jwt(header.clone(), &json!({"vc": vc(CREDENTIALS_V2), "vp": {}}), &key),
            "both a `vc` and a `vp`",
        ),
        (
            jwt(
                header.clone(),
                &json!({"vc": vc(CREDENTIALS_V2), "iss": 42}),
                &key,
            ),
            "`iss` must be a string",
        ),
        (
            jwt(
                header,
                &json!({"vc": vc(CREDENTIALS_V2), "iss": key.did_key(), "exp": "tomorrow"}),
                &key,
            ),
            "`exp` is not a NumericDate",
        ),
    ] {
        let err = input_error(&token);
        assert!(matches!(err, VerificationError::Input(_)), "{needle}: {err}");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
}

// --- VC-JWT 1.1 presentations -------------------------------------------------------------

/// The student's VC-JWT 1.1 presentation of the university's VC-JWT 1.1, for `nonce`.
fn student_vp_jwt(vp_context: &str, nonce: &str) -> String {
    let holder = TestKey::Ed25519(student());
    let claims = json!({
        "vp": {
            "@context": [vp_context],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [university_vc_jwt(CREDENTIALS_V2)],
        },
        "iss": holder.did_key(),
        "aud": "did:example:verifier",
        "nonce": nonce,
        "iat": seconds(NOW),
    });
    jwt(
        json!({"typ": "JWT", "kid": holder.did_key_method()}),
        &claims,
        &holder,
    )
}

#[test]
fn a_vp_jwt_of_vcdm_1_1_is_bound_to_nonce_and_audience() {
    let resolver = offline();
    let report = verify_with(
        &resolver,
        &student_vp_jwt(CREDENTIALS_V2, "n-1"),
        &expect_binding(),
    );
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.holder.as_deref(), Some(student().did_key().as_str()));
    assert_eq!(report.credentials.len(), 1);
    assert!(report.credentials[0].valid);
    assert_check(&report, check_id::HOLDER_BINDING, Outcome::Passed);

    let replayed = verify_with(
        &resolver,
        &student_vp_jwt(CREDENTIALS_V2, "n-2"),
        &expect_binding(),
    );
    assert!(!replayed.valid);
    assert_check(&replayed, check_id::HOLDER_BINDING, Outcome::Failed);
}

#[test]
fn a_vp_jwt_with_a_vcdm_1_1_presentation_verifies() {
    let report = verify_with(
        &offline(),
        &student_vp_jwt(CREDENTIALS_V1, "n-1"),
        &expect_binding(),
    );
    assert!(report.valid, "{report:#?}");
}

#[test]
fn a_presentation_inside_a_presentation_is_unusable_input() {
    // Someone else's presentation, wrapped as if it were a credential of this one.
    let holder = TestKey::Ed25519(student());
    let inner = student_vp_jwt(CREDENTIALS_V2, "n-1");
    let claims = json!({
        "vp": {
            "@context": [CREDENTIALS_V2],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [inner],
        },
        "iss": holder.did_key(),
        "aud": "did:example:verifier",
        "nonce": "n-1",
        "iat": seconds(NOW),
    });
    let outer = jwt(
        json!({"typ": "JWT", "kid": holder.did_key_method()}),
        &claims,
        &holder,
    );
    let error = input_error(&outer);
    assert!(error.to_string().contains("holds a presentation"), "{error}");
}

// --- ES256 --------------------------------------------------------------------------------

/// `did:jwk` of a P-256 key, whose one method is `#0`.
fn did_jwk(key: &TestKey) -> (String, String) {
    let did = crate::did::jwk::did_for(&key.public()).to_string();
    let method = format!("{did}#0");
    (did, method)
}

#[test]
fn es256_vc_jwts_of_both_shapes_verify_with_did_key_and_did_jwk_issuers() {
    let key = TestKey::p256(51);
    let (jwk_did, jwk_method) = did_jwk(&key);
    for (did, method) in [(key.did_key(), key.did_key_method()), (jwk_did, jwk_method)] {
        let v1 = jwt(
            json!({"typ": "JWT", "kid": method}),
            &payload(&vc(CREDENTIALS_V2), &did),
            &key,
        );
        let mut credential = vc(CREDENTIALS_V2);
        credential["issuer"] = json!(did);
        credential["validFrom"] = json!(SIGNED_AT);
        let v2 = jwt(json!({"typ": "vc+jwt", "kid": method}), &credential, &key);
        for token in [v1, v2] {
            let report = verify(&verifier(&offline()), &token);
            assert!(report.valid, "{did}: {report:#?}");
            assert_eq!(message(&report, check_id::PROOF), "The ES256 signature verifies.");
        }
    }
}

#[test]
fn an_eddsa_header_on_an_es256_key_fails_the_proof() {
    let key = TestKey::p256(52);
    let token = jwt(
        json!({"alg": "EdDSA", "typ": "JWT", "kid": key.did_key_method()}),
        &payload(&vc(CREDENTIALS_V2), &key.did_key()),
        &key,
    );
    let report = verify(&verifier(&offline()), &token);
    assert_check(&report, check_id::PROOF, Outcome::Failed);
    assert!(message(&report, check_id::PROOF).contains("ES256"), "{report:#?}");
}

const EXAMPLE_DID: &str = "did:example:es256-university";

/// A document for [`EXAMPLE_DID`] with the P-256 key as a `Multikey` (`#multikey`) and as a
/// `JsonWebKey` (`#jwk`), both assertion methods.
fn example_resolver(key: &TestKey) -> InMemoryResolver {
    let method =
        |fragment: &str, type_: &str, multibase: Option<String>, jwk: Option<Value>| VerificationMethod {
            id: format!("{EXAMPLE_DID}#{fragment}"),
            type_: type_.into(),
            controller: EXAMPLE_DID.into(),
            public_key_multibase: multibase,
            public_key_jwk: jwk,
            extra: Map::new(),
        };
    let mut document = DidDocument::for_single_key(
        EXAMPLE_DID,
        json!(["https://www.w3.org/ns/did/v1"]),
        method("multikey", "Multikey", Some(key.public().to_multikey()), None),
    );
    let jwk = method("jwk", "JsonWebKey", None, Some(key.public().to_jwk().to_value()));
    document
        .assertion_method
        .push(crate::did::document::MethodReference::Reference(jwk.id.clone()));
    document.verification_method.push(jwk);
    let mut resolver = InMemoryResolver::default();
    resolver.insert(
        Did::parse(EXAMPLE_DID).unwrap(),
        time("2026-01-01T00:00:00Z"),
        Resolution {
            document,
            metadata: DocumentMetadata::default(),
        },
    );
    resolver
}

#[test]
fn es256_verifies_with_multikey_and_jwk_verification_methods() {
    let key = TestKey::p256(53);
    let resolver = example_resolver(&key);
    let history = InMemoryKeyHistory::default();
    for fragment in ["multikey", "jwk"] {
        let token = jwt(
            json!({"typ": "JWT", "kid": format!("#{fragment}")}),
            &payload(&vc(CREDENTIALS_V2), EXAMPLE_DID),
            &key,
        );
        let verifier = super::Verifier {
            history: Some(&history),
            ..verifier(&resolver)
        };
        let report = block_on(verifier.verify(&token, &Expectations::default())).unwrap();
        assert!(report.valid, "{fragment}: {report:#?}");
    }
}

#[test]
fn an_es256_sd_jwt_vc_with_an_es256_key_binding_verifies_and_another_holder_fails() {
    let issuer = TestKey::p256(54);
    let holder = TestKey::p256(55);
    let disclosure = crate::sd_jwt::Disclosure::new("studentId", json!("S-1815"));
    let claims = json!({
        "iss": issuer.did_key(),
        "vct": "https://w3id.org/sigil/types/UniversityDegreeCredential",
        "iat": seconds(SIGNED_AT),
        "cnf": {"jwk": holder.public().to_jwk().to_value()},
        "name": "Ada Lovelace",
        "_sd": [disclosure.digest],
        "_sd_alg": "sha-256",
    });
    let issued = format!(
        "{}~{}~",
        jwt(
            json!({"typ": "dc+sd-jwt", "kid": issuer.did_key_method()}),
            &claims,
            &issuer
        ),
        disclosure.encoded
    );
    let key_binding = |key: &TestKey| {
        let sd_hash = URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(issued.as_bytes()));
        let kb_claims = json!({
            "iat": seconds(NOW), "aud": "did:example:verifier", "nonce": "n-1", "sd_hash": sd_hash,
        });
        format!("{issued}{}", jwt(json!({"typ": "kb+jwt"}), &kb_claims, key))
    };
    let resolver = offline();
    let report = verify_with(&resolver, &key_binding(&holder), &expect_binding());
    assert!(report.valid, "{report:#?}");
    assert_eq!(message(&report, check_id::PROOF), "The ES256 signature verifies.");
    assert_eq!(report.claims.unwrap()["studentId"], "S-1815");

    let thief = verify_with(&resolver, &key_binding(&TestKey::p256(56)), &expect_binding());
    assert!(!thief.valid);
    assert_check(&thief, check_id::HOLDER_BINDING, Outcome::Failed);
}

#[test]
fn es256_holders_sign_presentations_of_both_shapes() {
    let holder = TestKey::p256(57);
    let (did, method) = did_jwk(&holder);
    let credential = university_vc_jwt(CREDENTIALS_V2);
    let v1 = json!({
        "vp": {"@context": [CREDENTIALS_V1], "type": ["VerifiablePresentation"], "verifiableCredential": [credential]},
        "iss": did, "aud": "did:example:verifier", "nonce": "n-1", "iat": seconds(NOW),
    });
    let v2 = json!({
        "@context": [CREDENTIALS_V2], "type": ["VerifiablePresentation"], "holder": did,
        "verifiableCredential": [crate::jose::envelope(&credential)],
        "aud": "did:example:verifier", "nonce": "n-1", "iat": seconds(NOW),
    });
    let resolver = offline();
    for (typ, claims) in [("JWT", v1), ("vp+jwt", v2)] {
        let token = jwt(json!({"typ": typ, "kid": method}), &claims, &holder);
        let report = verify_with(&resolver, &token, &expect_binding());
        assert!(report.valid, "{typ}: {report:#?}");
        assert_eq!(message(&report, check_id::PROOF), "The ES256 signature verifies.");
        assert_eq!(report.holder.as_deref(), Some(did.as_str()));
        // The credential is about the student, not this holder: a note, not a failure.
        assert_check(&report, check_id::HOLDER_BINDING, Outcome::Note);
    }
}

#[test]
fn a_vc_jwt_without_kid_from_a_did_key_issuer_uses_its_one_method() {
    let key = TestKey::p256(58);
    let token = jwt(
        json!({"typ": "JWT"}),
        &payload(&vc(CREDENTIALS_V1), &key.did_key()),
        &key,
    );
    let report = verify(&verifier(&offline()), &token);
    assert!(report.valid, "{report:#?}");
    assert!(
        message(&report, check_id::SIGNING_KEY).starts_with(&key.did_key_method()),
        "{report:#?}"
    );
}

#[test]
fn a_vp_jwt_whose_iss_is_not_its_signer_or_its_holder_fails() {
    let holder = TestKey::Ed25519(student());
    let presentation = |iss: &str, vp_holder: Option<&str>| {
        let mut vp = json!({"@context": [CREDENTIALS_V1], "type": ["VerifiablePresentation"]});
        if let Some(vp_holder) = vp_holder {
            vp["holder"] = json!(vp_holder);
        }
        let claims = json!({
            "vp": vp, "iss": iss, "aud": "did:example:verifier", "nonce": "n-1", "iat": seconds(NOW),
        });
        let token = jwt(
            json!({"typ": "JWT", "kid": holder.did_key_method()}),
            &claims,
            &holder,
        );
        verify_with(&offline(), &token, &expect_binding())
    };
    // Signed by the student, claiming to be the university's presentation.
    let report = presentation(&university().did_key().to_string(), None);
    assert!(!report.valid);
    assert_check(&report, check_id::HOLDER_BINDING, Outcome::Failed);
    // `iss` and `holder` name different holders.
    let report = presentation(&holder.did_key(), Some("did:example:eve"));
    assert!(!report.valid);
    assert_check(&report, check_id::FORMAT, Outcome::Failed);
    // Both name the signer: bound.
    let report = presentation(&holder.did_key(), Some(&holder.did_key()));
    assert!(report.valid, "{report:#?}");
}
