//! The `sigil-issuer` command line (docs/design.md §7).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sigil_core::issue::CredentialFormat;
use sigil_core::registry::RegistryNodes;
use sigil_issuer::config::{ServiceSettings, SettingsFlags};
use sigil_issuer::institution::{self, Institution, Rotation};
use sigil_issuer::offline::{self, OfflineIssue, Signer};
use sigil_issuer::profiles;
use sigil_service::config::{self, Sources};
use sigil_service::startup;

#[derive(Parser)]
#[command(
    name = "sigil-issuer",
    version,
    about = "Issue verifiable credentials (diplomas and more)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Set an institution up: generate its keys (encrypted), register its did:sigil with a
    /// pre-rotation key (written outside the data directory, to --cold-key: move it offline)
    /// and write issuer.toml; prints the DID.
    Init {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// Where to write the cold pre-rotation key, outside the data directory
        /// [default: DATA_DIR.next.key].
        #[arg(long)]
        cold_key: Option<PathBuf>,
        /// The registry to register the DID on: its URL, or its nodes' URLs comma-separated.
        #[arg(long, env = "SIGIL_REGISTRY")]
        registry: RegistryNodes,
        /// Trust only the registry chain whose genesis has this hash (`sigil-registry init`
        /// prints it); kept in issuer.toml as `registry_genesis`.
        #[arg(long, env = "SIGIL_REGISTRY_GENESIS")]
        registry_genesis: Option<String>,
        /// The institution's name.
        #[arg(long)]
        name: String,
    },
    /// Sign one credential and print it on stdout.
    Issue(IssueArgs),
    /// Run the issuer service: OpenID4VCI, the JSON API, the W3C VC API and the registrar
    /// portal. Unlocks the institution's keys with the passphrase.
    Serve {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// A TOML file whose [service] table replaces issuer.toml's.
        #[arg(long, env = "SIGIL_CONFIG")]
        config: Option<PathBuf>,
        #[command(flatten)]
        settings: SettingsFlags,
    },
    /// API tokens for /api/* and /credentials/issue.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Registrar accounts of the portal.
    Registrar {
        #[command(subcommand)]
        command: RegistrarCommand,
    },
    /// Manage keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Issuer profiles: did:key identities the VC API can sign as besides the institution's
    /// did:sigil, for verifiers that resolve only did:key.
    Profiles {
        #[command(subcommand)]
        command: ProfilesCommand,
    },
}

#[derive(Subcommand)]
enum ProfilesCommand {
    /// Generate a profile's Ed25519 key (sealed under the institution's passphrase, in the data
    /// directory), list it in issuer.toml, and print its did:key. The running service signs
    /// as it from its next start.
    Add {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// Lower-case letters, digits and '-': the VC API serves
        /// /profiles/NAME/credentials/issue.
        name: String,
    },
    /// Print each profile's name and DID, one a line.
    List {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
    },
}

/// What `issue` signs, and with which key.
#[derive(clap::Args)]
struct IssueArgs {
    /// A private Ed25519 JWK file; the issuer is then the key's did:key.
    #[arg(long, required_unless_present = "data_dir", conflicts_with = "data_dir")]
    key: Option<PathBuf>,
    /// An institution set up with `init`: signs as its did:sigil.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The credential type, for example UniversityDegreeCredential.
    #[arg(long = "type")]
    credential_type: String,
    /// The subject's DID (the holder).
    #[arg(long)]
    subject: String,
    /// A JSON file with the subject's claims (`-` for stdin).
    #[arg(long)]
    claims: PathBuf,
    /// ldp_vc (Data Integrity, eddsa-rdfc-2022), vc+jwt, or dc+sd-jwt.
    #[arg(long, default_value = "ldp_vc", value_parser = parse_format)]
    format: CredentialFormat,
    /// End of validity (RFC 3339), if the credential expires.
    #[arg(long, value_parser = parse_time)]
    valid_until: Option<sigil_core::time::Timestamp>,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make a new API token and print it on stdout (it is shown only this once).
    Create {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// What the token is for; the audit log names callers by it.
        #[arg(long, default_value = "api")]
        label: String,
    },
}

#[derive(Subcommand)]
enum RegistrarCommand {
    /// Create a registrar account, or reset its password. The password is read from a prompt,
    /// or from SIGIL_REGISTRAR_PASSWORD for scripts.
    Add {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Generate an Ed25519 key into a plain private JWK file (for `issue --key`, tests and
    /// demos; the issuer service keeps its own keys encrypted) and print its did:key.
    Generate {
        /// Where to write the JWK; an existing file is never overwritten.
        #[arg(long)]
        jwk: PathBuf,
    },
    /// Replace the institution's signing key on its registry: routinely (signed by the
    /// controller key), or after a theft with the cold pre-rotation key, declaring the
    /// current signing key compromised from a time.
    Rotate {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// The cold pre-rotation key, brought back from offline storage (needed with
        /// --compromised-since). It is used and set aside (`.used-TIME`); the next cold key
        /// takes its place, or goes to --new-next-key.
        #[arg(long)]
        next_key: Option<PathBuf>,
        /// Where to write the next cold key [default: the --next-key path].
        #[arg(long)]
        new_next_key: Option<PathBuf>,
        /// The current signing key was stolen: distrust what it signed from this time (RFC 3339).
        #[arg(long, value_parser = parse_time)]
        compromised_since: Option<sigil_core::time::Timestamp>,
    },
    /// Print the did:key of a private JWK file.
    Did {
        #[arg(long)]
        jwk: PathBuf,
    },
}

/// A compromise rotation from the CLI: the cold key at `cold`, the next one written (before
/// anything is submitted) to `new` or, once the rotation is recorded, in the cold key's place.
async fn rotate_after_theft(
    institution: &Institution,
    since: sigil_core::time::Timestamp,
    cold: &Path,
    new: Option<&Path>,
) -> anyhow::Result<String> {
    use sigil_core::keystore;
    let passphrase = passphrase()?;
    let cold_key = keystore::read(cold, &passphrase)?;
    let next_cold_key = sigil_core::key::SigningKey::generate();
    let staged = new.map_or_else(|| with_suffix(cold, "new"), Path::to_path_buf);
    keystore::write(
        &staged,
        &next_cold_key,
        &passphrase,
        keystore::KdfParams::default(),
    )?;
    let now = sigil_core::time::now();
    let rotation = Rotation::Compromised {
        since,
        cold_key: Box::new(cold_key),
        next_cold_key: Box::new(next_cold_key),
    };
    let fragment = match institution::rotate(institution, &passphrase, &rotation, now).await {
        Ok(fragment) => fragment,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    if new.is_none() {
        std::fs::rename(cold, with_suffix(cold, &format!("used-{}", now.timestamp())))?;
        std::fs::rename(&staged, cold)?;
    }
    eprintln!(
        "move {} to offline storage: it is the next cold key",
        new.unwrap_or(cold).display()
    );
    Ok(fragment)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    PathBuf::from(name)
}

/// The passphrase that encrypts the institution's keys.
fn passphrase() -> anyhow::Result<String> {
    Ok(sigil_core::keystore::passphrase(
        std::env::var("SIGIL_PASSPHRASE").ok(),
    )?)
}

/// The database of an institution set up with `init`.
async fn open_store(data_dir: &Path) -> anyhow::Result<sigil_issuer::store::Store> {
    let institution = Institution {
        data_dir: data_dir.to_owned(),
    };
    institution.config()?;
    Ok(sigil_issuer::store::Store::open(&institution.database_path()).await?)
}

fn parse_format(text: &str) -> Result<CredentialFormat, String> {
    CredentialFormat::parse(text)
        .ok_or_else(|| format!("unknown format {text:?}; use ldp_vc, vc+jwt or dc+sd-jwt"))
}

fn parse_time(text: &str) -> Result<sigil_core::time::Timestamp, String> {
    sigil_core::time::parse_datetime(text).ok_or_else(|| format!("{text:?} is not an RFC 3339 date-time"))
}

#[tokio::main]
async fn main() -> ExitCode {
    startup::run("sigil_issuer", Box::pin(run(Cli::parse().command))).await
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init {
            data_dir,
            cold_key,
            registry,
            registry_genesis,
            name,
        } => {
            let cold_key = cold_key.unwrap_or_else(|| institution::default_cold_key_path(&data_dir));
            let institution = Institution { data_dir };
            init(institution.clone(), &registry, &name, &cold_key).await?;
            if let Some(genesis) = registry_genesis {
                institution.pin_registry_genesis(&genesis)?;
            }
        }
        Command::Issue(args) => issue(args).await?,
        Command::Serve {
            data_dir,
            config,
            settings,
        } => serve(Institution { data_dir }, config.as_deref(), &settings).await?,
        Command::Token {
            command: TokenCommand::Create { data_dir, label },
        } => {
            let store = open_store(&data_dir).await?;
            println!("{}", sigil_issuer::accounts::create_token(&store, &label).await?);
        }
        Command::Registrar {
            command: RegistrarCommand::Add { data_dir, username },
        } => add_registrar(&data_dir, &username).await?,
        Command::Keys { command } => keys(command).await?,
        Command::Profiles {
            command: ProfilesCommand::Add { data_dir, name },
        } => {
            let did = profiles::add(&Institution { data_dir }, &name, &passphrase()?)?;
            eprintln!("profile {name} added; `sigil-issuer serve` signs as it from its next start");
            println!("{did}");
        }
        Command::Profiles {
            command: ProfilesCommand::List { data_dir },
        } => {
            for profile in (Institution { data_dir }).config()?.profiles {
                println!("{}\t{}", profile.name, profile.did);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn init(
    institution: Institution,
    registry: &RegistryNodes,
    name: &str,
    cold_key: &Path,
) -> anyhow::Result<()> {
    let did = institution::init(
        &institution,
        registry,
        name,
        &passphrase()?,
        sigil_core::time::now(),
        cold_key,
    )
    .await?;
    eprintln!(
        "registered; move {} to offline storage: it is what takes the DID back if the other keys are stolen",
        cold_key.display()
    );
    println!("{did}");
    Ok(())
}

async fn issue(args: IssueArgs) -> anyhow::Result<()> {
    let signer = match (args.key, args.data_dir) {
        (Some(key), _) => Signer::PlainJwk(key),
        (None, Some(data_dir)) => Signer::Institution {
            data_dir,
            passphrase: passphrase()?,
        },
        (None, None) => anyhow::bail!("give --key JWK_FILE or --data-dir DIR"),
    };
    let request = OfflineIssue {
        signer,
        credential_type: args.credential_type,
        subject: args.subject,
        claims_file: args.claims,
        format: args.format,
        valid_until: args.valid_until,
    };
    println!("{}", offline::issue(&request, sigil_core::time::now()).await?);
    Ok(())
}

async fn serve(institution: Institution, config: Option<&Path>, flags: &SettingsFlags) -> anyhow::Result<()> {
    // issuer.toml must exist (`init` writes it) before its [service] table is layered.
    institution.config()?;
    let mut settings: ServiceSettings = config::load(&Sources::new(&institution.data_dir, config, flags)?)?;
    let tls = settings.tls_files(&institution.data_dir)?;
    let listener = sigil_service::serve::Listener::bind(&settings.listen, tls.as_ref()).await?;
    // With port 0 the address is known only now.
    settings.listen = listener.local_addr().to_string();
    let issuer = sigil_issuer::service::Issuer::open(institution, Some(settings), &passphrase()?).await?;
    let issuer = std::sync::Arc::new(issuer);
    let public_url = issuer.public_url.clone();
    sigil_issuer::http::serve(issuer, listener, |url| {
        // Tests and scripts read this line to learn the port.
        println!("sigil-issuer listening on {url}");
        eprintln!("issuer {public_url} — portal at {public_url}/portal");
    })
    .await
}

async fn add_registrar(data_dir: &Path, username: &str) -> anyhow::Result<()> {
    let store = open_store(data_dir).await?;
    let password = match std::env::var("SIGIL_REGISTRAR_PASSWORD") {
        Ok(password) => password,
        Err(_) => rpassword::prompt_password(format!("password for {username}: "))?,
    };
    sigil_issuer::accounts::add_registrar(&store, username, &password).await?;
    eprintln!("registrar {username} can now sign in to the portal");
    Ok(())
}

async fn keys(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Generate { jwk } => {
            let key =
                offline::generate_plain_jwk(&jwk).map_err(|e| anyhow::anyhow!("{}: {e}", jwk.display()))?;
            println!("{}", key.did_key());
        }
        KeysCommand::Rotate {
            data_dir,
            next_key,
            new_next_key,
            compromised_since,
        } => {
            let institution = Institution { data_dir };
            let fragment = match (compromised_since, next_key) {
                (None, _) => {
                    let now = sigil_core::time::now();
                    institution::rotate(&institution, &passphrase()?, &Rotation::Routine, now).await?
                }
                (Some(since), Some(cold)) => {
                    let new = new_next_key.as_deref();
                    rotate_after_theft(&institution, since, &cold, new).await?
                }
                (Some(_), None) => anyhow::bail!(
                    "--compromised-since needs --next-key PATH: the cold key, brought back from offline storage"
                ),
            };
            eprintln!("now signing with #{fragment}");
        }
        KeysCommand::Did { jwk } => {
            let key = sigil_core::keystore::read_plain_jwk(&jwk)?;
            println!("{}", key.did_key());
        }
    }
    Ok(())
}
