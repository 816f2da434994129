//! The thin commands of docs/design.md §7, run as a user runs them: `sigil-issuer issue` then
//! `sigil-verifier verify`, with their exit codes and messages.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::Value;
use sigil_core::key::SigningKey;
use sigil_tests::Scratch;

const FORMATS: [&str; 3] = ["ldp_vc", "vc+jwt", "dc+sd-jwt"];

fn verify(scratch: &Scratch, file: &str, extra: &[&str]) -> sigil_tests::Outcome {
    let path = scratch.path(file);
    let mut args = vec!["verify", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    scratch.sigil("sigil-verifier", &args)
}

#[test]
fn a_diploma_issued_in_each_format_verifies_with_exit_0() {
    let scratch = Scratch::new();
    let university = scratch.key("university.jwk");
    let student = scratch.key("student.jwk");
    for format in FORMATS {
        scratch.issue_diploma("university.jwk", &student, format, "diploma");
        let out = verify(&scratch, "diploma", &[]).expect_code(0);
        assert!(out.stdout.starts_with("VALID"), "{format}: {}", out.stdout);
        assert!(out.stdout.contains(&university), "{format}: {}", out.stdout);
    }
}

#[test]
fn a_forged_diploma_exits_1_and_names_the_failed_check() {
    let scratch = Scratch::new();
    let student = scratch.key("student.jwk");
    scratch.key("university.jwk");
    scratch.issue_diploma("university.jwk", &student, "ldp_vc", "diploma.json");
    scratch.write(
        "forged.json",
        &scratch
            .read("diploma.json")
            .replace("Ada Lovelace", "Ada Lovelacf"),
    );
    let out = verify(&scratch, "forged.json", &[]).expect_code(1);
    assert!(out.stdout.starts_with("INVALID"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("Failed:\n  proof: The signature does not verify"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_json_report_lists_every_check() {
    let scratch = Scratch::new();
    let student = scratch.key("student.jwk");
    scratch.key("university.jwk");
    scratch.issue_diploma("university.jwk", &student, "vc+jwt", "diploma.jwt");
    let out = verify(&scratch, "diploma.jwt", &["--json"]).expect_code(0);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["format"], "vc+jwt");
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "format",
        "signing_key",
        "proof",
        "key_history",
        "status",
        "validity",
        "trust",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn expect_issuer_rejects_a_diploma_from_another_issuer() {
    let scratch = Scratch::new();
    let student = scratch.key("student.jwk");
    scratch.key("university.jwk");
    let other = scratch.key("other.jwk");
    scratch.issue_diploma("university.jwk", &student, "ldp_vc", "diploma.json");
    let out = verify(&scratch, "diploma.json", &["--expect-issuer", &other]).expect_code(1);
    assert!(out.stdout.contains("expected_issuer"), "{}", out.stdout);
}

#[test]
fn unusable_input_is_not_valid_and_exits_1_with_a_clear_message() {
    let scratch = Scratch::new();
    for (name, contents, needle) in [
        ("garbage.txt", "hello", "not a credential"),
        ("truncated.json", "{\"@context\": [", "malformed JSON"),
        (
            "deep.json",
            &format!("{}{}", "[".repeat(100), "]".repeat(100)),
            "not a credential",
        ),
        (
            "nested.json",
            &format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100)),
            "nested",
        ),
        ("none.jwt", "eyJhbGciOiJub25lIn0.e30.", "typ"),
    ] {
        scratch.write(name, contents);
        let out = verify(&scratch, name, &[]).expect_code(1);
        assert!(out.stderr.contains(needle), "{name}: {}", out.stderr);
        assert!(out.stderr.starts_with("INVALID"), "{name}: {}", out.stderr);
    }
    let out = verify(&scratch, "no-such-file", &[]).expect_code(2);
    assert!(out.stderr.contains("no-such-file"), "{}", out.stderr);
}

#[test]
fn an_oversized_file_is_refused_without_reading_it_all() {
    let scratch = Scratch::new();
    scratch.write(
        "big.json",
        &format!("{{\"a\": \"{}\"}}", "x".repeat(2 * 1024 * 1024)),
    );
    let out = verify(&scratch, "big.json", &[]).expect_code(1);
    assert!(out.stderr.contains("limit"), "{}", out.stderr);
}

#[test]
fn a_data_integrity_presentation_is_checked_against_challenge_and_domain() {
    let scratch = Scratch::new();
    scratch.key("university.jwk");
    let student = SigningKey::from_seed(&[7; 32]);
    scratch.issue_diploma(
        "university.jwk",
        student.did_key().as_str(),
        "ldp_vc",
        "diploma.json",
    );
    let credential: Value = serde_json::from_str(&scratch.read("diploma.json")).unwrap();
    let presentation = tokio_block_on(sigil_core::issue::data_integrity_presentation(
        vec![credential],
        &student.did_key(),
        &student,
        &student.did_key_method(),
        "challenge-123",
        "verifier.example",
        sigil_core::time::now(),
    ))
    .unwrap();
    scratch.write("vp.json", &presentation.to_string());
    let out = verify(
        &scratch,
        "vp.json",
        &["--challenge", "challenge-123", "--domain", "verifier.example"],
    )
    .expect_code(0);
    assert!(out.stdout.contains("presented by"), "{}", out.stdout);
    let out = verify(
        &scratch,
        "vp.json",
        &["--challenge", "challenge-999", "--domain", "verifier.example"],
    )
    .expect_code(1);
    assert!(out.stdout.contains("holder_binding"), "{}", out.stdout);
}

#[test]
fn issue_explains_what_is_wrong_with_its_input() {
    let scratch = Scratch::new();
    scratch.key("university.jwk");
    let subject = SigningKey::from_seed(&[8; 32]).did_key().to_string();
    let claims = scratch.write("claims.json", "[1, 2]");
    let public = SigningKey::from_seed(&[9; 32])
        .public_key()
        .to_jwk()
        .to_value()
        .to_string();
    let public_jwk = scratch.write("public.jwk", &public);
    let key = scratch.path("university.jwk");
    let issue = |key: &std::path::Path, kind: &str, subject: &str, claims: &std::path::Path| {
        scratch.sigil(
            "sigil-issuer",
            &[
                "issue",
                "--key",
                key.to_str().unwrap(),
                "--type",
                kind,
                "--subject",
                subject,
                "--claims",
                claims.to_str().unwrap(),
                "--format",
                "ldp_vc",
            ],
        )
    };
    let out = issue(&key, "UniversityDegreeCredential", &subject, &claims).expect_code(1);
    assert!(out.stderr.contains("expected a JSON object"), "{}", out.stderr);
    let good_claims = sigil_tests::repo_root().join("examples/diploma-claims.json");
    let out = issue(&key, "NoSuchCredential", &subject, &good_claims).expect_code(1);
    assert!(
        out.stderr.contains("known types: UniversityDegreeCredential"),
        "{}",
        out.stderr
    );
    let out = issue(
        &key,
        "UniversityDegreeCredential",
        "did:key:<script>",
        &good_claims,
    )
    .expect_code(1);
    assert!(out.stderr.contains("invalid DID"), "{}", out.stderr);
    let out = issue(&public_jwk, "UniversityDegreeCredential", &subject, &good_claims).expect_code(1);
    assert!(out.stderr.contains("no private key"), "{}", out.stderr);
}

#[test]
fn contexts_export_writes_every_context_and_an_index() {
    let scratch = Scratch::new();
    let dir = scratch.path("contexts");
    scratch
        .sigil("sigil-verifier", &["contexts", "--export", dir.to_str().unwrap()])
        .expect_code(0);
    let index: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    assert!(index.contains_key("https://www.w3.org/ns/credentials/v2"));
    assert!(index.contains_key("https://w3id.org/sigil/contexts/v1"));
    for file in index.values() {
        assert!(dir.join(file.as_str().unwrap()).is_file());
    }
}

fn tokio_block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}
