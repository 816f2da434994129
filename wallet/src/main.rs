//! The `sigil-wallet` command line (docs/design.md §7).

use sigil_core::registry::RegistryNodes;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sigil_core::keystore::KdfParams;
use sigil_service::config::{self, Sources};
use sigil_service::startup;
use sigil_wallet::cli::{self, credentials, present::Consent};
use sigil_wallet::config::{ServiceSettings, SettingsFlags, TargetsFlag};
use sigil_wallet::holder::{self, DidMethod, WalletDir};
use sigil_wallet::store::Store;
use sigil_wallet::targets::Targets;

#[derive(Parser)]
#[command(
    name = "sigil-wallet",
    version,
    about = "Keep your verifiable credentials and present them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Method {
    Key,
    Sigil,
}

#[derive(Subcommand)]
enum Command {
    /// Create a wallet: the holder's keys (encrypted under the passphrase) and DID.
    Init {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// The registry to check credentials against (and to register a did:sigil on).
        #[arg(long, env = "SIGIL_REGISTRY")]
        registry: Option<RegistryNodes>,
        /// The holder's DID method: did:key, or did:sigil so the holder can rotate keys.
        #[arg(long, value_enum, default_value = "key")]
        did_method: Method,
        /// Trust only the registry chain whose genesis has this hash (`sigil-registry init`
        /// prints it); kept in wallet.toml as `registry_genesis`.
        #[arg(long, env = "SIGIL_REGISTRY_GENESIS", requires = "registry")]
        registry_genesis: Option<String>,
        /// Written to wallet.toml, so that every later command has it.
        #[command(flatten)]
        targets: TargetsFlag,
    },
    /// Receive a credential from an offer (openid-credential-offer://…).
    Receive {
        offer: String,
        /// The PIN the issuer gave you with the offer.
        #[arg(long)]
        tx_code: Option<String>,
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        targets: TargetsFlag,
    },
    /// Answer a presentation request (openid4vp://…): shows which claims go to which
    /// verifier and asks before anything is sent.
    Present {
        request: String,
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// Consent without asking (for scripts).
        #[arg(long)]
        yes: bool,
        /// Decline: tell the verifier the holder said no.
        #[arg(long, conflicts_with = "yes")]
        no: bool,
        #[command(flatten)]
        targets: TargetsFlag,
    },
    /// List the credentials in the wallet.
    List {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Show one credential: its claims, issuer, and the checks made when it came in.
    Show {
        id: String,
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Delete a credential from the wallet.
    Delete {
        id: String,
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// What was received, and what was disclosed to whom and when.
    History {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Open the wallet's web UI in a browser on this computer (it listens on loopback only,
    /// and asks for the passphrase in the browser).
    Serve {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// A TOML file whose [service] table replaces wallet.toml's.
        #[arg(long, env = "SIGIL_CONFIG")]
        config: Option<PathBuf>,
        #[command(flatten)]
        settings: SettingsFlags,
    },
    /// Write an encrypted backup of the whole wallet.
    Export {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// The backup file to write (never overwritten).
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into an empty data directory.
    Import {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        from: PathBuf,
    },
}

/// What every command says when insecure targets are allowed.
const INSECURE_WARNING: &str = "allow_insecure_targets is on: issuers and verifiers may be reached over \
     plain http and on this computer or its network (for demos and development only)";

/// The rule for strangers' URLs, from the layered settings of the wallet in `dir`.
fn targets(dir: &WalletDir, flag: &TargetsFlag) -> anyhow::Result<Targets> {
    let settings: ServiceSettings = config::load(&Sources::new(&dir.0, None, flag)?)?;
    if settings.allow_insecure_targets {
        eprintln!("warning: {INSECURE_WARNING}");
    }
    Ok(Targets::new(settings.allow_insecure_targets)?)
}

/// The passphrase the wallet is encrypted under: `SIGIL_PASSPHRASE`, else a prompt.
fn passphrase() -> anyhow::Result<String> {
    Ok(sigil_core::keystore::passphrase(
        std::env::var("SIGIL_PASSPHRASE").ok(),
    )?)
}

#[tokio::main]
async fn main() -> ExitCode {
    // Boxed: presenting and receiving make a large future, which lives for the whole process.
    startup::run("sigil_wallet", Box::pin(run(Cli::parse().command))).await
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init {
            data_dir,
            registry,
            did_method,
            registry_genesis,
            targets,
        } => {
            let dir = WalletDir(data_dir);
            init(&dir, registry.as_ref(), did_method, &targets).await?;
            if let Some(genesis) = registry_genesis {
                let mut config = dir.config()?;
                config.registry_genesis = Some(genesis);
                dir.write_config(&config)?;
            }
        }
        Command::Receive {
            offer,
            tx_code,
            data_dir,
            json,
            targets: flag,
        } => {
            let dir = WalletDir(data_dir);
            let targets = targets(&dir, &flag)?;
            let (holder, store) = cli::open(&dir, &passphrase()?).await?;
            credentials::receive(&targets, &holder, &store, &offer, tx_code.as_deref(), json).await?;
        }
        Command::Present {
            request,
            data_dir,
            yes,
            no,
            targets: flag,
        } => {
            let consent = match (yes, no) {
                (true, _) => Consent::Yes,
                (_, true) => Consent::No,
                _ => Consent::Ask,
            };
            let dir = WalletDir(data_dir);
            let targets = targets(&dir, &flag)?;
            let (holder, store) = cli::open(&dir, &passphrase()?).await?;
            cli::present::present(&targets, &holder, &store, &request, consent).await?;
        }
        Command::List { data_dir, json } => {
            let (_, store) = cli::open(&WalletDir(data_dir), &passphrase()?).await?;
            credentials::list(&store, json).await?;
        }
        Command::Show { id, data_dir, json } => {
            let (holder, store) = cli::open(&WalletDir(data_dir), &passphrase()?).await?;
            credentials::show(&holder, &store, &id, json).await?;
        }
        Command::Delete { id, data_dir } => {
            let (holder, store) = cli::open(&WalletDir(data_dir), &passphrase()?).await?;
            credentials::delete(&holder, &store, &id).await?;
        }
        Command::History { data_dir, json } => {
            let (holder, store) = cli::open(&WalletDir(data_dir), &passphrase()?).await?;
            credentials::history(&holder, &store, json).await?;
        }
        Command::Serve {
            data_dir,
            config,
            settings,
        } => serve(WalletDir(data_dir), config.as_deref(), &settings).await?,
        Command::Export { data_dir, to } => {
            let count = sigil_wallet::backup::export(&WalletDir(data_dir), &passphrase()?, &to).await?;
            eprintln!("wrote {} with {count} credentials", to.display());
        }
        Command::Import { data_dir, from } => {
            let count = sigil_wallet::backup::import(&WalletDir(data_dir), &passphrase()?, &from).await?;
            eprintln!("restored {count} credentials");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn init(
    dir: &WalletDir,
    registry: Option<&RegistryNodes>,
    did_method: Method,
    flag: &TargetsFlag,
) -> anyhow::Result<()> {
    let method = match did_method {
        Method::Key => DidMethod::Key,
        Method::Sigil => DidMethod::Sigil,
    };
    let did = holder::init(dir, registry, method, &passphrase()?, KdfParams::default()).await?;
    if flag.allow_insecure_targets {
        let mut config = dir.config()?;
        config.service.allow_insecure_targets = true;
        dir.write_config(&config)?;
    }
    Store::open(&dir.database_path()).await?;
    println!("{did}");
    Ok(())
}

async fn serve(dir: WalletDir, config: Option<&Path>, flags: &SettingsFlags) -> anyhow::Result<()> {
    // wallet.toml must exist (`init` writes it) before its [service] table is layered.
    dir.config()?;
    let settings: ServiceSettings = config::load(&Sources::new(&dir.0, config, flags)?)?;
    if settings.allow_insecure_targets {
        eprintln!("warning: {INSECURE_WARNING}");
    }
    sigil_wallet::ui::serve(dir, &settings, |url| {
        // Tests and scripts read this line to learn the port.
        println!("sigil-wallet listening on {url}");
        eprintln!("open {url} in your browser and unlock the wallet");
    })
    .await
}
