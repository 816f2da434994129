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

use std::process::Command;

use serde_json::Value;
use sigil_core::key::SigningKey;
use sigil_core::time::parse_datetime;
use sigil_registry::client::RegistryApi;
use sigil_registry::ledger::Transaction;
use sigil_registry::ledger::operation::{self, Purpose};
use sigil_tests::{RegistryProcess, Scratch, binary, run, wait};

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
    // Each member makes its validator key; the first writes the genesis naming all three, in
    // the order `peers` lists their nodes; the others join it.
    let mut registry = RegistryProcess::start_nodes(&scratch.path("node"), 3);
    let all: Vec<String> = registry
        .node_urls()
        .iter()
        .map(|url| url.as_str().trim_end_matches('/').to_owned())
        .collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let first_leader = runtime.block_on(leader(&all, &all));
    let mut acknowledged = Vec::new();
    runtime.block_on(async {
        for i in 0..6 {
            // Any node takes a submission; followers pass it to the leader.
            let api = RegistryApi::new(format!("{}/", all[i % 3]).parse().unwrap());
            let transaction = fresh_did();
            let receipt = api.submit(&transaction).await.unwrap();
            acknowledged.push((transaction.hash().unwrap(), receipt.height));
        }
    });

    registry.kill_node(first_leader);
    let survivors: Vec<String> = (0..3)
        .filter(|i| *i != first_leader)
        .map(|i| all[i].clone())
        .collect();
    runtime.block_on(async {
        let new_leader = leader(&survivors, &all).await;
        assert_ne!(new_leader, first_leader);
        for round in 0..6 {
            let api = RegistryApi::new(format!("{}/", survivors[round % 2]).parse().unwrap());
            let transaction = fresh_did();
            let receipt = api.submit(&transaction).await.unwrap();
            acknowledged.push((transaction.hash().unwrap(), receipt.height));
        }
    });

    registry.serve_node(first_leader);
    let height = runtime.block_on(converged(&all));
    runtime.block_on(async {
        for url in &all {
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
        let page = reqwest::get(format!("{}/explorer", all[0]))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Leader"), "{page}");
        assert_eq!(page.matches("Follower").count(), 2, "{page}");
    });
    assert!(height >= 12);

    let dirs = registry.node_dirs();
    registry.kill();
    for dir in &dirs {
        run(Command::new(binary("sigil-registry"))
            .args(["verify-chain", "--data-dir"])
            .arg(dir))
        .expect_code(0);
    }
}

/// `sigil-registry ARGS` with the test passphrase, expecting success; its stdout.
fn registry(args: &[&std::ffi::OsStr]) -> String {
    run(Command::new(binary("sigil-registry"))
        .args(args)
        .env("SIGIL_PASSPHRASE", sigil_tests::TEST_PASSPHRASE))
    .expect_code(0)
    .stdout
}

#[test]
fn validators_add_a_fourth_member_with_the_command_line_and_its_node_joins_the_chain() {
    let scratch = Scratch::new();
    let mut consortium = RegistryProcess::start_nodes(&scratch.path("node"), 3);
    let dirs = consortium.node_dirs();
    let first = consortium.node_urls()[0].to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // The new member makes its key and joins the genesis, which does not name it.
    let (fourth, key) = consortium.prepare_node();
    let node = consortium.node_urls()[fourth].to_string();
    let proposal = scratch.path("add-fourth.json");
    let proposal = proposal.as_os_str();
    registry(&[
        "governance".as_ref(),
        "propose".as_ref(),
        "--registry".as_ref(),
        first.as_ref(),
        "--add-validator".as_ref(),
        key.as_ref(),
        "--node".as_ref(),
        node.as_ref(),
        "--out".as_ref(),
        proposal,
    ]);
    // One signature is not a quorum: the registry refuses it.
    let sign = |dir: &std::path::Path| {
        registry(&[
            "governance".as_ref(),
            "sign".as_ref(),
            "--data-dir".as_ref(),
            dir.as_os_str(),
            proposal,
        ])
    };
    sign(&dirs[0]);
    let submit = || {
        run(Command::new(binary("sigil-registry"))
            .args(["governance", "submit", "--registry", &first])
            .arg(proposal))
    };
    let refused = submit().expect_code(1);
    assert!(refused.stderr.contains("governance"), "{}", refused.stderr);
    sign(&dirs[1]);
    submit().expect_code(0);

    // Its node starts with the same peers, learns the change from them, catches up as a
    // learner and then votes.
    consortium.serve_node(fourth);
    let all: Vec<String> = consortium
        .node_urls()
        .iter()
        .map(|url| url.as_str().trim_end_matches('/').to_owned())
        .collect();
    runtime.block_on(async {
        wait::until(|| async {
            let voters = status(&all[0]).await?["voters"].as_array()?.len();
            (voters == 4).then_some(())
        })
        .await
        .unwrap();
        RegistryApi::new(format!("{}/", all[fourth]).parse().unwrap())
            .submit(&fresh_did())
            .await
            .unwrap();
        converged(&all).await;
        let governance: Value = reqwest::get(format!("{}/governance", all[fourth]))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(governance.as_array().map(Vec::len), Some(1));
    });

    let dirs = consortium.node_dirs();
    consortium.kill();
    for dir in &dirs {
        run(Command::new(binary("sigil-registry"))
            .args(["verify-chain", "--data-dir"])
            .arg(dir))
        .expect_code(0);
    }
}
