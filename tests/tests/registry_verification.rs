//! docs/design.md §5 against a running registry: what a university does to its DID — rotating,
//! declaring a key compromised, revoking, being deactivated — and what that means for the
//! credentials it signed, checked through sigil-core's registry-backed sources and through
//! `sigil-verifier verify --registry`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::{Value, json};
use sigil_core::data_integrity::{self, Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::did::{Did, StandardResolver};
use sigil_core::issue::{CredentialFormat, CredentialRequest};
use sigil_core::key::SigningKey;
use sigil_core::keystore;
use sigil_core::model::CredentialType;
use sigil_core::model::status_list::Bitstring;
use sigil_core::registry::RegistryClient;
use sigil_core::time::{Timestamp, format_datetime};
use sigil_core::verify::{Expectations, Outcome, VerificationReport, Verifier, check_id, credential_hash};
use sigil_registry::ledger::Transaction;
use sigil_registry::ledger::accreditation::{Accreditation, AccreditedRole};
use sigil_registry::ledger::operation::{self, Compromise, DidOperation, OperationKind, Purpose};
use sigil_registry::ledger::status_list::StatusListPublication;
use sigil_registry::ledger::{anchor, hash, statement};
use sigil_tests::{RegistryProcess, Scratch, TEST_PASSPHRASE};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_seed(&[seed; 32])
}

/// Controller keys 1 → 2 → 3 (pre-rotation); signing keys 10, 11, 12 as key-1, key-2, key-3.
const LIST: &str = "https://registry.example/status/university";

struct University {
    registry: url::Url,
    did: Did,
    last_operation: String,
}

impl University {
    async fn submit(&self, transaction: &Transaction) {
        let response = reqwest::Client::new()
            .post(self.registry.join("transactions").unwrap())
            .json(transaction)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status.as_u16(), 201, "{body:#}");
    }

    async fn operate(&mut self, mut op: DidOperation, signer: &SigningKey) {
        op.did = Some(self.did.to_string());
        op.prev = Some(self.last_operation.clone());
        let op = op.sign(signer).unwrap();
        self.last_operation = op.hash().unwrap();
        self.submit(&Transaction::Did(op)).await;
    }

    fn method(&self, fragment: &str) -> String {
        format!("{}#{fragment}", self.did)
    }

    /// A diploma signed with `signer` as `fragment`, claiming `at`, with status entry `index`.
    async fn diploma(&self, signer: &SigningKey, fragment: &str, at: Timestamp, index: u64) -> String {
        let claims =
            json!({"name": "Ada Lovelace", "degree": {"type": "BachelorDegree", "name": "BSc Mathematics"}});
        let request = CredentialRequest {
            credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
            issuer: self.did.clone(),
            subject: Some(key(99).did_key()),
            claims: claims.as_object().unwrap().clone(),
            valid_from: at,
            valid_until: None,
            status: Some(json!({
                "id": format!("{LIST}#{index}"), "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation", "statusListIndex": index.to_string(),
                "statusListCredential": LIST,
            })),
            schema: None,
            holder_key: None,
        };
        request
            .issue(CredentialFormat::LdpVc, signer, &self.method(fragment), at)
            .await
            .unwrap()
    }
}

async fn verify(registry: &url::Url, credential: &str) -> VerificationReport {
    let resolver = StandardResolver::with_registry(RegistryClient::new(registry.clone()));
    let sources = RegistryClient::new(registry.clone());
    let verifier = Verifier {
        status: Some(&sources),
        trust: Some(&sources),
        history: Some(&sources),
        ..Verifier::new(&resolver)
    };
    verifier
        .verify(credential, &Expectations::default())
        .await
        .unwrap()
}

fn anchor_hash_of(credential: &str) -> String {
    credential_hash(&sigil_core::verify::IssuedForm::Json(
        &serde_json::from_str(credential).unwrap(),
    ))
    .unwrap()
}

/// The registry's anchor answer proves the credential is in the batch, and the batch in a block.
fn anchor_proof_checks_out(answer: &Value) -> bool {
    use sigil_registry::chain::{Receipt, merkle};
    let hex = |value: &Value| merkle::from_hex(value.as_str().unwrap()).unwrap();
    let leaf = merkle::leaf_hash(&hex(&answer["credentialHash"]));
    let path: Vec<_> = answer["inclusionProof"]
        .as_array()
        .unwrap()
        .iter()
        .map(hex)
        .collect();
    let index = answer["index"].as_u64().unwrap() as usize;
    let size = answer["batchSize"].as_u64().unwrap() as usize;
    let in_batch = merkle::verify_inclusion(&leaf, index, size, &path, &hex(&answer["merkleRoot"]));
    let receipt: Receipt = serde_json::from_value(answer["receipt"].clone()).unwrap();
    in_batch && receipt.verify() && receipt.tx_hash == answer["transaction"]
}

fn failed(report: &VerificationReport) -> Vec<&'static str> {
    report.failures().into_iter().map(|(_, check)| check.id).collect()
}

fn ago(seconds: i64) -> Timestamp {
    sigil_core::time::now() - chrono::Duration::seconds(seconds)
}

#[test]
fn the_verification_rules_hold_against_a_running_registry() {
    let scratch = Scratch::new();
    let data_dir = scratch.path("registry");
    let registry = RegistryProcess::start(&data_dir);
    let root = keystore::read(&data_dir.join("root-of-trust.key"), TEST_PASSPHRASE).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            // The university registers, is accredited, and publishes its status list (entry 5 revoked).
            let methods = vec![operation::method(
                "key-1",
                &key(10).public_key(),
                &[Purpose::AssertionMethod],
            )];
            let inception =
                operation::create(&key(1), &key(2).public_key(), methods, ago(3 * 86400)).unwrap();
            let mut university = University {
                registry: registry.url.clone(),
                did: inception.created_did().unwrap(),
                last_operation: inception.hash().unwrap(),
            };
            university.submit(&Transaction::Did(inception)).await;
            let mut grant = Accreditation {
                root: root.did_key().to_string(),
                issuer: university.did.to_string(),
                role: AccreditedRole::Issuer,
                legal_name: Some(sigil_core::names::LegalName::new("en", "Example University").unwrap()),
                credential_types: vec!["UniversityDegreeCredential".into()],
                valid_from: format_datetime(ago(3 * 86400)),
                valid_until: None,
                proof: None,
            };
            grant.proof = Some(statement::sign(&grant, &root, &root.did_key_method()).unwrap());
            university.submit(&Transaction::Accreditation(grant)).await;
            let mut bits = Bitstring::new();
            bits.set(5, 1, 1).unwrap();
            let list = json!({
                "@context": ["https://www.w3.org/ns/credentials/v2"], "id": LIST,
                "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                "issuer": university.did.to_string(), "validFrom": format_datetime(ago(2 * 86400)),
                "credentialSubject": {"id": format!("{LIST}#list"), "type": "BitstringStatusList",
                                      "statusPurpose": "revocation", "encodedList": bits.encode().unwrap()},
            });
            let options = ProofOptions {
                cryptosuite: Cryptosuite::EddsaRdfc2022,
                verification_method: university.method("key-1"),
                purpose: Relationship::AssertionMethod,
                created: ago(2 * 86400),
                challenge: None,
                domain: None,
            };
            let list = data_integrity::sign(&list, &key(10), &options).await.unwrap();
            university
                .submit(&Transaction::StatusList(StatusListPublication {
                    credential: list,
                }))
                .await;

            // Two diplomas under key-1: one in good standing, one revoked.
            let good = university.diploma(&key(10), "key-1", ago(7200), 6).await;
            let revoked = university.diploma(&key(10), "key-1", ago(7200), 5).await;
            let report = verify(&registry.url, &good).await;
            assert!(report.valid, "{report:#?}");
            assert_eq!(report.outcome(check_id::TRUST), Some(Outcome::Passed));
            assert_eq!(
                failed(&verify(&registry.url, &revoked).await),
                vec![check_id::STATUS]
            );

            // Normal rotation: key-2 replaces key-1. What key-1 signed before still verifies;
            // key-1 signing afterwards does not.
            let mut update = DidOperation::new(OperationKind::Update, ago(1800));
            update.add_methods = vec![operation::method(
                "key-2",
                &key(11).public_key(),
                &[Purpose::AssertionMethod],
            )];
            update.retire_methods = vec!["key-1".into()];
            university.operate(update, &key(1)).await;
            assert!(verify(&registry.url, &good).await.valid);
            let late = university.diploma(&key(10), "key-1", ago(600), 6).await;
            // (Without the key, the signature cannot be checked either.)
            assert_eq!(
                failed(&verify(&registry.url, &late).await),
                vec![check_id::SIGNING_KEY, check_id::PROOF]
            );

            // key-2 signs two diplomas; only one is anchored on the chain.
            let anchored = university.diploma(&key(11), "key-2", ago(1200), 7).await;
            let unanchored = university.diploma(&key(11), "key-2", ago(1200), 8).await;
            let anchored_hash = credential_hash(&sigil_core::verify::IssuedForm::Json(
                &serde_json::from_str(&anchored).unwrap(),
            ))
            .unwrap();
            let mut batch = anchor::unsigned(
                university.did.as_str(),
                vec![anchored_hash],
                &format_datetime(ago(0)),
            );
            batch.proof = Some(statement::sign(&batch, &key(11), &university.method("key-2")).unwrap());
            university.submit(&Transaction::Anchor(batch)).await;
            let anchor_answer: Value = reqwest::get(
                registry
                    .url
                    .join(&format!("anchors?credentialHash={}", anchor_hash_of(&anchored)))
                    .unwrap(),
            )
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
            assert!(anchor_proof_checks_out(&anchor_answer), "{anchor_answer:#}");

            // key-2 is stolen: the university rotates with its pre-committed key and declares
            // key-2 compromised from T, after the anchor's block.
            sigil_tests::wait::until_the_clock_passes(sigil_core::time::now()).await;
            let compromise_time = sigil_core::time::now();
            let mut rotate = DidOperation::new(OperationKind::Rotate, compromise_time);
            rotate.controller_key = Some(key(2).public_key().to_multikey());
            rotate.next_key_commitment = Some(hash::key_commitment(&key(3).public_key().to_multikey()));
            rotate.add_methods = vec![operation::method(
                "key-3",
                &key(12).public_key(),
                &[Purpose::AssertionMethod],
            )];
            rotate.compromised_methods = vec![Compromise {
                id: "key-2".into(),
                since: format_datetime(compromise_time),
            }];
            university.operate(rotate, &key(2)).await;

            assert!(
                verify(&registry.url, &anchored).await.valid,
                "anchored before T: accepted"
            );
            assert_eq!(
                failed(&verify(&registry.url, &unanchored).await),
                vec![check_id::KEY_HISTORY]
            );
            let forged = university
                .diploma(
                    &key(11),
                    "key-2",
                    compromise_time + chrono::Duration::seconds(1),
                    6,
                )
                .await;
            assert!(
                !verify(&registry.url, &forged).await.valid,
                "signed with the stolen key after T"
            );
            let fresh = university.diploma(&key(12), "key-3", compromise_time, 9).await;
            assert!(verify(&registry.url, &fresh).await.valid);

            // The university's DID is deactivated: what it signs afterwards is refused.
            sigil_tests::wait::until_the_clock_passes(sigil_core::time::now()).await;
            let deactivated_at = sigil_core::time::now();
            university
                .operate(
                    DidOperation::new(OperationKind::Deactivate, deactivated_at),
                    &key(3),
                )
                .await;
            let posthumous = university
                .diploma(
                    &key(12),
                    "key-3",
                    deactivated_at + chrono::Duration::seconds(1),
                    9,
                )
                .await;
            assert!(!verify(&registry.url, &posthumous).await.valid);

            // The command line says the same, through --registry.
            let file = scratch.write("revoked.json", &revoked);
            let out = scratch.sigil(
                "sigil-verifier",
                &[
                    "verify",
                    file.to_str().unwrap(),
                    "--registry",
                    registry.url.as_str(),
                ],
            );
            assert_eq!(out.code, Some(1), "{out:#?}");
            assert!(out.stdout.contains("Revoked by the issuer"), "{}", out.stdout);
        });
}

#[test]
fn a_registry_that_cannot_be_reached_is_could_not_check_not_invalid() {
    let scratch = Scratch::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let credential = scratch.write(
        "diploma.json",
        &json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                "issuer": "did:sigil:zQmNobodyNobodyNobodyNobodyNobodyNobodyNobody1",
                "credentialSubject": {"id": "did:example:1"},
                "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                          "verificationMethod": "did:sigil:zQmNobodyNobodyNobodyNobodyNobodyNobodyNobody1#key-1",
                          "proofPurpose": "assertionMethod", "created": "2026-01-01T00:00:00Z",
                          "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKgKzGcNpcHEFtYmdS"}})
        .to_string(),
    );
    let out = scratch.sigil(
        "sigil-verifier",
        &["verify", credential.to_str().unwrap(), "--registry", &dead],
    );
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(out.stderr.contains("COULD NOT CHECK"), "{}", out.stderr);
}

/// A registry node that lies: it passes every request on to the real registry, but in its
/// proven answer about `did` it puts `forged_key` where `key-1`'s key is.
async fn lying_node(registry: url::Url, did: Did, forged_key: String) -> url::Url {
    use axum::extract::{Request, State};
    use axum::response::IntoResponse;

    async fn relay(
        State((registry, did, forged_key)): State<(url::Url, Did, String)>,
        request: Request,
    ) -> axum::response::Response {
        let path = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let url = registry.join(path.trim_start_matches('/')).unwrap();
        let mut answer: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        if answer["name"] == format!("did/{did}") {
            answer["record"]["methods"]["key-1"]["publicKeyMultibase"] = json!(forged_key);
        }
        axum::Json(answer).into_response()
    }

    let app = axum::Router::new()
        .fallback(relay)
        .with_state((registry, did, forged_key));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[test]
fn a_node_that_swaps_a_universitys_key_cannot_make_a_forged_diploma_valid() {
    let scratch = Scratch::new();
    let registry = RegistryProcess::start(&scratch.path("registry"));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let methods = vec![operation::method(
                "key-1",
                &key(10).public_key(),
                &[Purpose::AssertionMethod],
            )];
            let inception = operation::create(&key(1), &key(2).public_key(), methods, ago(86400)).unwrap();
            let university = University {
                registry: registry.url.clone(),
                did: inception.created_did().unwrap(),
                last_operation: inception.hash().unwrap(),
            };
            university.submit(&Transaction::Did(inception)).await;

            // A forger signs a diploma in the university's name with a key of its own, and a
            // registry node of its own tells verifiers that key is the university's.
            let forged = university.diploma(&key(66), "key-1", ago(600), 6).await;
            let liar = lying_node(
                registry.url.clone(),
                university.did.clone(),
                key(66).public_key().to_multikey(),
            )
            .await;

            let resolver = StandardResolver::with_registry(RegistryClient::new(liar.clone()));
            let sources = RegistryClient::new(liar);
            let verifier = Verifier {
                history: Some(&sources),
                ..Verifier::new(&resolver)
            };
            let answer = verifier.verify(&forged, &Expectations::default()).await;
            // No verdict at all: the node's answer is not believed, so nothing is concluded.
            assert!(
                matches!(
                    &answer,
                    Err(sigil_core::verify::VerificationError::CouldNotCheck { reason, .. })
                        if reason.contains("does not prove itself")
                ),
                "{answer:?}"
            );

            // Asked of an honest node, the forgery is simply not the university's signature.
            let honest = verify(&registry.url, &forged).await;
            assert!(!honest.valid);
            assert!(failed(&honest).contains(&check_id::PROOF), "{honest:#?}");
        });
}

#[test]
fn the_cli_pinned_to_another_chain_believes_nothing_its_registry_says() {
    let scratch = Scratch::new();
    let registry = RegistryProcess::start(&scratch.path("registry"));
    let genesis: sigil_core::state::genesis::Genesis = serde_json::from_str(
        &std::fs::read_to_string(scratch.path("registry").join("genesis.json")).unwrap(),
    )
    .unwrap();
    let credential = scratch.write(
        "diploma.json",
        &json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                "issuer": "did:sigil:zQmNobodyNobodyNobodyNobodyNobodyNobodyNobody1",
                "credentialSubject": {"id": "did:example:1"},
                "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                          "verificationMethod": "did:sigil:zQmNobodyNobodyNobodyNobodyNobodyNobodyNobody1#key-1",
                          "proofPurpose": "assertionMethod", "created": "2026-01-01T00:00:00Z",
                          "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKgKzGcNpcHEFtYmdS"}})
        .to_string(),
    );
    let verify = |genesis_hash: &str| {
        scratch.sigil(
            "sigil-verifier",
            &[
                "verify",
                credential.to_str().unwrap(),
                "--registry",
                registry.url.as_str(),
                "--genesis-hash",
                genesis_hash,
            ],
        )
    };
    // Pinned to its own chain, the registry's proven answer — no such DID — is a verdict.
    let own = verify(&genesis.hash().unwrap());
    assert_eq!(own.code, Some(1), "{own:#?}");
    let other = verify("zQmAnotherChainAnotherChainAnotherChainAnother1");
    assert_eq!(other.code, Some(2), "{other:#?}");
    assert!(other.stderr.contains("not the trusted"), "{}", other.stderr);
}
