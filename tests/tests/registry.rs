//! The registry as a separate process: DID operations submitted over HTTP are acknowledged
//! with receipts, resolve through sigil-core's Universal Resolver client (as verifiers will),
//! and `verify-chain` names the block whose row was altered in the SQLite file.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use serde_json::Value;
use sigil_core::did::document::Relationship;
use sigil_core::did::universal::UniversalResolverClient;
use sigil_core::did::{Did, ResolutionError, ResolutionOptions};
use sigil_core::key::SigningKey;
use sigil_core::registry::RegistryClient;
use sigil_core::state::commit::ChainTrust;
use sigil_core::state::genesis::Genesis;
use sigil_core::time::parse_datetime;
use sigil_registry::chain::Receipt;
use sigil_registry::ledger::Transaction;
use sigil_registry::ledger::operation::{self, DidOperation, OperationKind, Purpose};
use sigil_tests::{RegistryProcess, Scratch, binary, run};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_seed(&[seed; 32])
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Posts a transaction; returns the HTTP status and the JSON answer.
async fn submit(registry: &url::Url, transaction: &Transaction) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(registry.join("transactions").unwrap())
        .json(transaction)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn university_inception() -> DidOperation {
    let methods = vec![operation::method(
        "key-1",
        &key(10).public_key(),
        &[Purpose::AssertionMethod],
    )];
    operation::create(
        &key(1),
        &key(2).public_key(),
        methods,
        parse_datetime("2026-01-01T00:00:00Z").unwrap(),
    )
    .unwrap()
}

#[test]
fn a_did_submitted_over_http_is_acknowledged_and_resolves_as_of_any_time() {
    let scratch = Scratch::new();
    let registry = RegistryProcess::start(&scratch.path("registry"));
    runtime().block_on(async {
        let inception = university_inception();
        let did = inception.created_did().unwrap();
        let (status, answer) = submit(&registry.url, &Transaction::Did(inception.clone())).await;
        assert_eq!(status, 201, "{answer:#}");
        let receipt: Receipt = serde_json::from_value(answer).unwrap();
        assert!(receipt.verify(), "the receipt's inclusion proof must check out");

        let mut update = DidOperation::new(
            OperationKind::Update,
            parse_datetime("2026-03-01T00:00:00Z").unwrap(),
        );
        update.did = Some(did.to_string());
        update.prev = Some(inception.hash().unwrap());
        update.add_methods = vec![operation::method(
            "key-2",
            &key(11).public_key(),
            &[Purpose::AssertionMethod],
        )];
        update.retire_methods = vec!["key-1".into()];
        let (status, answer) = submit(&registry.url, &Transaction::Did(update.sign(&key(1)).unwrap())).await;
        assert_eq!(status, 201, "{answer:#}");

        let client = UniversalResolverClient::new(registry.url.clone());
        let now = client.resolve(&did, &ResolutionOptions::latest()).await.unwrap();
        assert_eq!(now.metadata.extra["blockHeight"], 2);
        let operation_receipt: Receipt =
            serde_json::from_value(now.metadata.extra["receipt"].clone()).unwrap();
        assert!(
            operation_receipt.verify(),
            "the version's operation is proven to be in block 2"
        );
        assert!(
            now.document
                .method_for(&format!("{did}#key-2"), Relationship::AssertionMethod)
                .is_some()
        );
        assert!(now.document.method(&format!("{did}#key-1")).is_none());
        let february = ResolutionOptions::at(parse_datetime("2026-02-01T00:00:00Z").unwrap());
        let then = client.resolve(&did, &february).await.unwrap();
        let old = then
            .document
            .method_for(&format!("{did}#key-1"), Relationship::AssertionMethod)
            .unwrap();
        assert_eq!(old.public_key(), Ok(key(10).public_key()));

        let unknown = Did::parse("did:sigil:zQmNobodyNobodyNobodyNobodyNobodyNobodyNobody1").unwrap();
        let error = client
            .resolve(&unknown, &ResolutionOptions::latest())
            .await
            .unwrap_err();
        assert!(matches!(error, ResolutionError::NotFound(_)), "{error}");
    });
}

#[test]
fn a_nodes_answers_prove_themselves_against_the_genesis_the_client_pinned() {
    let scratch = Scratch::new();
    let registry = RegistryProcess::start(&scratch.path("registry"));
    let genesis: Genesis = serde_json::from_str(
        &std::fs::read_to_string(scratch.path("registry").join("genesis.json")).unwrap(),
    )
    .unwrap();
    runtime().block_on(async {
        let pinned = RegistryClient::new(registry.url.clone()).pinned(genesis.hash().unwrap());
        let inception = university_inception();
        let did = inception.created_did().unwrap();
        // Before the first block, a DID is proven absent against genesis's empty state.
        let before = pinned.resolve(&did, &ResolutionOptions::latest()).await;
        assert!(matches!(before, Err(ResolutionError::NotFound(_))), "{before:?}");

        let (status, answer) = submit(&registry.url, &Transaction::Did(inception)).await;
        assert_eq!(status, 201, "{answer:#}");
        // The node's Universal Resolver answer and the proven record give the same document.
        let proven = RegistryClient::new(registry.url.clone())
            .pinned(genesis.hash().unwrap())
            .resolve(&did, &ResolutionOptions::latest())
            .await
            .unwrap();
        let served = UniversalResolverClient::new(registry.url.clone())
            .resolve(&did, &ResolutionOptions::latest())
            .await
            .unwrap();
        assert_eq!(proven.document, served.document);
        assert_eq!(proven.metadata.version_id.as_deref(), Some("1"));

        // The header the proof leads to is the chain's latest, signed by its validator.
        let block: Value = reqwest::get(registry.url.join("blocks/latest").unwrap())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let name = sigil_core::state::records::RecordName::Did(did.to_string());
        let mut url = registry.url.join("proofs").unwrap();
        url.query_pairs_mut().append_pair("name", &name.text());
        let answer: sigil_core::state::commit::Proven =
            reqwest::get(url).await.unwrap().json().await.unwrap();
        let commit = answer.commit.as_ref().unwrap();
        assert_eq!(
            commit.header.height,
            block["block"]["header"]["height"].as_u64().unwrap()
        );
        let trust = ChainTrust::new(&genesis).unwrap();
        assert!(trust.check::<Value>(&name, &answer).unwrap().is_some());

        // A client pinned to another chain believes none of it.
        let other = RegistryClient::new(registry.url.clone()).pinned("zQmSomeOtherChain");
        let refused = other.resolve(&did, &ResolutionOptions::latest()).await;
        assert!(
            matches!(refused, Err(ResolutionError::Unavailable(_))),
            "{refused:?}"
        );
    });
}

#[test]
fn a_refused_transaction_is_answered_with_the_rule_that_refused_it() {
    let scratch = Scratch::new();
    let registry = RegistryProcess::start(&scratch.path("registry"));
    runtime().block_on(async {
        let inception = university_inception();
        let did = inception.created_did().unwrap();
        submit(&registry.url, &Transaction::Did(inception.clone())).await;
        // A thief holding only the current controller key tries to rotate.
        let mut rotate = DidOperation::new(
            OperationKind::Rotate,
            parse_datetime("2026-02-01T00:00:00Z").unwrap(),
        );
        rotate.did = Some(did.to_string());
        rotate.prev = Some(inception.hash().unwrap());
        rotate.controller_key = Some(key(66).public_key().to_multikey());
        rotate.next_key_commitment = Some(sigil_registry::ledger::hash::key_commitment(
            &key(67).public_key().to_multikey(),
        ));
        let (status, answer) = submit(&registry.url, &Transaction::Did(rotate.sign(&key(1)).unwrap())).await;
        assert_eq!(status, 422, "{answer:#}");
        assert_eq!(answer["error"]["code"], "wrong_pre_rotation_key");

        let response = reqwest::Client::new()
            .post(registry.url.join("transactions").unwrap())
            .header("content-type", "application/json")
            .body("{\"did\": 5}")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{}", response.status());
    });
}

#[test]
fn verify_chain_names_the_block_whose_row_was_altered() {
    let scratch = Scratch::new();
    let data_dir = scratch.path("registry");
    let registry = RegistryProcess::start(&data_dir);
    runtime().block_on(async {
        for seed in [1u8, 21, 41] {
            let methods = vec![operation::method(
                "key-1",
                &key(seed + 9).public_key(),
                &[Purpose::AssertionMethod],
            )];
            let time = parse_datetime("2026-01-01T00:00:00Z").unwrap();
            let op = operation::create(&key(seed), &key(seed + 1).public_key(), methods, time).unwrap();
            let (status, answer) = submit(&registry.url, &Transaction::Did(op)).await;
            assert_eq!(status, 201, "{answer:#}");
        }
    });
    registry.kill();
    let verify = || {
        run(std::process::Command::new(binary("sigil-registry"))
            .args(["verify-chain", "--data-dir"])
            .arg(&data_dir))
    };
    let out = verify().expect_code(0);
    assert!(out.stdout.starts_with("chain OK: 3 blocks"), "{}", out.stdout);

    runtime().block_on(async {
        use sea_orm::ConnectionTrait as _;
        let url = format!("sqlite://{}", data_dir.join("registry.db").display());
        let db = sea_orm::Database::connect(url).await.unwrap();
        db.execute_unprepared(
            "UPDATE transactions SET body = replace(body, 'key-1', 'key-X') WHERE height = 2",
        )
        .await
        .unwrap();
    });
    let out = verify().expect_code(1);
    assert!(out.stdout.contains("block 2 is invalid"), "{}", out.stdout);
}

#[test]
fn the_explorer_shows_blocks_transactions_and_a_dids_key_timeline_escaping_what_strangers_wrote() {
    let scratch = Scratch::new();
    let registry = RegistryProcess::start(&scratch.path("registry"));
    runtime().block_on(async {
        let inception = university_inception();
        let did = inception.created_did().unwrap();
        submit(&registry.url, &Transaction::Did(inception.clone())).await;
        let mut update = DidOperation::new(
            OperationKind::Update,
            parse_datetime("2026-03-01T00:00:00Z").unwrap(),
        );
        update.did = Some(did.to_string());
        update.prev = Some(inception.hash().unwrap());
        update.services = Some(vec![serde_json::json!({
            "id": "#web", "type": "LinkedDomains", "serviceEndpoint": "<script>alert('xss')</script>"
        })]);
        let (_, receipt) = submit(&registry.url, &Transaction::Did(update.sign(&key(1)).unwrap())).await;

        let page = |path: String| {
            let url = registry.url.join(&path).unwrap();
            async move {
                let response = reqwest::get(url).await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        let (status, front) = page("explorer".into()).await;
        assert_eq!(status, 200);
        assert!(front.contains(r#"<a href="/explorer/blocks/2">2</a>"#), "{front}");

        let (_, block) = page("explorer/blocks/1".into()).await;
        assert!(
            block.contains("DID created") && block.contains(did.as_str()),
            "{block}"
        );

        let (_, transaction) = page(format!(
            "explorer/transactions/{}",
            receipt["txHash"].as_str().unwrap()
        ))
        .await;
        assert!(transaction.contains("DID updated"), "{transaction}");

        let (status, page_of_did) = page(format!("explorer/dids/{did}")).await;
        assert_eq!(status, 200);
        assert!(
            page_of_did.contains("#key-1") && page_of_did.contains("2026-01-01T00:00:00Z"),
            "{page_of_did}"
        );
        assert!(
            !page_of_did.contains("<script>alert"),
            "the service must be escaped: {page_of_did}"
        );

        let (status, _) = page("explorer/blocks/99".into()).await;
        assert_eq!(status, 404);
        let (status, css) = page("static/sigil.css".into()).await;
        assert_eq!(status, 200);
        assert!(css.contains("--accent"));
    });
}
