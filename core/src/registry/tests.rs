#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;

use super::*;
use crate::key::SigningKey;
use crate::state::commit::{ChainTrust, Commit, Proven, ValidatorSignature};
use crate::state::genesis::Genesis;
use crate::state::records::{self, RecordName};
use crate::state::tree::StateTree;
use crate::test_support::{block_on, http_server};
use crate::transaction::BlockHeader;

/// A one-transaction block's receipt for `tx_hash`, as the registry would answer.
fn receipt_for(tx_hash: &str) -> Value {
    let root = crate::merkle::hex(&crate::merkle::leaf_hash(tx_hash.as_bytes()));
    json!({"txHash": tx_hash, "height": 3, "index": 0, "blockSize": 1, "inclusionProof": [],
           "header": {"chainId": "c", "height": 3, "prevHash": "p", "time": "2026-01-01T00:00:00Z",
                      "txRoot": root, "stateRoot": "s", "proposer": "z6Mk"}})
}

#[test]
fn a_receipt_is_believed_only_when_it_proves_the_transaction_was_recorded() {
    let key = SigningKey::from_seed(&[3; 32]);
    let op =
        crate::did::sigil::operation::create(&key, &key.public_key(), vec![], crate::time::now()).unwrap();
    let transaction = Transaction::Did(op);
    let hash = transaction.hash().unwrap();
    let good = receipt_for(&hash);
    let receipt = checked_receipt(&transaction, good.clone()).unwrap();
    assert_eq!((receipt.height, receipt.tx_hash.as_str()), (3, hash.as_str()));

    let other = checked_receipt(&transaction, receipt_for("someone-else's"));
    assert!(
        matches!(other, Err(SubmitError::BadReceipt(ref m)) if m.contains("names transaction")),
        "{other:?}"
    );
    let mut forged_root = good;
    forged_root["header"]["txRoot"] = json!(crate::merkle::hex(&crate::merkle::leaf_hash(b"x")));
    assert!(matches!(
        checked_receipt(&transaction, forged_root),
        Err(SubmitError::BadReceipt(_))
    ));
    assert!(matches!(
        checked_receipt(&transaction, json!({"ok": true})),
        Err(SubmitError::BadReceipt(_))
    ));

    // Through the client, against a registry that answers 201 with someone else's receipt.
    block_on(async {
        let (base, _) = http_server(|_| ("201 Created", receipt_for("someone-else's"))).await;
        let answer = RegistryClient::new(base).submit(&transaction).await;
        assert!(matches!(answer, Err(SubmitError::BadReceipt(_))), "{answer:?}");
    });
}

/// A chain as its validators would answer for it: a genesis, one validator, records in a state
/// tree, and the height of the block that commits to them. A test can forge what it serves.
struct Chain {
    validators: Vec<SigningKey>,
    genesis: Genesis,
    records: BTreeMap<String, Value>,
}

/// Changes a proven answer before it is served.
type Forgery = Arc<dyn Fn(&mut Proven) + Send + Sync>;

impl Chain {
    fn new(records: Vec<(RecordName, Value)>) -> Chain {
        Chain::of_validators(1, records)
    }

    fn of_validators(count: u8, records: Vec<(RecordName, Value)>) -> Chain {
        let validators: Vec<SigningKey> = (0..count).map(|i| SigningKey::from_seed(&[40 + i; 32])).collect();
        let genesis = Genesis {
            chain_id: "sigil-test".into(),
            time: "2026-01-01T00:00:00Z".into(),
            validators: validators.iter().map(|k| k.public_key().to_multikey()).collect(),
            roots_of_trust: vec![],
            root_names: Default::default(),
        };
        Chain {
            validators,
            genesis,
            records: records
                .into_iter()
                .map(|(name, record)| (name.text(), record))
                .collect(),
        }
    }

    fn tree(&self) -> StateTree {
        self.records
            .iter()
            .map(|(name, record)| (StateTree::key(name), records::digest(record).unwrap()))
            .collect()
    }

    /// The header at `height` over the records, signed by the first `signers` validators.
    fn commit(&self, height: u64, signers: usize, time: &str) -> Commit {
        let header = BlockHeader {
            chain_id: self.genesis.chain_id.clone(),
            height,
            prev_hash: "zPrev".into(),
            time: time.into(),
            tx_root: "00".repeat(32),
            state_root: "zState".into(),
            state_tree_root: Some(crate::merkle::hex(&self.tree().root())),
            proposer: self.genesis.validators[0].clone(),
            signature: None,
        };
        let signatures = self
            .validators
            .iter()
            .take(signers)
            .map(|key| ValidatorSignature::sign(&header, key).unwrap())
            .collect();
        Commit { header, signatures }
    }

    fn proven(&self, name: &str, commit: Commit) -> Proven {
        Proven {
            name: name.to_owned(),
            record: self.records.get(name).cloned(),
            proof: self.tree().prove(&StateTree::key(name)),
            commit: Some(commit),
        }
    }

    /// Serves the chain at the height `height` holds, every validator signing; `forge`
    /// changes each proven answer.
    async fn serve(
        self,
        height: Arc<AtomicU64>,
        forge: Option<Forgery>,
    ) -> (url::Url, Arc<Mutex<Vec<String>>>) {
        http_server(move |line| {
            let path = line.split(' ').nth(1).unwrap_or_default();
            let url = url::Url::parse(&format!("http://registry{path}")).unwrap();
            let at = height.load(Ordering::SeqCst);
            match url.path() {
                "/genesis" => ("200 OK", serde_json::to_value(&self.genesis).unwrap()),
                "/height" => ("200 OK", json!({"height": at})),
                "/proofs" => {
                    let name = url
                        .query_pairs()
                        .find(|(k, _)| k == "name")
                        .unwrap()
                        .1
                        .to_string();
                    let commit = self.commit(at, self.validators.len(), "2026-06-01T00:00:00Z");
                    let mut proven = self.proven(&name, commit);
                    if let Some(forge) = &forge {
                        forge(&mut proven);
                    }
                    ("200 OK", serde_json::to_value(proven).unwrap())
                }
                _ => ("404 Not Found", json!({})),
            }
        })
        .await
    }
}

fn accreditations(did: &str, role: AccreditedRole) -> RecordName {
    RecordName::Accreditations {
        role,
        did: did.into(),
    }
}

fn entry(role: &str, revoked_at: Option<&str>) -> Value {
    json!({"accreditations": [{"transaction": "t", "root": "did:key:z6MkRoot", "role": role,
           "accredited": "did:key:z6MkV",
           "credentialTypes": ["UniversityDegreeCredential", "DiplomaSupplement"],
           "validFrom": "2026-01-01T00:00:00Z", "validUntil": null, "revokedAt": revoked_at}]})
}

async fn client_of(chain: Chain) -> RegistryClient {
    RegistryClient::new(chain.serve(Arc::new(AtomicU64::new(7)), None).await.0)
}

#[test]
fn a_verifier_accreditation_never_makes_its_did_an_accredited_issuer() {
    block_on(async {
        // Even a chain whose issuer record holds a verifier's entry.
        let chain = Chain::new(vec![
            (
                accreditations("did:key:z6MkV", AccreditedRole::Issuer),
                entry("verifier", None),
            ),
            (
                accreditations("did:key:z6MkV", AccreditedRole::Verifier),
                entry("verifier", None),
            ),
        ]);
        let client = client_of(chain).await;
        let did = Did::parse("did:key:z6MkV").unwrap();
        let at = parse_datetime("2026-06-01T00:00:00Z").unwrap();
        let as_issuer = client.accreditation(&did, "UniversityDegreeCredential", at).await;
        assert_eq!(as_issuer, Ok(None));
        let as_verifier = client.verifier_accreditation(&did, at).await.unwrap().unwrap();
        assert_eq!(as_verifier.accredited_by, "did:key:z6MkRoot");
        assert_eq!(
            as_verifier.credential_types,
            ["UniversityDegreeCredential", "DiplomaSupplement"]
        );
    });
}

#[test]
fn an_issuer_accreditation_is_not_a_verifier_accreditation() {
    block_on(async {
        let chain = Chain::new(vec![(
            accreditations("did:key:z6MkV", AccreditedRole::Issuer),
            entry("issuer", None),
        )]);
        let client = client_of(chain).await;
        let did = Did::parse("did:key:z6MkV").unwrap();
        let at = parse_datetime("2026-06-01T00:00:00Z").unwrap();
        assert_eq!(client.verifier_accreditation(&did, at).await, Ok(None));
        let as_issuer = client.accreditation(&did, "DiplomaSupplement", at).await.unwrap();
        assert_eq!(
            as_issuer.map(|a| a.credential_type).as_deref(),
            Some("DiplomaSupplement")
        );
    });
}

#[test]
fn a_verifier_accreditation_revoked_before_the_time_asked_about_does_not_count() {
    block_on(async {
        let chain = Chain::new(vec![(
            accreditations("did:key:z6MkV", AccreditedRole::Verifier),
            entry("verifier", Some("2026-03-01T00:00:00Z")),
        )]);
        let client = client_of(chain).await;
        let did = Did::parse("did:key:z6MkV").unwrap();
        let before = parse_datetime("2026-02-01T00:00:00Z").unwrap();
        let after = parse_datetime("2026-04-01T00:00:00Z").unwrap();
        assert!(
            client
                .verifier_accreditation(&did, before)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(client.verifier_accreditation(&did, after).await, Ok(None));
    });
}

/// Requests whose line contains `path`.
fn requests_to(seen: &Arc<Mutex<Vec<String>>>, path: &str) -> usize {
    seen.lock().unwrap().iter().filter(|l| l.contains(path)).count()
}

#[test]
fn the_height_is_asked_at_most_once_per_freshness_period() {
    block_on(async {
        let (base, seen) = Chain::new(vec![]).serve(Arc::new(AtomicU64::new(7)), None).await;
        let client = RegistryClient::new(base);
        let at = crate::time::now();
        for issuer in ["did:sigil:zQmA", "did:sigil:zQmB", "did:sigil:zQmC"] {
            let issuer = Did::parse(issuer).unwrap();
            client.accreditation(&issuer, "T", at).await.unwrap();
        }
        assert_eq!(requests_to(&seen, "/proofs"), 3);
        assert_eq!(
            requests_to(&seen, "/height"),
            1,
            "one height for a second's answers"
        );
        assert_eq!(requests_to(&seen, "/genesis"), 1, "the genesis is read once");
    });
}

#[test]
fn answers_are_reused_while_the_chain_does_not_grow() {
    block_on(async {
        let height = Arc::new(AtomicU64::new(7));
        let (base, seen) = Chain::new(vec![]).serve(height.clone(), None).await;
        // Asking the height every time shows the cache by height without waiting for it.
        let client = RegistryClient::new(base).with_height_freshness(Duration::ZERO);
        let issuer = Did::parse("did:sigil:zQmIssuer").unwrap();
        let at = crate::time::now();
        client.accreditation(&issuer, "T", at).await.unwrap();
        client.accreditation(&issuer, "T", at).await.unwrap();
        assert_eq!(
            requests_to(&seen, "/proofs"),
            1,
            "the second lookup comes from the cache"
        );

        height.store(8, Ordering::SeqCst);
        client.accreditation(&issuer, "T", at).await.unwrap();
        assert_eq!(
            requests_to(&seen, "/proofs"),
            2,
            "a new block invalidates the cache"
        );
    });
}

/// A DID record whose key `key-1` was declared compromised.
fn compromised_did() -> (RecordName, Value) {
    let record = json!({
        "did": "did:sigil:zQmUniversity", "controllerKey": "z6MkController", "nextKeyCommitment": "zQmNext",
        "methods": {"key-1": {"publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                              "purposes": ["assertionMethod"], "added": 1, "retired": 2,
                              "compromisedSince": "2026-03-01T00:00:00Z"}},
        "versions": [
            {"id": 1, "time": "2026-01-01T00:00:00Z", "operation": "zOp1", "transaction": "t1", "services": [], "deactivated": false},
            {"id": 2, "time": "2026-03-02T00:00:00Z", "operation": "zOp2", "transaction": "t2", "services": [], "deactivated": false}
        ]
    });
    (RecordName::Did("did:sigil:zQmUniversity".into()), record)
}

async fn key_events_from(chain: Chain, forge: Forgery) -> Result<KeyEvents, Unavailable> {
    let (base, _) = chain.serve(Arc::new(AtomicU64::new(9)), Some(forge)).await;
    let did = Did::parse("did:sigil:zQmUniversity").unwrap();
    RegistryClient::new(base)
        .key_events(&did, "did:sigil:zQmUniversity#key-1")
        .await
}

#[test]
fn an_honest_answer_is_proven_and_read() {
    block_on(async {
        let events = key_events_from(Chain::new(vec![compromised_did()]), Arc::new(|_| {})).await;
        assert_eq!(
            events.unwrap().compromised_since,
            parse_datetime("2026-03-01T00:00:00Z")
        );
    });
}

#[test]
fn a_node_that_hides_a_compromise_is_caught_by_the_proof() {
    block_on(async {
        // The node drops `compromisedSince` from the record it serves.
        let hide: Forgery = Arc::new(|proven| {
            if let Some(record) = proven.record.as_mut() {
                record["methods"]["key-1"]["compromisedSince"] = Value::Null;
            }
        });
        let answer = key_events_from(Chain::new(vec![compromised_did()]), hide).await;
        assert!(
            matches!(&answer, Err(Unavailable(m)) if m.contains("does not prove itself")),
            "{answer:?}"
        );

        // Or claims the DID is not on the chain at all.
        let absent: Forgery = Arc::new(|proven| proven.record = None);
        let answer = key_events_from(Chain::new(vec![compromised_did()]), absent).await;
        assert!(matches!(&answer, Err(Unavailable(_))), "{answer:?}");

        // Or proves the record against a state tree of its own, signed by no validator.
        let own_tree: Forgery = Arc::new(|proven| {
            let mut forged = Chain::new(vec![]);
            forged.validators = vec![SigningKey::from_seed(&[99; 32])];
            let commit = forged.commit(9, 1, "2026-06-01T00:00:00Z");
            proven.record = None;
            proven.proof = forged.tree().prove(&StateTree::key(&proven.name));
            proven.commit = Some(commit);
        });
        let answer = key_events_from(Chain::new(vec![compromised_did()]), own_tree).await;
        assert!(
            matches!(&answer, Err(Unavailable(m)) if m.contains("quorum")),
            "{answer:?}"
        );
    });
}

#[test]
fn an_answer_about_another_record_is_refused() {
    block_on(async {
        let (other, _) = compromised_did();
        let swap: Forgery = Arc::new(move |proven| proven.name = other.text());
        let chain = Chain::new(vec![compromised_did()]);
        let (base, _) = chain.serve(Arc::new(AtomicU64::new(9)), Some(swap)).await;
        let did = Did::parse("did:sigil:zQmSomeoneElse").unwrap();
        let answer = RegistryClient::new(base)
            .key_events(&did, "did:sigil:zQmSomeoneElse#key-1")
            .await;
        assert!(
            matches!(&answer, Err(Unavailable(m)) if m.contains("not did/")),
            "{answer:?}"
        );
    });
}

#[test]
fn a_header_needs_more_than_half_of_the_validators() {
    let chain = Chain::of_validators(3, vec![compromised_did()]);
    let trust = ChainTrust::new(&chain.genesis).unwrap();
    let (name, _) = compromised_did();
    let signed_by = |signers| chain.proven(&name.text(), chain.commit(5, signers, "2026-06-01T00:00:00Z"));
    assert!(trust.check::<Value>(&name, &signed_by(1)).is_err());
    assert!(trust.check::<Value>(&name, &signed_by(2)).is_ok());
    // The same validator twice is one signature.
    let mut doubled = signed_by(1);
    let first = doubled.commit.as_ref().unwrap().signatures[0].clone();
    doubled.commit.as_mut().unwrap().signatures.push(first);
    assert!(trust.check::<Value>(&name, &doubled).is_err());
}

#[test]
fn a_registry_with_another_genesis_than_the_pinned_one_is_refused() {
    block_on(async {
        let chain = Chain::new(vec![compromised_did()]);
        let genuine = chain.genesis.hash().unwrap();
        let (base, _) = chain.serve(Arc::new(AtomicU64::new(9)), None).await;
        let did = Did::parse("did:sigil:zQmUniversity").unwrap();
        let pinned = RegistryClient::new(base.clone()).pinned(genuine);
        assert!(
            pinned
                .key_events(&did, "did:sigil:zQmUniversity#key-1")
                .await
                .is_ok()
        );
        let other = RegistryClient::new(base).pinned("zQmAnotherChain");
        let answer = other.key_events(&did, "did:sigil:zQmUniversity#key-1").await;
        assert!(
            matches!(&answer, Err(Unavailable(m)) if m.contains("not the trusted")),
            "{answer:?}"
        );
    });
}

#[test]
fn a_node_cannot_roll_the_client_back_to_an_older_block() {
    block_on(async {
        let height = Arc::new(AtomicU64::new(9));
        let (base, _) = Chain::new(vec![compromised_did()])
            .serve(height.clone(), None)
            .await;
        let client = RegistryClient::new(base).with_height_freshness(Duration::ZERO);
        let did = Did::parse("did:sigil:zQmUniversity").unwrap();
        client
            .key_events(&did, "did:sigil:zQmUniversity#key-1")
            .await
            .unwrap();
        height.store(4, Ordering::SeqCst);
        let answer = client.key_events(&did, "did:sigil:zQmUniversity#key-1").await;
        assert!(
            matches!(&answer, Err(Unavailable(m)) if m.contains("older than block 9")),
            "{answer:?}"
        );
    });
}

#[test]
fn two_signed_headers_at_one_height_are_kept_as_evidence() {
    block_on(async {
        // The first answer is signed at one time, the second (same height) at another.
        let calls = Arc::new(AtomicU64::new(0));
        let seen = calls.clone();
        let chain = Chain::new(vec![compromised_did()]);
        let other_header = chain.commit(9, 1, "2026-06-02T00:00:00Z");
        let second: Forgery = Arc::new(move |proven| {
            if seen.fetch_add(1, Ordering::SeqCst) == 1 {
                proven.commit = Some(other_header.clone());
            }
        });
        let (base, requests) = chain.serve(Arc::new(AtomicU64::new(9)), Some(second)).await;
        let client = RegistryClient::new(base);
        let did = Did::parse("did:sigil:zQmUniversity").unwrap();
        client
            .key_events(&did, "did:sigil:zQmUniversity#key-1")
            .await
            .unwrap();
        let other = Did::parse("did:sigil:zQmOther").unwrap();
        let answer = client.key_events(&other, "did:sigil:zQmOther#key-1").await;
        assert!(
            matches!(&answer, Err(Unavailable(m)) if m.contains("two different blocks")),
            "{answer:?}"
        );
        let evidence = client.equivocations();
        assert_eq!(evidence.len(), 1);
        let trust = client.trust().await.unwrap();
        assert!(evidence[0].check(&trust).is_ok());
        assert_eq!(evidence[0].first.header.height, 9);
        assert_eq!(
            requests_to(&requests, "POST /evidence"),
            1,
            "the evidence is reported"
        );
    });
}

#[test]
fn before_the_first_block_everything_is_proven_absent_against_the_empty_tree() {
    let chain = Chain::new(vec![]);
    let trust = ChainTrust::new(&chain.genesis).unwrap();
    let (name, record) = compromised_did();
    let empty = StateTree::new();
    let absent = Proven {
        name: name.text(),
        record: None,
        proof: empty.prove(&name.key()),
        commit: None,
    };
    assert_eq!(trust.check::<Value>(&name, &absent), Ok(None));
    // Nothing can be claimed present without a header.
    let claimed = Proven {
        record: Some(record),
        ..absent
    };
    assert!(trust.check::<Value>(&name, &claimed).is_err());
}

fn a_transaction() -> Transaction {
    let key = SigningKey::from_seed(&[4; 32]);
    Transaction::Did(
        crate::did::sigil::operation::create(&key, &key.public_key(), vec![], crate::time::now()).unwrap(),
    )
}

#[test]
fn a_submission_answered_503_is_made_again_until_the_registry_records_it() {
    let transaction = a_transaction();
    let hash = transaction.hash().unwrap();
    block_on(async {
        let posts = Arc::new(AtomicU64::new(0));
        let counted = posts.clone();
        let answered = hash.clone();
        let (base, _) = http_server(move |line| {
            if !line.starts_with("POST /transactions") {
                return ("404 Not Found", json!({}));
            }
            match counted.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => (
                    "503 Service Unavailable",
                    json!({"error": {"code": "unavailable", "message": "electing a leader"}}),
                ),
                _ => ("201 Created", receipt_for(&answered)),
            }
        })
        .await;
        let receipt = RegistryClient::new(base).submit(&transaction).await.unwrap();
        assert_eq!(receipt.tx_hash, hash);
        assert_eq!(posts.load(Ordering::SeqCst), 3);
    });
}

#[test]
fn a_submission_refused_as_a_replay_of_one_on_the_chain_is_answered_with_its_receipt() {
    let transaction = a_transaction();
    let hash = transaction.hash().unwrap();
    block_on(async {
        let on_chain = hash.clone();
        let (base, _) = http_server(move |line| {
            if line.starts_with("POST /transactions") {
                return (
                    "422 Unprocessable Entity",
                    json!({"error": {"code": "replay", "message": "already applied"}}),
                );
            }
            if line.starts_with(&format!("GET /transactions/{on_chain}")) {
                return ("200 OK", json!({"receipt": receipt_for(&on_chain)}));
            }
            ("404 Not Found", json!({}))
        })
        .await;
        let receipt = RegistryClient::new(base).submit(&transaction).await.unwrap();
        assert_eq!(receipt.tx_hash, hash);

        // A replay the chain does not hold stays a refusal.
        let (base, _) = http_server(|line| {
            if line.starts_with("POST /transactions") {
                return (
                    "422 Unprocessable Entity",
                    json!({"error": {"code": "replay", "message": "already applied"}}),
                );
            }
            ("404 Not Found", json!({}))
        })
        .await;
        let answer = RegistryClient::new(base).submit(&transaction).await;
        assert!(
            matches!(answer, Err(SubmitError::Refused { ref code, .. }) if code == "replay"),
            "{answer:?}"
        );
    });
}

#[test]
fn a_client_given_several_nodes_uses_the_next_when_one_cannot_be_reached() {
    let transaction = a_transaction();
    let hash = transaction.hash().unwrap();
    block_on(async {
        // A port nothing listens on: bound, then closed.
        let dead = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let (live, _) = http_server(move |line| {
            if line.starts_with("POST /transactions") {
                ("201 Created", receipt_for(&hash))
            } else {
                ("404 Not Found", json!({}))
            }
        })
        .await;
        let nodes: RegistryNodes = format!("http://{dead}/,{live}").parse().unwrap();
        let client = nodes.client();
        assert!(client.submit(&transaction).await.is_ok());
    });
}
