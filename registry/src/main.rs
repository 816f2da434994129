//! The `sigil-registry` command line (docs/design.md §7).

/// mimalloc, not glibc's allocator: see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sigil_core::did::Did;
use sigil_core::names::LegalName;
use sigil_core::time::Timestamp;
use sigil_core::transaction::Transaction;
use sigil_core::transaction::accreditation::AccreditedRole;
use sigil_core::transaction::governance::GovernanceChange;
use sigil_registry::client::{self, Changes, KeyDir, RegistryApi};
use sigil_registry::config::{Config, SettingsFlags};
use sigil_registry::replay::{ReplayError, replay};
use sigil_registry::service::{self, DataDir};
use sigil_registry::store::Store;
use sigil_service::startup;

#[derive(Parser)]
#[command(
    name = "sigil-registry",
    version,
    about = "The Sigil DID registry: a blockchain of DID operations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new chain: a validator key, a root-of-trust key and the genesis.
    Init {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// A genesis template (chainId, time, validators, rootsOfTrust, rootNames) to start from.
        #[arg(long)]
        genesis: Option<PathBuf>,
        /// The legal name of the root of trust this makes ("Ministry of Education"), recorded
        /// in genesis: `NAME` in English, `TAG=NAME` in another language (`zh-CN=教育部`).
        /// Repeatable, once per language.
        #[arg(long = "root-name")]
        root_names: Vec<String>,
    },
    /// Create this node's validator key if it has none, and print it (Multikey): what a
    /// consortium member sends whoever writes the chain's genesis.
    ValidatorKey {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Make this data directory a node of a chain another member created with `init`: one
    /// whose genesis names this node's validator key, or that a governance change adds.
    Join {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// The chain's genesis.json.
        #[arg(long)]
        genesis: PathBuf,
    },
    /// Run the registry node and its HTTP API.
    Serve {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// A TOML configuration file (default: registry.toml in the data directory, if any).
        #[arg(long, env = "SIGIL_CONFIG")]
        config: Option<PathBuf>,
        #[command(flatten)]
        settings: SettingsFlags,
    },
    /// Create, change or resolve a did:sigil on a registry.
    Did {
        #[command(subcommand)]
        command: DidCommand,
    },
    /// Accredit an issuer for credential types it may issue, or a verifier for types it may
    /// request, as a root of trust.
    Accredit(AccreditArgs),
    /// Change the validators or the roots of trust: a proposal each validator signs in turn,
    /// submitted once a quorum of the validators in force has signed it.
    Governance {
        #[command(subcommand)]
        command: GovernanceCommand,
    },
    /// Replay the chain from genesis, checking every hash, signature and transition.
    /// Exit 0 if it is intact, 1 naming the first bad block, 2 if it cannot be read.
    VerifyChain {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum GovernanceCommand {
    /// Write a proposal of the chain's next change to a file, signed by no one yet.
    Propose {
        #[arg(long, env = "SIGIL_REGISTRY")]
        registry: url::Url,
        /// Where to write the proposal.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        change: ChangeFlags,
    },
    /// Sign the proposal in a file with this node's validator key, in place.
    Sign {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        proposal: PathBuf,
    },
    /// Submit a proposal a quorum has signed; prints its transaction hash.
    Submit {
        #[arg(long, env = "SIGIL_REGISTRY")]
        registry: url::Url,
        proposal: PathBuf,
    },
}

/// The one change a proposal makes.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("change").required(true).args(["add_validator", "remove_validator", "add_learner", "remove_learner", "add_root", "remove_root"])))]
struct ChangeFlags {
    /// Add the validator with this Multikey (`sigil-registry validator-key` prints it);
    /// needs --node.
    #[arg(long, requires = "node")]
    add_validator: Option<String>,
    /// The URL the new member's node serves on, where the other nodes reach it.
    #[arg(long)]
    node: Option<String>,
    /// Remove the validator with this Multikey.
    #[arg(long)]
    remove_validator: Option<String>,
    /// Add a non-voting member, whose node (known by this Multikey, its `validator-key`)
    /// follows the chain as a learner; needs --node.
    #[arg(long, requires = "node")]
    add_learner: Option<String>,
    /// Remove the learner with this Multikey.
    #[arg(long)]
    remove_learner: Option<String>,
    /// Let this DID write accreditations.
    #[arg(long)]
    add_root: Option<String>,
    /// The legal name of the root --add-root adds: `NAME` in English, `TAG=NAME` in another
    /// language. Repeatable, once per language.
    #[arg(long = "root-name", requires = "add_root")]
    root_names: Vec<String>,
    /// Stop this DID writing accreditations.
    #[arg(long)]
    remove_root: Option<String>,
}

impl ChangeFlags {
    fn change(self) -> anyhow::Result<GovernanceChange> {
        Ok(match self {
            ChangeFlags {
                add_validator: Some(validator),
                node: Some(node),
                ..
            } => GovernanceChange::AddValidator { validator, node },
            ChangeFlags {
                remove_validator: Some(validator),
                ..
            } => GovernanceChange::RemoveValidator { validator },
            ChangeFlags {
                add_learner: Some(learner),
                node: Some(node),
                ..
            } => GovernanceChange::AddLearner { learner, node },
            ChangeFlags {
                remove_learner: Some(learner),
                ..
            } => GovernanceChange::RemoveLearner { learner },
            ChangeFlags {
                add_root: Some(root),
                root_names,
                ..
            } => GovernanceChange::AddRootOfTrust {
                root,
                legal_name: LegalName::from_arguments(&root_names)?,
            },
            ChangeFlags {
                remove_root: Some(root),
                ..
            } => GovernanceChange::RemoveRootOfTrust { root },
            _ => anyhow::bail!(
                "name one change: --add-validator or --add-learner with --node, --remove-validator, --remove-learner, --add-root or --remove-root"
            ),
        })
    }
}

/// What `accredit` grants, to whom, for how long.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("accredited").required(true).args(["issuer", "verifier"])))]
struct AccreditArgs {
    #[arg(long, env = "SIGIL_REGISTRY")]
    registry: url::Url,
    /// The root of trust's directory (a registry data directory with root-of-trust.key).
    #[arg(long)]
    keys: PathBuf,
    /// The issuer to accredit, for the types it may issue.
    #[arg(long)]
    issuer: Option<String>,
    /// The verifier to accredit (its client id's DID), for the types it may request.
    #[arg(long)]
    verifier: Option<String>,
    /// The accredited party's legal name, which the root vouches for: `NAME` in English,
    /// `TAG=NAME` in another language (`zh-CN=示例大学`). Repeatable, once per language.
    #[arg(long = "name", required = true)]
    names: Vec<String>,
    /// Credential types, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    types: Vec<String>,
    /// Start of the accreditation (RFC 3339; default now).
    #[arg(long, value_parser = parse_time)]
    from: Option<Timestamp>,
    /// End of the accreditation (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    until: Option<Timestamp>,
}

/// Where a controller's keys are and which registry to talk to.
#[derive(clap::Args)]
struct ControllerArgs {
    #[arg(long, env = "SIGIL_REGISTRY")]
    registry: url::Url,
    /// The directory holding the DID's keys (encrypted).
    #[arg(long)]
    keys: PathBuf,
}

/// Key changes for `update` and `rotate`.
#[derive(clap::Args)]
struct ChangeArgs {
    /// Generate a new signing key with this fragment and add it (repeatable).
    #[arg(long = "add-key")]
    add_keys: Vec<String>,
    /// Retire the method with this fragment (repeatable).
    #[arg(long)]
    retire: Vec<String>,
}

#[derive(Subcommand)]
enum DidCommand {
    /// Create a DID with a fresh controller key, pre-rotation key and signing key `key-1`;
    /// prints the DID.
    Create(ControllerArgs),
    /// Add or retire signing keys (signed by the controller key).
    Update {
        #[command(flatten)]
        controller: ControllerArgs,
        #[command(flatten)]
        changes: ChangeArgs,
    },
    /// Rotate the controller key with the pre-rotation key; optionally declare methods
    /// compromised from a time.
    Rotate {
        #[command(flatten)]
        controller: ControllerArgs,
        #[command(flatten)]
        changes: ChangeArgs,
        /// Declare this method compromised (repeatable; needs --since).
        #[arg(long)]
        compromised: Vec<String>,
        /// From when the compromised methods must be distrusted (RFC 3339).
        #[arg(long, value_parser = parse_time, requires = "compromised")]
        since: Option<Timestamp>,
    },
    /// Deactivate the DID (signed by the pre-rotation key). Irreversible.
    Deactivate(ControllerArgs),
    /// Print a DID's resolution result.
    Resolve {
        #[arg(long, env = "SIGIL_REGISTRY")]
        registry: url::Url,
        did: String,
        /// The version in force at this time (RFC 3339).
        #[arg(long)]
        version_time: Option<String>,
    },
}

fn parse_time(text: &str) -> Result<Timestamp, String> {
    sigil_core::time::parse_datetime(text).ok_or_else(|| format!("{text:?} is not an RFC 3339 date-time"))
}

#[tokio::main]
async fn main() -> ExitCode {
    startup::run("sigil_registry", run(Cli::parse().command)).await
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init {
            data_dir,
            genesis,
            root_names,
        } => init(&DataDir(data_dir), genesis.as_deref(), &root_names)?,
        Command::ValidatorKey { data_dir } => {
            println!(
                "{}",
                service::validator_key(&DataDir(data_dir), &passphrase()?)?.to_multikey()
            );
        }
        Command::Join { data_dir, genesis } => {
            let data_dir = DataDir(data_dir);
            let passphrase = passphrase()?;
            let joined = service::join(&data_dir, &genesis, &passphrase)?;
            eprintln!("{} is a node of chain {}", data_dir.0.display(), joined.chain_id);
            eprintln!("genesis hash: {}", joined.hash()?);
            let own = service::validator_key(&data_dir, &passphrase)?.to_multikey();
            if !joined.validators.contains(&own) {
                eprintln!(
                    "genesis does not name this node's validator key {own}: have the validators add it (sigil-registry governance propose --add-validator) before the node starts"
                );
            }
        }
        Command::Serve {
            data_dir,
            config,
            settings,
        } => serve(&DataDir(data_dir), config.as_deref(), &settings).await?,
        Command::Did { command } => did_command(command).await?,
        Command::Accredit(args) => accredit(args).await?,
        Command::Governance { command } => governance_command(command).await?,
        Command::VerifyChain { data_dir } => return verify_chain(&DataDir(data_dir)).await,
    }
    Ok(ExitCode::SUCCESS)
}

/// The passphrase the keys are encrypted under: `SIGIL_PASSPHRASE`, else a prompt.
fn passphrase() -> anyhow::Result<String> {
    Ok(sigil_core::keystore::passphrase(
        std::env::var("SIGIL_PASSPHRASE").ok(),
    )?)
}

fn init(data_dir: &DataDir, genesis: Option<&Path>, root_names: &[String]) -> anyhow::Result<()> {
    let template = service::read_template(genesis)?;
    let root_name = LegalName::from_arguments(root_names)?;
    let made = service::init(data_dir, template, root_name, &passphrase()?)?;
    eprintln!(
        "chain {} created in {}",
        made.genesis.chain_id,
        data_dir.0.display()
    );
    // Clients pin the chain by this hash (`registry_genesis`): they then believe only
    // answers signed by these validators.
    eprintln!("genesis hash: {}", made.genesis.hash()?);
    eprintln!("root of trust:");
    println!("{}", made.root_of_trust);
    Ok(())
}

async fn serve(data_dir: &DataDir, config: Option<&Path>, settings: &SettingsFlags) -> anyhow::Result<()> {
    let config = Config::for_data_dir(&data_dir.0, config, settings)?;
    // Bound first, so that a bad TLS certificate or a taken port stops the start before the replay.
    let listener = sigil_service::serve::Listener::bind(config.listen, config.tls.as_ref()).await?;
    let node = if config.peers.is_empty() {
        service::start_node_on(data_dir, &config.database, &passphrase()?, config.policy).await?
    } else {
        // Boxed: starting Raft is a large future, which would otherwise swell `main`'s.
        Box::pin(service::start_peer_node_on(
            data_dir,
            &config.database,
            &passphrase()?,
            config.policy,
            config.peers.clone(),
        ))
        .await?
    };
    println!("sigil-registry listening on {}", listener.url());
    service::serve_on(node, listener, config.writes_per_minute).await
}

async fn accredit(args: AccreditArgs) -> anyhow::Result<()> {
    let (did, role) = match (args.issuer, args.verifier) {
        (Some(issuer), None) => (issuer, AccreditedRole::Issuer),
        (None, Some(verifier)) => (verifier, AccreditedRole::Verifier),
        _ => anyhow::bail!("name one DID to accredit: --issuer or --verifier"),
    };
    let grant = client::Grant {
        did: Did::parse(&did)?,
        role,
        legal_name: LegalName::from_arguments(&args.names)?,
        types: args.types,
        from: args.from.unwrap_or_else(sigil_core::time::now),
        until: args.until,
    };
    let root_key = DataDir(args.keys).root_of_trust_key();
    let receipt =
        client::accredit(&RegistryApi::new(args.registry), &root_key, &passphrase()?, grant).await?;
    println!("{}", receipt.tx_hash);
    Ok(())
}

async fn governance_command(command: GovernanceCommand) -> anyhow::Result<()> {
    match command {
        GovernanceCommand::Propose {
            registry,
            out,
            change,
        } => {
            let proposal = client::propose(&RegistryApi::new(registry), change.change()?).await?;
            let text = serde_json::to_string_pretty(&proposal)?;
            std::fs::write(&out, text + "\n").map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
            eprintln!(
                "change {} of chain {} proposed in {}: have a quorum of the validators sign it",
                proposal.sequence,
                proposal.chain_id,
                out.display()
            );
        }
        GovernanceCommand::Sign { data_dir, proposal } => {
            let key = DataDir(data_dir).validator_key();
            let signed = client::sign_proposal(&proposal, &key, &passphrase()?)?;
            eprintln!("{} signatures on {}", signed.signatures.len(), proposal.display());
        }
        GovernanceCommand::Submit { registry, proposal } => {
            let proposal = client::read_proposal(&proposal)?;
            let receipt = RegistryApi::new(registry)
                .submit(&Transaction::Governance(proposal))
                .await?;
            eprintln!("applied in block {}", receipt.height);
            println!("{}", receipt.tx_hash);
        }
    }
    Ok(())
}

async fn did_command(command: DidCommand) -> anyhow::Result<()> {
    let now = sigil_core::time::now();
    let key_dir = |args: &ControllerArgs| -> anyhow::Result<(RegistryApi, KeyDir)> {
        let passphrase = passphrase()?;
        Ok((
            RegistryApi::new(args.registry.clone()),
            KeyDir {
                path: args.keys.clone(),
                passphrase,
            },
        ))
    };
    let changes = |args: ChangeArgs| Changes {
        add_keys: args.add_keys,
        retire: args.retire,
        compromised: vec![],
    };
    match command {
        DidCommand::Create(args) => {
            let (api, keys) = key_dir(&args)?;
            println!("{}", client::create(&api, &keys, now).await?);
        }
        DidCommand::Update {
            controller,
            changes: args,
        } => {
            let (api, keys) = key_dir(&controller)?;
            let receipt = client::update(&api, &keys, &changes(args), now).await?;
            eprintln!("updated in block {}", receipt.height);
        }
        DidCommand::Rotate {
            controller,
            changes: args,
            compromised,
            since,
        } => {
            let (api, keys) = key_dir(&controller)?;
            let mut changes = changes(args);
            if !compromised.is_empty() {
                let since = since.ok_or_else(|| anyhow::anyhow!("--compromised needs --since"))?;
                changes.compromised = compromised.into_iter().map(|id| (id, since)).collect();
            }
            let receipt = client::rotate(&api, &keys, &changes, now).await?;
            eprintln!("rotated in block {}", receipt.height);
        }
        DidCommand::Deactivate(args) => {
            let (api, keys) = key_dir(&args)?;
            let receipt = client::deactivate(&api, &keys, now).await?;
            eprintln!("deactivated in block {}", receipt.height);
        }
        DidCommand::Resolve {
            registry,
            did,
            version_time,
        } => {
            let did = Did::parse(&did)?;
            let mut path = format!("1.0/identifiers/{did}");
            if let Some(time) = version_time {
                path = format!(
                    "{path}?versionTime={}",
                    url::form_urlencoded::byte_serialize(time.as_bytes()).collect::<String>()
                );
            }
            let api = RegistryApi::new(registry);
            println!("{:#}", api.get(&path, &format!("DID {did}")).await?);
        }
    }
    Ok(())
}

/// Exit 0 intact, 1 naming the first bad block, 2 when the chain cannot be read.
async fn verify_chain(data_dir: &DataDir) -> anyhow::Result<ExitCode> {
    let genesis = data_dir.read_genesis().map_err(|e| startup::fail_with(2, e))?;
    // The chain is where `serve` keeps it: registry.toml's or SIGIL_DATABASE's `database`.
    let database = Config::for_data_dir(&data_dir.0, None, &SettingsFlags::default())
        .map_err(|e| startup::fail_with(2, e))?
        .database;
    let store = Store::open_database(&database)
        .await
        .map_err(|e| startup::fail_with(2, e))?;
    match replay(&store, &genesis).await {
        Ok(replayed) => {
            println!(
                "chain OK: {} blocks, tip {}",
                replayed.tip.height, replayed.tip.hash
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error @ ReplayError::BadBlock { .. }) => {
            println!("chain BROKEN: {error}");
            Ok(ExitCode::from(1))
        }
        Err(error) => Err(startup::fail_with(2, error)),
    }
}
