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
pub mod load;
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

/// A registry: one `sigil-registry` process serving on an ephemeral loopback port, or several
/// forming one chain (docs/consensus.md); killed when dropped.
#[derive(Debug)]
pub struct RegistryProcess {
    /// Node 1's URL.
    pub url: url::Url,
    /// Node 1's data directory (holding the root of trust's key).
    pub data_dir: PathBuf,
    /// Every node's URL, comma-separated — one URL for a registry of one node: what the
    /// services are given as their `registry`.
    pub nodes: String,
    processes: Vec<NodeProcess>,
}

/// One node of a registry.
#[derive(Debug)]
struct NodeProcess {
    child: Option<std::process::Child>,
    url: url::Url,
    data_dir: PathBuf,
}

/// The passphrase test registries encrypt their keys with.
pub const TEST_PASSPHRASE: &str = "correct horse battery staple";

/// Runs `sigil-registry ARGS --data-dir DIR` with the test passphrase, expecting success.
fn registry_command(args: &[&std::ffi::OsStr], data_dir: &Path) -> Outcome {
    run(std::process::Command::new(binary("sigil-registry"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE))
    .expect_code(0)
}

impl RegistryProcess {
    /// Creates a chain in `data_dir` with `sigil-registry init` (if there is none yet) and
    /// starts `sigil-registry serve` on `127.0.0.1:0`, waiting until it listens.
    pub fn start(data_dir: &Path) -> RegistryProcess {
        if !data_dir.join("genesis.json").exists() {
            registry_command(
                &[
                    "init".as_ref(),
                    "--root-name".as_ref(),
                    "Ministry of Education".as_ref(),
                    "--root-name".as_ref(),
                    "zh-CN=教育部".as_ref(),
                ],
                data_dir,
            );
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
            nodes: url.to_string(),
            url: url.clone(),
            data_dir: data_dir.to_path_buf(),
            processes: vec![NodeProcess {
                child: Some(child),
                url,
                data_dir: data_dir.to_path_buf(),
            }],
        }
    }

    /// Sets up a chain of `count` nodes the way a consortium does — each makes its validator
    /// key, node 1 writes the genesis naming them all, the others join it — in `data_dir`
    /// (node 1) and `data_dir-2`, `data_dir-3`, …, and serves each on a loopback port with
    /// every node as its peers.
    pub fn start_nodes(data_dir: &Path, count: usize) -> RegistryProcess {
        let dirs: Vec<PathBuf> = (1..=count)
            .map(|i| match i {
                1 => data_dir.to_path_buf(),
                _ => PathBuf::from(format!("{}-{i}", data_dir.display())),
            })
            .collect();
        let keys: Vec<String> = dirs
            .iter()
            .map(|dir| {
                registry_command(&["validator-key".as_ref()], dir)
                    .stdout
                    .trim()
                    .to_owned()
            })
            .collect();
        let template = data_dir.with_extension("consortium.json");
        std::fs::write(
            &template,
            serde_json::json!({"chainId": "sigil-consortium-test", "validators": keys}).to_string(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", template.display()));
        registry_command(
            &[
                "init".as_ref(),
                "--genesis".as_ref(),
                template.as_os_str(),
                "--root-name".as_ref(),
                "Ministry of Education".as_ref(),
            ],
            data_dir,
        );
        let genesis = data_dir.join("genesis.json");
        for dir in dirs.iter().skip(1) {
            registry_command(&["join".as_ref(), "--genesis".as_ref(), genesis.as_os_str()], dir);
        }
        // Free ports, each bound again by its node at once.
        let listeners: Vec<_> = dirs
            .iter()
            .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("a port: {e}")))
            .collect();
        let urls: Vec<url::Url> = listeners
            .iter()
            .map(|l| {
                let port = l
                    .local_addr()
                    .map(|a| a.port())
                    .unwrap_or_else(|e| panic!("a port: {e}"));
                url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        drop(listeners);
        let nodes = urls.iter().map(url::Url::as_str).collect::<Vec<_>>().join(",");
        let mut registry = RegistryProcess {
            url: urls.first().cloned().unwrap_or_else(|| panic!("no node")),
            data_dir: data_dir.to_path_buf(),
            nodes,
            processes: dirs
                .into_iter()
                .zip(urls)
                .map(|(data_dir, url)| NodeProcess {
                    child: None,
                    url,
                    data_dir,
                })
                .collect(),
        };
        for i in 0..count {
            registry.serve_node(i);
        }
        registry
    }

    /// Starts node `i` (from 0) of a registry of several, from its data directory.
    pub fn serve_node(&mut self, i: usize) {
        let peers = self.nodes.clone();
        let node = self.processes.get_mut(i).unwrap_or_else(|| panic!("no node {i}"));
        let listen = format!(
            "127.0.0.1:{}",
            node.url
                .port()
                .unwrap_or_else(|| panic!("{} has no port", node.url))
        );
        let (child, _) = spawn_service(
            "sigil-registry",
            std::process::Command::new(binary("sigil-registry"))
                .args([
                    "serve",
                    "--block-interval-ms",
                    "20",
                    "--listen",
                    &listen,
                    "--peers",
                    &peers,
                ])
                .arg("--data-dir")
                .arg(&node.data_dir)
                .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE),
        );
        node.child = Some(child);
    }

    /// Prepares the node of a validator genesis does not name, the way its member does: a data
    /// directory (`data_dir-N`) with a validator key, joined to the chain's genesis, and a free
    /// port. Returns the node's index and its validator key; serve it with
    /// [`RegistryProcess::serve_node`] once a governance change has added that key.
    pub fn prepare_node(&mut self) -> (usize, String) {
        let i = self.processes.len();
        let data_dir = PathBuf::from(format!("{}-{}", self.data_dir.display(), i + 1));
        let key = registry_command(&["validator-key".as_ref()], &data_dir)
            .stdout
            .trim()
            .to_owned();
        let genesis = self.data_dir.join("genesis.json");
        registry_command(
            &["join".as_ref(), "--genesis".as_ref(), genesis.as_os_str()],
            &data_dir,
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .unwrap_or_else(|e| panic!("a port: {e}"));
        let url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap_or_else(|e| panic!("{e}"));
        self.processes.push(NodeProcess {
            child: None,
            url,
            data_dir,
        });
        (i, key)
    }

    /// Every node's URL, in order.
    pub fn node_urls(&self) -> Vec<url::Url> {
        self.processes.iter().map(|node| node.url.clone()).collect()
    }

    /// Every node's data directory, in order.
    pub fn node_dirs(&self) -> Vec<PathBuf> {
        self.processes.iter().map(|node| node.data_dir.clone()).collect()
    }

    /// SIGKILLs node `i` (from 0), as a crash would.
    pub fn kill_node(&mut self, i: usize) {
        if let Some(mut child) = self.processes.get_mut(i).and_then(|node| node.child.take()) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the process at once, as a crash would.
    pub fn kill(mut self) {
        for i in 0..self.processes.len() {
            self.kill_node(i);
        }
    }
}

impl Drop for RegistryProcess {
    fn drop(&mut self) {
        for i in 0..self.processes.len() {
            self.kill_node(i);
        }
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
    /// Serves a verifier from `data_dir` (created on the first start) reading `registry` (a
    /// URL, or several nodes' comma-separated).
    pub fn start(data_dir: &Path, registry: &impl std::fmt::Display) -> VerifierProcess {
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
                .arg(registry.to_string())
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
    /// Node 1's process (0 once it was killed).
    fn pid(&self) -> u32 {
        self.processes
            .first()
            .and_then(|node| node.child.as_ref())
            .map_or(0, std::process::Child::id)
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
