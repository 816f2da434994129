//! DID resolution (W3C DID Resolution): the [`DidResolver`] trait, its options and result,
//! and [`StandardResolver`], which resolves `did:key` and `did:jwk` locally, `did:web` over
//! HTTPS (see [`super::web`]) and reads `did:sigil` from the Sigil registry's proven records
//! ([`crate::registry::RegistryClient::resolve`]).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::document::DidDocument;
use std::sync::Arc;

use super::web::WebResolver;
use super::{Did, jwk, key};
use crate::fetch::{NetPolicy, WebDocuments};
use crate::registry::RegistryClient;
use crate::time::Timestamp;

/// Resolution options (DID Resolution §4.1): which version of the document is wanted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ResolutionOptions {
    /// The document as it was at this time (`versionTime`).
    pub version_time: Option<Timestamp>,
    /// A specific version (`versionId`).
    pub version_id: Option<String>,
}

impl ResolutionOptions {
    /// The latest version.
    pub fn latest() -> Self {
        Self::default()
    }

    /// The version in force at `time`.
    pub fn at(time: Timestamp) -> Self {
        ResolutionOptions {
            version_time: Some(time),
            version_id: None,
        }
    }
}

/// DID document metadata (DID Core §7.1.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(default)]
    pub deactivated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_version_id: Option<String>,
    /// Method-specific metadata (for `did:sigil`: block height, inclusion proof, key history).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A successful resolution: the document and its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub document: DidDocument,
    pub metadata: DocumentMetadata,
}

/// Why a DID could not be resolved. [`ResolutionError::is_unavailable`] separates "the
/// answer is no" from "no answer could be had", which verification reports differently.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ResolutionError {
    /// The DID is malformed for its method (DID Resolution error `invalidDid`).
    #[error("invalid DID: {0}")]
    InvalidDid(String),
    /// The DID does not exist (`notFound`).
    #[error("DID not found: {0}")]
    NotFound(String),
    /// No resolver for this method is configured (`methodNotSupported`).
    #[error("DID method `{0}` is not supported here")]
    MethodNotSupported(String),
    /// The resolver could not be reached or failed (network error, HTTP 5xx, timeout).
    #[error("DID resolver unavailable: {0}")]
    Unavailable(String),
    /// The resolver answered with something that is not a DID resolution result.
    #[error("DID resolver sent an invalid answer: {0}")]
    InvalidResponse(String),
}

impl ResolutionError {
    /// Whether the failure means "could not check" rather than "checked, and it is invalid".
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            ResolutionError::Unavailable(_) | ResolutionError::InvalidResponse(_)
        )
    }
}

/// Resolves DIDs. Implementations are shared across requests, so they must be thread-safe.
#[async_trait]
pub trait DidResolver: Send + Sync {
    /// Resolves `did` with the given options.
    async fn resolve(&self, did: &Did, options: &ResolutionOptions) -> Result<Resolution, ResolutionError>;
}

/// The resolver Sigil uses by default: `did:key` and `did:jwk` locally (their documents never
/// change, so every version time gives the same answer), `did:web` over HTTPS when the
/// resolver may use the network (or has local copies of the documents), `did:sigil` through
/// the registry when one is configured, from the DID's record proven against a final header
/// (so no single registry node is trusted).
#[derive(Debug, Default)]
pub struct StandardResolver {
    registry: Option<Arc<RegistryClient>>,
    web: Option<WebResolver>,
}

impl StandardResolver {
    /// A resolver for `did:key` and `did:jwk` only: it reaches nothing outside the process.
    pub fn offline() -> Self {
        StandardResolver::default()
    }

    /// A resolver that also resolves `did:sigil` through `registry`, and `did:web` over
    /// HTTPS under the strict [`NetPolicy`].
    pub fn with_registry(registry: impl Into<Arc<RegistryClient>>) -> Self {
        StandardResolver {
            registry: Some(registry.into()),
            web: None,
        }
        .with_web(Arc::new(WebDocuments::new(NetPolicy::strict())))
    }

    /// This resolver, resolving `did:web` through `documents` (a policy other than the
    /// strict one, or local copies for verifying offline).
    pub fn with_web(mut self, documents: Arc<WebDocuments>) -> Self {
        self.web = Some(WebResolver::new(documents));
        self
    }
}

#[async_trait]
impl DidResolver for StandardResolver {
    async fn resolve(&self, did: &Did, options: &ResolutionOptions) -> Result<Resolution, ResolutionError> {
        let static_document = |document| Resolution {
            document,
            metadata: DocumentMetadata::default(),
        };
        match did.method() {
            "key" => key::resolve(did).map(static_document),
            "jwk" => jwk::resolve(did).map(static_document),
            "web" => match &self.web {
                Some(web) => web.resolve(did).await,
                None => Err(ResolutionError::Unavailable(
                    "this resolver reaches no network, so it cannot resolve did:web".into(),
                )),
            },
            "sigil" => match &self.registry {
                Some(registry) => registry.resolve(did, options).await,
                None => Err(ResolutionError::Unavailable(
                    "no registry configured to resolve did:sigil (pass --registry URL)".into(),
                )),
            },
            other => Err(ResolutionError::MethodNotSupported(other.to_owned())),
        }
    }
}

/// An in-memory resolver for tests and fixtures: a list of document versions per DID, each
/// valid from a time. Used by the verification tests to play out key rotation and
/// deactivation without a registry.
#[derive(Debug, Default, Clone)]
pub struct InMemoryResolver {
    versions: std::collections::HashMap<Did, Vec<(Timestamp, Resolution)>>,
}

impl InMemoryResolver {
    /// Records that `did` had `resolution` from `from` on.
    pub fn insert(&mut self, did: Did, from: Timestamp, resolution: Resolution) {
        let versions = self.versions.entry(did).or_default();
        versions.push((from, resolution));
        versions.sort_by_key(|(time, _)| *time);
    }
}

#[async_trait]
impl DidResolver for InMemoryResolver {
    async fn resolve(&self, did: &Did, options: &ResolutionOptions) -> Result<Resolution, ResolutionError> {
        if matches!(did.method(), "key" | "jwk") {
            return StandardResolver::offline().resolve(did, options).await;
        }
        let versions = self
            .versions
            .get(did)
            .ok_or_else(|| ResolutionError::NotFound(did.to_string()))?;
        let found = match options.version_time {
            Some(time) => versions.iter().rev().find(|(from, _)| *from <= time),
            None => versions.last(),
        };
        found
            .map(|(_, resolution)| resolution.clone())
            .ok_or_else(|| ResolutionError::NotFound(format!("{did} did not exist at that time")))
    }
}
