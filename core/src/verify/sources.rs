//! What verification needs to know from outside the credential — status lists, issuer
//! accreditations, key history and issuance anchors — read through traits, so the registry
//! can supply real data and tests can supply in-memory data.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::did::Did;
use crate::time::Timestamp;

/// A source could not answer (network error, server error): verification reports
/// "could not check", never "invalid", for this.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// Fetches Bitstring Status List credentials by URL.
#[async_trait]
pub trait StatusListSource: Send + Sync {
    /// The status list credential at `url` as published (JSON text or compact JWS), or
    /// `None` when there is no such list.
    async fn status_list(&self, url: &str) -> Result<Option<String>, Unavailable>;
}

/// An accreditation: a root of trust allows an issuer to issue a credential type (as EBSI's
/// Trusted Issuers Registry does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accreditation {
    /// The accredited DID: the issuer, or the verifier for a verifier accreditation
    /// (`RegistryClient::verifier_accreditation`).
    pub issuer: Did,
    /// The type asked about.
    pub credential_type: String,
    /// Every type the accreditation names: those the issuer may issue, or those the verifier
    /// may request.
    pub credential_types: Vec<String>,
    /// The root of trust that granted it.
    pub accredited_by: String,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
}

impl Accreditation {
    /// Whether the accreditation covers `at`.
    pub fn covers(&self, at: Timestamp) -> bool {
        self.valid_from.is_none_or(|from| from <= at) && self.valid_until.is_none_or(|until| at < until)
    }
}

/// Answers whether an issuer was accredited for a credential type at a time.
#[async_trait]
pub trait TrustRegistry: Send + Sync {
    /// The accreditation covering `issuer`, `credential_type` and `at`, if any.
    async fn accreditation(
        &self,
        issuer: &Did,
        credential_type: &str,
        at: Timestamp,
    ) -> Result<Option<Accreditation>, Unavailable>;
}

/// What the ledger knows about a verification method and its DID, as of now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyEvents {
    /// The key was declared compromised from this time on.
    pub compromised_since: Option<Timestamp>,
    /// The DID was deactivated at this time.
    pub deactivated_at: Option<Timestamp>,
}

/// Evidence that a credential existed at a time: an issuance anchor in a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorEvidence {
    pub block_height: u64,
    pub block_time: Timestamp,
}

/// Key history and issuance anchors (docs/design.md §5 rule 3).
#[async_trait]
pub trait KeyHistory: Send + Sync {
    /// The events of `method_id` (a DID URL) and of its DID.
    async fn key_events(&self, did: &Did, method_id: &str) -> Result<KeyEvents, Unavailable>;

    /// An anchor by `issuer` covering `credential_hash` in a block before `before`.
    async fn anchored_before(
        &self,
        issuer: &Did,
        credential_hash: &str,
        before: Timestamp,
    ) -> Result<Option<AnchorEvidence>, Unavailable>;
}

/// In-memory status lists, keyed by URL.
#[derive(Debug, Default, Clone)]
pub struct InMemoryStatusLists(pub HashMap<String, String>);

#[async_trait]
impl StatusListSource for InMemoryStatusLists {
    async fn status_list(&self, url: &str) -> Result<Option<String>, Unavailable> {
        Ok(self.0.get(url).cloned())
    }
}

/// In-memory accreditations.
#[derive(Debug, Default, Clone)]
pub struct InMemoryTrust(pub Vec<Accreditation>);

#[async_trait]
impl TrustRegistry for InMemoryTrust {
    async fn accreditation(
        &self,
        issuer: &Did,
        credential_type: &str,
        at: Timestamp,
    ) -> Result<Option<Accreditation>, Unavailable> {
        Ok(self
            .0
            .iter()
            .find(|a| &a.issuer == issuer && a.credential_type == credential_type && a.covers(at))
            .cloned())
    }
}

/// In-memory key events and anchors.
#[derive(Debug, Default, Clone)]
pub struct InMemoryKeyHistory {
    /// Events by verification method id.
    pub methods: HashMap<String, KeyEvents>,
    /// Deactivation time by DID.
    pub deactivated: HashMap<Did, Timestamp>,
    /// Anchors: (issuer, credential hash) → evidence.
    pub anchors: HashMap<(Did, String), AnchorEvidence>,
}

#[async_trait]
impl KeyHistory for InMemoryKeyHistory {
    async fn key_events(&self, did: &Did, method_id: &str) -> Result<KeyEvents, Unavailable> {
        let mut events = self.methods.get(method_id).cloned().unwrap_or_default();
        events.deactivated_at = self.deactivated.get(did).copied();
        Ok(events)
    }

    async fn anchored_before(
        &self,
        issuer: &Did,
        credential_hash: &str,
        before: Timestamp,
    ) -> Result<Option<AnchorEvidence>, Unavailable> {
        Ok(self
            .anchors
            .get(&(issuer.clone(), credential_hash.to_owned()))
            .filter(|anchor| anchor.block_time < before)
            .cloned())
    }
}

/// A source that is never reachable: for tests of "could not check".
#[derive(Debug, Default, Clone, Copy)]
pub struct Unreachable;

#[async_trait]
impl StatusListSource for Unreachable {
    async fn status_list(&self, url: &str) -> Result<Option<String>, Unavailable> {
        Err(Unavailable(format!("could not reach the status list at {url}")))
    }
}
