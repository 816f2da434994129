//! The `sigil-issuer` command line (DESIGN.md §7).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sigil_core::issue::CredentialFormat;
use sigil_issuer::offline::{self, OfflineIssue};

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
    /// Sign one credential and print it on stdout.
    Issue {
        /// A private Ed25519 JWK file; the issuer is then the key's did:key.
        #[arg(long)]
        key: PathBuf,
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
    },
    /// Manage keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
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
    /// Print the did:key of a private JWK file.
    Did {
        #[arg(long)]
        jwk: PathBuf,
    },
}

fn parse_format(text: &str) -> Result<CredentialFormat, String> {
    CredentialFormat::parse(text)
        .ok_or_else(|| format!("unknown format {text:?}; use ldp_vc, vc+jwt or dc+sd-jwt"))
}

fn parse_time(text: &str) -> Result<sigil_core::time::Timestamp, String> {
    sigil_core::time::parse_datetime(text).ok_or_else(|| format!("{text:?} is not an RFC 3339 date-time"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Issue {
            key,
            credential_type,
            subject,
            claims,
            format,
            valid_until,
        } => {
            let request = OfflineIssue {
                key_file: key,
                credential_type,
                subject,
                claims_file: claims,
                format,
                valid_until,
            };
            println!("{}", offline::issue(&request, sigil_core::time::now()).await?);
        }
        Command::Keys {
            command: KeysCommand::Generate { jwk },
        } => {
            let key =
                offline::generate_plain_jwk(&jwk).map_err(|e| anyhow::anyhow!("{}: {e}", jwk.display()))?;
            println!("{}", key.did_key());
        }
        Command::Keys {
            command: KeysCommand::Did { jwk },
        } => {
            let key = sigil_core::keystore::read_plain_jwk(&jwk)?;
            println!("{}", key.did_key());
        }
    }
    Ok(())
}
