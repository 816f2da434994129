//! What verification needs to know from outside the credential — status lists, issuer
//! accreditations, key history and issuance anchors — read through traits, so the registry
//! (or, for status lists of issuers not on it, the lists' own URLs) can supply real data and
//! tests can supply in-memory data.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::did::Did;
use crate::names::LegalName;
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

    /// The status list credential at `url` that a credential of `issuer` names. The status
    /// check asks this; a source that serves every issuer alike keeps this default, a
    /// source that routes by issuer ([`StatusListsByIssuer`]) overrides it.
    async fn status_list_of(&self, issuer: &Did, url: &str) -> Result<Option<String>, Unavailable> {
        let _ = issuer;
        self.status_list(url).await
    }
}

/// Status lists where each issuer publishes them. A `did:sigil` issuer's are read from the
/// registry only (never at the host its credential names). Any other issuer's (`did:web`,
/// `did:key`) are read from the registry when it holds them — issuers that sign with a
/// `did:key` may still publish there — and otherwise at the list's own URL
/// ([`crate::fetch::status_lists::UrlStatusLists`]). Either way the status check verifies
/// the list (its proof, its issuer equal to the credential's) before reading it, so where it
/// came from decides only how fresh it is. Without a source an issuer's lists can come from,
/// the check cannot be made.
#[derive(Clone, Copy, Default)]
pub struct StatusListsByIssuer<'a> {
    /// The registry's lists: every list of a `did:sigil` issuer, and those other issuers
    /// published there.
    pub registry: Option<&'a dyn StatusListSource>,
    /// Lists at their own URL, for issuers that are not `did:sigil`.
    pub own_url: Option<&'a dyn StatusListSource>,
}

impl std::fmt::Debug for StatusListsByIssuer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusListsByIssuer")
            .field("registry", &self.registry.is_some())
            .field("own_url", &self.own_url.is_some())
            .finish()
    }
}

#[async_trait]
impl StatusListSource for StatusListsByIssuer<'_> {
    /// Without an issuer to route by, a list is read at its own URL when that is configured.
    async fn status_list(&self, url: &str) -> Result<Option<String>, Unavailable> {
        match self.own_url.or(self.registry) {
            Some(source) => source.status_list(url).await,
            None => Err(Unavailable(format!(
                "no status list source is configured to read {url}"
            ))),
        }
    }

    async fn status_list_of(&self, issuer: &Did, url: &str) -> Result<Option<String>, Unavailable> {
        if issuer.method() == "sigil" {
            return match self.registry {
                Some(registry) => registry.status_list_of(issuer, url).await,
                None => Err(Unavailable(format!(
                    "{issuer} publishes its status lists on a registry, and none is configured (pass --registry)"
                ))),
            };
        }
        let from_registry = match self.registry {
            Some(registry) => registry.status_list_of(issuer, url).await,
            None => Ok(None),
        };
        match (from_registry, self.own_url) {
            (Ok(Some(list)), _) => Ok(Some(list)),
            (_, Some(own_url)) => own_url.status_list_of(issuer, url).await,
            (Ok(None), None) => Err(Unavailable(format!(
                "{issuer} publishes its status list {url} at its own URL, and fetching it is not configured"
            ))),
            (Err(e), None) => Err(e),
        }
    }
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
    /// The accredited party's legal name, as the root recorded it.
    pub legal_name: Option<LegalName>,
    /// The root of trust that granted it.
    pub accredited_by: String,
    /// The root's legal name, as genesis or governance recorded it.
    pub accredited_by_name: Option<LegalName>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::block_on;

    fn lists(text: &str) -> InMemoryStatusLists {
        InMemoryStatusLists(HashMap::from([(
            "https://uni.example/status/1".to_owned(),
            text.to_owned(),
        )]))
    }

    #[test]
    fn a_did_sigil_issuers_lists_come_from_the_registry_only() {
        let own_url = lists("from its URL");
        let empty_registry = InMemoryStatusLists::default();
        let routed = StatusListsByIssuer {
            registry: Some(&empty_registry),
            own_url: Some(&own_url),
        };
        let sigil = Did::parse("did:sigil:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy").unwrap();
        let answer = block_on(routed.status_list_of(&sigil, "https://uni.example/status/1"));
        assert_eq!(answer, Ok(None), "a did:sigil list was read at its URL");
    }

    #[test]
    fn other_issuers_lists_come_from_the_registry_when_it_has_them_else_from_their_url() {
        let (registry, own_url) = (lists("from the registry"), lists("from its URL"));
        let routed = StatusListsByIssuer {
            registry: Some(&registry),
            own_url: Some(&own_url),
        };
        let web = Did::parse("did:web:uni.example").unwrap();
        assert_eq!(
            block_on(routed.status_list_of(&web, "https://uni.example/status/1")),
            Ok(Some("from the registry".to_owned()))
        );
        let empty_registry = InMemoryStatusLists::default();
        let routed = StatusListsByIssuer {
            registry: Some(&empty_registry),
            own_url: Some(&own_url),
        };
        let url = "https://uni.example/status/1";
        let ask = |did: &str| block_on(routed.status_list_of(&Did::parse(did).unwrap(), url));
        assert_eq!(
            ask("did:web:uni.example").unwrap().as_deref(),
            Some("from its URL")
        );
        assert_eq!(
            ask("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
                .unwrap()
                .as_deref(),
            Some("from its URL")
        );
    }

    #[test]
    fn without_the_source_an_issuer_needs_the_check_cannot_be_made() {
        let registry = InMemoryStatusLists::default();
        let routed = StatusListsByIssuer {
            registry: Some(&registry),
            own_url: None,
        };
        let web = Did::parse("did:web:uni.example").unwrap();
        let error = block_on(routed.status_list_of(&web, "https://uni.example/status/1")).unwrap_err();
        assert!(error.0.contains("own URL"), "{error}");
        let sigil = Did::parse("did:sigil:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy").unwrap();
        let nothing = StatusListsByIssuer::default();
        assert!(block_on(nothing.status_list_of(&sigil, "https://uni.example/status/1")).is_err());
    }
}
