//! Where the wallet goes when a stranger names the place. An offer names an issuer and its
//! endpoints, a presentation request names a `request_uri` and a `response_uri`: whoever
//! wrote them could point the wallet at a service on the holder's own computer or network.
//! The rule — `https` only, public addresses only (checked after resolution), no redirects —
//! is `sigil_core::fetch::NetPolicy`, the one the `did:web` resolver and status lists at
//! their own URL also follow; this module applies it to the wallet's requests.
//!
//! The demo and the tests run every service on `http://127.0.0.1`; for them the holder starts
//! the wallet with `allow_insecure_targets` (the flag `--allow-insecure-targets`, the variable
//! `SIGIL_ALLOW_INSECURE_TARGETS`, or `[service] allow_insecure_targets = true` in
//! `wallet.toml`), which is `NetPolicy::development`, and the UI says so on every page. The
//! registry is the holder's own configuration, not a stranger's, and is reached without
//! these checks.

use sigil_core::fetch::NetPolicy;
use sigil_core::fetch::policy::{describe, refusal_in};

pub use sigil_core::fetch::Refused;

/// Why a request to a stranger's URL gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The wallet refused to go there.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The service answered with a redirect, which the wallet does not follow.
    #[error("{url} answered HTTP {status}, a redirect; the wallet follows no redirects")]
    Redirected { url: String, status: u16 },
    /// The service could not be reached (network, timeout).
    #[error("{0}")]
    Unreachable(String),
}

/// The wallet's rule for strangers' URLs, and the HTTP client that enforces it.
#[derive(Debug, Clone)]
pub struct Targets {
    policy: NetPolicy,
    http: reqwest::Client,
}

impl Targets {
    /// The rule: strict (`https`, public addresses only) unless `allow_insecure`, the demo and
    /// development setting, which allows plain `http` and any address.
    pub fn new(allow_insecure: bool) -> Result<Targets, reqwest::Error> {
        let policy = if allow_insecure {
            NetPolicy::development()
        } else {
            NetPolicy::strict()
        };
        let http = policy.client()?;
        Ok(Targets { policy, http })
    }

    /// Whether plain `http` and private addresses are allowed (the UI warns when they are).
    pub fn allows_insecure(&self) -> bool {
        self.policy.allow_http || self.policy.allow_private
    }

    /// The client to build requests with; send them with [`Targets::send`].
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `text` as a URL the wallet may reach: `https`, and not an address literal of this
    /// computer or a private network. Names are checked again when they are resolved.
    pub fn url(&self, text: &str) -> Result<url::Url, Refused> {
        self.policy.check_url(text)
    }

    /// Sends a request built with [`Targets::http`]: a refused address is [`SendError::Refused`]
    /// and a redirect [`SendError::Redirected`]; any other answer is the caller's to read.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, SendError> {
        let response = request.send().await.map_err(|error| match refusal_in(&error) {
            Some(refused) => SendError::Refused(refused),
            None => SendError::Unreachable(describe(&error)),
        })?;
        if response.status().is_redirection() {
            return Err(SendError::Redirected {
                url: response.url().to_string(),
                status: response.status().as_u16(),
            });
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> Targets {
        Targets::new(false).unwrap()
    }

    #[test]
    fn the_development_setting_allows_http_and_this_computer_but_not_other_schemes() {
        let targets = Targets::new(true).unwrap();
        assert!(targets.allows_insecure());
        assert!(targets.url("http://127.0.0.1:7401").is_ok());
        assert!(targets.url("https://[::1]:7402/request").is_ok());
        assert!(targets.url("file:///etc/passwd").is_err());
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_this_computer_is_refused_after_resolution() {
        // `localhost` passes the URL check (it is a name) and resolves to loopback: the
        // client's resolver refuses it before any connection is made.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let targets = strict();
        let url = targets.url(&format!("https://localhost:{port}/request")).unwrap();
        let error = targets.send(targets.http().get(url)).await.unwrap_err();
        assert!(
            matches!(&error, SendError::Refused(Refused::PrivateAddress { host, .. }) if host == "localhost"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_redirect_to_a_refused_host_is_an_error_naming_its_status() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let metadata = "http://169.254.169.254/latest/meta-data/";
        assert!(strict().url(metadata).is_err());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/request", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let answer = format!(
                    "HTTP/1.1 302 Found\r\nlocation: {metadata}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        // Loopback is reachable only in the development setting; the redirect is refused anyway.
        let targets = Targets::new(true).unwrap();
        let error = targets
            .send(targets.http().get(targets.url(&url).unwrap()))
            .await
            .unwrap_err();
        assert!(
            matches!(error, SendError::Redirected { status: 302, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("302"), "{error}");
    }
}
