//! The running verifier: its DID and request-signing key, its policies, its database and the
//! registry it reads — shared by the pages, the APIs and the OpenID4VP endpoints.

use std::sync::Arc;

use async_trait::async_trait;
use sigil_core::did::{Did, StandardResolver};
use sigil_core::fetch::status_lists::UrlStatusLists;
use sigil_core::fetch::{NetPolicy, WebDocuments};
use sigil_core::key::SigningKey;
use sigil_core::registry::{RegistryClient, RegistryNodes};
use sigil_core::time::Timestamp;
use sigil_core::verify::sources::{Accreditation, StatusListsByIssuer, Unavailable};
use sigil_core::verify::{Expectations, TrustRegistry, VerifiedStatusLists, Verifier};

use crate::check::Verdict;
use crate::config::{DataDir, ServiceSettings};
use crate::policy::Policy;
use crate::store::Store;

/// The client identifier prefix of a verifier known by its DID (OpenID4VP 1.0 §5.9.3).
pub const CLIENT_ID_PREFIX: &str = "decentralized_identifier:";

/// The verifier service's shared state.
#[derive(Debug)]
pub struct VerifierService {
    pub name: String,
    pub public_url: String,
    pub settings: ServiceSettings,
    pub policies: Vec<Policy>,
    pub key: SigningKey,
    pub did: Did,
    pub store: Store,
    resolver: StandardResolver,
    /// One client for the resolver and every other registry read, so that they share the
    /// trusted genesis, the final headers seen and the proven records.
    registry: Arc<RegistryClient>,
    /// Status lists of issuers not on the registry (`did:web`, `did:key`), at their own URL.
    own_url_status: UrlStatusLists,
    /// Status lists verified this second, reused by every verification in it (the sources
    /// are always this service's resolver and registry; the roots of trust, which vary by
    /// call, play no part in verifying a list).
    status_lists: VerifiedStatusLists,
}

impl VerifierService {
    /// Opens (or, on the first start, creates) the verifier in `data_dir`.
    pub async fn open(
        data_dir: &DataDir,
        registry: Option<&RegistryNodes>,
        name: Option<&str>,
        settings: Option<ServiceSettings>,
        passphrase: &str,
    ) -> anyhow::Result<VerifierService> {
        let config = data_dir.config_or_create(registry, name)?;
        let nodes = match registry {
            Some(nodes) => nodes.clone(),
            None => config
                .registry
                .parse()
                .map_err(|e| anyhow::anyhow!("registry {:?}: {e}", config.registry))?,
        };
        let key = data_dir.key_or_create(passphrase)?;
        let settings = settings.unwrap_or(config.service);
        let web = Arc::new(WebDocuments::new(NetPolicy::strict()));
        let mut client = RegistryClient::for_nodes(&nodes);
        if let Some(genesis) = &config.registry_genesis {
            client = client.pinned(genesis.clone());
        }
        let registry = Arc::new(client);
        Ok(VerifierService {
            name: config.name,
            public_url: settings.public_url(),
            settings,
            policies: config.policies,
            did: key.did_key(),
            key,
            store: Store::open(&data_dir.database_path()).await?,
            resolver: StandardResolver::with_registry(registry.clone()).with_web(web.clone()),
            registry,
            own_url_status: UrlStatusLists::new(web),
            status_lists: VerifiedStatusLists::new(),
        })
    }

    /// `decentralized_identifier:did:key:…`: how wallets know this verifier.
    pub fn client_id(&self) -> String {
        format!("{CLIENT_ID_PREFIX}{}", self.did)
    }

    /// The verification method that signs request objects.
    pub fn key_id(&self) -> String {
        self.key.did_key_method()
    }

    pub fn policy(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// Verifies `input` with the registry's facts; accreditations count only from `roots`
    /// (all roots of the registry's genesis when empty).
    pub async fn verify(
        &self,
        input: &str,
        expect: &Expectations,
        roots: &[String],
        now: Timestamp,
    ) -> Verdict {
        let trust = RootsOfTrust {
            registry: self.registry.as_ref(),
            roots,
        };
        let status = StatusListsByIssuer {
            registry: Some(self.registry.as_ref()),
            own_url: Some(&self.own_url_status),
        };
        let mut verifier = Verifier::new(&self.resolver);
        verifier.status = Some(&status);
        verifier.trust = Some(&trust);
        verifier.history = Some(self.registry.as_ref());
        verifier.status_lists_seen = Some(&self.status_lists);
        verifier.now = now;
        Verdict::of(verifier.verify(input, expect).await)
    }
}

/// The registry's accreditations, counted only when granted by one of `roots`.
struct RootsOfTrust<'a> {
    registry: &'a RegistryClient,
    roots: &'a [String],
}

#[async_trait]
impl TrustRegistry for RootsOfTrust<'_> {
    async fn accreditation(
        &self,
        issuer: &Did,
        credential_type: &str,
        at: Timestamp,
    ) -> Result<Option<Accreditation>, Unavailable> {
        let found = self.registry.accreditation(issuer, credential_type, at).await?;
        Ok(found.filter(|a| self.roots.is_empty() || self.roots.contains(&a.accredited_by)))
    }
}
