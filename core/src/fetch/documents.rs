//! Documents read from a stranger's URL — a `did:web` DID document, a status list
//! credential — under [`NetPolicy`], or from local copies the caller supplies.
//!
//! Local copies make verification possible with no network at all (`sigil-verifier verify
//! --document URL=FILE`): a URL among them is never fetched, and [`WebDocuments::offline`]
//! fetches nothing else either, so a verification that needs a document nobody supplied
//! says so instead of reaching out.

use std::collections::HashMap;
use std::time::Duration;

use super::policy::{NetPolicy, Refused, describe, refusal_in};
use crate::http_client::{self, FetchError};

/// A document and what its server said about caching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The body, as UTF-8 text.
    pub body: String,
    /// How long the server allows the answer to be reused (`Cache-Control: max-age`; zero
    /// for `no-store` or `no-cache`), or `None` when it did not say. `None` for local copies.
    pub max_age: Option<Duration>,
}

/// Why a document could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// The policy forbids the URL or the address its host resolves to.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The server says there is no such document (HTTP 404 or 410).
    #[error("{url} does not exist (HTTP {status})")]
    NotFound { url: String, status: u16 },
    /// The server could not be reached or failed (network, timeout, 5xx).
    #[error("{0}")]
    Unavailable(String),
    /// The server answered with something unusable: a redirect (never followed), another
    /// status, a body over the limit or not UTF-8.
    #[error("{0}")]
    Invalid(String),
    /// The network is off and no local copy of the URL was supplied.
    #[error("{url} is needed, but no local copy was given (--document URL=FILE) and the network is off")]
    Offline { url: String },
}

/// Where documents come from: local copies first, then (unless offline) the network under a
/// [`NetPolicy`].
#[derive(Debug)]
pub struct WebDocuments {
    policy: NetPolicy,
    /// The policy's client, or why it could not be built (reported on the first fetch).
    client: Result<reqwest::Client, String>,
    /// Local copies, by URL as `url::Url` writes it.
    local: HashMap<String, String>,
    network: bool,
}

impl WebDocuments {
    /// Documents fetched over the network under `policy`.
    pub fn new(policy: NetPolicy) -> Self {
        let client = policy.client().map_err(|e| describe(&e));
        WebDocuments {
            policy,
            client,
            local: HashMap::new(),
            network: true,
        }
    }

    /// No network: only the local copies added with [`WebDocuments::with_document`].
    pub fn offline() -> Self {
        WebDocuments {
            policy: NetPolicy::strict(),
            client: Err("the network is off".into()),
            local: HashMap::new(),
            network: false,
        }
    }

    /// These documents, with `text` served for `url` instead of fetching it.
    pub fn with_document(mut self, url: &url::Url, text: String) -> Self {
        self.local.insert(url.to_string(), text);
        self
    }

    /// Whether the network is used for URLs with no local copy.
    pub fn uses_network(&self) -> bool {
        self.network
    }

    /// The document at `url`, reading at most `limit` bytes of it. A 404 or 410 is
    /// [`DocumentError::NotFound`]; any other answer but 2xx is an error.
    pub async fn get(&self, url: &url::Url, limit: usize) -> Result<Fetched, DocumentError> {
        if let Some(text) = self.local.get(url.as_str()) {
            return Ok(Fetched {
                body: text.clone(),
                max_age: None,
            });
        }
        if !self.network {
            return Err(DocumentError::Offline { url: url.to_string() });
        }
        self.policy.check(url)?;
        let client = self
            .client
            .as_ref()
            .map_err(|e| DocumentError::Unavailable(e.clone()))?;
        let response = client
            .get(url.clone())
            .send()
            .await
            .map_err(|error| match refusal_in(&error) {
                Some(refused) => DocumentError::Refused(refused),
                None => DocumentError::Unavailable(format!("{url}: {}", describe(&error))),
            })?;
        let status = response.status();
        if matches!(status.as_u16(), 404 | 410) {
            return Err(DocumentError::NotFound {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        if status.is_server_error() {
            return Err(DocumentError::Unavailable(format!(
                "{url} answered HTTP {status}"
            )));
        }
        if status.is_redirection() {
            return Err(DocumentError::Invalid(format!(
                "{url} answered HTTP {status}, a redirect, which is not followed"
            )));
        }
        if !status.is_success() {
            return Err(DocumentError::Invalid(format!("{url} answered HTTP {status}")));
        }
        let max_age = response
            .headers()
            .get_all(reqwest::header::CACHE_CONTROL)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(max_age)
            .min();
        let body = http_client::read_limited(response, limit)
            .await
            .map_err(|e| match e {
                FetchError::Unavailable(reason) => DocumentError::Unavailable(format!("{url}: {reason}")),
                FetchError::Invalid(reason) => DocumentError::Invalid(format!("{url}: {reason}")),
            })?;
        let body = String::from_utf8(body)
            .map_err(|_| DocumentError::Invalid(format!("{url}: the answer is not UTF-8 text")))?;
        Ok(Fetched { body, max_age })
    }
}

/// The reuse a `Cache-Control` header value allows: zero for `no-store` or `no-cache`, the
/// `max-age` in seconds otherwise, `None` when it says neither (RFC 9111 §5.2.2).
pub fn max_age(header: &str) -> Option<Duration> {
    let mut found = None;
    for directive in header.split(',').map(str::trim) {
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "no-store" | "no-cache" => return Some(Duration::ZERO),
            "max-age" => {
                // A malformed max-age is treated as stale (RFC 9111 §4.2.1).
                let seconds = value.trim().trim_matches('"').parse::<u64>().unwrap_or(0);
                found = Some(Duration::from_secs(seconds));
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_gives_max_age_and_refusals_to_store() {
        assert_eq!(max_age("max-age=600"), Some(Duration::from_secs(600)));
        assert_eq!(max_age("public, max-age=\"60\""), Some(Duration::from_secs(60)));
        assert_eq!(max_age("max-age=600, no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("No-Cache"), Some(Duration::ZERO));
        assert_eq!(max_age("max-age=soon"), Some(Duration::ZERO));
        assert_eq!(max_age("public"), None);
    }

    #[tokio::test]
    async fn a_local_copy_is_served_and_nothing_else_when_offline() {
        let here = url::Url::parse("https://uni.example/.well-known/did.json").unwrap();
        let elsewhere = url::Url::parse("https://other.example/.well-known/did.json").unwrap();
        let documents = WebDocuments::offline().with_document(&here, "{}".into());
        assert_eq!(documents.get(&here, 10).await.unwrap().body, "{}");
        assert!(matches!(
            documents.get(&elsewhere, 10).await,
            Err(DocumentError::Offline { url }) if url == elsewhere.as_str()
        ));
    }

    #[tokio::test]
    async fn the_policy_refuses_before_any_connection() {
        let documents = WebDocuments::new(NetPolicy::strict());
        for refused in [
            "http://uni.example/status/1",
            "https://127.0.0.1:1/status/1",
            "https://[::1]:1/x",
        ] {
            let url = url::Url::parse(refused).unwrap();
            assert!(
                matches!(documents.get(&url, 10).await, Err(DocumentError::Refused(_))),
                "{refused} was fetched"
            );
        }
    }
}
