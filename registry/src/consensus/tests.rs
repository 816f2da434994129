//! Clusters of real nodes in one process, each with its own SQLite file and HTTP server on
//! loopback, talking over HTTP as they would across machines. Crashes stop a node's Raft and
//! server; partitions cut its links; every wait is on a condition, with a deadline.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openraft::ServerState;
use sigil_core::key::SigningKey;
use sigil_core::state::commit::{ChainTrust, Proven};
use sigil_core::state::records::RecordName;
use sigil_core::transaction::governance::{Governance, GovernanceChange};

use super::ClusterTiming;
use super::local::{self, LocalCluster};
use crate::client::RegistryApi;
use crate::fixtures::key;
use crate::ledger::Transaction;
use crate::ledger::operation::{self, Purpose};
use crate::node::BlockPolicy;
use crate::replay::replay;
use crate::store::Store;

/// Fast enough for tests, slow enough that two busy cores do not trigger elections.
const TIMING: ClusterTiming = ClusterTiming {
    heartbeat: Duration::from_millis(100),
    election_min: Duration::from_millis(600),
    election_max: Duration::from_millis(1_200),
};
/// Longest any condition is waited for.
const DEADLINE: Duration = Duration::from_secs(30);

/// A cluster of `n` nodes with fixed validator keys, cutting blocks often.
async fn start(n: u8) -> LocalCluster {
    start_with(n, BlockPolicy::default().snapshot_every).await
}

/// Like [`start`], each node snapshotting its state every `snapshot_every` blocks.
async fn start_with(n: u8, snapshot_every: u64) -> LocalCluster {
    let policy = BlockPolicy {
        interval: Duration::from_millis(50),
        max_transactions: 100,
        snapshot_every,
    };
    let keys = (0..n).map(|i| key(120 + i)).collect();
    LocalCluster::start(keys, &key(crate::fixtures::ROOT_OF_TRUST), policy, TIMING)
        .await
        .unwrap()
}

/// Polls `condition` until it gives a value; fails the test after [`DEADLINE`].
async fn eventually<T, F, Fut>(what: &str, condition: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    local::eventually(what, DEADLINE, condition).await.unwrap()
}

/// An inception of a fresh DID under random keys.
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
    let time = sigil_core::time::parse_datetime("2026-01-02T00:00:00Z").unwrap();
    Transaction::Did(operation::create(&controller, &next.public_key(), methods, time).unwrap())
}

/// Checks that every node's stored chain replays from genesis — `verify-chain` on each — to
/// one tip they all agree on, a chain on which `tip` (where they agreed before) still stands.
///
/// The agreed tip may have moved on since: a submission still in flight when a test's load
/// stopped is cut into a later block. So the check waits for a tip that every replay reaches
/// (two replays that stop at the same height with different hashes fail at once).
async fn every_chain_replays(harness: &LocalCluster, tip: &(u64, String)) {
    eventually("every chain replays to the tip the nodes agree on", || async {
        let agreed = harness.converged().await.ok()?;
        let mut replayed_to = Vec::new();
        for i in harness.alive() {
            let replayed = replay(harness.node(i)?.store(), &harness.genesis).await.unwrap();
            replayed_to.push((i, replayed.tip.height, replayed.tip.hash));
        }
        for (i, height, hash) in &replayed_to {
            if *height == agreed.0 {
                assert_eq!(hash, &agreed.1, "node {i} replays to another block at {height}");
            }
        }
        replayed_to
            .iter()
            .all(|(_, height, _)| *height == agreed.0)
            .then_some(())
    })
    .await;
    for i in harness.alive() {
        let hash = harness.node(i).unwrap().store().block_hash(tip.0).await.unwrap();
        assert_eq!(
            hash.as_ref(),
            Some(&tip.1),
            "node {i} no longer holds the tip at {}",
            tip.0
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_order_one_chain_whose_headers_a_quorum_signs() {
    let harness = start(3).await;
    let leader = harness.leader().await.unwrap();
    let mut submitted = Vec::new();
    for round in 0..6 {
        // To followers too: they pass submissions to the leader.
        let api = RegistryApi::new(harness.url(round % 3).unwrap());
        let transaction = fresh_did();
        let receipt = api.submit(&transaction).await.unwrap();
        submitted.push((transaction.hash().unwrap(), receipt.height));
    }
    let tip = harness.converged().await.unwrap();
    every_chain_replays(&harness, &tip).await;
    let trust = ChainTrust::new(&harness.genesis).unwrap();
    for i in 0..3 {
        for (hash, height) in &submitted {
            let location = harness
                .node(i)
                .unwrap()
                .store()
                .locate(hash)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                location.height, *height,
                "node {i} holds the block the receipt named"
            );
        }
        // Each node's answer carries a header that a quorum of validators signed.
        let did = harness
            .node(leader)
            .unwrap()
            .view()
            .await
            .state
            .dids
            .keys()
            .next()
            .unwrap()
            .clone();
        let name = RecordName::Did(did.to_string());
        let answer: Proven = reqwest::get(format!("{}proofs?name={}", harness.url(i).unwrap(), name.text()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let commit = answer.commit.clone().unwrap();
        assert!(
            commit.signatures.len() >= 2,
            "node {i}: {} signatures",
            commit.signatures.len()
        );
        trust.check_commit(&commit).unwrap();
        assert!(
            trust
                .check::<serde_json::Value>(&name, &answer)
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_leader_under_load_loses_no_acknowledged_transaction_and_a_new_one_leads() {
    let mut harness = start(3).await;
    let old_leader = harness.leader().await.unwrap();
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let urls: Vec<_> = (0..3).map(|i| harness.url(i).unwrap()).collect();
    let stop = Arc::new(tokio::sync::Notify::new());
    let load = {
        let acknowledged = acknowledged.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut round = 0usize;
            loop {
                let api = RegistryApi::new(urls[round % urls.len()].clone());
                round += 1;
                let transaction = fresh_did();
                tokio::select! {
                    answer = api.submit(&transaction) => {
                        if let Ok(receipt) = answer {
                            acknowledged.lock().unwrap().push((transaction.hash().unwrap(), receipt.height));
                        }
                    }
                    () = stop.notified() => return,
                }
            }
        })
    };
    let count = || acknowledged.lock().unwrap().len();
    eventually("acknowledgements before the crash", || async {
        (count() >= 10).then_some(())
    })
    .await;
    let before_crash = count();
    let killed_at = Instant::now();
    harness.kill(old_leader).await;
    let new_leader = harness.leader().await.unwrap();
    let election = killed_at.elapsed();
    assert_ne!(new_leader, old_leader);
    assert!(
        election < Duration::from_secs(10),
        "a new leader after {election:?}"
    );
    eventually("acknowledgements after the crash", || async {
        (count() >= before_crash + 10).then_some(())
    })
    .await;
    stop.notify_one();
    load.await.unwrap();

    let tip = harness.converged().await.unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    for i in harness.alive() {
        for (hash, height) in &acknowledged {
            let location = harness.node(i).unwrap().store().locate(hash).await.unwrap();
            assert_eq!(location.map(|l| l.height), Some(*height), "node {i} lost {hash}");
        }
    }
    every_chain_replays(&harness, &tip).await;

    // The crashed node comes back from its file and catches up.
    harness.restart(old_leader).await.unwrap();
    let tip = harness.converged().await.unwrap();
    every_chain_replays(&harness, &tip).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_isolated_leader_cannot_commit_and_converges_once_healed() {
    let harness = start(3).await;
    let isolated = harness.leader().await.unwrap();
    let others: Vec<_> = (0..3).filter(|i| *i != isolated).collect();
    let cluster = harness.node(isolated).unwrap().cluster().unwrap();
    cluster
        .links()
        .cut(others.iter().map(|i| u64::try_from(*i).unwrap()));

    // The isolated node cannot get a block committed.
    let stranded = {
        let api = RegistryApi::new(harness.url(isolated).unwrap());
        let transaction = fresh_did();
        tokio::spawn(async move {
            let answer = api.submit(&transaction).await;
            (transaction.hash().unwrap(), answer)
        })
    };
    // The majority elects a leader of its own and goes on.
    let majority_leader = eventually("a leader among the majority", || async {
        others
            .iter()
            .copied()
            .find(|i| harness.node(*i).unwrap().cluster().unwrap().is_leader())
    })
    .await;
    let receipt = RegistryApi::new(harness.url(majority_leader).unwrap())
        .submit(&fresh_did())
        .await
        .unwrap();
    assert!(harness.node(isolated).unwrap().view().await.tip.height < receipt.height);
    // It may have refused already (it could not confirm it leads); it acknowledged nothing.
    let stranded = if stranded.is_finished() {
        let (_, answer) = stranded.await.unwrap();
        assert!(
            answer.is_err(),
            "the isolated node acknowledged what it could not commit"
        );
        None
    } else {
        Some(stranded)
    };

    cluster.links().heal();
    // Once healed, the submission the isolated node could not commit may be made again and
    // committed by the leader: then, and only then, is it acknowledged.
    let stranded = match stranded {
        Some(stranded) => Some(stranded.await.unwrap()),
        None => None,
    };
    let tip = harness.converged().await.unwrap();
    if let Some((hash, Ok(receipt))) = stranded {
        let location = harness
            .node(majority_leader)
            .unwrap()
            .store()
            .locate(&hash)
            .await
            .unwrap();
        assert_eq!(location.map(|l| l.height), Some(receipt.height));
    }
    assert_eq!(
        harness
            .node(isolated)
            .unwrap()
            .cluster()
            .unwrap()
            .raft()
            .metrics()
            .borrow()
            .state,
        ServerState::Follower
    );
    every_chain_replays(&harness, &tip).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_nodes_go_on_with_two_down_and_the_two_catch_up() {
    let mut harness = start(5).await;
    let leader = harness.leader().await.unwrap();
    let followers: Vec<_> = (0..5).filter(|i| *i != leader).collect();
    RegistryApi::new(harness.url(leader).unwrap())
        .submit(&fresh_did())
        .await
        .unwrap();
    harness.kill(followers[0]).await;
    harness.kill(followers[1]).await;
    for _ in 0..3 {
        let leader = harness.leader().await.unwrap();
        RegistryApi::new(harness.url(leader).unwrap())
            .submit(&fresh_did())
            .await
            .unwrap();
    }
    let tip = harness.converged().await.unwrap();
    harness.restart(followers[0]).await.unwrap();
    harness.restart(followers[1]).await.unwrap();
    let caught_up = harness.converged().await.unwrap();
    assert_eq!(caught_up, tip);
    every_chain_replays(&harness, &tip).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consensus_request_not_signed_by_a_validator_is_refused() {
    let harness = start(3).await;
    let _ = harness.leader().await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}consensus/vote", harness.url(0).unwrap());
    let unsigned = client.post(&url).body("{}").send().await.unwrap();
    assert_eq!(unsigned.status(), 403);
    let stranger = super::peer_auth::PeerAuth::new("sigil-cluster-test", 1, SigningKey::generate(), vec![]);
    let now = sigil_core::time::now().timestamp();
    let mut forged = client.post(&url).body("{}");
    for (name, value) in stranger.sign(0, "/consensus/vote", b"{}", now) {
        forged = forged.header(name, value);
    }
    assert_eq!(forged.send().await.unwrap().status(), 403);
}

/// Builds a fresh log store and state machine on an in-memory store, for openraft's suite.
struct SuiteBuilder;

impl
    openraft::testing::StoreBuilder<
        super::TypeConfig,
        super::log_store::LogStore,
        super::state_machine::StateMachine,
    > for SuiteBuilder
{
    async fn build(
        &self,
    ) -> Result<((), super::log_store::LogStore, super::state_machine::StateMachine), super::StorageError>
    {
        let store = Store::in_memory().await.unwrap();
        let genesis = crate::fixtures::genesis();
        let view = crate::node::ChainView {
            state: crate::ledger::LedgerState::from_genesis(&genesis).unwrap(),
            tip: crate::chain::Tip::genesis(&genesis).unwrap(),
        };
        let chain = crate::node::SharedChain::new(view, Vec::new());
        let state_machine = super::state_machine::StateMachine::open(
            Arc::new(genesis),
            key(crate::fixtures::VALIDATOR),
            store.clone(),
            chain,
            Arc::new(tokio::sync::Notify::new()),
            super::state_machine::OwnBlock::default(),
        )
        .await
        .unwrap();
        Ok(((), super::log_store::LogStore::new(store), state_machine))
    }
}

#[test]
fn openraft_s_storage_suite_passes_on_the_node_s_log_store_and_state_machine() {
    openraft::testing::Suite::test_all(SuiteBuilder).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_of_a_node_that_dies_goes_on_with_its_peers_and_still_checks_every_answer() {
    let mut harness = start(3).await;
    let leader = harness.leader().await.unwrap();
    let client = sigil_core::registry::RegistryClient::new(harness.url(leader).unwrap())
        .pinned(harness.genesis.hash().unwrap());
    let first = fresh_did();
    client.submit(&first).await.unwrap();

    // The node the client was configured with dies; it learnt the others from it.
    harness.kill(leader).await;
    let second = fresh_did();
    let receipt = client.submit(&second).await.unwrap();
    assert!(receipt.height > 1);
    let did = match &second {
        Transaction::Did(operation) => operation.created_did().ok(),
        _ => None,
    }
    .unwrap();
    let record: Option<sigil_core::state::records::DidRecord> =
        eventually("a final header with the DID", || async {
            client
                .proven_now(&RecordName::Did(did.to_string()))
                .await
                .ok()
                .flatten()
                .map(Some)
        })
        .await;
    assert!(record.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validator_that_signs_two_headers_at_one_height_is_recorded_and_shown() {
    let harness = start(3).await;
    let leader = harness.leader().await.unwrap();
    RegistryApi::new(harness.url(leader).unwrap())
        .submit(&fresh_did())
        .await
        .unwrap();
    let (height, _) = harness.converged().await.unwrap();
    let watcher = harness.node((leader + 1) % 3).unwrap();

    // The leader's key also signs another header at that height, which a peer serves.
    let mut other = watcher.store().block(height).await.unwrap().unwrap().header;
    other.time = "2026-12-31T00:00:00Z".into();
    let leader_key = key(120 + u8::try_from(leader).unwrap());
    let signature = sigil_core::state::commit::ValidatorSignature::sign(&other, &leader_key).unwrap();
    let served =
        serde_json::json!({"hash": other.hash().unwrap(), "block": {"header": other, "transactions": []}});
    let peer = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let peer_url = format!("http://{}", peer.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/blocks/{height}",
        axum::routing::get(move || async move { axum::Json(served) }),
    );
    tokio::spawn(async move { axum::serve(peer, app).await });

    let cluster = watcher.cluster().unwrap();
    let http = reqwest::Client::new();
    // A signature over this node's own header is no evidence of anything.
    let honest = sigil_core::state::commit::ValidatorSignature::sign(
        &watcher.store().block(height).await.unwrap().unwrap().header,
        &leader_key,
    )
    .unwrap();
    cluster
        .look_for_equivocation(&http, &peer_url, height, vec![honest])
        .await;
    assert!(watcher.store().equivocations(10).await.unwrap().is_empty());

    cluster
        .look_for_equivocation(&http, &peer_url, height, vec![signature])
        .await;
    let kept = watcher.store().equivocations(10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].0.validator, leader_key.public_key().to_multikey());
    let page = reqwest::get(format!("{}explorer", harness.url((leader + 1) % 3).unwrap()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Equivocation evidence"), "{page}");
}

/// A governance change `change`, the chain's `sequence`th, signed by the validators `signers`.
fn governance(
    harness: &LocalCluster,
    sequence: u64,
    change: GovernanceChange,
    signers: &[&SigningKey],
) -> Transaction {
    let now = sigil_core::time::format_datetime(sigil_core::time::now());
    let mut proposal = Governance::propose(&harness.genesis.chain_id, sequence, change, now);
    for signer in signers {
        proposal.sign(signer).unwrap();
    }
    Transaction::Governance(proposal)
}

/// The voters of node `i`'s Raft membership.
fn voters(harness: &LocalCluster, i: usize) -> Vec<u64> {
    let cluster = harness.node(i).unwrap().cluster().unwrap();
    let metrics = cluster.raft().metrics().borrow().clone();
    metrics.membership_config.membership().voter_ids().collect()
}

/// Waits until the leader's Raft membership, as `read` reads it, is `expected`.
async fn leader_sees(
    harness: &LocalCluster,
    what: &str,
    read: fn(&LocalCluster, usize) -> Vec<u64>,
    expected: &[u64],
) {
    eventually(what, || async {
        let leader = harness.leader().await.ok()?;
        (read(harness, leader) == expected).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn governance_adds_a_validator_whose_node_joins_and_removes_others_and_clients_follow() {
    let mut harness = start(3).await;
    let leader = harness.leader().await.unwrap();
    let api = |harness: &LocalCluster, i: usize| RegistryApi::new(harness.url(i).unwrap());
    api(&harness, leader).submit(&fresh_did()).await.unwrap();
    let (a, b, c, d) = (key(120), key(121), key(122), key(123));

    // One validator alone cannot change the set.
    let newcomer = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let add = GovernanceChange::AddValidator {
        validator: d.public_key().to_multikey(),
        node: format!("http://{}", newcomer.local_addr().unwrap()),
    };
    let alone = governance(&harness, 1, add.clone(), &[&a]);
    let refused = api(&harness, leader).submit(&alone).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("governance")));

    // Two of three add a fourth; its node starts, learns the change from its peers, is added
    // as a learner and then votes.
    api(&harness, leader)
        .submit(&governance(&harness, 1, add, &[&a, &b]))
        .await
        .unwrap();
    let joined = harness.join(d.clone(), newcomer).await.unwrap();
    assert_eq!(joined, 3);
    leader_sees(&harness, "the new validator's node votes", voters, &[0, 1, 2, 3]).await;
    let leader = harness.leader().await.unwrap();
    api(&harness, leader).submit(&fresh_did()).await.unwrap();
    let (height, _) = harness.converged().await.unwrap();
    let signers = harness
        .node(3)
        .unwrap()
        .finalized()
        .unwrap()
        .commit
        .signatures
        .len();
    assert!(signers >= 3, "a quorum of four signed block {height}: {signers}");

    // The set shrinks to the two newest: each change signed by a quorum of the set before it.
    let remove = |who: &SigningKey| GovernanceChange::RemoveValidator {
        validator: who.public_key().to_multikey(),
    };
    let leader = harness.leader().await.unwrap();
    api(&harness, leader)
        .submit(&governance(&harness, 2, remove(&a), &[&b, &c, &d]))
        .await
        .unwrap();
    leader_sees(&harness, "the first validator's node leaves", voters, &[1, 2, 3]).await;
    harness.kill(0).await;
    let leader = harness.leader().await.unwrap();
    api(&harness, leader)
        .submit(&governance(&harness, 3, remove(&b), &[&c, &d]))
        .await
        .unwrap();
    leader_sees(&harness, "the second validator's node leaves", voters, &[2, 3]).await;
    harness.kill(1).await;
    let leader = harness.leader().await.unwrap();
    let created = fresh_did();
    api(&harness, leader).submit(&created).await.unwrap();
    harness.converged().await.unwrap();

    // A client that trusts only genesis meets headers its validators no longer sign, follows
    // the three changes from genesis, and reads a proven answer.
    let did = match &created {
        Transaction::Did(operation) => operation.created_did().ok(),
        _ => None,
    }
    .unwrap()
    .to_string();
    let client = sigil_core::registry::RegistryClient::new(harness.url(2).unwrap())
        .with_trust(ChainTrust::new(&harness.genesis).unwrap());
    let record: Option<serde_json::Value> = client.proven(&RecordName::Did(did)).await.unwrap();
    assert!(record.is_some());
    assert_eq!(client.trust().await.unwrap().changes(), 3);
    let (_, hash) = harness.converged().await.unwrap();
    let tip = (harness.node(2).unwrap().view().await.tip.height, hash);
    every_chain_replays(&harness, &tip).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_restarts_from_its_state_snapshot_and_the_blocks_after_it_then_catches_up() {
    use sea_orm::ConnectionTrait as _;

    let mut harness = start_with(3, 2).await;
    let leader = harness.leader().await.unwrap();
    let follower = (leader + 1) % 3;
    for _ in 0..4 {
        RegistryApi::new(harness.url(leader).unwrap())
            .submit(&fresh_did())
            .await
            .unwrap();
    }
    harness.converged().await.unwrap();
    let store = harness.node(follower).unwrap().store().clone();
    let snapshot = eventually("the follower's state snapshot", || async {
        store
            .state_snapshot_height()
            .await
            .ok()
            .flatten()
            .filter(|h| *h >= 2)
    })
    .await;
    harness.kill(follower).await;
    // Block 1 becomes unreadable in the follower's store: a restart that replayed from
    // genesis would stop there; one from the snapshot never reads it.
    assert!(snapshot > 1);
    store
        .connection()
        .execute_unprepared("UPDATE transactions SET body = 'damaged' WHERE height = 1")
        .await
        .unwrap();
    for _ in 0..3 {
        RegistryApi::new(harness.url(leader).unwrap())
            .submit(&fresh_did())
            .await
            .unwrap();
    }
    harness.restart(follower).await.unwrap();
    let (height, hash) = harness.converged().await.unwrap();
    let view = harness.node(follower).unwrap().view().await;
    assert_eq!((view.tip.height, view.tip.hash), (height, hash));
    assert!(matches!(
        replay(&store, &harness.genesis).await,
        Err(crate::replay::ReplayError::BadBlock { height: 1, .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_validator_s_node_joins_from_a_snapshot_and_the_log_tail_once_the_leader_purged_its_log() {
    let mut harness = start(3).await;
    let leader = harness.leader().await.unwrap();
    let api = |harness: &LocalCluster, i: usize| RegistryApi::new(harness.url(i).unwrap());
    for _ in 0..4 {
        api(&harness, leader).submit(&fresh_did()).await.unwrap();
    }
    harness.converged().await.unwrap();
    // The leader snapshots and purges its log: a node that has nothing must take the snapshot.
    let raft = harness.node(leader).unwrap().cluster().unwrap().raft().clone();
    raft.trigger().snapshot().await.unwrap();
    let covered = eventually("the leader's snapshot", || async {
        raft.metrics().borrow().snapshot.map(|log_id| log_id.index)
    })
    .await;
    raft.trigger().purge_log(covered).await.unwrap();
    eventually("the leader's purged log", || async {
        raft.metrics()
            .borrow()
            .purged
            .filter(|purged| purged.index >= covered)
            .map(|_| ())
    })
    .await;

    let newcomer = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let add = GovernanceChange::AddValidator {
        validator: key(123).public_key().to_multikey(),
        node: format!("http://{}", newcomer.local_addr().unwrap()),
    };
    api(&harness, leader)
        .submit(&governance(&harness, 1, add, &[&key(120), &key(121)]))
        .await
        .unwrap();
    let joined = harness.join(key(123), newcomer).await.unwrap();
    leader_sees(&harness, "the new validator's node votes", voters, &[0, 1, 2, 3]).await;
    let leader = harness.leader().await.unwrap();
    api(&harness, leader).submit(&fresh_did()).await.unwrap();
    let tip = harness.converged().await.unwrap();
    let installed = harness
        .node(joined)
        .unwrap()
        .cluster()
        .unwrap()
        .raft()
        .metrics()
        .borrow()
        .snapshot;
    assert!(installed.is_some_and(|log_id| log_id.index >= covered));
    every_chain_replays(&harness, &tip).await;
}

/// Every node of node `i`'s Raft membership, voters and learners.
fn members(harness: &LocalCluster, i: usize) -> Vec<u64> {
    let cluster = harness.node(i).unwrap().cluster().unwrap();
    cluster.members().into_iter().map(|(id, _)| id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_governance_adds_follows_the_chain_without_voting_and_leaves_when_removed() {
    let mut harness = start(3).await;
    let leader = harness.leader().await.unwrap();
    let api = |harness: &LocalCluster, i: usize| RegistryApi::new(harness.url(i).unwrap());
    api(&harness, leader).submit(&fresh_did()).await.unwrap();
    let replica = key(125);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let add = GovernanceChange::AddLearner {
        learner: replica.public_key().to_multikey(),
        node: format!("http://{}", listener.local_addr().unwrap()),
    };
    api(&harness, leader)
        .submit(&governance(&harness, 1, add, &[&key(120), &key(122)]))
        .await
        .unwrap();
    let learner = harness.join(replica.clone(), listener).await.unwrap();
    leader_sees(
        &harness,
        "the learner's node in the membership",
        members,
        &[0, 1, 2, 3],
    )
    .await;
    let leader = harness.leader().await.unwrap();
    assert_eq!(voters(&harness, leader), vec![0, 1, 2]);
    let created = fresh_did();
    api(&harness, leader).submit(&created).await.unwrap();
    // It holds the final tip like the validators, and answers proven reads; it signs nothing.
    harness.converged().await.unwrap();
    let node = harness.node(learner).unwrap();
    let commit = node.finalized().unwrap().commit;
    assert!(
        !commit
            .signatures
            .iter()
            .any(|s| s.validator == replica.public_key().to_multikey())
    );
    let did = match &created {
        Transaction::Did(operation) => operation.created_did().ok(),
        _ => None,
    }
    .unwrap()
    .to_string();
    let client = sigil_core::registry::RegistryClient::new(harness.url(learner).unwrap())
        .with_trust(ChainTrust::new(&harness.genesis).unwrap());
    let record: Option<serde_json::Value> = client.proven(&RecordName::Did(did)).await.unwrap();
    assert!(record.is_some());

    let remove = GovernanceChange::RemoveLearner {
        learner: replica.public_key().to_multikey(),
    };
    api(&harness, leader)
        .submit(&governance(&harness, 2, remove, &[&key(121), &key(122)]))
        .await
        .unwrap();
    leader_sees(&harness, "the learner's node leaves", members, &[0, 1, 2]).await;
    harness.kill(learner).await;
}
