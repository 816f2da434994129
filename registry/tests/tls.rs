//! The registry over HTTPS with no proxy: in this process (a chain served on a TLS listener,
//! read by a client that trusts the test's certificate), and as `sigil-registry serve` with
//! `--tls-certificate` and `--tls-key`, including the start-up errors a bad pair gives.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use sigil_registry::node::BlockPolicy;
use sigil_registry::service::{self, DataDir, GenesisTemplate};
use sigil_service::serve::Listener;
use sigil_service::tls::TlsFiles;

const PASSPHRASE: &str = "correct horse battery staple";

/// A self-signed certificate for `localhost` written to `dir` as `NAME.pem` and
/// `NAME-key.pem` (the key readable by its owner only); returns the files and the
/// certificate's PEM.
fn certificate(dir: &Path, name: &str) -> (TlsFiles, String) {
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let files = TlsFiles {
        certificate: dir.join(format!("{name}.pem")),
        key: dir.join(format!("{name}-key.pem")),
    };
    std::fs::write(&files.certificate, generated.cert.pem()).unwrap();
    std::fs::write(&files.key, generated.key_pair.serialize_pem()).unwrap();
    sigil_service::files::private_file(&files.key).unwrap();
    (files, generated.cert.pem())
}

fn client_trusting(certificate_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(certificate_pem.as_bytes()).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// `sigil-registry serve` on `127.0.0.1:0` for a chain made in `data_dir`, with `extra` flags.
fn serve_command(data_dir: &Path, extra: &[&str]) -> Command {
    let binary = env!("CARGO_BIN_EXE_sigil-registry");
    if !data_dir.join("genesis.json").exists() {
        let init = Command::new(binary)
            .args(["init", "--data-dir"])
            .arg(data_dir)
            .env("SIGIL_PASSPHRASE", PASSPHRASE)
            .output()
            .unwrap();
        assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    }
    let mut command = Command::new(binary);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(extra)
        .env("SIGIL_PASSPHRASE", PASSPHRASE);
    command
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[tokio::test]
async fn the_chain_is_served_over_https_in_process() {
    let scratch = tempfile::tempdir().unwrap();
    let data = DataDir(scratch.path().join("registry"));
    service::init(&data, GenesisTemplate::default(), None, PASSPHRASE).unwrap();
    let node = service::start_node(&data, PASSPHRASE, BlockPolicy::default())
        .await
        .unwrap();
    let (files, certificate_pem) = certificate(scratch.path(), "registry");
    let listener = Listener::bind("127.0.0.1:0", Some(&files)).await.unwrap();
    let port = listener.local_addr().port();
    assert_eq!(listener.url(), format!("https://127.0.0.1:{port}"));
    tokio::spawn(service::serve_on(node, listener, 0));

    let client = client_trusting(&certificate_pem);
    let height = client
        .get(format!("https://localhost:{port}/height"))
        .send()
        .await
        .unwrap();
    assert_eq!(height.status(), 200);
    let health = client
        .get(format!("https://localhost:{port}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");

    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/health"))
        .timeout(Duration::from_secs(30))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP to the HTTPS port: {plain:?}");
}

#[tokio::test]
async fn sigil_registry_serve_with_tls_flags_listens_on_https() {
    let scratch = tempfile::tempdir().unwrap();
    let (files, certificate_pem) = certificate(scratch.path(), "registry");
    let mut child = serve_command(
        &scratch.path().join("registry"),
        &[
            "--tls-certificate",
            path_arg(&files.certificate),
            "--tls-key",
            path_arg(&files.key),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("sigil-registry listening on ")
        .map(str::to_owned);
    let answer = match &url {
        Some(url) if url.starts_with("https://127.0.0.1:") => {
            let url = url.replace("127.0.0.1", "localhost");
            let health = client_trusting(&certificate_pem)
                .get(format!("{url}/health"))
                .send()
                .await;
            Some(health.unwrap().text().await.unwrap())
        }
        _ => None,
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(url.is_some_and(|url| url.starts_with("https://")), "{line:?}");
    assert_eq!(answer.as_deref(), Some("ok"));
}

/// Runs `sigil-registry serve` with the given TLS files, which must stop it; returns stderr.
fn refused_start(data_dir: &Path, certificate: &Path, key: &Path) -> String {
    let output = serve_command(
        data_dir,
        &[
            "--tls-certificate",
            certificate.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    )
    .stdin(Stdio::null())
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "it never listened");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_bad_certificate_or_key_stops_the_start_with_the_file_named() {
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().join("registry");
    let (ours, _) = certificate(scratch.path(), "ours");
    let (theirs, _) = certificate(scratch.path(), "theirs");

    let stderr = refused_start(&data_dir, &ours.certificate, &theirs.key);
    assert!(
        stderr.contains(&format!(
            "{} is not the private key of the certificate in {}",
            theirs.key.display(),
            ours.certificate.display()
        )),
        "{stderr}"
    );

    let missing = scratch.path().join("missing.pem");
    let stderr = refused_start(&data_dir, &missing, &ours.key);
    assert!(
        stderr.contains(&format!("{}: cannot read", missing.display())),
        "{stderr}"
    );

    let stderr = refused_start(&data_dir, &ours.key, &ours.key);
    assert!(stderr.contains("ours-key.pem: no certificate in it"), "{stderr}");

    let only_certificate = serve_command(&data_dir, &["--tls-certificate", path_arg(&ours.certificate)])
        .output()
        .unwrap();
    assert_eq!(only_certificate.status.code(), Some(1));
    let stderr = String::from_utf8(only_certificate.stderr).unwrap();
    assert!(
        stderr.contains("tls_certificate is set but tls_key is not"),
        "{stderr}"
    );
}
