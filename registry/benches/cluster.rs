//! A chain of three registry nodes in one process, each with its own SQLite file and talking
//! over HTTP on loopback (`consensus::local`): how many DID operations per second it commits
//! (acknowledged only once a majority holds the block and the leader applied it), how long it
//! takes to have a new leader after the leader crashes, and how fast a node that was down
//! catches up.
//!
//! Run with `cargo bench -p sigil-registry --bench cluster` (`SIGIL_BENCH_OPERATIONS=600`
//! for a quicker pass). All three nodes share the machine's cores with the clients.

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    reason = "a benchmark whose setup fails must stop loudly; there is no caller to hand an error to"
)]

/// mimalloc, not glibc's allocator: see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::time::Instant;

mod common;

use sigil_core::key::SigningKey;
use sigil_registry::client::RegistryApi;
use sigil_registry::consensus::ClusterTiming;
use sigil_registry::consensus::local::LocalCluster;
use sigil_registry::ledger::Transaction;
use sigil_registry::node::BlockPolicy;

/// Submissions in flight at once.
const CLIENTS: usize = 256;
/// Leader crashes timed.
const ELECTIONS: usize = 3;

/// Submits `transactions` to node `node` with [`CLIENTS`] in flight; returns the seconds taken.
async fn submit_all(cluster: &LocalCluster, node: usize, transactions: Vec<Transaction>) -> f64 {
    let api = Arc::new(RegistryApi::new(cluster.url(node).expect("a node")));
    let queue = Arc::new(tokio::sync::Mutex::new(transactions));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (api, queue) = (api.clone(), queue.clone());
            tokio::spawn(async move {
                loop {
                    let Some(transaction) = queue.lock().await.pop() else {
                        return;
                    };
                    api.submit(&transaction).await.expect("an acknowledgement");
                }
            })
        })
        .collect();
    for client in clients {
        client.await.expect("a client");
    }
    started.elapsed().as_secs_f64()
}

fn main() {
    let operations: u64 = std::env::var("SIGIL_BENCH_OPERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    println!("Sigil registry cluster benchmark: 3 nodes, {operations} operations per phase");
    let mut next = 0u64;
    let mut batch = |count: u64| {
        let batch: Vec<_> = (next..next + count).map(|n| common::inception(n).1).collect();
        next += count;
        batch
    };
    let first = batch(operations);
    let second = batch(operations);

    let figures = runtime.block_on(async {
        let keys = (0..3).map(|_| SigningKey::generate()).collect();
        let timing = ClusterTiming::default();
        let mut cluster = LocalCluster::start(keys, &SigningKey::generate(), BlockPolicy::default(), timing)
            .await
            .expect("a cluster");
        let mut figures = Vec::new();

        let leader = cluster.leader().await.expect("a leader");
        let seconds = submit_all(&cluster, leader, first).await;
        let (height, _) = cluster.converged().await.expect("one chain");
        let commits = format!(
            "commits: {:.0} operations/s acknowledged ({operations} DID creations from {CLIENTS} clients, {height} blocks, every one applied and signed by all three nodes)",
            operations as f64 / seconds
        );
        println!("  {commits}");
        figures.push(commits);

        let mut elections = Vec::new();
        for _ in 0..ELECTIONS {
            let leader = cluster.leader().await.expect("a leader");
            let crashed = Instant::now();
            cluster.kill(leader).await;
            let killed = crashed.elapsed();
            cluster.leader().await.expect("a new leader");
            println!("    killed in {killed:?}, new leader after {:?}", crashed.elapsed());
            elections.push(crashed.elapsed());
            cluster.restart(leader).await.expect("a restart");
            cluster.converged().await.expect("one chain");
        }
        elections.sort();
        let election = format!(
            "a new leader after the leader crashes: {} ms median of {ELECTIONS} (heartbeat {} ms, election timeout {}–{} ms)",
            elections[ELECTIONS / 2].as_millis(),
            timing.heartbeat.as_millis(),
            timing.election_min.as_millis(),
            timing.election_max.as_millis()
        );
        println!("  {election}");
        figures.push(election);

        let leader = cluster.leader().await.expect("a leader");
        let lagging = (leader + 1) % 3;
        cluster.kill(lagging).await;
        submit_all(&cluster, leader, second).await;
        let (behind, _) = cluster.converged().await.expect("the two agree");
        let restarted = Instant::now();
        cluster.restart(lagging).await.expect("a restart");
        cluster.converged().await.expect("the third caught up");
        let seconds = restarted.elapsed().as_secs_f64();
        let catch_up = format!(
            "catch-up: a node down for {operations} operations rejoins and holds the final tip (height {behind}) after {seconds:.2} s ({:.0} operations/s, replaying its own blocks then taking the rest from the leader)",
            operations as f64 / seconds
        );
        println!("  {catch_up}");
        figures.push(catch_up);
        figures
    });

    let body = format!(
        "Three nodes in one process on two cores, each on its own SQLite file (WAL, synchronous=FULL), Raft over HTTP on loopback, blocks of at most 500 cut every 200 ms.\n\n{}\n",
        figures
            .iter()
            .map(|f| format!("- {f}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let written = sigil_core::benchmarks::record(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        "Registry: three nodes",
        "cargo bench -p sigil-registry --bench cluster",
        &body,
    )
    .expect("BENCHMARKS.md written");
    println!("written to {}", written.display());
}
