//! Setting up and running a registry from its data directory:
//!
//! ```text
//! DATA_DIR/genesis.json         the chain's genesis
//! DATA_DIR/validator.key        this node's block-signing key (encrypted)
//! DATA_DIR/root-of-trust.key    the root of trust's key, created by `init` (encrypted)
//! DATA_DIR/registry.db          blocks and transactions (SQLite), unless the `database`
//!                               setting names a PostgreSQL database instead
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sigil_core::key::{PublicKey, SigningKey};
use sigil_core::keystore::{self, KdfParams};
use sigil_core::names::LegalName;
use sigil_core::state::commit::ValidatorSignature;
use sigil_service::rate_limit::RateLimit;
use sigil_service::serve::Listener;

use crate::chain::Genesis;
use crate::consensus::{ClusterTiming, Peer, start_cluster};
use crate::node::{BlockPolicy, ChainView, Node, SharedChain};
use crate::replay::resume;
use crate::store::{Database, Store};

/// The files of a data directory.
#[derive(Debug, Clone)]
pub struct DataDir(pub PathBuf);

impl DataDir {
    pub fn genesis(&self) -> PathBuf {
        self.0.join("genesis.json")
    }
    pub fn validator_key(&self) -> PathBuf {
        self.0.join("validator.key")
    }
    pub fn root_of_trust_key(&self) -> PathBuf {
        self.0.join("root-of-trust.key")
    }
    /// The default database: the SQLite file `registry.db`.
    pub fn database(&self) -> PathBuf {
        self.0.join("registry.db")
    }

    /// Reads the genesis file.
    pub fn read_genesis(&self) -> anyhow::Result<Genesis> {
        let path = self.genesis();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: {e} (run `sigil-registry init` first)", path.display()))?;
        let genesis: Genesis =
            serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        genesis.check()?;
        Ok(genesis)
    }
}

/// What `init` may take from a genesis template: the chain id and extra roots of trust.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisTemplate {
    pub chain_id: Option<String>,
    pub time: Option<String>,
    #[serde(default)]
    pub validators: Vec<String>,
    #[serde(default)]
    pub roots_of_trust: Vec<String>,
    /// Legal names of the template's roots of trust, by DID.
    #[serde(default)]
    pub root_names: BTreeMap<String, LegalName>,
}

/// What `init` made.
#[derive(Debug)]
pub struct Initialised {
    pub genesis: Genesis,
    pub root_of_trust: String,
}

/// Creates a new chain in `data_dir`: a validator key and a root-of-trust key (both encrypted
/// under `passphrase`), and the genesis naming them — the root by `root_name`, if given —
/// with anything `template` adds.
pub fn init(
    data_dir: &DataDir,
    template: GenesisTemplate,
    root_name: Option<LegalName>,
    passphrase: &str,
) -> anyhow::Result<Initialised> {
    if data_dir.genesis().exists() {
        anyhow::bail!("{} already holds a chain", data_dir.0.display());
    }
    let validator = validator_key(data_dir, passphrase)?;
    let root = SigningKey::generate();
    keystore::write(
        &data_dir.root_of_trust_key(),
        &root,
        passphrase,
        KdfParams::default(),
    )?;
    let root_did = root.did_key().to_string();
    // A consortium's template lists every validator, in the order their nodes are listed in
    // `peers`; this node's own goes last unless the template placed it.
    let mut validators = template.validators;
    let own = validator.to_multikey();
    if !validators.contains(&own) {
        validators.push(own);
    }
    let mut roots_of_trust = template.roots_of_trust;
    roots_of_trust.push(root_did.clone());
    let mut root_names = template.root_names;
    if let Some(name) = root_name {
        root_names.insert(root_did.clone(), name);
    }
    let genesis = Genesis {
        chain_id: template
            .chain_id
            .unwrap_or_else(|| format!("sigil-{}", uuid_like())),
        time: template
            .time
            .unwrap_or_else(|| sigil_core::time::format_datetime(sigil_core::time::now())),
        validators,
        roots_of_trust,
        root_names,
    };
    genesis.check()?;
    let text = serde_json::to_string_pretty(&genesis)?;
    std::fs::write(data_dir.genesis(), text + "\n")
        .map_err(|e| anyhow::anyhow!("{}: {e}", data_dir.genesis().display()))?;
    Ok(Initialised {
        genesis,
        root_of_trust: root_did,
    })
}

/// This node's validator key, created (encrypted under `passphrase`) if the data directory
/// has none yet: what a consortium's members send whoever writes the genesis.
pub fn validator_key(data_dir: &DataDir, passphrase: &str) -> anyhow::Result<PublicKey> {
    let path = data_dir.validator_key();
    if path.exists() {
        return Ok(keystore::read(&path, passphrase)?.public_key());
    }
    std::fs::create_dir_all(&data_dir.0).map_err(|e| anyhow::anyhow!("{}: {e}", data_dir.0.display()))?;
    let validator = SigningKey::generate();
    keystore::write(&path, &validator, passphrase, KdfParams::default())?;
    Ok(validator.public_key())
}

/// Makes `data_dir` a node of the chain `genesis` describes — a genesis another member wrote
/// with `init`. This node's validator key is among its validators, or one a governance change
/// adds (the node starts once the change is on the chain).
pub fn join(data_dir: &DataDir, genesis: &Path, passphrase: &str) -> anyhow::Result<Genesis> {
    if data_dir.genesis().exists() {
        anyhow::bail!("{} already holds a chain", data_dir.0.display());
    }
    let text = std::fs::read_to_string(genesis).map_err(|e| anyhow::anyhow!("{}: {e}", genesis.display()))?;
    let parsed: Genesis =
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", genesis.display()))?;
    parsed.check()?;
    validator_key(data_dir, passphrase)?;
    std::fs::write(data_dir.genesis(), text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", data_dir.genesis().display()))?;
    Ok(parsed)
}

/// A short random suffix for chain ids.
fn uuid_like() -> String {
    let key = SigningKey::generate().public_key().to_multikey();
    key.chars().rev().take(8).collect()
}

/// Replays the chain stored in the data directory's SQLite file, unlocks the validator key and
/// starts the node.
pub async fn start_node(data_dir: &DataDir, passphrase: &str, policy: BlockPolicy) -> anyhow::Result<Node> {
    start_node_on(
        data_dir,
        &Database::Sqlite(data_dir.database()),
        passphrase,
        policy,
    )
    .await
}

/// Replays the chain stored in `database` (the `database` setting, [`Config::database`]),
/// unlocks the validator key and starts the node, which is the whole chain.
///
/// [`Config::database`]: crate::config::Config::database
pub async fn start_node_on(
    data_dir: &DataDir,
    database: &Database,
    passphrase: &str,
    policy: BlockPolicy,
) -> anyhow::Result<Node> {
    let (genesis, validator, store) = open(data_dir, database, passphrase).await?;
    let view = replayed_view(&store, &genesis).await?;
    let validators = &view.state.validators;
    if validators.len() > 1 {
        anyhow::bail!(
            "the chain has {} validators: this node is one of several, so list the nodes of genesis's validators in the `peers` setting (docs/consensus.md)",
            validators.len()
        );
    }
    if !validators.contains(&validator.public_key()) {
        anyhow::bail!("this node's validator key is not the chain's validator");
    }
    Node::start(genesis, store, view, validator, policy)
}

/// Starts this node of several (the `peers` setting) on the chain stored in `database`.
pub async fn start_peer_node_on(
    data_dir: &DataDir,
    database: &Database,
    passphrase: &str,
    policy: BlockPolicy,
    peers: Vec<Peer>,
) -> anyhow::Result<Node> {
    let (genesis, validator, store) = open(data_dir, database, passphrase).await?;
    start_cluster_node(genesis, store, validator, policy, peers, ClusterTiming::default()).await
}

/// Reads the genesis, unlocks the validator key and opens the store.
async fn open(
    data_dir: &DataDir,
    database: &Database,
    passphrase: &str,
) -> anyhow::Result<(Genesis, SigningKey, Store)> {
    let genesis = data_dir.read_genesis()?;
    let validator = keystore::read(&data_dir.validator_key(), passphrase)?;
    let store = Store::open_database(database)
        .await
        .map_err(|e| anyhow::anyhow!("{database}: {e}"))?;
    Ok((genesis, validator, store))
}

/// The chain replayed from `store`.
async fn replayed_view(store: &Store, genesis: &Genesis) -> anyhow::Result<ChainView> {
    let replayed = resume(store, genesis).await?;
    tracing::info!(height = replayed.tip.height, "chain replayed");
    Ok(ChainView {
        state: replayed.state,
        tip: replayed.tip,
    })
}

/// Starts a node of a cluster (docs/consensus.md) on `store`: replays the chain it holds,
/// takes up the signatures it kept over its tip, and joins its peers — the nodes of every
/// validator in `genesis`, in order, this one among them.
pub async fn start_cluster_node(
    genesis: Genesis,
    store: Store,
    validator: SigningKey,
    policy: BlockPolicy,
    peers: Vec<Peer>,
    timing: ClusterTiming,
) -> anyhow::Result<Node> {
    let view = replayed_view(&store, &genesis).await?;
    let signatures = store
        .header_signatures(view.tip.height)
        .await?
        .into_iter()
        .map(|row| ValidatorSignature {
            validator: row.validator,
            signature: row.signature,
        })
        .collect();
    let chain = SharedChain::new(view, signatures);
    let cluster = start_cluster(&genesis, store.clone(), chain, validator.clone(), peers, timing).await?;
    Ok(Node::start_in_cluster(genesis, store, cluster, validator, policy))
}

/// Serves the HTTP API over plain HTTP on `listen`, as [`serve_on`] does; calls `ready` with
/// the bound address once listening (so port 0 can be used).
pub async fn serve(
    node: Node,
    listen: SocketAddr,
    writes_per_minute: u32,
    ready: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let listener = Listener::bind(listen, None).await?;
    ready(listener.local_addr());
    serve_on(node, listener, writes_per_minute).await
}

/// Serves the HTTP API on `listener` (HTTP or HTTPS) until Ctrl-C or SIGTERM, each client
/// address submitting at most `writes_per_minute` transactions a minute (0: no limit).
pub async fn serve_on(node: Node, listener: Listener, writes_per_minute: u32) -> anyhow::Result<()> {
    let app = crate::http::app(node, RateLimit::per_minute(writes_per_minute));
    sigil_service::serve::serve(listener, app, sigil_service::shutdown::signal()).await?;
    Ok(())
}

/// Reads an optional genesis template file.
pub fn read_template(path: Option<&Path>) -> anyhow::Result<GenesisTemplate> {
    match path {
        None => Ok(GenesisTemplate::default()),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
    }
}
