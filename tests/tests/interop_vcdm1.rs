//! VCDM 1.1 interop: credentials on the 1.1 data model (`credentials/v1`, `issuanceDate`)
//! signed by Digital Bazaar's libraries with `Ed25519Signature2020` and with a
//! `DataIntegrityProof` (`eddsa-rdfc-2022`), verified by `sigil-verifier verify`; a
//! one-character change to each must fail. And the other way: a VCDM 1.1 credential Sigil's
//! core signs verifies with Digital Bazaar. The JavaScript side is `tests/interop/di-v1.mjs`
//! (installed by `tests/interop/setup.sh`).

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::{Value, json};
use sigil_core::contexts::{CREDENTIALS_V1, ED25519_SIGNATURE_2020_V1, SIGIL_V1};
use sigil_core::data_integrity::{self, Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::key::SigningKey;
use sigil_tests::interop::{export_contexts, node, path};
use sigil_tests::{Outcome, Scratch};

fn university() -> SigningKey {
    SigningKey::from_seed(&[91; 32])
}

/// An unsigned VCDM 1.1 diploma; `suite_context` is the context of the proof type's terms
/// (Digital Bazaar's Ed25519Signature2020 wants it there already; its DataIntegrityProof adds
/// the Data Integrity context itself).
fn unsigned_diploma(suite_context: Option<&str>) -> Value {
    let mut context = vec![json!(CREDENTIALS_V1)];
    context.extend(suite_context.map(|url| json!(url)));
    context.push(json!(SIGIL_V1));
    json!({
        "@context": context,
        "id": "urn:uuid:5f1d7c4e-8d3a-4b8e-9a57-6f4a1c2b3d4e",
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": university().did_key().to_string(),
        "issuanceDate": "2026-06-30T00:00:00Z",
        "expirationDate": "2099-06-30T00:00:00Z",
        "credentialSubject": {
            "id": SigningKey::from_seed(&[92; 32]).did_key().to_string(),
            "studentId": "S-1815",
            "fieldOfStudy": "Mathematics"
        }
    })
}

/// Signs the diploma with Digital Bazaar's `suite` into `name`.
fn sign_with_digital_bazaar(scratch: &Scratch, contexts: &str, suite: &str, name: &str) {
    let suite_context = (suite == "ed25519-2020").then_some(ED25519_SIGNATURE_2020_V1);
    scratch.write("unsigned.json", &unsigned_diploma(suite_context).to_string());
    scratch.write(
        "university.jwk",
        &university().to_private_jwk().to_value().to_string(),
    );
    let signed = node(&[
        "di-v1.mjs",
        "sign",
        "--key",
        &path(scratch, "university.jwk"),
        "--contexts",
        contexts,
        "--suite",
        suite,
        &path(scratch, "unsigned.json"),
    ])
    .expect_code(0);
    scratch.write(name, &signed.stdout);
}

/// `sigil-verifier verify FILE`: exit 0 for a valid credential, 1 for an invalid one.
fn verify_with_sigil(scratch: &Scratch, name: &str) -> Outcome {
    scratch.sigil("sigil-verifier", &["verify", &path(scratch, name)])
}

/// Signs with Digital Bazaar, verifies with Sigil, then changes one character of the subject's
/// claim and expects Sigil to fail the proof.
fn digital_bazaar_credential_verifies_and_a_forgery_does_not(suite: &str, proof_name: &str) {
    let scratch = Scratch::new();
    let contexts = export_contexts(&scratch);
    sign_with_digital_bazaar(&scratch, &contexts, suite, "db.json");
    let signed: Value = serde_json::from_str(&scratch.read("db.json")).unwrap();
    assert_eq!(signed["@context"][0], CREDENTIALS_V1);

    let out = verify_with_sigil(&scratch, "db.json").expect_code(0);
    assert!(out.stdout.starts_with("VALID"), "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!(
            "A VCDM 1.1 Data Integrity credential secured with {proof_name}."
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Valid until 2099-06-30T00:00:00Z."),
        "{}",
        out.stdout
    );

    let original = scratch.read("db.json");
    assert_eq!(original.matches("S-1815").count(), 1);
    scratch.write("forged.json", &original.replace("S-1815", "S-1816"));
    let out = verify_with_sigil(&scratch, "forged.json").expect_code(1);
    assert!(out.stdout.starts_with("INVALID"), "{}", out.stdout);
    assert!(
        out.stdout.contains("The signature does not verify"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_digital_bazaar_ed25519_signature_2020_credential_verifies_in_sigil_and_a_forgery_does_not() {
    digital_bazaar_credential_verifies_and_a_forgery_does_not("ed25519-2020", "Ed25519Signature2020");
}

#[test]
fn a_digital_bazaar_vcdm_1_1_eddsa_rdfc_credential_verifies_in_sigil_and_a_forgery_does_not() {
    digital_bazaar_credential_verifies_and_a_forgery_does_not("eddsa-rdfc-2022", "eddsa-rdfc-2022");
}

#[test]
fn a_vcdm_1_1_credential_sigil_signs_verifies_with_digital_bazaar_and_a_forgery_does_not() {
    let scratch = Scratch::new();
    let contexts = export_contexts(&scratch);
    let key = university();
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: key.did_key_method(),
        purpose: Relationship::AssertionMethod,
        created: sigil_core::time::now(),
        challenge: None,
        domain: None,
    };
    let signed =
        sigil_core::immediate::now_or_never(data_integrity::sign(&unsigned_diploma(None), &key, &options))
            .unwrap()
            .unwrap();
    scratch.write("sigil.json", &serde_json::to_string_pretty(&signed).unwrap());
    let verify = |name: &str| {
        node(&[
            "di-v1.mjs",
            "verify",
            "--contexts",
            &contexts,
            "--suite",
            "eddsa-rdfc-2022",
            &path(&scratch, name),
        ])
    };
    let out = verify("sigil.json").expect_code(0);
    assert_eq!(out.stdout.trim(), "verified");

    scratch.write(
        "forged.json",
        &scratch.read("sigil.json").replace("Mathematics", "Mathematict"),
    );
    let out = verify("forged.json").expect_code(1);
    assert!(out.stdout.starts_with("not verified"), "{}", out.stdout);
}

#[test]
fn sigil_endorses_a_digital_bazaar_credential_and_the_proof_set_verifies_only_whole() {
    let scratch = Scratch::new();
    let contexts = export_contexts(&scratch);
    sign_with_digital_bazaar(&scratch, &contexts, "ed25519-2020", "db.json");
    let issued: Value = serde_json::from_str(&scratch.read("db.json")).unwrap();
    let notary = SigningKey::from_seed(&[93; 32]);
    let options = ProofOptions {
        cryptosuite: Cryptosuite::Ed25519Signature2020,
        verification_method: notary.did_key_method(),
        purpose: Relationship::AssertionMethod,
        created: sigil_core::time::now(),
        challenge: None,
        domain: None,
    };
    let endorsed = sigil_core::immediate::now_or_never(data_integrity::proof_set::add_proof(
        &issued,
        &notary,
        &options,
        &data_integrity::proof_set::ProofLink::default(),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(endorsed["proof"].as_array().unwrap().len(), 2);
    scratch.write("endorsed.json", &serde_json::to_string_pretty(&endorsed).unwrap());
    let out = verify_with_sigil(&scratch, "endorsed.json").expect_code(0);
    assert!(
        out.stdout
            .contains("Proof 2 of 2: The Ed25519Signature2020 signature verifies."),
        "{}",
        out.stdout
    );

    // One character of Digital Bazaar's signature changed: the set no longer verifies.
    let mut forged = endorsed;
    let value = forged["proof"][0]["proofValue"].as_str().unwrap().to_owned();
    let last = if value.ends_with('A') { "B" } else { "A" };
    forged["proof"][0]["proofValue"] = json!(format!("{}{last}", &value[..value.len() - 1]));
    scratch.write("forged.json", &forged.to_string());
    let out = verify_with_sigil(&scratch, "forged.json").expect_code(1);
    assert!(out.stdout.starts_with("INVALID"), "{}", out.stdout);
}
