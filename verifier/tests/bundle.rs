//! The offline bundle end to end: a university on a real registry issues diplomas and revokes
//! one, `sigil-verifier bundle export` writes the registry's facts about it to a file, the
//! registry is stopped, and `sigil-verifier verify --bundle` checks diplomas from the file
//! alone. A bundle that was tampered with, mixes blocks, or belongs to another genesis is
//! refused. The binaries must be built first (`cargo build --workspace --bins`).

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::{Value, json};
use sigil_core::key::SigningKey;
use sigil_core::registry::bundle::{Bundle, BundleError};
use sigil_core::state::commit::ProofError;
use sigil_tests::Outcome;
use sigil_tests::stack::{Stack, command};
use sigil_tests::wallet_client::TestWallet;

/// Runs `sigil-verifier` with `args`.
fn verifier(args: &[&str]) -> Outcome {
    command("sigil-verifier", args)
}

/// The `statusListCredential` URLs a Data Integrity diploma names.
fn status_lists(diploma: &Value) -> Vec<String> {
    diploma["credentialStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["statusListCredential"].as_str().unwrap().to_owned())
        .collect()
}

/// The genesis hash `bundle export` says it trusted.
fn trusted_genesis(out: &Outcome) -> String {
    let hash = out
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("trusted the registry's genesis "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        hash.starts_with('z'),
        "bundle export printed no trusted genesis: {out:#?}"
    );
    hash
}

fn read_bundle(path: &std::path::Path) -> Bundle {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_bundle(path: &std::path::Path, bundle: &Bundle) {
    std::fs::write(path, serde_json::to_string_pretty(bundle).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn diplomas_are_checked_from_a_bundle_with_the_registry_stopped_and_a_forged_bundle_is_refused() {
    let stack = tokio::task::spawn_blocking(Stack::start).await.unwrap();
    let wallet = TestWallet::new();
    let mut diplomas = Vec::new();
    for name in ["genuine.json", "revoked.json"] {
        let offer = stack.offer("ldp_vc").await;
        let diploma = wallet
            .receive(
                offer["offer_uri"].as_str().unwrap(),
                offer["tx_code"].as_str().unwrap(),
            )
            .await;
        let file = stack
            .scratch
            .write(name, &serde_json::to_string_pretty(&diploma).unwrap());
        diplomas.push((offer["credential_id"].as_str().unwrap().to_owned(), file, diploma));
    }
    let (genuine, revoked) = (&diplomas[0].1, &diplomas[1].1);
    let registry = stack.registry.url.to_string();
    let path = |name: &str| stack.scratch.path(name);
    let text = |path: &std::path::Path| path.to_str().unwrap().to_owned();

    // Before the revocation: a bundle made by pointing at the two diplomas, trusting the
    // registry's genesis and printing its hash.
    let before = path("before.bundle.json");
    let out = verifier(&[
        "bundle",
        "export",
        "--registry",
        &registry,
        "--out",
        &text(&before),
        "--credential",
        &text(genuine),
        "--credential",
        &text(revoked),
    ])
    .expect_code(0);
    let genesis_hash = trusted_genesis(&out);
    assert!(out.stdout.contains("wrote "), "{out:#?}");

    let (status, answer) = stack
        .api(&format!("/api/credentials/{}/revoke", diplomas[1].0), &json!({}))
        .await;
    assert_eq!(status, 200, "{answer:#}");

    // After it: a bundle of the issuer and its status lists, pinned to that genesis.
    let after = path("after.bundle.json");
    let mut args: Vec<String> = [
        "bundle",
        "export",
        "--registry",
        &registry,
        "--out",
        &text(&after),
        "--genesis-hash",
        &genesis_hash,
        "--issuer",
        stack.university_did().as_str(),
    ]
    .map(str::to_owned)
    .to_vec();
    for list in status_lists(&diplomas[0].2) {
        args.extend(["--status-list".to_owned(), list]);
    }
    let out = verifier(&args.iter().map(String::as_str).collect::<Vec<_>>()).expect_code(0);
    assert!(
        !out.stdout.contains("trusted the registry's genesis"),
        "a pinned genesis needs no comparing: {out:#?}"
    );
    // A bundle about another issuer only.
    let stranger = path("stranger.bundle.json");
    let stranger_did = SigningKey::from_seed(&[9; 32]).did_key().to_string();
    verifier(&[
        "bundle",
        "export",
        "--registry",
        &registry,
        "--out",
        &text(&stranger),
        "--issuer",
        &stranger_did,
    ])
    .expect_code(0);

    // No registry from here on: every fact comes from a bundle.
    let Stack {
        scratch,
        registry: registry_process,
        issuer,
        ..
    } = stack;
    registry_process.kill();
    drop(issuer);
    let verify = |bundle: &std::path::Path, diploma: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "verify",
            diploma.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
        ];
        args.extend(extra);
        verifier(&args)
    };

    let out = verify(&after, genuine, &["--genesis-hash", &genesis_hash]).expect_code(0);
    assert!(
        out.stdout.starts_with("registry facts from a bundle of chain "),
        "{out:#?}"
    );
    assert!(out.stdout.contains(" old\n"), "{out:#?}");
    assert!(out.stdout.contains("ok   status"), "{out:#?}");
    let out = verify(&after, revoked, &[]).expect_code(1);
    assert!(out.stdout.contains("FAIL status"), "{out:#?}");
    // The bundle from before the revocation does not know of it: it is as old as its block.
    verify(&before, revoked, &[]).expect_code(0);
    // A diploma whose issuer the bundle does not hold gets no verdict, never "valid".
    let out = verify(&stranger, genuine, &[]).expect_code(2);
    assert!(out.stderr.contains("offline bundle holds no proof"), "{out:#?}");
    let out = verify(&after, genuine, &["--genesis-hash", "zSomeOtherChain"]).expect_code(2);
    assert!(out.stderr.contains("not the trusted zSomeOtherChain"), "{out:#?}");

    // Forged bundles are refused, each naming its fault.
    let before_bundle = read_bundle(&before);
    let after_bundle = read_bundle(&after);
    assert_eq!(
        after_bundle.check(Some(&genesis_hash)).unwrap().genesis_hash,
        genesis_hash
    );
    assert!(matches!(
        after_bundle.check(Some("zSomeOtherChain")),
        Err(BundleError::NotPinned { .. })
    ));

    // The revocation list as it was before the revocation, under the later header.
    let mut forged_record = after_bundle.clone();
    let (list, unrevoked) = forged_record
        .answers
        .iter_mut()
        .find_map(|answer| {
            let earlier = before_bundle
                .answers
                .iter()
                .find(|earlier| earlier.name == answer.name && earlier.record != answer.record)?;
            answer
                .name
                .starts_with("status-list/")
                .then_some((answer, earlier))
        })
        .unwrap();
    list.record = unrevoked.record.clone();
    assert!(matches!(
        forged_record.check(None),
        Err(BundleError::Proof {
            source: ProofError::BadProof,
            ..
        })
    ));
    let forged = scratch.path("forged.bundle.json");
    write_bundle(&forged, &forged_record);
    let out = verify(&forged, revoked, &[]).expect_code(2);
    assert!(out.stderr.contains("does not prove itself"), "{out:#?}");

    let mut forged_signature = after_bundle.clone();
    let signature = &mut forged_signature.answers[0].commit.as_mut().unwrap().signatures[0].signature;
    *signature = format!("z{}", "1".repeat(86));
    assert!(matches!(
        forged_signature.check(None),
        Err(BundleError::Proof {
            source: ProofError::NoQuorum { .. },
            ..
        })
    ));

    let mut mixed = after_bundle;
    let older = before_bundle
        .answers
        .iter()
        .find(|answer| answer.name == mixed.answers[0].name)
        .unwrap();
    mixed.answers[0] = older.clone();
    let refused = mixed.check(None).unwrap_err();
    assert!(matches!(refused, BundleError::MixedHeaders { .. }), "{refused:?}");
    let mixed_file = scratch.path("mixed.bundle.json");
    write_bundle(&mixed_file, &mixed);
    let out = verify(&mixed_file, genuine, &[]).expect_code(2);
    assert!(out.stderr.contains("not all from one block"), "{out:#?}");
}
