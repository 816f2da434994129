//! The registry's client commands as a controller uses them: create a DID, add and retire
//! keys, rotate with the pre-rotation key declaring a key compromised, accredit it as the
//! root of trust, deactivate it.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::Value;
use sigil_tests::{Outcome, RegistryProcess, Scratch, TEST_PASSPHRASE, VerifierProcess, binary, run};

fn registry_command(args: &[&str]) -> Outcome {
    run(std::process::Command::new(binary("sigil-registry"))
        .args(args)
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE))
}

fn resolve(registry: &str, did: &str) -> Value {
    let out = registry_command(&["did", "resolve", "--registry", registry, did]).expect_code(0);
    serde_json::from_str(&out.stdout).unwrap()
}

fn method_ids(resolution: &Value) -> Vec<String> {
    resolution["didDocument"]["verificationMethod"]
        .as_array()
        .map(|methods| {
            methods
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_controller_creates_rotates_and_deactivates_a_did_from_the_command_line() {
    let scratch = Scratch::new();
    let data_dir = scratch.path("registry");
    let registry = RegistryProcess::start(&data_dir);
    let url = registry.url.as_str();
    let keys = scratch.path("university-keys");
    let keys = keys.to_str().unwrap();

    let out = registry_command(&["did", "create", "--registry", url, "--keys", keys]).expect_code(0);
    let did = out.stdout.trim().to_owned();
    assert!(did.starts_with("did:sigil:z"), "{did}");
    for file in ["controller.key", "next.key", "key-1.key"] {
        let text = scratch.read(&format!("university-keys/{file}"));
        assert!(
            text.contains("\"ciphertext\"") && !text.contains("\"d\""),
            "{file} must be encrypted"
        );
    }
    assert_eq!(method_ids(&resolve(url, &did)), vec![format!("{did}#key-1")]);

    registry_command(&[
        "did",
        "update",
        "--registry",
        url,
        "--keys",
        keys,
        "--add-key",
        "key-2",
        "--retire",
        "key-1",
    ])
    .expect_code(0);
    assert_eq!(method_ids(&resolve(url, &did)), vec![format!("{did}#key-2")]);

    let next_before = scratch.read("university-keys/next.key");
    registry_command(&[
        "did",
        "rotate",
        "--registry",
        url,
        "--keys",
        keys,
        "--add-key",
        "key-3",
        "--compromised",
        "key-2",
        "--since",
        "2026-01-01T00:00:00Z",
    ])
    .expect_code(0);
    assert_eq!(
        scratch.read("university-keys/controller.key"),
        next_before,
        "the committed key now controls"
    );
    assert_eq!(method_ids(&resolve(url, &did)), vec![format!("{did}#key-3")]);
    let history: Value = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            reqwest::get(format!("{url}dids/{did}/history"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
    let key_2 = history["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == format!("{did}#key-2"))
        .unwrap();
    assert_eq!(key_2["compromisedSince"], "2026-01-01T00:00:00Z");

    let data = data_dir.to_str().unwrap();
    let out = registry_command(&[
        "accredit",
        "--registry",
        url,
        "--keys",
        data,
        "--issuer",
        &did,
        "--name",
        "Example University",
        "--types",
        "UniversityDegreeCredential",
    ])
    .expect_code(0);
    assert!(out.stdout.trim().starts_with('z'), "{}", out.stdout);

    registry_command(&["did", "deactivate", "--registry", url, "--keys", keys]).expect_code(0);
    assert_eq!(resolve(url, &did)["didDocumentMetadata"]["deactivated"], true);
    let out = registry_command(&[
        "did",
        "update",
        "--registry",
        url,
        "--keys",
        keys,
        "--add-key",
        "key-4",
    ])
    .expect_code(1);
    assert!(out.stderr.contains("deactivated"), "{}", out.stderr);
}

fn get_json(url: &str) -> Value {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async { reqwest::get(url).await.unwrap().json().await.unwrap() })
}

#[test]
fn a_root_of_trust_accredits_a_verifier_by_the_did_it_serves_as() {
    let scratch = Scratch::new();
    let data_dir = scratch.path("registry");
    let registry = RegistryProcess::start(&data_dir);
    let url = registry.url.as_str();
    let verifier_dir = scratch.path("verifier");
    let verifier_did = || {
        run(std::process::Command::new(binary("sigil-verifier"))
            .args(["did", "--data-dir"])
            .arg(&verifier_dir)
            .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE))
        .expect_code(0)
        .stdout
        .trim()
        .to_owned()
    };
    let did = verifier_did();
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    assert_eq!(verifier_did(), did, "the key is made once and kept");

    let types = "UniversityDegreeCredential,https://w3id.org/sigil/types/UniversityDegreeCredential";
    let data = data_dir.to_str().unwrap();
    let accredit = |who: &[&str]| {
        let mut args = vec![
            "accredit",
            "--registry",
            url,
            "--keys",
            data,
            "--types",
            types,
            "--name",
            "Example Employer",
        ];
        args.extend_from_slice(who);
        registry_command(&args)
    };
    accredit(&["--verifier", &did]).expect_code(0);

    let encoded: String = url::form_urlencoded::byte_serialize(did.as_bytes()).collect();
    let as_verifier = get_json(&format!("{url}accreditations?verifier={encoded}"));
    let rows = as_verifier["accreditations"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{as_verifier}");
    assert_eq!(rows[0]["role"], "verifier");
    assert_eq!(rows[0]["verifier"], did.as_str());
    assert_eq!(
        rows[0]["credentialTypes"],
        serde_json::json!([
            "UniversityDegreeCredential",
            "https://w3id.org/sigil/types/UniversityDegreeCredential"
        ])
    );
    let as_issuer = get_json(&format!("{url}accreditations?issuer={encoded}"));
    assert_eq!(
        as_issuer["accreditations"],
        serde_json::json!([]),
        "never an issuer"
    );

    // The DID printed is the one the verifier serves as: its OpenID4VP client id.
    let verifier = VerifierProcess::start(&verifier_dir, &registry.url);
    let request: Value = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let policy = serde_json::json!({"policy": "diploma"});
            sigil_tests::verifier_api::open_request(&reqwest::Client::new(), verifier.url.as_str(), &policy)
                .await
        });
    let link = request["request_uri"].as_str().unwrap();
    let client_id = url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "client_id")
        .map(|(_, value)| value.into_owned());
    assert_eq!(client_id, Some(format!("decentralized_identifier:{did}")));

    // One DID, named as issuer or as verifier: neither, or both, is refused.
    let out = accredit(&[]).expect_code(2);
    assert!(
        out.stderr.contains("--issuer") && out.stderr.contains("--verifier"),
        "{}",
        out.stderr
    );
    accredit(&["--issuer", &did, "--verifier", &did]).expect_code(2);
}
