//! The registry on PostgreSQL, against a real server: the store's behaviour (append, read
//! back, heights, locate, an append that fails changing nothing) on PostgreSQL and, for
//! comparison, on the SQLite file every node uses by default; and a whole node that
//! acknowledges a submission and, restarted on the same database, finds the same tip.
//!
//! The server is the one `SIGIL_TEST_POSTGRES_URL` names (`scripts/test.sh` starts one with
//! `scripts/postgres.sh` and sets it). Each test makes its own database `sigil_test_…` there
//! and drops it after, so the tests run in parallel. Without the variable the tests print that
//! they did not run and pass — except where `CI` is set, where they fail.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::hash::BuildHasher as _;

use sea_orm::ConnectionTrait as _;
use sigil_core::key::SigningKey;
use sigil_core::time::{Timestamp, parse_datetime};
use sigil_registry::chain::{Block, Genesis, Tip, produce};
use sigil_registry::ledger::operation::{self, Purpose};
use sigil_registry::ledger::{LedgerState, Transaction};
use sigil_registry::node::BlockPolicy;
use sigil_registry::replay::replay;
use sigil_registry::service::{self, DataDir, GenesisTemplate};
use sigil_registry::store::{Database, Location, Store, StoreError};

/// The variable naming the test server (a database on it that may create databases).
const SERVER: &str = "SIGIL_TEST_POSTGRES_URL";
const PASSPHRASE: &str = "correct horse battery staple";
/// The seed of the test chain's validator key.
const VALIDATOR: u8 = 90;

/// A database of its own on the test server, dropped (with any connection still open to it)
/// when this is dropped, even if the test failed.
struct TestDatabase {
    server: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// A fresh database for `test`, or `None` (the test then returns) when no server is set
    /// outside CI.
    async fn create(test: &str) -> Option<TestDatabase> {
        let Ok(server) = std::env::var(SERVER) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "{SERVER} is not set, so the PostgreSQL tests cannot run: scripts/test.sh starts \
                 a PostgreSQL server (scripts/postgres.sh) and sets it"
            );
            eprintln!("{test}: not run: {SERVER} is not set (scripts/test.sh starts PostgreSQL)");
            return None;
        };
        // A random name: the hasher's keys are random for each `RandomState`.
        let name = format!("sigil_test_{:016x}", std::hash::RandomState::new().hash_one(test));
        let admin = sea_orm::Database::connect(server.as_str()).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let mut url = url::Url::parse(&server).unwrap();
        url.set_path(&format!("/{name}"));
        Some(TestDatabase {
            server,
            name,
            url: url.into(),
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop cannot await: a runtime of its own, on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let admin = sea_orm::Database::connect(server.as_str()).await.unwrap();
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .unwrap();
                admin.close().await.unwrap();
            });
        })
        .join();
        if dropped.is_err() && !std::thread::panicking() {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_seed(&[seed; 32])
}

fn genesis() -> Genesis {
    Genesis {
        chain_id: "sigil-test".into(),
        time: "2026-01-01T00:00:00Z".into(),
        validators: vec![key(VALIDATOR).public_key().to_multikey()],
        roots_of_trust: vec![key(50).did_key().to_string()],
        root_names: Default::default(),
    }
}

/// An inception of a fresh DID controlled by key `seed`, dated `time`.
fn create(seed: u8, time: Timestamp) -> Transaction {
    let methods = vec![operation::method(
        "key-1",
        &key(seed + 100).public_key(),
        &[Purpose::AssertionMethod],
    )];
    Transaction::Did(operation::create(&key(seed), &key(seed + 1).public_key(), methods, time).unwrap())
}

/// Three signed blocks of two DIDs each, as the node would cut them.
fn three_blocks() -> Vec<Block> {
    let genesis = genesis();
    let mut state = LedgerState::from_genesis(&genesis).unwrap();
    let mut tip = Tip::genesis(&genesis).unwrap();
    let mut blocks = Vec::new();
    for block in 0..3u8 {
        let time = parse_datetime(&format!("2026-01-0{}T00:00:00Z", block + 2)).unwrap();
        let produced = produce(
            &genesis.chain_id,
            &state,
            &tip,
            vec![create(block * 10 + 1, time), create(block * 10 + 5, time)],
            time,
            &key(VALIDATOR),
        )
        .unwrap();
        assert!(produced.refused.is_empty(), "{:?}", produced.refused);
        tip = Tip::after(&produced.block.header).unwrap();
        state = produced.state;
        blocks.push(produced.block);
    }
    blocks
}

/// The databases a store test runs on: an SQLite file (the default a node uses) and the
/// PostgreSQL server's fresh database, if there is a server. Keep the guards alive.
async fn databases(
    test: &str,
) -> (
    tempfile::TempDir,
    Option<TestDatabase>,
    Vec<(&'static str, String)>,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![(
        "SQLite",
        format!("sqlite:{}", dir.path().join("registry.db").display()),
    )];
    let postgres = TestDatabase::create(test).await;
    if let Some(database) = &postgres {
        urls.push(("PostgreSQL", database.url.clone()));
    }
    (dir, postgres, urls)
}

#[tokio::test]
async fn blocks_read_back_as_appended_with_their_heights_and_transaction_locations() {
    let (_dir, postgres, urls) =
        databases("blocks_read_back_as_appended_with_their_heights_and_transaction_locations").await;
    if postgres.is_none() {
        return;
    }
    let blocks = three_blocks();
    for (backend, url) in urls {
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(store.height().await.unwrap(), 0, "{backend}: an empty chain");
        assert_eq!(store.block(1).await.unwrap(), None, "{backend}");

        for block in &blocks {
            store.append(block).await.unwrap();
        }
        assert_eq!(store.height().await.unwrap(), 3, "{backend}");
        for block in &blocks {
            let height = block.header.height;
            assert_eq!(
                store.block(height).await.unwrap().as_ref(),
                Some(block),
                "{backend}: block {height} exactly as signed"
            );
            assert_eq!(
                store.block_hash(height).await.unwrap(),
                Some(block.header.hash().unwrap()),
                "{backend}"
            );
            for (index, tx) in block.transactions.iter().enumerate() {
                assert_eq!(
                    store.locate(&tx.hash().unwrap()).await.unwrap(),
                    Some(Location { height, index }),
                    "{backend}"
                );
            }
        }
        assert_eq!(store.block(4).await.unwrap(), None, "{backend}");
        assert_eq!(store.locate("no-such-hash").await.unwrap(), None, "{backend}");

        // Connecting again runs the migrations again, which finds them done; the chain
        // replays from genesis through every check to the same tip.
        let reopened = Store::connect(&url).await.unwrap();
        let replayed = replay(&reopened, &genesis()).await.unwrap();
        assert_eq!(replayed.tip.height, 3, "{backend}");
        assert_eq!(replayed.tip.hash, blocks[2].header.hash().unwrap(), "{backend}");
    }
}

#[tokio::test]
async fn an_append_that_fails_leaves_neither_its_block_nor_any_of_its_transactions() {
    let (_dir, postgres, urls) =
        databases("an_append_that_fails_leaves_neither_its_block_nor_any_of_its_transactions").await;
    if postgres.is_none() {
        return;
    }
    let blocks = three_blocks();
    for (backend, url) in urls {
        let store = Store::connect(&url).await.unwrap();
        store.append(&blocks[0]).await.unwrap();

        // A second block at a stored height is refused.
        let mut same_height = blocks[1].clone();
        same_height.header.height = 1;
        let error = store.append(&same_height).await.unwrap_err();
        assert!(matches!(error, StoreError::Database(_)), "{backend}: {error}");

        // Block 2 with a new transaction and then one block 1 already holds: its header row
        // and the new transaction are written before the duplicate fails; the database
        // transaction takes them back.
        let mut repeats = blocks[1].clone();
        let fresh = repeats.transactions[0].clone();
        repeats.transactions[1] = blocks[0].transactions[0].clone();
        let error = store.append(&repeats).await.unwrap_err();
        assert!(matches!(error, StoreError::Database(_)), "{backend}: {error}");

        assert_eq!(store.height().await.unwrap(), 1, "{backend}");
        assert_eq!(store.block(2).await.unwrap(), None, "{backend}");
        assert_eq!(
            store.locate(&fresh.hash().unwrap()).await.unwrap(),
            None,
            "{backend}: no transaction of the failed block"
        );
        assert_eq!(
            store.block(1).await.unwrap().as_ref(),
            Some(&blocks[0]),
            "{backend}"
        );
        // And the chain goes on from there.
        store.append(&blocks[1]).await.unwrap();
        assert_eq!(store.height().await.unwrap(), 2, "{backend}");
    }
}

#[tokio::test]
async fn the_tables_hold_heights_as_64_bit_integers_and_json_as_text() {
    let Some(database) =
        TestDatabase::create("the_tables_hold_heights_as_64_bit_integers_and_json_as_text").await
    else {
        return;
    };
    let store = Store::connect(&database.url).await.unwrap();
    store.append(&three_blocks()[0]).await.unwrap();
    drop(store);
    let connection = sea_orm::Database::connect(database.url.as_str()).await.unwrap();
    let rows = connection
        .query_all_raw(sea_orm::Statement::from_string(
            connection.get_database_backend(),
            "SELECT table_name, column_name, data_type FROM information_schema.columns \
             WHERE table_name IN ('blocks', 'transactions') ORDER BY table_name, column_name",
        ))
        .await
        .unwrap();
    let columns: Vec<String> = rows
        .iter()
        .map(|row| {
            let table: String = row.try_get_by_index(0).unwrap();
            let column: String = row.try_get_by_index(1).unwrap();
            let kind: String = row.try_get_by_index(2).unwrap();
            format!("{table}.{column}: {kind}")
        })
        .collect();
    assert_eq!(
        columns,
        [
            "blocks.hash: character varying",
            "blocks.header: text",
            "blocks.height: bigint",
            "transactions.body: text",
            "transactions.hash: character varying",
            "transactions.height: bigint",
            "transactions.position: integer",
        ]
    );
    connection.close().await.unwrap();
}

#[tokio::test]
async fn a_node_on_postgresql_acknowledges_a_submission_and_restarts_at_the_same_tip() {
    let Some(database) =
        TestDatabase::create("a_node_on_postgresql_acknowledges_a_submission_and_restarts_at_the_same_tip")
            .await
    else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let data = DataDir(scratch.path().join("registry"));
    service::init(&data, GenesisTemplate::default(), None, PASSPHRASE).unwrap();
    let postgres = Database::parse(&database.url).unwrap();
    assert!(postgres.is_postgres());

    let node = service::start_node_on(&data, &postgres, PASSPHRASE, BlockPolicy::default())
        .await
        .unwrap();
    let transaction = create(7, sigil_core::time::now());
    let hash = transaction.hash().unwrap();
    let receipt = node.submit(transaction).await.unwrap();
    assert_eq!((receipt.height, receipt.index), (1, 0));
    assert_eq!(receipt.tx_hash, hash);
    let tip = node.view().await.tip;
    assert_eq!(tip.height, 1);
    assert_eq!(Some(&receipt.header), tip.header.as_ref());
    assert!(
        !data.database().exists(),
        "nothing was written to the SQLite file"
    );

    // A restart: the chain is replayed from PostgreSQL.
    let restarted = service::start_node_on(&data, &postgres, PASSPHRASE, BlockPolicy::default())
        .await
        .unwrap();
    assert_eq!(restarted.view().await.tip, tip);
    assert_eq!(
        restarted.store().locate(&hash).await.unwrap(),
        Some(Location { height: 1, index: 0 })
    );
}
