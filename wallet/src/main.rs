//! The `sigil-wallet` command line (docs/design.md §7).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};
use sigil_core::keystore::KdfParams;
use sigil_wallet::holder::{self, DidMethod, WalletDir};
use sigil_wallet::store::Store;

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
        registry: Option<url::Url>,
        /// The holder's DID method: did:key, or did:sigil so the holder can rotate keys.
        #[arg(long, value_enum, default_value = "key")]
        did_method: Method,
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
        #[arg(long, env = "SIGIL_LISTEN", default_value = "127.0.0.1:7403")]
        listen: std::net::SocketAddr,
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

fn passphrase() -> anyhow::Result<String> {
    Ok(sigil_core::keystore::passphrase(
        std::env::var("SIGIL_PASSPHRASE").ok(),
    )?)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "sigil_wallet=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Unlocks the wallet in `data_dir` and opens its database.
async fn open(data_dir: PathBuf) -> anyhow::Result<(holder::Holder, Store)> {
    let dir = WalletDir(data_dir);
    let holder = holder::unlock(&dir, &passphrase()?)?;
    let store = Store::open(&dir.database_path()).await?;
    Ok((holder, store))
}

/// Asks a yes/no question on the terminal.
fn ask(question: &str) -> anyhow::Result<bool> {
    use std::io::Write as _;
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(sigil_core::time::format_datetime)
        .unwrap_or_default()
}

fn print_json(value: &Value) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Init {
            data_dir,
            registry,
            did_method,
        } => {
            let method = match did_method {
                Method::Key => DidMethod::Key,
                Method::Sigil => DidMethod::Sigil,
            };
            let dir = WalletDir(data_dir);
            let did = holder::init(
                &dir,
                registry.as_ref(),
                method,
                &passphrase()?,
                KdfParams::default(),
            )
            .await?;
            Store::open(&dir.database_path()).await?;
            println!("{did}");
        }
        Command::Receive {
            offer,
            tx_code,
            data_dir,
            json,
        } => {
            let (holder, store) = open(data_dir).await?;
            let http = sigil_core::http_client::client();
            let details = sigil_wallet::receive::open_offer(&http, &offer).await?;
            let received =
                sigil_wallet::receive::receive(&holder, &store, &details, tx_code.as_deref()).await?;
            if json {
                print_json(&json!({
                    "id": received.id,
                    "type": received.type_name,
                    "issuer": received.issuer,
                    "issuer_name": received.issuer_name,
                    "accreditation": received.accreditation,
                    "claims": received.claims,
                }));
            } else {
                println!("{}", received.id);
                eprintln!(
                    "received a {} from {} ({})",
                    received.type_name, received.issuer_name, received.issuer
                );
                eprintln!(
                    "{}",
                    received
                        .accreditation
                        .as_deref()
                        .unwrap_or("the issuer is not accredited for this type by a root of trust")
                );
            }
        }
        Command::Present {
            request,
            data_dir,
            yes,
            no,
        } => {
            use sigil_wallet::present;
            let (holder, store) = open(data_dir).await?;
            let request = present::open_request(&holder, &request).await?;
            let verifier = match &request.verifier_name {
                Some(name) => format!("{name} ({})", request.verifier),
                None => request.verifier.to_string(),
            };
            let found = match present::match_query(&holder, &store, &request).await {
                Ok(found) => found,
                Err(e) => {
                    present::decline(&holder, &store, &request).await.ok();
                    return Err(e.into());
                }
            };
            eprintln!("{verifier} asks for your {}.", found.held.row.type_name);
            eprintln!(
                "It would see, from the credential {} issued by {}:",
                found.held.row.id, found.held.row.issuer_name
            );
            for claim in &found.disclosed {
                eprintln!("  - {claim}");
            }
            let consent = if no {
                false
            } else if yes {
                true
            } else {
                ask("Share these? [y/N] ")?
            };
            if consent {
                present::respond(&holder, &store, &request, &found).await?;
                eprintln!("shared with {verifier}");
            } else {
                present::decline(&holder, &store, &request).await?;
                eprintln!("declined; {verifier} was told");
            }
        }
        Command::List { data_dir, json } => {
            let dir = WalletDir(data_dir);
            holder::unlock(&dir, &passphrase()?)?;
            let store = Store::open(&dir.database_path()).await?;
            let rows = store.list().await?;
            if json {
                print_json(&Value::Array(
                    rows.iter()
                        .map(|row| {
                            json!({
                                "id": row.id, "type": row.type_name, "format": row.format,
                                "issuer": row.issuer, "issuer_name": row.issuer_name,
                                "received": time(row.received_at), "valid_until": row.valid_until.map(time),
                            })
                        })
                        .collect(),
                ));
            } else {
                for row in rows {
                    println!(
                        "{}  {}  {}  {}  {}",
                        row.id,
                        row.type_name,
                        row.format,
                        row.issuer_name,
                        time(row.received_at)
                    );
                }
            }
        }
        Command::Show { id, data_dir, json } => {
            let (holder, store) = open(data_dir).await?;
            let held = store
                .get(&holder.vault, &id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no credential {id} in this wallet"))?;
            if json {
                print_json(&json!({
                    "id": held.row.id, "type": held.row.type_name, "format": held.row.format,
                    "issuer": held.row.issuer, "issuer_name": held.row.issuer_name,
                    "received": time(held.row.received_at), "accreditation": held.record.accreditation,
                    "claims": held.record.claims, "checks": held.record.checks,
                    "credential": held.record.credential,
                }));
            } else {
                println!(
                    "{} from {} ({})",
                    held.row.type_name, held.row.issuer_name, held.row.issuer
                );
                println!("{}", serde_json::to_string_pretty(&held.record.claims)?);
                for check in &held.record.checks {
                    println!("  {:<14} {:<14} {}", check.outcome, check.id, check.sentence);
                }
            }
        }
        Command::Delete { id, data_dir } => {
            let (holder, store) = open(data_dir).await?;
            if !store.delete(&id).await? {
                anyhow::bail!("no credential {id} in this wallet");
            }
            store
                .add_history(
                    &holder.vault,
                    &sigil_wallet::store::HistoryEntry {
                        at: sigil_core::time::now().timestamp(),
                        event: "deleted".into(),
                        party: "you".into(),
                        credential_id: Some(id.clone()),
                        claims: vec![],
                    },
                )
                .await?;
            eprintln!("deleted {id}");
        }
        Command::History { data_dir, json } => {
            let (holder, store) = open(data_dir).await?;
            let entries = store.history(&holder.vault).await?;
            if json {
                print_json(&serde_json::to_value(&entries)?);
            } else {
                for entry in entries {
                    println!(
                        "{}  {:<9}  {}  {}  {}",
                        time(entry.at),
                        entry.event,
                        entry.party,
                        entry.credential_id.unwrap_or_default(),
                        entry.claims.join(", ")
                    );
                }
            }
        }
        Command::Serve { data_dir, listen } => {
            sigil_wallet::ui::serve(WalletDir(data_dir), listen, |address| {
                // Tests and scripts read this line to learn the port.
                println!("sigil-wallet listening on http://{address}");
                eprintln!("open http://{address} in your browser and unlock the wallet");
            })
            .await?;
        }
        Command::Export { data_dir, to } => {
            let count = sigil_wallet::backup::export(&WalletDir(data_dir), &passphrase()?, &to).await?;
            eprintln!("wrote {} with {count} credentials", to.display());
        }
        Command::Import { data_dir, from } => {
            let count = sigil_wallet::backup::import(&WalletDir(data_dir), &passphrase()?, &from).await?;
            eprintln!("restored {count} credentials");
        }
    }
    Ok(())
}
