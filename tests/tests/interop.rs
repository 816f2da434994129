//! Interop with libraries nobody here wrote (installed by `tests/interop/setup.sh`):
//! Digital Bazaar's `@digitalbazaar/vc` for `eddsa-rdfc-2022`, panva's `jose` for `vc+jwt`,
//! and the OpenWallet Foundation's `sd-jwt` for SD-JWT VC with key binding — each in the
//! directions the formats allow, and each with a one-character forgery that must fail.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::Value;
use sigil_core::key::SigningKey;
use sigil_tests::interop::{export_contexts, node, path, sdjwt as python};
use sigil_tests::{Outcome, Scratch};

fn verify_with_sigil(scratch: &Scratch, file: &str, extra: &[&str]) -> Outcome {
    let file = path(scratch, file);
    let mut args = vec!["verify", file.as_str()];
    args.extend_from_slice(extra);
    scratch.sigil("sigil-verifier", &args)
}

/// Changes `from` to `to` inside the payload of the compact JWS that starts `text` (a JWT or
/// the issuer-signed part of an SD-JWT), keeping header, signature and everything after.
fn forge_jws_payload(text: &str, from: &str, to: &str) -> String {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (jws, rest) = text
        .split_once('~')
        .map_or((text, None), |(jws, rest)| (jws, Some(rest)));
    let parts: Vec<&str> = jws.split('.').collect();
    let payload = String::from_utf8(engine.decode(parts[1]).unwrap()).unwrap();
    assert!(payload.contains(from), "{from} is not in {payload}");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        engine.encode(payload.replace(from, to)),
        parts[2]
    );
    match rest {
        Some(rest) => format!("{forged}~{rest}"),
        None => forged,
    }
}

#[test]
fn a_sigil_rdfc_credential_verifies_with_digital_bazaar_and_a_forgery_does_not() {
    let scratch = Scratch::new();
    let contexts = export_contexts(&scratch);
    scratch.key("university.jwk");
    let student = scratch.key("student.jwk");
    scratch.issue_diploma("university.jwk", &student, "ldp_vc", "diploma.json");
    let out = node(&[
        "di.mjs",
        "verify",
        "--contexts",
        &contexts,
        &path(&scratch, "diploma.json"),
    ])
    .expect_code(0);
    assert_eq!(out.stdout.trim(), "verified");

    scratch.write(
        "forged.json",
        &scratch
            .read("diploma.json")
            .replace("Ada Lovelace", "Ada Lovelacf"),
    );
    let out = node(&[
        "di.mjs",
        "verify",
        "--contexts",
        &contexts,
        &path(&scratch, "forged.json"),
    ])
    .expect_code(1);
    assert!(out.stdout.starts_with("not verified"), "{}", out.stdout);
}

#[test]
fn a_digital_bazaar_rdfc_credential_verifies_with_sigil_and_a_forgery_does_not() {
    let scratch = Scratch::new();
    let contexts = export_contexts(&scratch);
    scratch.key("university.jwk");
    let student = scratch.key("student.jwk");
    // Take the unsigned diploma from Sigil's issuer and let Digital Bazaar sign it.
    scratch.issue_diploma("university.jwk", &student, "ldp_vc", "sigil.json");
    let mut unsigned: Value = serde_json::from_str(&scratch.read("sigil.json")).unwrap();
    unsigned.as_object_mut().unwrap().remove("proof");
    scratch.write("unsigned.json", &unsigned.to_string());
    let signed = node(&[
        "di.mjs",
        "sign",
        "--key",
        &path(&scratch, "university.jwk"),
        "--contexts",
        &contexts,
        &path(&scratch, "unsigned.json"),
    ])
    .expect_code(0);
    scratch.write("db.json", &signed.stdout);

    let out = verify_with_sigil(&scratch, "db.json", &[]).expect_code(0);
    assert!(
        out.stdout.contains("The eddsa-rdfc-2022 signature verifies"),
        "{}",
        out.stdout
    );

    scratch.write(
        "forged.json",
        &signed.stdout.replace("Mathematics\"", "Mathematicz\""),
    );
    let out = verify_with_sigil(&scratch, "forged.json", &[]).expect_code(1);
    assert!(out.stdout.contains("FAIL proof"), "{}", out.stdout);
}

/// VCDM 2.0 lets a holder present a credential about someone else: a Digital Bazaar
/// presentation by a third party is valid with a note, unless holder binding is required;
/// the subject's own presentation binds.
#[test]
fn a_digital_bazaar_presentation_by_someone_other_than_the_subject_is_valid_with_a_note() {
    let scratch = Scratch::new();
    let contexts = export_contexts(&scratch);
    scratch.key("university.jwk");
    let student = scratch.key("student.jwk");
    scratch.key("employer.jwk");
    scratch.issue_diploma("university.jwk", &student, "ldp_vc", "diploma.json");
    let present = |holder: &str, name: &str| {
        let out = node(&[
            "di.mjs",
            "present",
            "--key",
            &path(&scratch, holder),
            "--contexts",
            &contexts,
            "--challenge",
            "c-42",
            "--domain",
            "https://verifier.example",
            &path(&scratch, "diploma.json"),
        ])
        .expect_code(0);
        scratch.write(name, &out.stdout);
    };
    let bound = ["--challenge", "c-42", "--domain", "https://verifier.example"];

    present("employer.jwk", "forwarded.json");
    let out = verify_with_sigil(&scratch, "forwarded.json", &bound).expect_code(0);
    assert!(out.stdout.contains("note holder_binding"), "{}", out.stdout);
    let required = [&bound[..], &["--require-holder-binding"]].concat();
    let out = verify_with_sigil(&scratch, "forwarded.json", &required).expect_code(1);
    assert!(out.stdout.contains("FAIL holder_binding"), "{}", out.stdout);

    present("student.jwk", "own.json");
    let out = verify_with_sigil(&scratch, "own.json", &required).expect_code(0);
    assert!(out.stdout.contains("ok   holder_binding"), "{}", out.stdout);
    // The challenge binds: another one is refused.
    let other = ["--challenge", "c-43", "--domain", "https://verifier.example"];
    verify_with_sigil(&scratch, "own.json", &other).expect_code(1);
}

#[test]
fn a_sigil_vc_jwt_verifies_with_panva_jose_and_a_forgery_does_not() {
    let scratch = Scratch::new();
    scratch.key("university.jwk");
    let student = scratch.key("student.jwk");
    scratch.issue_diploma("university.jwk", &student, "vc+jwt", "diploma.jwt");
    let out = node(&["jose.mjs", "verify", &path(&scratch, "diploma.jwt")]).expect_code(0);
    assert_eq!(out.stdout.trim(), "verified");

    let forged = forge_jws_payload(scratch.read("diploma.jwt").trim(), "Ada Lovelace", "Ada Lovelacf");
    scratch.write("forged.jwt", &forged);
    node(&["jose.mjs", "verify", &path(&scratch, "forged.jwt")]).expect_code(1);
}

#[test]
fn a_sigil_sd_jwt_presentation_verifies_with_the_openwallet_library() {
    let scratch = Scratch::new();
    scratch.key("university.jwk");
    let holder = SigningKey::from_seed(&[77; 32]);
    scratch.issue_diploma(
        "university.jwk",
        holder.did_key().as_str(),
        "dc+sd-jwt",
        "diploma.sd-jwt",
    );

    // The credential as issued: every disclosure checks out, no key binding yet.
    let out = python(&["verify", &path(&scratch, "diploma.sd-jwt")]).expect_code(0);
    let claims: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(claims["studentId"], "S-1815-042");

    // Sigil's holder side presents only the name and birth date, bound to the verifier's nonce.
    let presentation = sigil_core::sd_jwt::present(
        scratch.read("diploma.sd-jwt").trim(),
        &["name", "dateOfBirth"],
        &holder,
        "nonce-5",
        "https://verifier.example",
        sigil_core::time::now(),
    )
    .unwrap();
    scratch.write("presentation.sd-jwt", &presentation);
    let file = path(&scratch, "presentation.sd-jwt");
    let out = python(&[
        "verify",
        "--nonce",
        "nonce-5",
        "--aud",
        "https://verifier.example",
        &file,
    ])
    .expect_code(0);
    let claims: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(claims["dateOfBirth"], "1815-12-10");
    assert_eq!(claims["name"], "Ada Lovelace");
    assert!(claims.get("studentId").is_none(), "{claims}");

    python(&[
        "verify",
        "--nonce",
        "nonce-6",
        "--aud",
        "https://verifier.example",
        &file,
    ])
    .expect_code(1);
    scratch.write(
        "forged.sd-jwt",
        // The claims are all in disclosures; forge the signed type instead.
        &forge_jws_payload(
            &presentation,
            "UniversityDegreeCredential",
            "UniversityDegreeCredentiaX",
        ),
    );
    let forged = path(&scratch, "forged.sd-jwt");
    let out = python(&[
        "verify",
        "--nonce",
        "nonce-5",
        "--aud",
        "https://verifier.example",
        &forged,
    ])
    .expect_code(1);
    assert!(out.stdout.starts_with("not verified"), "{}", out.stdout);
}

#[test]
fn an_openwallet_sd_jwt_presentation_verifies_in_sigil() {
    let scratch = Scratch::new();
    let issuer = SigningKey::from_seed(&[81; 32]);
    let holder = SigningKey::from_seed(&[82; 32]);
    scratch.write(
        "issuer.jwk",
        &serde_json::to_string(&issuer.to_private_jwk()).unwrap(),
    );
    scratch.write(
        "holder.jwk",
        &serde_json::to_string(&holder.to_private_jwk()).unwrap(),
    );
    scratch.write(
        "holder.pub.jwk",
        &holder.public_key().to_jwk().to_value().to_string(),
    );
    scratch.write(
        "claims.json",
        r#"{"name": "Grace Hopper", "studentId": "S-1906", "dateOfBirth": "1906-12-09", "fieldOfStudy": "Mathematics"}"#,
    );
    let issued = python(&[
        "issue",
        "--issuer-key",
        &path(&scratch, "issuer.jwk"),
        "--holder-jwk",
        &path(&scratch, "holder.pub.jwk"),
        "--claims",
        &path(&scratch, "claims.json"),
        "--sd",
        "studentId,dateOfBirth",
        "--vct",
        "https://w3id.org/sigil/types/UniversityDegreeCredential",
    ])
    .expect_code(0);
    scratch.write("issued.sd-jwt", issued.stdout.trim());
    let presented = python(&[
        "present",
        "--holder-key",
        &path(&scratch, "holder.jwk"),
        "--disclose",
        "studentId",
        "--nonce",
        "nonce-9",
        "--aud",
        "https://verifier.example",
        &path(&scratch, "issued.sd-jwt"),
    ])
    .expect_code(0);
    scratch.write("presentation.sd-jwt", presented.stdout.trim());

    let binding = [
        "--nonce",
        "nonce-9",
        "--audience",
        "https://verifier.example",
        "--json",
    ];
    let out = verify_with_sigil(&scratch, "presentation.sd-jwt", &binding).expect_code(0);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["claims"]["studentId"], "S-1906");
    assert!(report["claims"].get("dateOfBirth").is_none(), "{report:#}");
    assert_eq!(report["issuer"], issuer.did_key().as_str());

    let wrong_nonce = ["--nonce", "nonce-10", "--audience", "https://verifier.example"];
    let out = verify_with_sigil(&scratch, "presentation.sd-jwt", &wrong_nonce).expect_code(1);
    assert!(out.stdout.contains("FAIL holder_binding"), "{}", out.stdout);

    scratch.write(
        "forged.sd-jwt",
        &forge_jws_payload(presented.stdout.trim(), "Grace Hopper", "Grace Hoppes"),
    );
    let out = verify_with_sigil(
        &scratch,
        "forged.sd-jwt",
        &["--nonce", "nonce-9", "--audience", "https://verifier.example"],
    )
    .expect_code(1);
    assert!(out.stdout.contains("FAIL proof"), "{}", out.stdout);
}

/// Diplomas alike (the same claims for the same student) in one presentation: their blank
/// nodes (each credential, its degree) say the same things and only RDFC-1.0's Hash N-Degree
/// Quads tells them apart. Either side's signature verifies on the other only if Digital
/// Bazaar's canonical form and Sigil's agree there too.
#[test]
fn presentations_of_alike_diplomas_verify_both_ways() {
    let scratch = Scratch::new();
    let contexts = export_contexts(&scratch);
    scratch.key("university.jwk");
    let student = scratch.key("student.jwk");
    let diplomas = ["first.json", "second.json", "third.json"];
    for name in diplomas {
        scratch.issue_diploma("university.jwk", &student, "ldp_vc", name);
    }
    let (challenge, domain) = ("c-42", "https://verifier.example");
    let bound = ["--challenge", challenge, "--domain", domain];

    let key = path(&scratch, "student.jwk");
    let files: Vec<String> = diplomas.iter().map(|name| path(&scratch, name)).collect();
    let mut present = vec!["di.mjs", "present", "--key", &key, "--contexts", &contexts];
    present.extend_from_slice(&bound);
    present.extend(files.iter().map(String::as_str));
    let out = node(&present).expect_code(0);
    scratch.write("by-digital-bazaar.json", &out.stdout);
    verify_with_sigil(&scratch, "by-digital-bazaar.json", &bound).expect_code(0);

    let holder = sigil_core::keystore::read_plain_jwk(std::path::Path::new(&key)).unwrap();
    let credentials: Vec<Value> = diplomas
        .iter()
        .map(|name| serde_json::from_str(&scratch.read(name)).unwrap())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let presentation = runtime
        .block_on(sigil_core::issue::data_integrity_presentation(
            credentials,
            &holder.did_key(),
            &holder,
            &holder.did_key_method(),
            challenge,
            domain,
            sigil_core::time::now(),
        ))
        .unwrap();
    scratch.write("by-sigil.json", &presentation.to_string());
    let file = path(&scratch, "by-sigil.json");
    let verify = ["di.mjs", "verify-presentation", "--contexts", &contexts];
    let out = node(&[&verify[..], &bound[..], &[file.as_str()]].concat()).expect_code(0);
    assert!(out.stdout.contains("verified"), "{}", out.stdout);

    // A one-character change to the holder's proof is refused on both sides.
    let forged = presentation
        .to_string()
        .replacen(domain, "https://verifier.exampla", 1);
    scratch.write("forged.json", &forged);
    let forged_file = path(&scratch, "forged.json");
    node(&[&verify[..], &bound[..], &[forged_file.as_str()]].concat()).expect_code(1);
    verify_with_sigil(&scratch, "forged.json", &bound).expect_code(1);
}
