//! Three `sigil-registry` processes form one chain the way a consortium sets one up
//! (docs/consensus.md): each member makes a validator key, one writes the genesis, the others
//! join it, and every node is served with the same `peers`. The leader is SIGKILLed while a
//! client submits; the others go on, the killed node restarts from its files and catches up,
//! and `verify-chain` passes on every node.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use serde_json::Value;
use sigil_core::key::SigningKey;
use sigil_core::time::parse_datetime;
use sigil_registry::client::RegistryApi;
use sigil_registry::ledger::Transaction;
use sigil_registry::ledger::operation::{self, Purpose};
use sigil_tests::{Scratch, TEST_PASSPHRASE, binary, run, spawn_service, wait};

fn registry(args: &[&str], data_dir: &Path) -> String {
    let outcome = run(Command::new(binary("sigil-registry"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE));
    outcome.expect_code(0).stdout
}

fn fresh_did() -> Transaction {
    let (controller, next, signing) = (
        SigningKey::generate(),
        SigningKey::generate(),
        SigningKey::generate(),
    );
    let methods = vec![operation::method(
        "key-1",
        &signing.public_key(),
        &[Purpose::AssertionMethod],
    )];
    let time = parse_datetime("2026-01-02T00:00:00Z").unwrap();
    Transaction::Did(operation::create(&controller, &next.public_key(), methods, time).unwrap())
}

/// Free loopback ports for the nodes (each is bound again by its node at once).
fn ports(n: usize) -> Vec<u16> {
    let listeners: Vec<_> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    listeners.iter().map(|l| l.local_addr().unwrap().port()).collect()
}

struct Consortium {
    dirs: Vec<PathBuf>,
    urls: Vec<String>,
    children: Vec<Option<Child>>,
}

impl Consortium {
    fn serve(&mut self, i: usize) {
        let listen = self.urls[i].trim_start_matches("http://").to_owned();
        let (child, _) = spawn_service(
            "sigil-registry",
            Command::new(binary("sigil-registry"))
                .args([
                    "serve",
                    "--block-interval-ms",
                    "20",
                    "--listen",
                    &listen,
                    "--peers",
                ])
                .arg(self.urls.join(","))
                .arg("--data-dir")
                .arg(&self.dirs[i])
                .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE),
        );
        self.children[i] = Some(child);
    }

    fn kill(&mut self, i: usize) {
        let mut child = self.children[i].take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for Consortium {
    fn drop(&mut self) {
        for child in self.children.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn status(url: &str) -> Option<Value> {
    let response = reqwest::get(format!("{url}/consensus/status")).await.ok()?;
    response.json().await.ok()
}

/// The node all live nodes (`live`, of `all`) follow, once they agree and it is one of them.
async fn leader(live: &[String], all: &[String]) -> usize {
    wait::until(|| async {
        let mut leaders = Vec::new();
        for url in live {
            leaders.push(status(url).await?["leader"].as_u64()?);
        }
        leaders.dedup();
        let [leader] = leaders[..] else {
            return None;
        };
        let leader = usize::try_from(leader).ok()?;
        let url = all.get(leader).filter(|url| live.contains(url))?;
        (status(url).await?["role"] == "Leader").then_some(leader)
    })
    .await
    .unwrap()
}

/// The height every live node has applied and holds final, once they agree.
async fn converged(urls: &[String]) -> u64 {
    wait::until(|| async {
        let mut heights = Vec::new();
        for url in urls {
            let status = status(url).await?;
            let (height, final_height) = (status["height"].as_u64()?, status["finalHeight"].as_u64()?);
            if height != final_height {
                return None;
            }
            heights.push(height);
        }
        heights.dedup();
        (heights.len() == 1).then(|| heights[0])
    })
    .await
    .unwrap()
}

#[test]
fn a_three_process_chain_survives_its_leader_s_sigkill_and_every_node_verifies() {
    let scratch = Scratch::new();
    let dirs: Vec<_> = (0..3).map(|i| scratch.path(&format!("node-{i}"))).collect();
    // Each member makes its validator key; the first writes the genesis naming all three, in
    // the order `peers` lists their nodes; the others join it.
    let keys: Vec<_> = dirs
        .iter()
        .map(|dir| registry(&["validator-key"], dir).trim().to_owned())
        .collect();
    let template = scratch.write(
        "consortium.json",
        &serde_json::json!({"chainId": "sigil-consortium-test", "validators": keys}).to_string(),
    );
    run(Command::new(binary("sigil-registry"))
        .args(["init", "--genesis"])
        .arg(&template)
        .arg("--data-dir")
        .arg(&dirs[0])
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE))
    .expect_code(0);
    let genesis = dirs[0].join("genesis.json");
    for dir in &dirs[1..] {
        run(Command::new(binary("sigil-registry"))
            .args(["join", "--genesis"])
            .arg(&genesis)
            .arg("--data-dir")
            .arg(dir)
            .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE))
        .expect_code(0);
    }
    let urls = ports(3)
        .into_iter()
        .map(|port| format!("http://127.0.0.1:{port}"))
        .collect();
    let mut consortium = Consortium {
        dirs,
        urls,
        children: (0..3).map(|_| None).collect(),
    };
    for i in 0..3 {
        consortium.serve(i);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let all = consortium.urls.clone();
    let first_leader = runtime.block_on(leader(&all, &all));
    let mut acknowledged = Vec::new();
    runtime.block_on(async {
        for i in 0..6 {
            // Any node takes a submission; followers pass it to the leader.
            let api = RegistryApi::new(format!("{}/", consortium.urls[i % 3]).parse().unwrap());
            let transaction = fresh_did();
            let receipt = api.submit(&transaction).await.unwrap();
            acknowledged.push((transaction.hash().unwrap(), receipt.height));
        }
    });

    consortium.kill(first_leader);
    let survivors: Vec<usize> = (0..3).filter(|i| *i != first_leader).collect();
    let survivor_urls: Vec<String> = survivors.iter().map(|i| consortium.urls[*i].clone()).collect();
    runtime.block_on(async {
        let new_leader = leader(&survivor_urls, &all).await;
        assert_ne!(new_leader, first_leader);
        for round in 0..6 {
            let api = RegistryApi::new(format!("{}/", survivor_urls[round % 2]).parse().unwrap());
            // The survivors may still be settling who leads: a refusal is not an acknowledgement.
            let transaction = fresh_did();
            let receipt = wait::until(|| async { api.submit(&transaction).await.ok() })
                .await
                .unwrap();
            acknowledged.push((transaction.hash().unwrap(), receipt.height));
        }
    });

    consortium.serve(first_leader);
    let height = runtime.block_on(converged(&all));
    runtime.block_on(async {
        for url in &consortium.urls {
            for (hash, height) in &acknowledged {
                let answer: Value = reqwest::get(format!("{url}/transactions/{hash}"))
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(
                    answer["receipt"]["height"].as_u64(),
                    Some(*height),
                    "{url} lost {hash}"
                );
            }
        }
        // The explorer shows every node's view.
        let page = reqwest::get(format!("{}/explorer", consortium.urls[0]))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Leader"), "{page}");
        assert_eq!(page.matches("Follower").count(), 2, "{page}");
    });
    assert!(height >= 12);

    for i in 0..3 {
        consortium.kill(i);
    }
    for dir in &consortium.dirs {
        run(Command::new(binary("sigil-registry"))
            .args(["verify-chain", "--data-dir"])
            .arg(dir))
        .expect_code(0);
    }
}
