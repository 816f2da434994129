//! The running issuer: the institution's unlocked signing key and its profiles' keys, its
//! credential types, its database and its registry, shared by the OpenID4VCI endpoints, the
//! API and the portal.

use std::sync::{Arc, RwLock};

use sigil_core::did::Did;
use sigil_core::did::resolver::StandardResolver;
use sigil_core::key::SigningKey;
use sigil_core::registry::RegistryClient;
use sigil_core::time::Timestamp;
use zeroize::Zeroizing;

use crate::config::ServiceSettings;
use crate::credential_types::TypeCatalogue;
use crate::institution::{Institution, IssuerConfig, Rotation};
use crate::nonces::Nonces;
use crate::profiles::Profile;
use crate::store::Store;
use crate::store::records::AuditEntry;

/// The key the issuer signs with now.
#[derive(Debug)]
pub struct ActiveKey {
    pub did: Did,
    pub key: SigningKey,
    /// The verification method, `did:sigil:…#key-N`.
    pub method: String,
}

/// The issuer service's shared state.
#[derive(Debug)]
pub struct Issuer {
    pub institution: Institution,
    /// The institution's name, as wallets show it.
    pub name: String,
    pub settings: ServiceSettings,
    /// The verifier printed diplomas' QR codes lead to (`paper_verifier`), when one is set.
    pub paper_verifier: Option<url::Url>,
    /// The credential issuer identifier (public base URL, no trailing slash).
    pub public_url: String,
    pub types: TypeCatalogue,
    pub store: Store,
    pub registry: RegistryClient,
    /// Resolves holders' DIDs (`did:key`, `did:jwk`, and `did:sigil` through the registry).
    pub resolver: StandardResolver,
    /// The nonce endpoint's nonces, and those spent.
    pub nonces: Nonces,
    active: RwLock<Arc<ActiveKey>>,
    /// The profiles (`did:key` identities) it can sign as besides the institution's DID.
    profiles: Vec<Arc<Profile>>,
    /// Kept to open the controller key when the portal rotates keys, and to open (and seal the
    /// next) cold key an operator hands over for a compromise rotation.
    passphrase: Zeroizing<String>,
    /// Serialises status-list publications: each is built from the database and must reach
    /// the registry in order.
    pub(crate) status_lock: tokio::sync::Mutex<()>,
    /// Serialises anchoring, so that a credential is never put in two batches.
    pub(crate) anchor_lock: tokio::sync::Mutex<()>,
    /// Signing holds this for reading; a key rotation holds it for writing, so nothing is
    /// signed with the old key once its retirement is on its way to the registry.
    signing_gate: tokio::sync::RwLock<()>,
}

/// The key to sign with, and the right to sign with it now (see [`Issuer::signing_key`]).
#[derive(Debug)]
pub struct SigningPermit<'a> {
    _gate: tokio::sync::RwLockReadGuard<'a, ()>,
    key: Arc<ActiveKey>,
}

impl std::ops::Deref for SigningPermit<'_> {
    type Target = ActiveKey;

    fn deref(&self) -> &ActiveKey {
        &self.key
    }
}

impl Issuer {
    /// Opens the institution in `institution.data_dir`: unlocks its signing key, loads its
    /// credential types and opens its database. `settings` overrides `issuer.toml`'s.
    pub async fn open(
        institution: Institution,
        settings: Option<ServiceSettings>,
        passphrase: &str,
    ) -> anyhow::Result<Issuer> {
        let config: IssuerConfig = institution.config()?;
        let settings = settings.unwrap_or(config.service.clone());
        let types = TypeCatalogue::load(&institution.data_dir, &settings.type_files)?;
        let paper_verifier = settings.paper_verifier_url().map_err(|e| {
            anyhow::anyhow!(
                "paper_verifier {:?} is not a URL: {e}",
                settings.paper_verifier.as_deref().unwrap_or_default()
            )
        })?;
        let active = Self::unlock(&institution, passphrase)?;
        let profiles = crate::profiles::unlock(&institution, &config.profiles, passphrase)?;
        let (registry, resolver_registry) = (config.registry_client()?, config.registry_client()?);
        let store = Store::open(&institution.database_path()).await?;
        Ok(Issuer {
            name: config.name,
            public_url: settings.public_url(),
            paper_verifier,
            settings,
            types,
            store,
            registry,
            resolver: StandardResolver::with_registry(resolver_registry),
            nonces: Nonces::new(),
            active: RwLock::new(Arc::new(active)),
            profiles,
            passphrase: Zeroizing::new(passphrase.to_owned()),
            status_lock: tokio::sync::Mutex::new(()),
            anchor_lock: tokio::sync::Mutex::new(()),
            signing_gate: tokio::sync::RwLock::new(()),
            institution,
        })
    }

    fn unlock(institution: &Institution, passphrase: &str) -> anyhow::Result<ActiveKey> {
        let (did, key, method) = institution.signer(passphrase)?;
        Ok(ActiveKey { did, key, method })
    }

    /// The key to sign with, held until the permit is dropped: a rotation waits for it.
    pub async fn signing_key(&self) -> SigningPermit<'_> {
        let gate = self.signing_gate.read().await;
        SigningPermit {
            _gate: gate,
            key: self.active_key(),
        }
    }

    /// The key signing with now, to show (to sign, take [`Issuer::signing_key`]).
    pub fn active_key(&self) -> Arc<ActiveKey> {
        match self.active.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The institution's DID.
    pub fn did(&self) -> Did {
        self.active_key().did.clone()
    }

    /// The profiles it can sign as, in the order `issuer.toml` lists them.
    pub fn profiles(&self) -> &[Arc<Profile>] {
        &self.profiles
    }

    /// The profile called `name`.
    pub fn profile(&self, name: &str) -> Option<Arc<Profile>> {
        self.profiles.iter().find(|profile| profile.name == name).cloned()
    }

    /// The profile whose DID is `did`.
    pub fn profile_with_did(&self, did: &str) -> Option<Arc<Profile>> {
        self.profiles
            .iter()
            .find(|profile| profile.did.as_str() == did)
            .cloned()
    }

    /// Rotates the signing key on the registry (as `sigil-issuer keys rotate`) and signs with
    /// the new key from now on. Returns the new method's fragment.
    ///
    /// Signing pauses meanwhile, and the operation is dated at the next whole second: the
    /// registry and verifiers compare times to the second, so every credential the old key
    /// signed is dated strictly before the key's retirement.
    pub async fn rotate(&self, rotation: &Rotation, actor: &str) -> anyhow::Result<String> {
        let (fragment, now) = {
            let _gate = self.signing_gate.write().await;
            let now = next_whole_second().await;
            let fragment =
                crate::institution::rotate(&self.institution, &self.passphrase, rotation, now).await?;
            let active = Self::unlock(&self.institution, &self.passphrase)?;
            match self.active.write() {
                Ok(mut guard) => *guard = Arc::new(active),
                Err(poisoned) => *poisoned.into_inner() = Arc::new(active),
            }
            (fragment, now)
        };
        let detail = match rotation {
            Rotation::Routine => "routine rotation".to_owned(),
            Rotation::Compromised { since, .. } => {
                format!("compromised since {}", sigil_core::time::format_datetime(*since))
            }
        };
        self.store
            .audit(AuditEntry::new(
                now.timestamp(),
                actor,
                "rotate key",
                &fragment,
                &detail,
            ))
            .await?;
        // The lists must carry a signature verifiers still trust (see `republish_stale_lists`);
        // if the registry is down now, `serve` re-signs them at its next start.
        self.republish_stale_lists().await.map_err(|e| {
            anyhow::anyhow!("the key was rotated, but the status lists could not be re-signed yet: {e}")
        })?;
        Ok(fragment)
    }

    /// The compromise rotation of the portal and the API: `sealed_cold_key` is the cold key
    /// file's text (sealed under the institution's passphrase) that the operator brings back
    /// for this one use. Returns the new signing key's fragment and the next cold key's file
    /// text, sealed before anything is submitted, for the operator to take offline — the
    /// service keeps neither key.
    pub async fn recover(
        &self,
        since: Timestamp,
        sealed_cold_key: &str,
        actor: &str,
    ) -> anyhow::Result<(String, String)> {
        let cold_key = sigil_core::keystore::open(sealed_cold_key.trim(), &self.passphrase)
            .map_err(|e| anyhow::anyhow!("the cold key could not be opened: {e}"))?;
        let next_cold_key = SigningKey::generate();
        let sealed_next = sigil_core::keystore::seal(
            &next_cold_key,
            &self.passphrase,
            sigil_core::keystore::KdfParams::default(),
        )?;
        let rotation = Rotation::Compromised {
            since,
            cold_key: Box::new(cold_key),
            next_cold_key: Box::new(next_cold_key),
        };
        let fragment = self.rotate(&rotation, actor).await?;
        Ok((fragment, sealed_next))
    }

    /// Appends to the audit log; a failure is logged, never shown to the caller as theirs.
    pub async fn audit(&self, actor: &str, action: &str, target: &str, detail: &str) {
        let now = sigil_core::time::now().timestamp();
        let entry = AuditEntry::new(now, actor, action, target, detail);
        if let Err(error) = self.store.audit(entry).await {
            tracing::error!(%error, action, "could not write the audit log");
        }
    }
}

/// Waits for the start of the next second and returns it.
async fn next_whole_second() -> Timestamp {
    let now = sigil_core::time::now();
    let next = now.timestamp() + 1;
    let wait = (next * 1000 - now.timestamp_millis()).clamp(0, 1000);
    tokio::time::sleep(std::time::Duration::from_millis(
        u64::try_from(wait).unwrap_or(1000),
    ))
    .await;
    chrono::DateTime::from_timestamp(next, 0).unwrap_or_else(sigil_core::time::now)
}
