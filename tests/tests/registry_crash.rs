//! Crash safety: the registry is SIGKILLed while clients submit DID operations. After a
//! restart every acknowledged operation is on the chain and `verify-chain` passes.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sigil_core::key::SigningKey;
use sigil_core::time::parse_datetime;
use sigil_registry::ledger::Transaction;
use sigil_registry::ledger::operation::{self, Purpose};
use sigil_tests::{RegistryProcess, Scratch, binary, run};

/// How many operations the clients try to submit.
const SUBMISSIONS: usize = 300;
/// How many acknowledgements to wait for before pulling the plug.
const KILL_AFTER: usize = 40;
/// How many submissions are in flight at once: few enough that the blocks keep coming while
/// the process is killed, so some submissions are acknowledged and some are not.
const IN_FLIGHT: usize = 8;

fn create(n: usize) -> Transaction {
    let seed = |offset: usize| {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&(n as u64).to_le_bytes());
        seed[8] = offset as u8;
        SigningKey::from_seed(&seed)
    };
    let methods = vec![operation::method(
        "key-1",
        &seed(2).public_key(),
        &[Purpose::AssertionMethod],
    )];
    let time = parse_datetime("2026-01-01T00:00:00Z").unwrap();
    Transaction::Did(operation::create(&seed(0), &seed(1).public_key(), methods, time).unwrap())
}

#[test]
fn every_acknowledged_operation_survives_a_sigkill() {
    let scratch = Scratch::new();
    let data_dir = scratch.path("registry");
    let registry = RegistryProcess::start(&data_dir);
    let url = registry.url.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let acknowledged = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let acks = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
        let mut clients = tokio::task::JoinSet::new();
        for n in 0..SUBMISSIONS {
            let (client, url, acks, in_flight) =
                (client.clone(), url.clone(), acks.clone(), in_flight.clone());
            clients.spawn(async move {
                let _permit = in_flight.acquire().await.ok()?;
                let transaction = create(n);
                let response = client
                    .post(url.join("transactions").ok()?)
                    .json(&transaction)
                    .send()
                    .await
                    .ok()?;
                if response.status().as_u16() != 201 {
                    return None;
                }
                acks.fetch_add(1, Ordering::SeqCst);
                Some(transaction.hash().unwrap())
            });
        }
        let acks = &acks;
        sigil_tests::wait::until(|| async move { (acks.load(Ordering::SeqCst) >= KILL_AFTER).then_some(()) })
            .await;
        registry.kill();
        let mut acknowledged = Vec::new();
        while let Some(result) = clients.join_next().await {
            acknowledged.extend(result.unwrap());
        }
        acknowledged
    });
    assert!(
        acknowledged.len() >= KILL_AFTER,
        "only {} acknowledged",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() < SUBMISSIONS,
        "the kill came after every submission; nothing was tested"
    );

    let registry = RegistryProcess::start(&data_dir);
    runtime.block_on(async {
        for hash in &acknowledged {
            let response = reqwest::get(registry.url.join(&format!("transactions/{hash}")).unwrap())
                .await
                .unwrap();
            assert_eq!(
                response.status().as_u16(),
                200,
                "acknowledged transaction {hash} is missing"
            );
        }
    });
    registry.kill();
    let out = run(std::process::Command::new(binary("sigil-registry"))
        .args(["verify-chain", "--data-dir"])
        .arg(&data_dir))
    .expect_code(0);
    assert!(out.stdout.starts_with("chain OK"), "{}", out.stdout);
}
