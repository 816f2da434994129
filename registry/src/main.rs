//! The `sigil-registry` command line (docs/design.md §7).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sigil_core::did::Did;
use sigil_core::time::Timestamp;
use sigil_registry::client::{self, Changes, KeyDir, RegistryApi};
use sigil_registry::config::{Config, Overrides};
use sigil_registry::replay::{ReplayError, replay};
use sigil_registry::service::{self, DataDir};
use sigil_registry::store::Store;

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
        /// A genesis template (chainId, time, validators, rootsOfTrust) to start from.
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
    /// Run the registry node and its HTTP API.
    Serve {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// A TOML configuration file (default: registry.toml in the data directory, if any).
        #[arg(long, env = "SIGIL_CONFIG")]
        config: Option<PathBuf>,
        /// Address to listen on (default 127.0.0.1:7400).
        #[arg(long, env = "SIGIL_LISTEN")]
        listen: Option<SocketAddr>,
        /// Longest a submission waits for its block, in milliseconds (default 200).
        #[arg(long, env = "SIGIL_BLOCK_INTERVAL_MS")]
        block_interval_ms: Option<u64>,
        /// Most transactions per block (default 500).
        #[arg(long, env = "SIGIL_BLOCK_MAX_TRANSACTIONS")]
        block_max_transactions: Option<usize>,
    },
    /// Create, change or resolve a did:sigil on a registry.
    Did {
        #[command(subcommand)]
        command: DidCommand,
    },
    /// Accredit an issuer for credential types, as a root of trust.
    Accredit {
        #[arg(long, env = "SIGIL_REGISTRY")]
        registry: url::Url,
        /// The root of trust's directory (a registry data directory with root-of-trust.key).
        #[arg(long)]
        keys: PathBuf,
        #[arg(long)]
        issuer: String,
        /// Credential types, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        types: Vec<String>,
        /// Start of the accreditation (RFC 3339; default now).
        #[arg(long, value_parser = parse_time)]
        from: Option<Timestamp>,
        /// End of the accreditation (RFC 3339).
        #[arg(long, value_parser = parse_time)]
        until: Option<Timestamp>,
    },
    /// Replay the chain from genesis, checking every hash, signature and transition.
    /// Exit 0 if it is intact, 1 naming the first bad block, 2 if it cannot be read.
    VerifyChain {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
    },
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "sigil_registry=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let passphrase = std::env::var("SIGIL_PASSPHRASE").ok();
    match Cli::parse().command {
        Command::VerifyChain { data_dir } => verify_chain(&DataDir(data_dir)).await,
        command => match run(command, passphrase).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

async fn run(command: Command, passphrase: Option<String>) -> anyhow::Result<()> {
    match command {
        Command::Init { data_dir, genesis } => {
            let data_dir = DataDir(data_dir);
            let template = service::read_template(genesis.as_deref())?;
            let passphrase = sigil_core::keystore::passphrase(passphrase)?;
            let made = service::init(&data_dir, template, &passphrase)?;
            eprintln!(
                "chain {} created in {}",
                made.genesis.chain_id,
                data_dir.0.display()
            );
            eprintln!("root of trust:");
            println!("{}", made.root_of_trust);
        }
        Command::Serve {
            data_dir,
            config,
            listen,
            block_interval_ms,
            block_max_transactions,
        } => {
            let overrides = Overrides {
                config,
                listen,
                block_interval_ms,
                block_max_transactions,
            };
            let config = Config::load(&data_dir, &overrides)?;
            let passphrase = sigil_core::keystore::passphrase(passphrase)?;
            let node = service::start_node(&DataDir(data_dir), &passphrase, config.policy).await?;
            service::serve(node, config.listen, |address| {
                println!("sigil-registry listening on http://{address}");
            })
            .await?;
        }
        Command::Did { command } => did_command(command, passphrase).await?,
        Command::Accredit {
            registry,
            keys,
            issuer,
            types,
            from,
            until,
        } => {
            let passphrase = sigil_core::keystore::passphrase(passphrase)?;
            let issuer = Did::parse(&issuer)?;
            let now = sigil_core::time::now();
            let root_key = DataDir(keys).root_of_trust_key();
            let receipt = client::accredit(
                &RegistryApi::new(registry),
                &root_key,
                &passphrase,
                &issuer,
                types,
                from.unwrap_or(now),
                until,
            )
            .await?;
            println!("{}", receipt.tx_hash);
        }
        Command::VerifyChain { .. } => unreachable!("handled in main"),
    }
    Ok(())
}

async fn did_command(command: DidCommand, passphrase: Option<String>) -> anyhow::Result<()> {
    let now = sigil_core::time::now();
    let key_dir = |args: &ControllerArgs| -> anyhow::Result<(RegistryApi, KeyDir)> {
        let passphrase = sigil_core::keystore::passphrase(passphrase.clone())?;
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

async fn verify_chain(data_dir: &DataDir) -> ExitCode {
    let checked = async {
        let genesis = data_dir.read_genesis()?;
        let store = Store::open(&data_dir.database()).await?;
        Ok::<_, anyhow::Error>(replay(&store, &genesis).await)
    };
    match checked.await {
        Ok(Ok(replayed)) => {
            println!(
                "chain OK: {} blocks, tip {}",
                replayed.tip.height, replayed.tip.hash
            );
            ExitCode::SUCCESS
        }
        Ok(Err(error @ ReplayError::BadBlock { .. })) => {
            println!("chain BROKEN: {error}");
            ExitCode::from(1)
        }
        Ok(Err(error)) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
