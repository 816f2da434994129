//! The whole stack started by the README's one command (`scripts/run.sh`), driven in headless
//! Chromium by Playwright (`tests/browser/story.mjs`): the registrar issues through the form
//! and a CSV class, the wallet accepts the offer, the verifier's page shows its QR code, the
//! wallet presents, the page says "Verified" with its checks, and a revoked diploma shows as
//! revoked. Screenshots of the key pages are kept in `target/browser-artifacts/`.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::io::BufRead as _;
use std::process::{Command, Stdio};

use sigil_tests::{Scratch, bin_dir, repo_root};

const PASSPHRASE: &str = "browser test passphrase";
const REGISTRAR_PASSWORD: &str = "browser test registrar";
/// Ports of their own, away from the stack's defaults and from the other tests' ephemeral ones.
const PORTS: [u16; 4] = [7710, 7711, 7712, 7713];

/// `scripts/run.sh` in the background; interrupted (Ctrl-C) when dropped, as a person would.
struct RunningStack {
    child: std::process::Child,
}

impl Drop for RunningStack {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

#[test]
fn the_diploma_story_in_the_browser() {
    let scratch = Scratch::new();
    let root = repo_root();
    // A clean environment, as a person's shell has, not the one cargo gives a test.
    let mut child = Command::new("bash")
        .arg(root.join("scripts/run.sh"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default())
        .envs(
            ["CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"]
                .iter()
                .filter_map(|name| std::env::var(name).ok().map(|value| (*name, value))),
        )
        // The README's test command built the binaries before the tests ran.
        .env("SIGIL_SKIP_BUILD", "1")
        // The binaries built with this test, like every other end-to-end test's.
        .env("SIGIL_BIN_DIR", bin_dir())
        .env("SIGIL_STACK_DIR", scratch.path("stack"))
        .env("SIGIL_PASSPHRASE", PASSPHRASE)
        .env("SIGIL_REGISTRAR_PASSWORD", REGISTRAR_PASSWORD)
        .env("SIGIL_REGISTRY_PORT", PORTS[0].to_string())
        .env("SIGIL_ISSUER_PORT", PORTS[1].to_string())
        .env("SIGIL_VERIFIER_PORT", PORTS[2].to_string())
        .env("SIGIL_WALLET_PORT", PORTS[3].to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stack = RunningStack { child };
    // Read run.sh's output to the end on a thread of its own: a closed pipe would kill the
    // script with SIGPIPE when it says it is stopping, before it stops the services.
    let (lines, printed_lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut printed = String::new();
    while let Ok(line) = printed_lines.recv_timeout(std::time::Duration::from_secs(600)) {
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    assert!(
        printed.contains("Sigil is running"),
        "the stack did not start:\n{printed}"
    );
    assert!(
        printed.contains(&format!("http://127.0.0.1:{}/portal", PORTS[1])),
        "{printed}"
    );

    let artifacts = root.join("target/browser-artifacts");
    let story = Command::new("node")
        .arg(root.join("tests/browser/story.mjs"))
        .env("SIGIL_REGISTRY", format!("http://127.0.0.1:{}", PORTS[0]))
        .env("SIGIL_ISSUER", format!("http://127.0.0.1:{}", PORTS[1]))
        .env("SIGIL_VERIFIER", format!("http://127.0.0.1:{}", PORTS[2]))
        .env("SIGIL_WALLET", format!("http://127.0.0.1:{}", PORTS[3]))
        .env("SIGIL_PASSPHRASE", PASSPHRASE)
        .env("SIGIL_REGISTRAR_PASSWORD", REGISTRAR_PASSWORD)
        .env("SIGIL_ARTIFACTS", &artifacts)
        .output()
        .unwrap();
    let logs = std::fs::read_dir(scratch.path("stack/logs"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    format!(
                        "{}:\n{}",
                        e.path().display(),
                        std::fs::read_to_string(e.path()).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    assert!(
        story.status.success(),
        "the browser story failed:\n{}\n{}\nstack logs:\n{logs}",
        String::from_utf8_lossy(&story.stdout),
        String::from_utf8_lossy(&story.stderr)
    );
    for page in [
        "04-portal-offer",
        "06-wallet-cards-phone",
        "08-verifier-qr",
        "10-verifier-verified",
        "14-verifier-revoked",
    ] {
        assert!(
            artifacts.join(format!("{page}.png")).is_file(),
            "{page}.png was not written"
        );
    }
    drop(stack);
}
