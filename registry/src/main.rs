//! The `sigil-registry` command line (DESIGN.md §7).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use sigil_registry::node::BlockPolicy;
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
        #[arg(long, env = "SIGIL_LISTEN", default_value = "127.0.0.1:7400")]
        listen: SocketAddr,
        /// Longest a submission waits for its block, in milliseconds.
        #[arg(long, env = "SIGIL_BLOCK_INTERVAL_MS", default_value_t = 200)]
        block_interval_ms: u64,
        /// Most transactions per block.
        #[arg(long, env = "SIGIL_BLOCK_MAX_TRANSACTIONS", default_value_t = 500)]
        block_max_transactions: usize,
    },
    /// Replay the chain from genesis, checking every hash, signature and transition.
    /// Exit 0 if it is intact, 1 naming the first bad block, 2 if it cannot be read.
    VerifyChain {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
    },
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
            let passphrase = service::passphrase(passphrase)?;
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
            listen,
            block_interval_ms,
            block_max_transactions,
        } => {
            let passphrase = service::passphrase(passphrase)?;
            let policy = BlockPolicy {
                interval: Duration::from_millis(block_interval_ms.max(1)),
                max_transactions: block_max_transactions.max(1),
            };
            let node = service::start_node(&DataDir(data_dir), &passphrase, policy).await?;
            service::serve(node, listen, |address| {
                println!("sigil-registry listening on http://{address}");
            })
            .await?;
        }
        Command::VerifyChain { .. } => unreachable!("handled in main"),
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
