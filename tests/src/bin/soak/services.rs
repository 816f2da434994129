//! The whole stack on loopback, as the end-to-end tests start it: a registry, an accredited
//! university with its issuer service and an API token (`sigil_tests::stack`), a verifier
//! reading the registry, and a wallet created on the registry with its web UI serving.
//!
//! The services inherit the soak's environment, so `SIGIL_<SETTING>` variables given to the
//! soak configure them (a rate limit, for example) the same way they configure any start.

use anyhow::Context as _;
use sigil_tests::stack::{Stack, command};
use sigil_tests::{ServiceProcess as _, VerifierProcess, WalletUiProcess};

use crate::memory::Watched;

/// The running services; each is killed when this is dropped.
#[derive(Debug)]
pub struct Services {
    pub stack: Stack,
    pub verifier: VerifierProcess,
    pub wallet: WalletUiProcess,
}

impl Services {
    /// Starts the four services (the helpers it reuses fail by panicking; a panic here is
    /// turned into an error).
    pub async fn start() -> anyhow::Result<Self> {
        tokio::task::spawn_blocking(|| {
            let stack = Stack::start();
            let verifier = VerifierProcess::start(&stack.scratch.path("verifier"), &stack.registry.url);
            let wallet_dir = stack.scratch.path("wallet");
            let dir = wallet_dir.to_str().unwrap_or_default();
            command(
                "sigil-wallet",
                &[
                    "init",
                    "--data-dir",
                    dir,
                    "--registry",
                    stack.registry.url.as_str(),
                    // Every service here is on http://127.0.0.1.
                    "--allow-insecure-targets",
                ],
            )
            .expect_code(0);
            let wallet = WalletUiProcess::start(&wallet_dir);
            Services {
                stack,
                verifier,
                wallet,
            }
        })
        .await
        .context("starting the stack failed (its output is above)")
    }

    pub fn issuer_url(&self) -> String {
        base(&self.stack.issuer.url)
    }

    pub fn verifier_url(&self) -> String {
        base(&self.verifier.url)
    }

    /// Each service's memory, read now.
    pub fn watch(&self) -> anyhow::Result<Vec<Watched>> {
        Ok(vec![
            Watched::new("registry", self.stack.registry.pid())?,
            Watched::new("issuer", self.stack.issuer.pid())?,
            Watched::new("verifier", self.verifier.pid())?,
            Watched::new("wallet (UI)", self.wallet.pid())?,
        ])
    }
}

/// A service's URL without the trailing slash.
fn base(url: &url::Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}
