//! Status list credentials read at their own URL (Bitstring Status List v1.0 §3.2 step 4),
//! for issuers that do not publish on a registry: the `statusListCredential` URL is fetched
//! under the [`super::NetPolicy`] of its [`WebDocuments`] (https, public addresses, no
//! redirects, bounded), or served from a local copy.
//!
//! This source only fetches; the status check verifies what it returns like any credential
//! (proof, issuer equal to the credential's, validity) before reading a bit, so a cached
//! answer is re-verified on every use. Caching: a list is reused until its `validUntil`, for
//! no longer than its `ttl` (§2.2) or its server's `Cache-Control: max-age`, and never for
//! more than [`MAX_TTL`] (an hour, so a revocation is seen within the hour); a list that
//! states none of these is reused for [`DEFAULT_TTL`] (five minutes). Those dates are read
//! before the list is verified: a forged date can only make Sigil fetch again sooner or
//! reuse a forgery that fails verification each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::Value;

use super::{DocumentError, WebDocuments};
use crate::time::{Timestamp, parse_datetime};
use crate::verify::sources::{StatusListSource, Unavailable};

/// Largest status list credential read: a list of millions of entries compresses far below.
pub const MAX_LIST_CREDENTIAL_BYTES: usize = crate::http_client::MAX_RESPONSE_BYTES;
/// How long a list that states no lifetime is reused.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The longest a list is reused, whatever it states.
pub const MAX_TTL: Duration = Duration::from_secs(3600);
/// Most lists cached before the cache is cleared.
const MAX_CACHE_ENTRIES: usize = 1_000;

/// Status lists at their own URL, cached (see the module documentation).
#[derive(Debug)]
pub struct UrlStatusLists {
    documents: Arc<WebDocuments>,
    cache: Mutex<HashMap<String, (Instant, String)>>,
}

impl UrlStatusLists {
    /// Lists read through `documents`.
    pub fn new(documents: Arc<WebDocuments>) -> Self {
        UrlStatusLists {
            documents,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn cached(&self, url: &str) -> Option<String> {
        let cache = self.cache.lock().ok()?;
        let (expires, text) = cache.get(url)?;
        (Instant::now() < *expires).then(|| text.clone())
    }

    fn remember(&self, url: &str, text: &str, lifetime: Duration) {
        if lifetime.is_zero() {
            return;
        }
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(url.to_owned(), (Instant::now() + lifetime, text.to_owned()));
        }
    }
}

#[async_trait]
impl StatusListSource for UrlStatusLists {
    async fn status_list(&self, url: &str) -> Result<Option<String>, Unavailable> {
        if let Some(hit) = self.cached(url) {
            return Ok(Some(hit));
        }
        let parsed = url::Url::parse(url)
            .map_err(|e| Unavailable(format!("the status list URL {url:?} is not a URL: {e}")))?;
        let fetched = match self.documents.get(&parsed, MAX_LIST_CREDENTIAL_BYTES).await {
            Ok(fetched) => fetched,
            Err(DocumentError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(Unavailable(format!("status list {url}: {e}"))),
        };
        let lifetime = lifetime(&fetched.body, fetched.max_age, crate::time::now());
        self.remember(url, &fetched.body, lifetime);
        Ok(Some(fetched.body))
    }
}

/// How long the list `text` may be reused at `now`: the shortest of its `validUntil`, its
/// `ttl`, its server's `max_age` and [`MAX_TTL`]; [`DEFAULT_TTL`] when it states none.
pub fn lifetime(text: &str, max_age: Option<Duration>, now: Timestamp) -> Duration {
    let Some(credential) = unverified_credential(text) else {
        return Duration::ZERO;
    };
    let until_invalid = credential
        .get("validUntil")
        .and_then(Value::as_str)
        .and_then(parse_datetime)
        .map(|until| {
            let seconds = until.timestamp().saturating_sub(now.timestamp());
            Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
        });
    let ttl = credential
        .pointer("/credentialSubject/ttl")
        .and_then(Value::as_u64)
        .map(Duration::from_millis);
    [until_invalid, ttl, max_age]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(DEFAULT_TTL)
        .min(MAX_TTL)
}

/// The credential a status list text holds, unverified: JSON, or a JWS payload (whose
/// credential may sit under `vc`).
fn unverified_credential(text: &str) -> Option<Value> {
    let text = text.trim();
    let value = if text.starts_with('{') {
        crate::json::parse(text).ok()?
    } else {
        crate::jose::decode_unverified(text).ok()?.payload
    };
    match value.get("vc") {
        Some(inner @ Value::Object(_)) => Some(inner.clone()),
        _ => Some(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        parse_datetime(text).unwrap()
    }

    fn list(valid_until: Option<&str>, ttl: Option<u64>) -> String {
        let mut subject = serde_json::json!({"type": "BitstringStatusList"});
        if let Some(ttl) = ttl {
            subject["ttl"] = ttl.into();
        }
        let mut credential = serde_json::json!({"credentialSubject": subject});
        if let Some(until) = valid_until {
            credential["validUntil"] = until.into();
        }
        credential.to_string()
    }

    #[test]
    fn a_list_is_reused_until_its_valid_until_within_the_bound() {
        let now = at("2026-01-01T00:00:00Z");
        let soon = list(Some("2026-01-01T00:02:00Z"), None);
        assert_eq!(lifetime(&soon, None, now), Duration::from_secs(120));
        let late = list(Some("2027-01-01T00:00:00Z"), None);
        assert_eq!(lifetime(&late, None, now), MAX_TTL);
        let expired = list(Some("2025-01-01T00:00:00Z"), None);
        assert_eq!(lifetime(&expired, None, now), Duration::ZERO);
    }

    #[test]
    fn ttl_and_max_age_shorten_the_reuse_and_silence_gets_the_default() {
        let now = at("2026-01-01T00:00:00Z");
        assert_eq!(
            lifetime(&list(None, Some(30_000)), None, now),
            Duration::from_secs(30)
        );
        assert_eq!(
            lifetime(&list(None, None), Some(Duration::from_secs(10)), now),
            Duration::from_secs(10)
        );
        assert_eq!(
            lifetime(&list(None, None), Some(Duration::ZERO), now),
            Duration::ZERO
        );
        assert_eq!(lifetime(&list(None, None), None, now), DEFAULT_TTL);
        assert_eq!(lifetime("not a list", None, now), Duration::ZERO);
    }

    #[tokio::test]
    async fn a_missing_local_copy_offline_is_could_not_check() {
        let source = UrlStatusLists::new(Arc::new(WebDocuments::offline()));
        let error = source
            .status_list("https://uni.example/status/1")
            .await
            .unwrap_err();
        assert!(error.0.contains("no local copy"), "{error}");
        assert!(source.status_list("not a url").await.is_err());
    }
}
