//! A client for the Universal Resolver driver API (`GET {base}/1.0/identifiers/{did}`), which
//! the Sigil registry serves for `did:sigil`, with an in-process cache.
//!
//! Caching: a resolution "as of" a time in the past describes history, which a ledger never
//! rewrites, so it is kept until evicted; a resolution of the latest version is kept for a
//! short time only, so rotations and deactivations are seen promptly.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use super::Did;
use super::document::DidDocument;
use super::resolver::{DocumentMetadata, Resolution, ResolutionError, ResolutionOptions};

/// How long a resolution of the latest version is reused.
const LATEST_TTL: Duration = Duration::from_secs(30);
/// Most entries the cache keeps before it is cleared.
const MAX_CACHE_ENTRIES: usize = 10_000;
/// Largest resolution result accepted from the resolver.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// The HTTP client of a Universal Resolver endpoint.
#[derive(Debug)]
pub struct UniversalResolverClient {
    base: url::Url,
    http: reqwest::Client,
    cache: Mutex<HashMap<(Did, ResolutionOptions), (Instant, Resolution)>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResolutionResult {
    did_document: Option<DidDocument>,
    #[serde(default)]
    did_document_metadata: DocumentMetadata,
    #[serde(default)]
    did_resolution_metadata: Value,
}

impl UniversalResolverClient {
    /// A client for the resolver at `base` (for example `http://127.0.0.1:7400`).
    pub fn new(base: url::Url) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        UniversalResolverClient {
            base,
            http,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Resolves `did`, using the cache where the answer cannot have changed.
    pub async fn resolve(
        &self,
        did: &Did,
        options: &ResolutionOptions,
    ) -> Result<Resolution, ResolutionError> {
        let key = (did.clone(), options.clone());
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        let resolution = self.fetch(did, options).await?;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(key, (Instant::now(), resolution.clone()));
        }
        Ok(resolution)
    }

    fn cached(&self, key: &(Did, ResolutionOptions)) -> Option<Resolution> {
        let cache = self.cache.lock().ok()?;
        let (stored, resolution) = cache.get(key)?;
        let historical =
            key.1.version_id.is_some() || key.1.version_time.is_some_and(|t| t < crate::time::now());
        (historical || stored.elapsed() < LATEST_TTL).then(|| resolution.clone())
    }

    async fn fetch(&self, did: &Did, options: &ResolutionOptions) -> Result<Resolution, ResolutionError> {
        let mut url = self
            .base
            .join(&format!("1.0/identifiers/{did}"))
            .map_err(|e| ResolutionError::InvalidDid(e.to_string()))?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(time) = options.version_time {
                query.append_pair("versionTime", &crate::time::format_datetime(time));
            }
            if let Some(id) = &options.version_id {
                query.append_pair("versionId", id);
            }
        }
        let response = self
            .http
            .get(url)
            .header(
                "accept",
                "application/ld+json;profile=\"https://w3id.org/did-resolution\"",
            )
            .send()
            .await
            .map_err(|e| ResolutionError::Unavailable(e.to_string()))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(ResolutionError::Unavailable(format!(
                "resolver answered HTTP {status}"
            )));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| ResolutionError::Unavailable(e.to_string()))?;
        if body.len() > MAX_RESPONSE_BYTES {
            return Err(ResolutionError::InvalidResponse(
                "resolution result too large".into(),
            ));
        }
        let text =
            std::str::from_utf8(&body).map_err(|_| ResolutionError::InvalidResponse("not UTF-8".into()))?;
        let value = crate::json::parse(text).map_err(|e| ResolutionError::InvalidResponse(e.to_string()))?;
        let result: ResolutionResult =
            serde_json::from_value(value).map_err(|e| ResolutionError::InvalidResponse(e.to_string()))?;
        let error = result
            .did_resolution_metadata
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match (error.as_deref(), result.did_document) {
            (Some("notFound"), _) => Err(ResolutionError::NotFound(did.to_string())),
            (Some("invalidDid"), _) => Err(ResolutionError::InvalidDid(did.to_string())),
            (Some("methodNotSupported"), _) => Err(ResolutionError::MethodNotSupported(did.method().into())),
            (Some(other), _) => Err(ResolutionError::InvalidResponse(format!(
                "resolver error `{other}`"
            ))),
            (None, Some(document)) => {
                if document.id != did.as_str() {
                    return Err(ResolutionError::InvalidResponse(format!(
                        "asked for {did}, got a document for {}",
                        document.id
                    )));
                }
                Ok(Resolution {
                    document,
                    metadata: result.did_document_metadata,
                })
            }
            (None, None) if status.as_u16() == 404 => Err(ResolutionError::NotFound(did.to_string())),
            (None, None) => Err(ResolutionError::InvalidResponse(format!(
                "HTTP {status} without a DID document"
            ))),
        }
    }
}
