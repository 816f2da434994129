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
    pub fn new(mut base: url::Url) -> Self {
        // `join` replaces the last path segment unless the base ends in `/`.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = crate::http_client::client();
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
        let body = crate::http_client::read_limited(response, MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| match e {
                crate::http_client::FetchError::Unavailable(reason) => ResolutionError::Unavailable(reason),
                crate::http_client::FetchError::Invalid(reason) => ResolutionError::InvalidResponse(reason),
            })?;
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::json;

    use super::*;
    use crate::test_support::block_on;

    const KNOWN: &str = "did:sigil:zKnown";

    /// A Universal Resolver on a loopback port: answers for [`KNOWN`], 404 for
    /// `did:sigil:zMissing`, 500 for `did:sigil:zBroken`, 1 MiB and more for `did:sigil:zHuge`,
    /// another DID's document for `did:sigil:zLiar`, and records every request line.
    async fn resolver_server() -> (url::Url, Arc<Mutex<Vec<String>>>) {
        crate::test_support::http_server(|line| {
            let document =
                |id: &str| json!({"didDocument": {"id": id}, "didDocumentMetadata": {"versionId": "3"}});
            if line.contains("zKnown") || line.contains("zLiar") {
                ("200 OK", document(KNOWN))
            } else if line.contains("zMissing") {
                (
                    "404 Not Found",
                    json!({"didResolutionMetadata": {"error": "notFound"}}),
                )
            } else if line.contains("zHuge") {
                ("200 OK", json!({"padding": "x".repeat(MAX_RESPONSE_BYTES)}))
            } else {
                ("500 Internal Server Error", json!({}))
            }
        })
        .await
    }

    fn did(text: &str) -> Did {
        Did::parse(text).unwrap()
    }

    #[test]
    fn resolves_as_of_a_time_and_caches_the_historical_answer() {
        block_on(async {
            let (base, seen) = resolver_server().await;
            let client = UniversalResolverClient::new(base);
            let at = ResolutionOptions::at(crate::time::parse_datetime("2026-06-30T12:00:00Z").unwrap());
            let resolution = client.resolve(&did(KNOWN), &at).await.unwrap();
            assert_eq!(resolution.document.id, KNOWN);
            assert_eq!(resolution.metadata.version_id.as_deref(), Some("3"));
            client.resolve(&did(KNOWN), &at).await.unwrap();
            let seen = seen.lock().unwrap().clone();
            assert_eq!(
                seen.len(),
                1,
                "the second resolution should come from the cache: {seen:?}"
            );
            assert!(
                seen[0].starts_with(
                    "GET /1.0/identifiers/did:sigil:zKnown?versionTime=2026-06-30T12%3A00%3A00Z "
                ),
                "{}",
                seen[0]
            );
        });
    }

    #[test]
    fn not_found_is_an_answer_and_a_server_error_is_unavailable() {
        block_on(async {
            let (base, _) = resolver_server().await;
            let client = UniversalResolverClient::new(base);
            let latest = ResolutionOptions::latest();
            let missing = client
                .resolve(&did("did:sigil:zMissing"), &latest)
                .await
                .unwrap_err();
            assert!(matches!(missing, ResolutionError::NotFound(_)), "{missing}");
            assert!(!missing.is_unavailable());
            let broken = client
                .resolve(&did("did:sigil:zBroken"), &latest)
                .await
                .unwrap_err();
            assert!(broken.is_unavailable(), "{broken}");
        });
    }

    #[test]
    fn a_document_for_another_did_is_refused() {
        block_on(async {
            let (base, _) = resolver_server().await;
            let client = UniversalResolverClient::new(base);
            let err = client
                .resolve(&did("did:sigil:zLiar"), &ResolutionOptions::latest())
                .await
                .unwrap_err();
            assert!(matches!(err, ResolutionError::InvalidResponse(_)), "{err}");
        });
    }

    #[test]
    fn an_oversized_answer_is_refused() {
        block_on(async {
            let (base, _) = resolver_server().await;
            let client = UniversalResolverClient::new(base);
            let err = client
                .resolve(&did("did:sigil:zHuge"), &ResolutionOptions::latest())
                .await
                .unwrap_err();
            assert!(err.to_string().contains("larger than"), "{err}");
        });
    }

    #[test]
    fn an_unreachable_resolver_is_unavailable() {
        block_on(async {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let base = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
            drop(listener);
            let client = UniversalResolverClient::new(base);
            let err = client
                .resolve(&did(KNOWN), &ResolutionOptions::latest())
                .await
                .unwrap_err();
            assert!(err.is_unavailable(), "{err}");
        });
    }
}
