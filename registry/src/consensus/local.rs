//! A cluster of real nodes in one process, for the tests and the benchmark: each node has its
//! own SQLite file and HTTP server on loopback and talks to the others over HTTP, as it would
//! across machines. A crash stops a node's Raft and server; a restart reopens its file on its
//! port. Every wait is on a condition, with a deadline.

use std::collections::BTreeSet;
use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sigil_core::key::SigningKey;
use sigil_service::rate_limit::RateLimit;
use tokio::task::JoinHandle;

use super::{ClusterTiming, Peer};
use crate::chain::Genesis;
use crate::node::{BlockPolicy, Node};
use crate::service::start_cluster_node;
use crate::store::Store;

/// A condition not met in time.
#[derive(Debug, thiserror::Error)]
#[error("waited {0:?} for {1}")]
pub struct Timeout(pub Duration, pub String);

/// Asks `condition` until it gives a value, for at most `deadline`.
pub async fn eventually<T, F, Fut>(what: &str, deadline: Duration, mut condition: F) -> Result<T, Timeout>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = condition().await {
            return Ok(value);
        }
        if start.elapsed() > deadline {
            return Err(Timeout(deadline, what.to_owned()));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

struct Running {
    node: Node,
    server: JoinHandle<()>,
}

/// Nodes of one chain in this process.
pub struct LocalCluster {
    pub genesis: Genesis,
    keys: Vec<SigningKey>,
    /// Every node's address: genesis's validators' first, then those that joined.
    addresses: Vec<SocketAddr>,
    dir: tempfile::TempDir,
    nodes: Vec<Option<Running>>,
    policy: BlockPolicy,
    timing: ClusterTiming,
    /// How long [`LocalCluster::leader`] and [`LocalCluster::converged`] wait.
    pub patience: Duration,
}

impl std::fmt::Debug for LocalCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCluster")
            .field("addresses", &self.addresses)
            .field("alive", &self.alive())
            .finish_non_exhaustive()
    }
}

impl LocalCluster {
    /// Starts `n` nodes of a new chain whose validators are `keys` (one per node) and whose
    /// root of trust is `root`.
    pub async fn start(
        keys: Vec<SigningKey>,
        root: &SigningKey,
        policy: BlockPolicy,
        timing: ClusterTiming,
    ) -> anyhow::Result<LocalCluster> {
        let genesis = Genesis {
            chain_id: "sigil-local-cluster".into(),
            time: "2026-01-01T00:00:00Z".into(),
            validators: keys.iter().map(|k| k.public_key().to_multikey()).collect(),
            roots_of_trust: vec![root.did_key().to_string()],
            root_names: Default::default(),
        };
        let mut listeners = Vec::new();
        for _ in &keys {
            listeners.push(tokio::net::TcpListener::bind("127.0.0.1:0").await?);
        }
        let addresses = listeners
            .iter()
            .map(tokio::net::TcpListener::local_addr)
            .collect::<Result<_, _>>()?;
        let mut cluster = LocalCluster {
            genesis,
            nodes: keys.iter().map(|_| None).collect(),
            keys,
            addresses,
            dir: tempfile::tempdir()?,
            policy,
            timing,
            patience: Duration::from_secs(30),
        };
        for (i, listener) in listeners.into_iter().enumerate() {
            cluster.run(i, listener).await?;
        }
        Ok(cluster)
    }

    /// The URLs of the nodes of genesis's validators, in genesis order: every node's peers.
    pub fn peers(&self) -> Vec<Peer> {
        self.addresses
            .iter()
            .take(self.genesis.validators.len())
            .map(|address| Peer {
                url: format!("http://{address}"),
            })
            .collect()
    }

    /// Node `i`'s base URL.
    pub fn url(&self, i: usize) -> Option<url::Url> {
        url::Url::parse(&format!("http://{}/", self.addresses.get(i)?)).ok()
    }

    /// Opens node `i`'s store.
    pub async fn store(&self, i: usize) -> anyhow::Result<Store> {
        Ok(Store::open(&self.dir.path().join(format!("node-{i}.db"))).await?)
    }

    async fn run(&mut self, i: usize, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
        let key = self
            .keys
            .get(i)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no node {i}"))?;
        let node = start_cluster_node(
            self.genesis.clone(),
            self.store(i).await?,
            key,
            self.policy,
            self.peers(),
            self.timing,
        )
        .await?;
        let app = crate::http::app(node.clone(), RateLimit::per_minute(0));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service()).await;
        });
        if let Some(slot) = self.nodes.get_mut(i) {
            *slot = Some(Running { node, server });
        }
        Ok(())
    }

    /// Starts the node of a validator a governance change added, with key `key`, serving on
    /// `listener` (the URL the change names); returns its index.
    pub async fn join(
        &mut self,
        key: SigningKey,
        listener: tokio::net::TcpListener,
    ) -> anyhow::Result<usize> {
        let i = self.nodes.len();
        self.addresses.push(listener.local_addr()?);
        self.keys.push(key);
        self.nodes.push(None);
        self.run(i, listener).await?;
        Ok(i)
    }

    /// Crashes node `i`: its Raft and its server stop.
    pub async fn kill(&mut self, i: usize) {
        if let Some(running) = self.nodes.get_mut(i).and_then(Option::take) {
            running.server.abort();
            if let Some(cluster) = running.node.cluster() {
                cluster.shutdown().await;
            }
        }
    }

    /// Starts node `i` again from its file, on its port.
    pub async fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        let address = *self
            .addresses
            .get(i)
            .ok_or_else(|| anyhow::anyhow!("no node {i}"))?;
        let listener = tokio::net::TcpListener::bind(address).await?;
        self.run(i, listener).await
    }

    /// Node `i`, if it runs.
    pub fn node(&self, i: usize) -> Option<&Node> {
        self.nodes.get(i)?.as_ref().map(|running| &running.node)
    }

    /// The nodes that run.
    pub fn alive(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|i| self.node(*i).is_some())
            .collect()
    }

    /// The node every running node agrees leads, once they do and it leads.
    pub async fn leader(&self) -> Result<usize, Timeout> {
        let alive = self.alive();
        eventually("a leader all running nodes follow", self.patience, || async {
            let leaders: BTreeSet<_> = alive
                .iter()
                .map(|i| self.node(*i).and_then(Node::cluster).and_then(|c| c.leader()))
                .collect();
            let [Some(leader)] = leaders.into_iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            let leader = usize::try_from(leader).ok()?;
            let cluster = self.node(leader)?.cluster()?;
            cluster.is_leader().then_some(leader)
        })
        .await
    }

    /// Waits until every running node has applied and made final the same tip; returns its
    /// height and hash.
    pub async fn converged(&self) -> Result<(u64, String), Timeout> {
        let alive = self.alive();
        eventually("every running node final at one tip", self.patience, || async {
            let mut tips = BTreeSet::new();
            for i in &alive {
                let node = self.node(*i)?;
                let view = node.view().await;
                let final_height = node.finalized().map(|f| f.commit.header.height);
                if final_height != Some(view.tip.height) {
                    return None;
                }
                tips.insert((view.tip.height, view.tip.hash.clone(), view.state.tree.root()));
            }
            let mut tips = tips.into_iter();
            match (tips.next(), tips.next()) {
                (Some((height, hash, _)), None) => Some((height, hash)),
                _ => None,
            }
        })
        .await
    }
}
