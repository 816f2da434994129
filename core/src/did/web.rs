//! The `did:web` method (W3C CCG did:web Method Specification §3.2, "Read (Resolve)"): a DID
//! names an HTTPS URL whose answer is the DID document.
//!
//! `did:web:example.com` is `https://example.com/.well-known/did.json`;
//! `did:web:example.com:user:alice` is `https://example.com/user/alice/did.json`; a port is
//! written percent-encoded (`did:web:example.com%3A8443`). The host must be a domain name —
//! an IP address would bypass the certificate that makes the method trustworthy — and no
//! path segment may be `.` or `..`, which would make two DIDs name one document.
//!
//! The document is fetched under [`crate::fetch::NetPolicy`] (https only, public addresses
//! only, no redirects, at most [`MAX_DOCUMENT_BYTES`]) and its `id` must be the DID itself,
//! or the answer is not that DID's document.
//!
//! Caching: a resolved document is reused for the `max-age` its server allows, at most
//! [`MAX_TTL`] (an hour: a key rotation is seen within the hour whatever the server says),
//! and for [`DEFAULT_TTL`] (five minutes, as long as the registry's latest answers are
//! kept in spirit: prompt enough for a rotation, few enough fetches for a busy verifier) when
//! it says nothing; `no-store`, `no-cache` and `max-age=0` are honoured by not caching.
//! Failures are never cached. `did:web` keeps no history, so every version time gets the
//! current document: unlike `did:sigil`, a `did:web` issuer's rotated-out key no longer
//! verifies what it signed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Did;
use super::document::DidDocument;
use super::resolver::{DocumentMetadata, Resolution, ResolutionError};
use crate::fetch::{DocumentError, WebDocuments};

/// Largest DID document read (documents with a handful of keys are a few KiB).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// How long a document is reused when its server says nothing about caching.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The longest a document is reused, whatever its server allows.
pub const MAX_TTL: Duration = Duration::from_secs(3600);
/// Most documents cached before the cache is cleared.
const MAX_CACHE_ENTRIES: usize = 10_000;

/// The URL of `did`'s document (did:web §3.2 steps 1–6).
pub fn document_url(did: &Did) -> Result<url::Url, ResolutionError> {
    let invalid = |reason: &str| ResolutionError::InvalidDid(format!("{did}: {reason}"));
    if did.method() != "web" {
        return Err(invalid("not a did:web"));
    }
    let id = did
        .as_str()
        .strip_prefix("did:web:")
        .ok_or_else(|| invalid("not a did:web"))?;
    let mut segments = id.split(':');
    let authority = segments.next().unwrap_or_default();
    let (host, port) = match authority.split_once('%') {
        None => (authority, None),
        Some((host, rest)) => {
            let port = rest
                .strip_prefix("3A")
                .or_else(|| rest.strip_prefix("3a"))
                .ok_or_else(|| invalid("the host may only percent-encode the `:` before a port"))?;
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("the port is not a number"));
            }
            (host, Some(port))
        }
    };
    if host.is_empty() || host.contains('%') {
        return Err(invalid("no host name"));
    }
    let mut path = Vec::new();
    for segment in segments {
        if segment.is_empty() {
            return Err(invalid("an empty path segment"));
        }
        let dotted = segment.to_ascii_lowercase().replace("%2e", ".");
        if dotted == "." || dotted == ".." {
            return Err(invalid("a `.` or `..` path segment"));
        }
        path.push(segment);
    }
    let path = if path.is_empty() {
        ".well-known".to_owned()
    } else {
        path.join("/")
    };
    let authority = match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let url = url::Url::parse(&format!("https://{authority}/{path}/did.json"))
        .map_err(|e| invalid(&format!("does not name a URL: {e}")))?;
    if !matches!(url.host(), Some(url::Host::Domain(_))) {
        return Err(invalid("the host must be a domain name, not an IP address"));
    }
    Ok(url)
}

/// `body` as the document of `did`: JSON within Sigil's bounds, a DID document, whose `id`
/// is `did` (did:web §3.2 step 7).
pub fn read_document(did: &Did, body: &str) -> Result<DidDocument, ResolutionError> {
    let value = crate::json::parse(body)
        .map_err(|e| ResolutionError::InvalidResponse(format!("the document of {did} is not JSON: {e}")))?;
    let document: DidDocument = serde_json::from_value(value).map_err(|e| {
        ResolutionError::InvalidResponse(format!("the document of {did} is not a DID document: {e}"))
    })?;
    if document.id != did.as_str() {
        return Err(ResolutionError::InvalidResponse(format!(
            "the document at {did}'s URL is the document of {:?}, not of {did}",
            document.id.chars().take(200).collect::<String>()
        )));
    }
    Ok(document)
}

/// Resolves `did:web` over HTTPS, with a cache (see the module documentation).
#[derive(Debug)]
pub struct WebResolver {
    documents: Arc<WebDocuments>,
    cache: Mutex<HashMap<Did, (Instant, Resolution)>>,
}

impl WebResolver {
    /// A resolver reading documents through `documents`.
    pub fn new(documents: Arc<WebDocuments>) -> Self {
        WebResolver {
            documents,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The current document of `did`.
    pub async fn resolve(&self, did: &Did) -> Result<Resolution, ResolutionError> {
        let url = document_url(did)?;
        if let Some(hit) = self.cached(did) {
            return Ok(hit);
        }
        let fetched = self
            .documents
            .get(&url, MAX_DOCUMENT_BYTES)
            .await
            .map_err(|e| match e {
                DocumentError::NotFound { .. } => ResolutionError::NotFound(format!("{did}: {e}")),
                DocumentError::Invalid(reason) => {
                    ResolutionError::InvalidResponse(format!("{did}: {reason}"))
                }
                other => ResolutionError::Unavailable(format!("{did}: {other}")),
            })?;
        let resolution = Resolution {
            document: read_document(did, &fetched.body)?,
            metadata: DocumentMetadata::default(),
        };
        let lifetime = fetched.max_age.map_or(DEFAULT_TTL, |age| age.min(MAX_TTL));
        if !lifetime.is_zero() {
            if let Ok(mut cache) = self.cache.lock() {
                if cache.len() >= MAX_CACHE_ENTRIES {
                    cache.clear();
                }
                cache.insert(did.clone(), (Instant::now() + lifetime, resolution.clone()));
            }
        }
        Ok(resolution)
    }

    fn cached(&self, did: &Did) -> Option<Resolution> {
        let cache = self.cache.lock().ok()?;
        let (expires, resolution) = cache.get(did)?;
        (Instant::now() < *expires).then(|| resolution.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::NetPolicy;

    fn did(text: &str) -> Did {
        Did::parse(text).unwrap()
    }

    #[test]
    fn a_domain_maps_to_its_well_known_document() {
        assert_eq!(
            document_url(&did("did:web:w3c-ccg.github.io")).unwrap().as_str(),
            "https://w3c-ccg.github.io/.well-known/did.json"
        );
    }

    #[test]
    fn colons_become_path_segments() {
        assert_eq!(
            document_url(&did("did:web:w3c-ccg.github.io:user:alice"))
                .unwrap()
                .as_str(),
            "https://w3c-ccg.github.io/user/alice/did.json"
        );
    }

    #[test]
    fn a_percent_encoded_port_is_decoded() {
        assert_eq!(
            document_url(&did("did:web:example.com%3A3000:user:alice"))
                .unwrap()
                .as_str(),
            "https://example.com:3000/user/alice/did.json"
        );
        assert_eq!(
            document_url(&did("did:web:localhost%3a8443")).unwrap().as_str(),
            "https://localhost:8443/.well-known/did.json"
        );
    }

    #[test]
    fn malformed_or_ambiguous_dids_are_refused() {
        for bad in [
            "did:web:127.0.0.1",
            "did:web:127.0.0.1%3A8443",
            "did:web:example.com%2F..",
            "did:web:example.com%3A",
            "did:web:example.com%3Ahttp",
            "did:web:example.com:..:secret",
            "did:web:example.com:%2e%2E:secret",
            "did:web:example.com::alice",
            "did:web:%3A443",
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        ] {
            let error = document_url(&did(bad)).unwrap_err();
            assert!(matches!(error, ResolutionError::InvalidDid(_)), "{bad}: {error}");
        }
    }

    #[test]
    fn a_document_must_be_the_dids_own() {
        let subject = did("did:web:uni.example");
        let own = r#"{"@context":"https://www.w3.org/ns/did/v1","id":"did:web:uni.example"}"#;
        assert_eq!(read_document(&subject, own).unwrap().id, "did:web:uni.example");
        let other = r#"{"id":"did:web:evil.example"}"#;
        let error = read_document(&subject, other).unwrap_err();
        assert!(
            matches!(&error, ResolutionError::InvalidResponse(reason) if reason.contains("did:web:evil.example")),
            "{error}"
        );
        for unusable in [
            "not json",
            "[]",
            r#"{"id":"did:web:uni.example","id":"did:web:uni.example"}"#,
        ] {
            assert!(read_document(&subject, unusable).is_err(), "{unusable}");
        }
    }

    #[tokio::test]
    async fn documents_at_private_addresses_are_not_fetched() {
        // `localhost` is a name, so the URL is well formed; the strict policy refuses the
        // address it resolves to, which is "could not check", not "not found".
        let resolver = WebResolver::new(Arc::new(WebDocuments::new(NetPolicy::strict())));
        let error = resolver.resolve(&did("did:web:localhost%3A1")).await.unwrap_err();
        assert!(
            matches!(&error, ResolutionError::Unavailable(reason) if reason.contains("private network")),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_local_copy_resolves_with_no_network() {
        let subject = did("did:web:uni.example");
        let documents = WebDocuments::offline().with_document(
            &document_url(&subject).unwrap(),
            r#"{"id":"did:web:uni.example"}"#.into(),
        );
        let resolver = WebResolver::new(Arc::new(documents));
        assert_eq!(
            resolver.resolve(&subject).await.unwrap().document.id,
            subject.as_str()
        );
        let error = resolver.resolve(&did("did:web:other.example")).await.unwrap_err();
        assert!(error.is_unavailable(), "{error}");
    }
}
