//! An institution sets up on a registry with `sigil-issuer init`, signs diplomas as its
//! did:sigil, and a verifier with `--registry` accepts them once — and only once — the root of
//! trust has accredited the institution.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use sigil_core::key::SigningKey;
use sigil_tests::{RegistryProcess, Scratch, TEST_PASSPHRASE, binary, repo_root, run};

fn command(name: &str, args: &[&str]) -> sigil_tests::Outcome {
    run(std::process::Command::new(binary(name))
        .args(args)
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE))
}

/// A registry in `scratch/registry` and `sigil-issuer init` of "Example University" in
/// `scratch/university` on it; the registry and what `init` printed.
fn university_on_a_registry(scratch: &Scratch) -> (RegistryProcess, sigil_tests::Outcome) {
    let registry = RegistryProcess::start(&scratch.path("registry"));
    let university = scratch.path("university");
    let out = command(
        "sigil-issuer",
        &[
            "init",
            "--data-dir",
            university.to_str().unwrap(),
            "--registry",
            registry.url.as_str(),
            "--name",
            "Example University",
        ],
    )
    .expect_code(0);
    (registry, out)
}

/// `sigil-issuer keys rotate` with the cold key, declaring the signing key stolen from now.
fn rotate_after_theft(university: &str) -> sigil_tests::Outcome {
    let since = sigil_core::time::format_datetime(sigil_core::time::now());
    command(
        "sigil-issuer",
        &[
            "keys",
            "rotate",
            "--data-dir",
            university,
            "--compromised-since",
            &since,
            "--next-key",
            &format!("{university}.next.key"),
        ],
    )
}

#[test]
fn a_university_registers_issues_and_is_trusted_once_accredited() {
    let scratch = Scratch::new();
    let registry_dir = scratch.path("registry");
    let (registry, out) = university_on_a_registry(&scratch);
    let url = registry.url.as_str();
    let university = scratch.path("university");
    let university = university.to_str().unwrap();
    let did = out.stdout.trim().to_owned();
    assert!(did.starts_with("did:sigil:"), "{did}");
    assert!(out.stderr.contains("university.next.key"), "{}", out.stderr);
    assert!(
        !scratch.path("university").join("cold-storage").exists(),
        "the cold key is not in the data directory"
    );
    assert!(
        scratch
            .read("university/issuer.toml")
            .contains("Example University")
    );
    let resolved = command("sigil-registry", &["did", "resolve", "--registry", url, &did]).expect_code(0);
    assert!(
        resolved.stdout.contains(&format!("{did}#key-1")),
        "{}",
        resolved.stdout
    );

    let student = SigningKey::from_seed(&[5; 32]).did_key().to_string();
    let claims = repo_root().join("examples/diploma-claims.json");
    // Issues the sample diploma as the institution, in `format`, into the file `name`.
    let issue = |format: &str, name: &str| {
        let out = command(
            "sigil-issuer",
            &[
                "issue",
                "--data-dir",
                university,
                "--type",
                "UniversityDegreeCredential",
                "--subject",
                &student,
                "--claims",
                claims.to_str().unwrap(),
                "--format",
                format,
            ],
        )
        .expect_code(0);
        scratch.write(name, &out.stdout)
    };
    for format in ["ldp_vc", "vc+jwt", "dc+sd-jwt"] {
        let file = issue(format, &format!("diploma-{}", format.replace('+', "-")));
        let file = file.to_str().unwrap();

        // Signed by the registered DID, but nobody vouches for it yet: a note, or a failure
        // when accreditation is required.
        let out = command("sigil-verifier", &["verify", file, "--registry", url]).expect_code(0);
        assert!(out.stdout.contains("note trust"), "{format}: {}", out.stdout);
        let out = command(
            "sigil-verifier",
            &["verify", file, "--registry", url, "--require-accreditation"],
        )
        .expect_code(1);
        assert!(out.stdout.contains("FAIL trust"), "{format}: {}", out.stdout);
        assert!(out.stdout.contains("ok   proof"), "{format}: {}", out.stdout);
    }

    command(
        "sigil-registry",
        &[
            "accredit",
            "--registry",
            url,
            "--keys",
            registry_dir.to_str().unwrap(),
            "--issuer",
            &did,
            "--name",
            "Example University",
            "--types",
            "UniversityDegreeCredential,https://w3id.org/sigil/types/UniversityDegreeCredential",
            "--from",
            "2026-01-01T00:00:00Z",
        ],
    )
    .expect_code(0);
    for format in ["ldp_vc", "vc+jwt", "dc+sd-jwt"] {
        let file = scratch.path(&format!("diploma-{}", format.replace('+', "-")));
        let out = command(
            "sigil-verifier",
            &["verify", file.to_str().unwrap(), "--registry", url],
        )
        .expect_code(0);
        assert!(out.stdout.starts_with("VALID"), "{format}: {}", out.stdout);
        assert!(
            out.stdout.contains("is accredited for"),
            "{format}: {}",
            out.stdout
        );
    }

    let out = command(
        "sigil-issuer",
        &[
            "init",
            "--data-dir",
            university,
            "--registry",
            url,
            "--name",
            "Again",
        ],
    )
    .expect_code(1);
    assert!(out.stderr.contains("already holds an issuer"), "{}", out.stderr);

    let verify = |file: &std::path::Path| {
        command(
            "sigil-verifier",
            &["verify", file.to_str().unwrap(), "--registry", url],
        )
    };

    // A routine rotation: key-2 signs from now on; what key-1 signed stays valid. (Times are
    // to the second, and a key retired in the second a credential claims is not valid for it.)
    sigil_tests::wait::until_the_clock_passes_blocking(sigil_core::time::now());
    command("sigil-issuer", &["keys", "rotate", "--data-dir", university]).expect_code(0);
    let by_key_2 = issue("ldp_vc", "by-key-2.json");
    assert!(scratch.read("by-key-2.json").contains("#key-2"));
    verify(&by_key_2).expect_code(0);
    verify(&scratch.path("diploma-ldp_vc")).expect_code(0);

    // key-2 is stolen: the cold key takes over and key-2 is distrusted from now on.
    sigil_tests::wait::until_the_clock_passes_blocking(sigil_core::time::now());
    rotate_after_theft(university).expect_code(0);
    let out = verify(&by_key_2).expect_code(1);
    assert!(out.stdout.contains("FAIL key_history"), "{}", out.stdout);
    let by_key_3 = issue("ldp_vc", "by-key-3.json");
    assert!(scratch.read("by-key-3.json").contains("#key-3"));
    verify(&by_key_3).expect_code(0);
    assert!(scratch.read("university/issuer.toml").contains("key-3"));
}

/// A thief holding the controller key dates an update as far ahead as the registry allows;
/// the university's recovery with its cold key is accepted at once, not minutes later.
#[tokio::test(flavor = "multi_thread")]
async fn a_university_recovers_at_once_after_a_thief_dates_an_update_ahead() {
    use sigil_core::did::Did;
    use sigil_core::did::sigil::operation::{self, DidOperation, OperationKind, Purpose};
    use sigil_core::registry::RegistryClient;
    use sigil_core::time::now;

    let scratch = Scratch::new();
    let (registry, out) = university_on_a_registry(&scratch);
    let university = scratch.path("university");
    let university = university.to_str().unwrap();
    let did = Did::parse(out.stdout.trim()).unwrap();

    let stolen =
        sigil_core::keystore::read(&scratch.path("university/keys/controller.key"), TEST_PASSPHRASE).unwrap();
    let client = RegistryClient::new(registry.url.clone());
    let thiefs_key = SigningKey::from_seed(&[66; 32]);
    let mut update = DidOperation::new(OperationKind::Update, now() + chrono::Duration::seconds(240));
    update.did = Some(did.to_string());
    update.prev = Some(client.latest_operation(&did).await.unwrap().unwrap().hash);
    update.add_methods = vec![operation::method(
        "thief",
        &thiefs_key.public_key(),
        &[Purpose::AssertionMethod],
    )];
    client
        .submit(&sigil_core::transaction::Transaction::Did(
            update.sign(&stolen).unwrap(),
        ))
        .await
        .unwrap();

    let out = rotate_after_theft(university).expect_code(0);
    assert!(!out.stderr.contains("time_went_backwards"), "{}", out.stderr);
    let latest = client.latest_operation(&did).await.unwrap().unwrap();
    assert!(
        latest.time >= now() + chrono::Duration::seconds(200),
        "dated after the thief's update"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_add_seals_a_did_key_list_shows_it_and_the_service_signs_as_it() {
    let scratch = Scratch::new();
    let (_registry, _) = university_on_a_registry(&scratch);
    let university = scratch.path("university");
    let data_dir = university.to_str().unwrap();

    let added = command(
        "sigil-issuer",
        &["profiles", "add", "w3c", "--data-dir", data_dir],
    )
    .expect_code(0);
    let did = added.stdout.trim().to_owned();
    assert!(did.starts_with("did:key:z6Mk"), "{added:#?}");
    // Sealed like the institution's keys: opened only with the passphrase, never plain.
    let key_file = university.join("keys").join("profile-w3c.key");
    assert!(sigil_core::keystore::read_plain_jwk(&key_file).is_err());
    assert!(sigil_core::keystore::read(&key_file, "another passphrase").is_err());
    let key = sigil_core::keystore::read(&key_file, TEST_PASSPHRASE).unwrap();
    assert_eq!(key.did_key().to_string(), did);

    let listed = command("sigil-issuer", &["profiles", "list", "--data-dir", data_dir]).expect_code(0);
    assert_eq!(listed.stdout, format!("w3c\t{did}\n"));

    let again = command(
        "sigil-issuer",
        &["profiles", "add", "w3c", "--data-dir", data_dir],
    );
    assert_ne!(again.code, Some(0));
    assert!(again.stderr.contains("exists already"), "{again:#?}");
    let badly_named = command(
        "sigil-issuer",
        &["profiles", "add", "../keys", "--data-dir", data_dir],
    );
    assert_ne!(badly_named.code, Some(0));
    assert!(
        badly_named.stderr.contains("not a profile name"),
        "{badly_named:#?}"
    );
    let wrong_passphrase = run(std::process::Command::new(binary("sigil-issuer"))
        .args(["profiles", "add", "other", "--data-dir", data_dir])
        .env("SIGIL_PASSPHRASE", "not the institution's passphrase"));
    assert_ne!(wrong_passphrase.code, Some(0));
    assert!(!university.join("keys").join("profile-other.key").exists());
    let listed = command("sigil-issuer", &["profiles", "list", "--data-dir", data_dir]).expect_code(0);
    assert_eq!(listed.stdout.lines().count(), 1, "{listed:#?}");

    // The service unlocks the profile at start and signs as it on the profile's endpoint.
    let token = command("sigil-issuer", &["token", "create", "--data-dir", data_dir]).expect_code(0);
    let issuer = sigil_tests::IssuerProcess::start(&university);
    let mut claims: serde_json::Value =
        serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
    claims["id"] = SigningKey::generate().did_key().to_string().into();
    let credential = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/sigil/contexts/v1"],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "credentialSubject": claims,
    });
    let response = reqwest::Client::new()
        .post(issuer.url.join("/profiles/w3c/credentials/issue").unwrap())
        .bearer_auth(token.stdout.trim())
        .json(&serde_json::json!({"credential": credential}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        answer["verifiableCredential"]["issuer"],
        did.as_str(),
        "{answer:#}"
    );
}
