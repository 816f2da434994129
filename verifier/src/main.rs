//! The `sigil-verifier` command line (docs/design.md §7).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sigil_core::did::Did;
use sigil_core::fetch::NetPolicy;
use sigil_core::registry::RegistryNodes;
use sigil_core::registry::bundle::Bundle;
use sigil_core::state::records::RecordName;
use sigil_core::verify::Expectations;
use sigil_service::config::{self, Sources};
use sigil_service::startup;
use sigil_verifier::bundle;
use sigil_verifier::check::{self, Sources as VerifySources, Verdict};
use sigil_verifier::config::{DataDir, ServiceSettings, SettingsFlags};
use sigil_verifier::render;

#[derive(Parser)]
#[command(
    name = "sigil-verifier",
    version,
    about = "Verify credentials and presentations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once at start-up")]
enum Command {
    /// Verify a credential or presentation: Data Integrity JSON, vc+jwt / vp+jwt, or SD-JWT VC.
    /// Exit 0 valid; 1 not valid (forged, tampered, revoked, expired, malformed, a bare
    /// credential where a presentation was asked); 2 no verdict (unsupported, or a source
    /// could not be reached).
    Verify(VerifyArgs),
    /// Run the verifier service: the "verify a credential" pages, OpenID4VP requests and the
    /// JSON APIs. The first start creates the data directory, its key and verifier.toml.
    Serve {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
        /// The registry (required on the first start; then verifier.toml's).
        #[arg(long, env = "SIGIL_REGISTRY")]
        registry: Option<RegistryNodes>,
        /// The relying party's name, on the first start.
        #[arg(long)]
        name: Option<String>,
        /// Trust only the registry chain whose genesis has this hash (`sigil-registry init`
        /// prints it); kept in verifier.toml as `registry_genesis`.
        #[arg(long, env = "SIGIL_REGISTRY_GENESIS")]
        registry_genesis: Option<String>,
        /// A TOML file whose [service] table replaces verifier.toml's.
        #[arg(long, env = "SIGIL_CONFIG")]
        config: Option<PathBuf>,
        #[command(flatten)]
        settings: SettingsFlags,
    },
    /// Print the verifier's DID — its OpenID4VP client id, which a root of trust accredits —
    /// creating its key in the data directory if there is none yet.
    Did {
        #[arg(long, env = "SIGIL_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Offline registry bundles: registry facts proven against one block, for a verifier
    /// with no network (`verify --bundle`).
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// List the bundled JSON-LD contexts, or export them with an index.json (URL -> file).
    Contexts {
        /// Write the contexts and index.json into this directory.
        #[arg(long)]
        export: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Write the proven registry records that verifying the given issuers' credentials needs,
    /// all against one block, to a file.
    Export(ExportArgs),
}

/// What `bundle export` puts in the bundle.
#[derive(clap::Args)]
struct ExportArgs {
    /// The registry to read.
    #[arg(long, env = "SIGIL_REGISTRY")]
    registry: url::Url,
    /// Where to write the bundle.
    #[arg(long)]
    out: PathBuf,
    /// Trust only the chain whose genesis has this hash (without it, the registry's genesis
    /// is trusted and its hash printed to compare).
    #[arg(long)]
    genesis_hash: Option<String>,
    /// An issuer whose DID document, key history and accreditations to include. Repeatable.
    #[arg(long = "issuer", value_parser = parse_did)]
    issuers: Vec<Did>,
    /// A status list (its statusListCredential URL) to include. Repeatable.
    #[arg(long = "status-list", value_name = "URL")]
    status_lists: Vec<String>,
    /// A credential file whose issuer, status lists and anchor to include. Repeatable.
    #[arg(long = "credential", value_name = "FILE")]
    credentials: Vec<PathBuf>,
}

/// What `verify` checks and what it expects of it.
#[derive(clap::Args)]
struct VerifyArgs {
    /// The file to verify (`-` for stdin).
    file: PathBuf,
    /// The registry for did:sigil and its issuers' facts, every answer proven (not asked
    /// with --bundle).
    #[arg(long, env = "SIGIL_REGISTRY")]
    registry: Option<RegistryNodes>,
    /// Read registry facts from this offline bundle (`bundle export`) instead of a registry,
    /// and fetch nothing at all (as --offline).
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    /// Trust only the registry chain whose genesis has this hash: the registry's answers (or
    /// the bundle's) must be signed by its validators.
    #[arg(long, env = "SIGIL_REGISTRY_GENESIS")]
    genesis_hash: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// The challenge a Data Integrity presentation must carry.
    #[arg(long)]
    challenge: Option<String>,
    /// The domain a Data Integrity presentation must carry.
    #[arg(long)]
    domain: Option<String>,
    /// The nonce a JWT or SD-JWT presentation must carry.
    #[arg(long)]
    nonce: Option<String>,
    /// The audience a JWT or SD-JWT presentation must name.
    #[arg(long)]
    audience: Option<String>,
    /// Also require this issuer DID.
    #[arg(long, value_parser = parse_did)]
    expect_issuer: Option<Did>,
    /// Fail a presentation whose holder is not the subject of its credentials (without
    /// it, that is reported as a note).
    #[arg(long)]
    require_holder_binding: bool,
    /// Fail a credential whose issuer is not accredited for its type on the registry
    /// (without it, that is reported as a note).
    #[arg(long)]
    require_accreditation: bool,
    /// Serve the document at URL (a did:web did.json, a status list credential) from FILE
    /// instead of fetching it. Repeatable.
    #[arg(long = "document", value_name = "URL=FILE", value_parser = parse_document)]
    documents: Vec<(url::Url, PathBuf)>,
    /// Fetch no did:web document or status list: only those given with --document are read
    /// (the registry, if given, is still asked).
    #[arg(long)]
    offline: bool,
    /// Development and tests only: let did:web documents and status lists be fetched from
    /// this computer and private networks (https is still required).
    #[arg(long)]
    allow_private_targets: bool,
    /// Development and tests only: also trust the certificate(s) in this PEM file as a root
    /// when fetching did:web documents and status lists. Repeatable.
    #[arg(long = "trust-root", value_name = "PEM")]
    trust_roots: Vec<PathBuf>,
}

fn parse_did(text: &str) -> Result<Did, String> {
    Did::parse(text).map_err(|e| e.to_string())
}

/// `URL=FILE`, split at the last `=`: a URL's query may hold `=`, a file name seldom does.
fn parse_document(text: &str) -> Result<(url::Url, PathBuf), String> {
    let (url, file) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("{text:?} is not URL=FILE"))?;
    let url = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    if file.is_empty() {
        return Err(format!("{text:?} names no file"));
    }
    Ok((url, PathBuf::from(file)))
}

/// Reads the `--document` files, each within the size of an answer from the network.
fn read_documents(documents: &[(url::Url, PathBuf)]) -> anyhow::Result<Vec<(url::Url, String)>> {
    use std::io::Read as _;
    let limit = sigil_core::http_client::MAX_RESPONSE_BYTES as u64;
    documents
        .iter()
        .map(|(url, file)| {
            let mut text = String::new();
            std::fs::File::open(file)
                .and_then(|reader| reader.take(limit + 1).read_to_string(&mut text))
                .map_err(|e| anyhow::anyhow!("--document {url}: {}: {e}", file.display()))?;
            if text.len() as u64 > limit {
                anyhow::bail!(
                    "--document {url}: {} is larger than the {limit}-byte limit",
                    file.display()
                );
            }
            Ok((url.clone(), text))
        })
        .collect()
}

#[tokio::main]
async fn main() -> ExitCode {
    // Boxed: verification's future is large, and lives for the whole process anyway.
    startup::run("sigil_verifier", Box::pin(run(Cli::parse().command))).await
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Verify(args) => return verify(args).await,
        Command::Serve {
            data_dir,
            registry,
            name,
            registry_genesis,
            config,
            settings,
        } => {
            let dir = DataDir(data_dir.clone());
            // The first start writes verifier.toml; a genesis given now is kept in it.
            dir.config_or_create(registry.as_ref(), name.as_deref())?;
            if let Some(genesis) = &registry_genesis {
                dir.pin_registry_genesis(genesis)?;
            }
            serve(
                &DataDir(data_dir),
                registry.as_ref(),
                name.as_deref(),
                config.as_deref(),
                &settings,
            )
            .await?;
        }
        Command::Did { data_dir } => {
            let passphrase = sigil_core::keystore::passphrase(std::env::var("SIGIL_PASSPHRASE").ok())?;
            println!("{}", DataDir(data_dir).key_or_create(&passphrase)?.did_key());
        }
        Command::Bundle(BundleCommand::Export(args)) => export_bundle(args).await?,
        Command::Contexts { export } => contexts(export.as_deref())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit 0 valid, 1 not valid (unusable input included), 2 no verdict — the input could not
/// be read, something is unsupported, or a source could not be reached.
async fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let file = &args.file;
    let input = match read_input(file) {
        Ok(input) => input,
        // Too large, or not text: unusable input, so not valid.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            eprintln!("INVALID: unusable input: {}: {e}", file.display());
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(startup::fail_with(2, anyhow::anyhow!("{}: {e}", file.display()))),
    };
    let expect = Expectations {
        challenge: args.challenge,
        domain: args.domain,
        nonce: args.nonce,
        audience: args.audience,
        issuer: args.expect_issuer,
        require_holder_binding: args.require_holder_binding,
        require_accreditation: args.require_accreditation,
        require_presentation: false,
        skip_status: false,
    };
    let documents = read_documents(&args.documents).map_err(|e| startup::fail_with(2, e))?;
    let mut policy = NetPolicy::strict();
    policy.allow_private = args.allow_private_targets;
    for root in &args.trust_roots {
        let pem = std::fs::read(root)
            .map_err(|e| startup::fail_with(2, anyhow::anyhow!("--trust-root {}: {e}", root.display())))?;
        policy = policy.trusting_root(pem);
    }
    if let Err(e) = policy.client() {
        let reason = anyhow::anyhow!("--trust-root: not a usable PEM certificate: {e}");
        return Err(startup::fail_with(2, reason));
    }
    let (bundle, facts) = match &args.bundle {
        Some(path) => {
            let (bundle, facts) =
                read_bundle(path, args.genesis_hash.as_deref()).map_err(|e| startup::fail_with(2, e))?;
            (Some(std::sync::Arc::new(bundle)), Some(facts))
        }
        None => (None, None),
    };
    let sources = VerifySources {
        registry: args.registry,
        registry_genesis: args.genesis_hash,
        documents,
        offline: args.offline,
        policy,
        bundle,
    };
    let verdict = check::verify(&input, &expect, &sources).await;
    let facts = facts.map(|facts| format!("{facts}\n")).unwrap_or_default();
    if args.json {
        // The report alone on stdout, so that it stays JSON.
        eprint!("{facts}");
        println!("{:#}", render::json(&verdict));
    } else if let Verdict::NoReport(_) = verdict {
        // The one-line reason goes to stderr, as every command's error does.
        eprint!("{facts}{}", render::text(&verdict));
    } else {
        print!("{facts}{}", render::text(&verdict));
    }
    Ok(ExitCode::from(verdict.exit_code()))
}

/// Reads and checks the bundle at `path` (against `genesis_hash`, when given); returns it and
/// the line saying which chain and block its facts are from and how old they are.
fn read_bundle(path: &Path, genesis_hash: Option<&str>) -> anyhow::Result<(Bundle, String)> {
    let bundle = bundle::read(path)?;
    let summary = bundle
        .check(genesis_hash)
        .map_err(|e| anyhow::anyhow!("--bundle {}: refused: {e}", path.display()))?;
    Ok((bundle, bundle::describe(&summary, sigil_core::time::now())))
}

/// `bundle export`: reads the records the issuers, status lists and credentials need, all
/// proven against one block, and writes them with the genesis to `--out`.
async fn export_bundle(args: ExportArgs) -> anyhow::Result<()> {
    let mut names: Vec<RecordName> = args.issuers.iter().flat_map(bundle::issuer_records).collect();
    names.extend(args.status_lists.iter().cloned().map(RecordName::StatusList));
    for file in &args.credentials {
        let text = read_input(file).map_err(|e| anyhow::anyhow!("--credential {}: {e}", file.display()))?;
        let records = bundle::credential_records(&text)
            .map_err(|e| anyhow::anyhow!("--credential {}: {e}", file.display()))?;
        names.extend(records);
    }
    if names.is_empty() {
        anyhow::bail!("name at least one --issuer, --status-list or --credential to put in the bundle");
    }
    let genesis =
        sigil_core::registry::bundle::fetch_genesis(&args.registry, args.genesis_hash.as_deref()).await?;
    let exported = Bundle::export(&args.registry, &genesis, &names).await?;
    let summary = exported.check(args.genesis_hash.as_deref())?;
    bundle::write(&args.out, &exported)?;
    println!(
        "wrote {} records of chain {} at block {} to {}",
        summary.records,
        summary.chain_id,
        summary.height,
        args.out.display()
    );
    if args.genesis_hash.is_none() {
        println!(
            "trusted the registry's genesis {} (compare it with the one the registry's operators publish)",
            summary.genesis_hash
        );
    }
    Ok(())
}

async fn serve(
    dir: &DataDir,
    registry: Option<&RegistryNodes>,
    name: Option<&str>,
    config: Option<&Path>,
    flags: &SettingsFlags,
) -> anyhow::Result<()> {
    // The first start writes verifier.toml; its [service] table is then layered.
    dir.config_or_create(registry, name)?;
    let mut settings: ServiceSettings = config::load(&Sources::new(&dir.0, config, flags)?)?;
    let tls = settings.tls_files(&dir.0)?;
    let listener = sigil_service::serve::Listener::bind(&settings.listen, tls.as_ref()).await?;
    settings.listen = listener.local_addr().to_string();
    let passphrase = sigil_core::keystore::passphrase(std::env::var("SIGIL_PASSPHRASE").ok())?;
    let service =
        sigil_verifier::service::VerifierService::open(dir, registry, name, Some(settings), &passphrase)
            .await?;
    let service = std::sync::Arc::new(service);
    let public_url = service.public_url.clone();
    let did = service.did.clone();
    sigil_verifier::http::serve(service, listener, |url| {
        // Tests and scripts read this line to learn the port.
        println!("sigil-verifier listening on {url}");
        eprintln!("verifier {public_url} as {did}");
    })
    .await
}

/// Lists the bundled contexts, or writes them and their index into `export`.
fn contexts(export: Option<&Path>) -> anyhow::Result<()> {
    match export {
        Some(dir) => {
            sigil_core::contexts::export(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
            println!(
                "wrote {} contexts and index.json to {}",
                sigil_core::contexts::BUNDLED.len(),
                dir.display()
            );
        }
        None => {
            for context in sigil_core::contexts::BUNDLED {
                println!("{}\t{}", context.url, context.file_name);
            }
        }
    }
    Ok(())
}

/// Reads the input, refusing oversized files before loading them whole.
fn read_input(file: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let limit = sigil_core::json::MAX_INPUT_BYTES as u64;
    let mut text = String::new();
    let reader: Box<dyn std::io::Read> = if file.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(file)?)
    };
    reader.take(limit + 1).read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than the {limit}-byte limit"),
        ));
    }
    Ok(text)
}
