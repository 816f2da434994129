//! `did:web` issuers and status lists at their own URL, served over TLS on loopback
//! (`sigil_tests::tls_loopback`), and the same verified fully offline through
//! `sigil-verifier verify --offline --document URL=FILE`.
//!
//! The issuer here is not on any registry: its DID document is `did.json` on its own host,
//! and its `BitstringStatusListCredential` is published beside it.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use std::sync::Arc;

use serde_json::{Value, json};
use sigil_core::data_integrity::{Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::did::{Did, DidResolver, ResolutionError, ResolutionOptions, StandardResolver};
use sigil_core::fetch::status_lists::UrlStatusLists;
use sigil_core::fetch::{NetPolicy, WebDocuments};
use sigil_core::format::CredentialFormat;
use sigil_core::issue::CredentialRequest;
use sigil_core::key::SigningKey;
use sigil_core::model::CredentialType;
use sigil_core::model::status_list::Bitstring;
use sigil_core::time::{Timestamp, parse_datetime};
use sigil_core::verify::sources::StatusListsByIssuer;
use sigil_core::verify::{Expectations, Outcome, VerificationReport, Verifier, check_id};
use sigil_tests::Scratch;
use sigil_tests::tls_loopback::{Answer, LoopbackHttps};

const STATUS_PATH: &str = "/status/1";
const REVOKED: u64 = 5;
const ACTIVE: u64 = 6;

fn time(text: &str) -> Timestamp {
    parse_datetime(text).unwrap()
}

fn university() -> SigningKey {
    SigningKey::from_seed(&[41; 32])
}

/// The DID document of `did` with `key` as `#key-1`, for assertions and authentication.
fn did_document(did: &str, key: &SigningKey) -> String {
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "id": format!("{did}#key-1"),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key().to_multikey(),
        }],
        "assertionMethod": [format!("{did}#key-1")],
        "authentication": [format!("{did}#key-1")],
    })
    .to_string()
}

/// A diploma of `issuer` with a status entry at `index` of the list at `list_url`.
async fn diploma(issuer: &str, status: Option<Value>, format: CredentialFormat) -> String {
    let claims = json!({
        "name": "Ada Lovelace",
        "studentId": "S-1815",
        "dateOfBirth": "1815-12-10",
        "degree": {"type": "BachelorDegree", "name": "BSc Mathematics"},
        "fieldOfStudy": "Mathematics",
        "graduationDate": "2026-06-30"
    });
    let student = SigningKey::from_seed(&[42; 32]);
    let request = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
        issuer: Did::parse(issuer).unwrap(),
        subject: Some(student.did_key()),
        claims: claims.as_object().unwrap().clone(),
        valid_from: time("2026-06-30T00:00:00Z"),
        valid_until: None,
        status,
        schema: None,
        holder_key: Some(student.public_key()),
    };
    request
        .issue(
            format,
            &university(),
            &format!("{issuer}#key-1"),
            time("2026-06-30T12:00:00Z"),
        )
        .await
        .unwrap()
}

fn revocation_entry(list_url: &str, index: u64) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}

/// A `BitstringStatusListCredential` at `list_url`, signed by `signer` as `issuer`.
async fn status_list(
    list_url: &str,
    issuer: &str,
    signer: &SigningKey,
    method: &str,
    subject: Value,
    valid_until: Option<&str>,
) -> String {
    let mut list = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
    });
    if let Some(until) = valid_until {
        list["validUntil"] = until.into();
    }
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: method.to_owned(),
        purpose: Relationship::AssertionMethod,
        created: time("2026-07-01T00:00:00Z"),
        challenge: None,
        domain: None,
    };
    sigil_core::data_integrity::sign(&list, signer, &options)
        .await
        .unwrap()
        .to_string()
}

fn revocations(list_url: &str, revoked: &[u64]) -> Value {
    let mut bits = Bitstring::new();
    for index in revoked {
        bits.set(*index, 1, 1).unwrap();
    }
    json!({
        "id": format!("{list_url}#list"),
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": bits.encode().unwrap(),
    })
}

/// A did:web issuer on a loopback HTTPS server, with its revocation list published.
struct Issuer {
    server: LoopbackHttps,
    did: String,
    list_url: String,
}

async fn issuer() -> Issuer {
    let server = LoopbackHttps::start().await;
    let did = server.did_web(&[]);
    server.set(
        "/.well-known/did.json",
        Answer::json(did_document(&did, &university())),
    );
    let list_url = server.url(STATUS_PATH);
    let list = status_list(
        &list_url,
        &did,
        &university(),
        &format!("{did}#key-1"),
        revocations(&list_url, &[REVOKED]),
        None,
    )
    .await;
    server.set(STATUS_PATH, Answer::json(list));
    Issuer {
        server,
        did,
        list_url,
    }
}

/// Verifies `input` with `did:web` and status lists read through `documents`.
async fn verify_with(documents: Arc<WebDocuments>, input: &str) -> VerificationReport {
    let resolver = StandardResolver::offline().with_web(documents.clone());
    let own_url = UrlStatusLists::new(documents);
    verify_with_sources(&resolver, &own_url, input).await
}

async fn verify_with_sources(
    resolver: &StandardResolver,
    own_url: &UrlStatusLists,
    input: &str,
) -> VerificationReport {
    let status = StatusListsByIssuer {
        registry: None,
        own_url: Some(own_url),
    };
    let mut verifier = Verifier::new(resolver);
    verifier.status = Some(&status);
    verifier.now = time("2026-11-28T12:00:00Z");
    verifier.verify(input, &Expectations::default()).await.unwrap()
}

fn documents(server: &LoopbackHttps) -> Arc<WebDocuments> {
    Arc::new(WebDocuments::new(server.policy()))
}

fn status_message(report: &VerificationReport) -> String {
    report
        .checks
        .iter()
        .find(|c| c.id == check_id::STATUS)
        .map(|c| c.message.clone())
        .unwrap_or_default()
}

/// Changes one character of the credential's subject name, keeping it well formed.
fn tampered(credential: &str) -> String {
    credential.replacen("Ada Lovelace", "Ada Lovelacf", 1)
}

#[tokio::test]
async fn a_did_web_issuer_verifies_over_tls_and_one_changed_character_fails() {
    let issuer = issuer().await;
    for format in [CredentialFormat::LdpVc, CredentialFormat::VcJwt] {
        let credential = diploma(&issuer.did, None, format).await;
        let report = verify_with(documents(&issuer.server), &credential).await;
        assert!(report.valid, "{format:?}: {report:#?}");
        assert_eq!(report.issuer.as_deref(), Some(issuer.did.as_str()));
        assert_eq!(report.outcome(check_id::PROOF), Some(Outcome::Passed));
    }
    let credential = diploma(&issuer.did, None, CredentialFormat::LdpVc).await;
    let report = verify_with(documents(&issuer.server), &tampered(&credential)).await;
    assert!(!report.valid, "{report:#?}");
    assert_eq!(report.outcome(check_id::PROOF), Some(Outcome::Failed));
}

#[tokio::test]
async fn a_did_web_with_a_path_resolves_to_its_did_json() {
    let server = LoopbackHttps::start().await;
    let did = server.did_web(&["issuers", "uni"]);
    server.set(
        "/issuers/uni/did.json",
        Answer::json(did_document(&did, &university())),
    );
    let resolver = StandardResolver::offline().with_web(documents(&server));
    let resolution = resolver
        .resolve(&Did::parse(&did).unwrap(), &ResolutionOptions::latest())
        .await
        .unwrap();
    assert_eq!(resolution.document.id, did);
    assert_eq!(server.hits("/issuers/uni/did.json"), 1);
    assert_eq!(server.hits("/.well-known/did.json"), 0);
}

async fn resolve(resolver: &StandardResolver, did: &str) -> Result<String, ResolutionError> {
    resolver
        .resolve(&Did::parse(did).unwrap(), &ResolutionOptions::latest())
        .await
        .map(|resolution| resolution.document.id)
}

#[tokio::test]
async fn a_document_is_reused_for_its_max_age_and_refetched_when_the_server_forbids_storing() {
    let server = LoopbackHttps::start().await;
    let cached = server.did_web(&["cached"]);
    let uncached = server.did_web(&["uncached"]);
    server.set(
        "/cached/did.json",
        Answer::json(did_document(&cached, &university())).with_header("cache-control", "max-age=600"),
    );
    server.set(
        "/uncached/did.json",
        Answer::json(did_document(&uncached, &university())).with_header("cache-control", "no-store"),
    );
    let resolver = StandardResolver::offline().with_web(documents(&server));
    for _ in 0..2 {
        assert_eq!(resolve(&resolver, &cached).await.unwrap(), cached);
        assert_eq!(resolve(&resolver, &uncached).await.unwrap(), uncached);
    }
    assert_eq!(server.hits("/cached/did.json"), 1);
    assert_eq!(server.hits("/uncached/did.json"), 2);
}

#[tokio::test]
async fn a_redirect_is_refused_and_not_followed() {
    let server = LoopbackHttps::start().await;
    let did = server.did_web(&[]);
    server.set(
        "/.well-known/did.json",
        Answer::status(302).with_header("location", &server.url("/elsewhere/did.json")),
    );
    server.set(
        "/elsewhere/did.json",
        Answer::json(did_document(&did, &university())),
    );
    let resolver = StandardResolver::offline().with_web(documents(&server));
    let error = resolve(&resolver, &did).await.unwrap_err();
    assert!(
        matches!(&error, ResolutionError::InvalidResponse(reason) if reason.contains("302")),
        "{error}"
    );
    assert_eq!(server.hits("/elsewhere/did.json"), 0);
}

#[tokio::test]
async fn an_oversized_document_is_refused() {
    let server = LoopbackHttps::start().await;
    let did = server.did_web(&[]);
    let padding = "x".repeat(sigil_core::did::web::MAX_DOCUMENT_BYTES);
    let mut document: Value = serde_json::from_str(&did_document(&did, &university())).unwrap();
    document["padding"] = padding.into();
    server.set("/.well-known/did.json", Answer::json(document.to_string()));
    let resolver = StandardResolver::offline().with_web(documents(&server));
    let error = resolve(&resolver, &did).await.unwrap_err();
    assert!(
        matches!(&error, ResolutionError::InvalidResponse(reason) if reason.contains("larger than")),
        "{error}"
    );
}

#[tokio::test]
async fn a_document_of_another_did_is_refused() {
    let server = LoopbackHttps::start().await;
    let did = server.did_web(&[]);
    server.set(
        "/.well-known/did.json",
        Answer::json(did_document("did:web:evil.example", &university())),
    );
    let resolver = StandardResolver::offline().with_web(documents(&server));
    let error = resolve(&resolver, &did).await.unwrap_err();
    assert!(
        matches!(&error, ResolutionError::InvalidResponse(reason) if reason.contains("did:web:evil.example")),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_document_is_not_found() {
    let server = LoopbackHttps::start().await;
    let resolver = StandardResolver::offline().with_web(documents(&server));
    let error = resolve(&resolver, &server.did_web(&["nobody"]))
        .await
        .unwrap_err();
    assert!(matches!(error, ResolutionError::NotFound(_)), "{error}");
    assert!(!error.is_unavailable());
}

#[tokio::test]
async fn the_strict_policy_and_an_untrusted_certificate_never_reach_the_server() {
    let server = LoopbackHttps::start().await;
    let did = server.did_web(&[]);
    server.set(
        "/.well-known/did.json",
        Answer::json(did_document(&did, &university())),
    );
    let strict = StandardResolver::offline().with_web(Arc::new(WebDocuments::new(NetPolicy::strict())));
    let error = resolve(&strict, &did).await.unwrap_err();
    assert!(error.is_unavailable(), "{error}");
    assert!(error.to_string().contains("private network"), "{error}");
    let untrusted = StandardResolver::offline().with_web(Arc::new(WebDocuments::new(
        NetPolicy::strict().allowing_private(),
    )));
    let error = resolve(&untrusted, &did).await.unwrap_err();
    assert!(error.is_unavailable(), "{error}");
    assert_eq!(server.hits("/.well-known/did.json"), 0, "a request was answered");
}

#[tokio::test]
async fn a_status_list_at_its_own_url_revokes_one_entry_and_clears_another() {
    let issuer = issuer().await;
    let revoked = diploma(
        &issuer.did,
        Some(revocation_entry(&issuer.list_url, REVOKED)),
        CredentialFormat::LdpVc,
    )
    .await;
    let active = diploma(
        &issuer.did,
        Some(revocation_entry(&issuer.list_url, ACTIVE)),
        CredentialFormat::VcJwt,
    )
    .await;
    let documents = documents(&issuer.server);
    let resolver = StandardResolver::offline().with_web(documents.clone());
    let own_url = UrlStatusLists::new(documents);
    let report = verify_with_sources(&resolver, &own_url, &revoked).await;
    assert!(!report.valid);
    assert_eq!(report.outcome(check_id::STATUS), Some(Outcome::Failed));
    assert!(
        status_message(&report).contains("Revoked by the issuer"),
        "{report:#?}"
    );
    let report = verify_with_sources(&resolver, &own_url, &active).await;
    assert!(report.valid, "{report:#?}");
    assert!(status_message(&report).contains("Not revoked"), "{report:#?}");
    // The list is fetched once and reused (it states no lifetime: five minutes).
    assert_eq!(issuer.server.hits(STATUS_PATH), 1);
}

#[tokio::test]
async fn a_status_list_signed_by_another_issuer_or_tampered_or_expired_is_not_believed() {
    let issuer = issuer().await;
    let credential = diploma(
        &issuer.did,
        Some(revocation_entry(&issuer.list_url, ACTIVE)),
        CredentialFormat::LdpVc,
    )
    .await;
    let stranger = SigningKey::from_seed(&[43; 32]);
    let stranger_did = stranger.did_key().to_string();
    let by_stranger = status_list(
        &issuer.list_url,
        &stranger_did,
        &stranger,
        &stranger.did_key_method(),
        revocations(&issuer.list_url, &[]),
        None,
    )
    .await;
    let genuine = status_list(
        &issuer.list_url,
        &issuer.did,
        &university(),
        &format!("{}#key-1", issuer.did),
        revocations(&issuer.list_url, &[ACTIVE]),
        None,
    )
    .await;
    // Clearing the revocation bit by hand leaves the issuer's signature over another list.
    let encoded = |revoked: &[u64]| revocations(&issuer.list_url, revoked)["encodedList"].to_string();
    let cleared = genuine.replace(&encoded(&[ACTIVE]), &encoded(&[]));
    assert_ne!(cleared, genuine);
    let expired = status_list(
        &issuer.list_url,
        &issuer.did,
        &university(),
        &format!("{}#key-1", issuer.did),
        revocations(&issuer.list_url, &[]),
        Some("2026-08-01T00:00:00Z"),
    )
    .await;
    for (list, expected) in [
        (by_stranger, "not by the credential's issuer"),
        (cleared, "does not verify"),
        (expired, "does not verify"),
    ] {
        issuer.server.set(STATUS_PATH, Answer::json(list));
        let report = verify_with(documents(&issuer.server), &credential).await;
        assert!(!report.valid, "{report:#?}");
        assert_eq!(report.outcome(check_id::STATUS), Some(Outcome::Failed));
        assert!(
            status_message(&report).contains(expected),
            "{expected}: {report:#?}"
        );
    }
}

#[tokio::test]
async fn a_two_bit_status_shows_the_message_of_its_value_and_its_reference() {
    let issuer = issuer().await;
    let list_url = issuer.server.url("/status/messages");
    let mut bits = Bitstring::for_entries_of(2);
    bits.set(9, 2, 0b10).unwrap();
    let list = status_list(
        &list_url,
        &issuer.did,
        &university(),
        &format!("{}#key-1", issuer.did),
        json!({
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "message",
            "encodedList": bits.encode().unwrap(),
        }),
        None,
    )
    .await;
    issuer.server.set("/status/messages", Answer::json(list));
    let meanings = [
        json!({"status": "0x0", "message": "pending"}),
        json!({"status": "0x1", "message": "accepted"}),
        json!({"status": "0x2", "message": "under review"}),
        json!({"status": "0x3", "message": "rejected"}),
    ];
    let entry = |messages: usize| {
        json!({
            "id": format!("{list_url}#9"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListIndex": "9",
            "statusListCredential": list_url,
            "statusSize": 2,
            "statusMessage": meanings[..messages].to_vec(),
            "statusReference": "https://uni.example/status-meanings",
        })
    };
    let credential = diploma(&issuer.did, Some(entry(4)), CredentialFormat::LdpVc).await;
    let report = verify_with(documents(&issuer.server), &credential).await;
    assert!(report.valid, "{report:#?}");
    let message = status_message(&report);
    assert!(
        message.contains("0x2") && message.contains("under review"),
        "{message}"
    );
    assert!(
        message.contains("https://uni.example/status-meanings"),
        "{message}"
    );
    let short_of_messages = diploma(&issuer.did, Some(entry(3)), CredentialFormat::LdpVc).await;
    let report = verify_with(documents(&issuer.server), &short_of_messages).await;
    assert_eq!(report.outcome(check_id::STATUS), Some(Outcome::Failed));
    assert!(status_message(&report).contains("statusMessage"), "{report:#?}");
}

#[tokio::test]
async fn the_command_line_verifies_a_did_web_credential_with_no_network() {
    // Documents and credentials are made against a server that is gone before the CLI runs.
    let issuer = issuer().await;
    let did_json_url = issuer.server.url("/.well-known/did.json");
    let scratch = Scratch::new();
    let did_json = scratch.write("did.json", &did_document(&issuer.did, &university()));
    let list = verify_list_text(&issuer).await;
    let list_file = scratch.write("list.json", &list);
    let active = diploma(
        &issuer.did,
        Some(revocation_entry(&issuer.list_url, ACTIVE)),
        CredentialFormat::VcJwt,
    )
    .await;
    let revoked = diploma(
        &issuer.did,
        Some(revocation_entry(&issuer.list_url, REVOKED)),
        CredentialFormat::LdpVc,
    )
    .await;
    scratch.write("active.jwt", &active);
    scratch.write("revoked.json", &revoked);
    drop(issuer.server);
    let document = |url: &str, file: &std::path::Path| format!("{url}={}", file.display());
    let did_arg = document(&did_json_url, &did_json);
    let list_arg = document(&issuer.list_url, &list_file);
    let verify = |file: &str, with_list: bool| {
        let mut args = vec!["verify", file, "--offline", "--document", did_arg.as_str()];
        if with_list {
            args.extend(["--document", list_arg.as_str()]);
        }
        scratch.sigil("sigil-verifier", &args)
    };
    let out = verify("active.jwt", true).expect_code(0);
    assert!(out.stdout.contains("Not revoked"), "{out:#?}");
    let out = verify("revoked.json", true).expect_code(1);
    assert!(out.stdout.contains("Revoked by the issuer"), "{out:#?}");
    let out = verify("active.jwt", false).expect_code(2);
    assert!(out.stderr.contains("no local copy"), "{out:#?}");
    let out = scratch
        .sigil(
            "sigil-verifier",
            &["verify", "active.jwt", "--document", "not-a-url"],
        )
        .expect_code(2);
    assert!(out.stderr.contains("URL=FILE"), "{out:#?}");
}

/// The list the issuer's server serves.
async fn verify_list_text(issuer: &Issuer) -> String {
    let client = issuer.server.policy().client().unwrap();
    client
        .get(&issuer.list_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_fetches_over_tls_only_from_hosts_and_roots_it_is_told_to_trust() {
    let issuer = issuer().await;
    let scratch = Scratch::new();
    scratch.write(
        "revoked.json",
        &diploma(
            &issuer.did,
            Some(revocation_entry(&issuer.list_url, REVOKED)),
            CredentialFormat::LdpVc,
        )
        .await,
    );
    let root = scratch.write("root.pem", issuer.server.root_pem());
    let root = root.to_str().unwrap();
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "revoked.json"];
        args.extend(extra);
        scratch.sigil("sigil-verifier", &args)
    };
    let out = verify(&["--allow-private-targets", "--trust-root", root]).expect_code(1);
    assert!(out.stdout.contains("Revoked by the issuer"), "{out:#?}");
    assert_eq!(issuer.server.hits(STATUS_PATH), 1);
    let out = verify(&["--trust-root", root]).expect_code(2);
    assert!(out.stderr.contains("private network"), "{out:#?}");
    let out = verify(&["--allow-private-targets"]).expect_code(2);
    assert!(out.stderr.contains("could not check"), "{out:#?}");
    assert_eq!(
        issuer.server.hits("/.well-known/did.json"),
        1,
        "an untrusted server was read"
    );
    scratch.write(
        "not-a-root.pem",
        "-----BEGIN CERTIFICATE-----\nno\n-----END CERTIFICATE-----\n",
    );
    let out = verify(&["--trust-root", "not-a-root.pem"]).expect_code(2);
    assert!(out.stderr.contains("--trust-root"), "{out:#?}");
}
