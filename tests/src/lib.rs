//! `sigil-tests`: end-to-end and interop tests. They run the real Sigil binaries (and, for
//! interop, other people's libraries under `tests/interop/`) as separate processes, with a
//! fresh temporary directory each, nothing leaving the machine.
//!
//! The tests live in `tests/`; this library holds what they share.

#![allow(clippy::panic, reason = "test helpers fail the test by panicking")]

use std::path::{Path, PathBuf};

pub mod browser;
pub mod in_process;
pub mod interop;
pub mod stack;
pub mod tls_loopback;
pub mod verifier_api;
pub mod wait;
pub mod wallet_client;

/// The directory holding the workspace's built binaries (`target/debug`), found from the
/// test executable's own location (`target/debug/deps/…`).
///
/// A program of this crate (`target/release/soak`) sits beside the binaries itself, so it
/// finds those of its own profile.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().unwrap_or(Path::new(""));
    let dir = if dir.ends_with("deps") {
        dir.parent()
    } else {
        Some(dir)
    };
    dir.map(Path::to_path_buf).unwrap_or_default()
}

/// The path of a workspace binary, which must have been built (`cargo build --workspace
/// --bins`, as the README's test command does).
pub fn binary(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} is missing: build the binaries first with `cargo build --workspace --bins`",
        path.display()
    );
    path
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// What a finished process printed, and how it exited.
#[derive(Debug)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Panics with the whole output unless the process exited with `code`.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(self.code, Some(code), "expected exit {code}, got {self:#?}");
        self
    }
}

/// Runs a command to completion, capturing its output.
pub fn run(command: &mut std::process::Command) -> Outcome {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("could not start {command:?}: {e}"));
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A fresh temporary directory for one test, with helpers to run Sigil's binaries in it.
#[derive(Debug)]
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// A new, empty directory.
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}")),
        }
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file and returns its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }

    /// Reads a file.
    pub fn read(&self, name: &str) -> String {
        let path = self.path(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Runs a Sigil binary with `args`, in this directory.
    pub fn sigil(&self, binary_name: &str, args: &[&str]) -> Outcome {
        run(std::process::Command::new(binary(binary_name))
            .args(args)
            .current_dir(self.dir.path()))
    }

    /// Generates an Ed25519 key into `name` with `sigil-issuer keys generate`; returns its DID.
    pub fn key(&self, name: &str) -> String {
        let path = self.path(name);
        let out = self
            .sigil(
                "sigil-issuer",
                &["keys", "generate", "--jwk", path.to_str().unwrap_or_default()],
            )
            .expect_code(0);
        out.stdout.trim().to_owned()
    }

    /// Issues the sample diploma with `sigil-issuer issue` and writes it to `name`.
    pub fn issue_diploma(&self, key: &str, subject: &str, format: &str, name: &str) -> PathBuf {
        let claims = repo_root().join("examples/diploma-claims.json");
        let out = self
            .sigil(
                "sigil-issuer",
                &[
                    "issue",
                    "--key",
                    self.path(key).to_str().unwrap_or_default(),
                    "--type",
                    "UniversityDegreeCredential",
                    "--subject",
                    subject,
                    "--claims",
                    claims.to_str().unwrap_or_default(),
                    "--format",
                    format,
                ],
            )
            .expect_code(0);
        self.write(name, &out.stdout)
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

/// A `sigil-registry` process serving on an ephemeral loopback port, killed when dropped.
#[derive(Debug)]
pub struct RegistryProcess {
    child: std::process::Child,
    pub url: url::Url,
    pub data_dir: PathBuf,
}

/// The passphrase test registries encrypt their keys with.
pub const TEST_PASSPHRASE: &str = "correct horse battery staple";

impl RegistryProcess {
    /// Creates a chain in `data_dir` with `sigil-registry init` (if there is none yet) and
    /// starts `sigil-registry serve` on `127.0.0.1:0`, waiting until it listens.
    pub fn start(data_dir: &Path) -> RegistryProcess {
        if !data_dir.join("genesis.json").exists() {
            run(std::process::Command::new(binary("sigil-registry"))
                .args(["init", "--data-dir"])
                .arg(data_dir)
                .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE))
            .expect_code(0);
        }
        let (child, url) = spawn_service(
            "sigil-registry",
            std::process::Command::new(binary("sigil-registry"))
                .args([
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                    "--block-interval-ms",
                    "20",
                    "--data-dir",
                ])
                .arg(data_dir)
                .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE),
        );
        RegistryProcess {
            child,
            url,
            data_dir: data_dir.to_path_buf(),
        }
    }

    /// Kills the process at once, as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RegistryProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a service binary and waits for its first stdout line, `NAME listening on URL`;
/// returns the child (its stderr discarded) and the URL.
pub fn spawn_service(name: &str, command: &mut std::process::Command) -> (std::process::Child, url::Url) {
    use std::io::BufRead as _;
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {name}: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("reading {name}'s address: {e}"));
    let prefix = format!("{name} listening on ");
    let address = line
        .trim()
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("unexpected first line from {name}: {line:?}"));
    let url = url::Url::parse(address).unwrap_or_else(|e| panic!("{address}: {e}"));
    (child, url)
}

/// A `sigil-issuer serve` process on an ephemeral loopback port, killed when dropped.
#[derive(Debug)]
pub struct IssuerProcess {
    child: std::process::Child,
    pub url: url::Url,
}

impl IssuerProcess {
    /// Serves the institution in `data_dir` (set up with `sigil-issuer init`), anchoring
    /// every second.
    pub fn start(data_dir: &Path) -> IssuerProcess {
        let (child, url) = spawn_service(
            "sigil-issuer",
            std::process::Command::new(binary("sigil-issuer"))
                .args([
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                    "--anchor-interval",
                    "1",
                    "--data-dir",
                ])
                .arg(data_dir)
                .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE),
        );
        IssuerProcess { child, url }
    }
}

impl Drop for IssuerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `sigil-verifier serve` process on an ephemeral loopback port, killed when dropped.
#[derive(Debug)]
pub struct VerifierProcess {
    child: std::process::Child,
    pub url: url::Url,
}

impl VerifierProcess {
    /// Serves a verifier from `data_dir` (created on the first start) reading `registry`.
    pub fn start(data_dir: &Path, registry: &url::Url) -> VerifierProcess {
        let (child, url) = spawn_service(
            "sigil-verifier",
            std::process::Command::new(binary("sigil-verifier"))
                .args([
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                    "--name",
                    "Example Employer",
                    "--registry",
                ])
                .arg(registry.as_str())
                .arg("--data-dir")
                .arg(data_dir)
                .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE),
        );
        VerifierProcess { child, url }
    }
}

impl Drop for VerifierProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `sigil-wallet serve` process (the local web UI) on an ephemeral loopback port.
#[derive(Debug)]
pub struct WalletUiProcess {
    child: std::process::Child,
    pub url: url::Url,
}

impl WalletUiProcess {
    /// Serves the UI of the wallet in `data_dir`.
    pub fn start(data_dir: &Path) -> WalletUiProcess {
        let (child, url) = spawn_service(
            "sigil-wallet",
            std::process::Command::new(binary("sigil-wallet"))
                .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
                .arg(data_dir),
        );
        WalletUiProcess { child, url }
    }
}

impl Drop for WalletUiProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The process ids of the services, for tools that watch them (the soak reads their memory).
pub trait ServiceProcess {
    /// The operating system's id of the running process.
    fn pid(&self) -> u32;
}

impl ServiceProcess for RegistryProcess {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl ServiceProcess for IssuerProcess {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl ServiceProcess for VerifierProcess {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl ServiceProcess for WalletUiProcess {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}
