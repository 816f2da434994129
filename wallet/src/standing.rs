//! Who is asking, by what can be checked. A presentation request proves only that it was
//! signed by a key of the verifier's DID; the name in it is whatever the verifier says about
//! itself, and an impostor with its own `did:key` can say "Example Employer" as well as the
//! real one. So before consent the wallet finds out, and the consent screens (web and
//! terminal) show:
//!
//! - the verifier's DID;
//! - whether the trust registry accredits that DID as a verifier, by which root of trust and
//!   for which credential types — or that this could not be checked, which is never shown as
//!   accredited;
//! - whether the type asked for is one of those types;
//! - whether this wallet has presented to that DID before (its sealed record of verifiers).

use async_trait::async_trait;
use sigil_core::did::Did;
use sigil_core::names::LegalName;
use sigil_core::registry::RegistryClient;
use sigil_core::time::Timestamp;
use sigil_core::verify::sources::{Accreditation, Unavailable};

use crate::holder::Holder;
use crate::present::{Match, Request};
use crate::store::{Store, StoreError, VerifierRecord};

/// Where verifier accreditations are read (the registry; memory in tests).
#[async_trait]
pub trait VerifierAccreditations: Send + Sync {
    /// The accreditation of `verifier` as a verifier in force at `at`, if any.
    async fn verifier_accreditation(
        &self,
        verifier: &Did,
        at: Timestamp,
    ) -> Result<Option<Accreditation>, Unavailable>;
}

#[async_trait]
impl VerifierAccreditations for RegistryClient {
    async fn verifier_accreditation(
        &self,
        verifier: &Did,
        at: Timestamp,
    ) -> Result<Option<Accreditation>, Unavailable> {
        RegistryClient::verifier_accreditation(self, verifier, at).await
    }
}

/// What the registry says of the verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accredited {
    /// A root of trust accredits it as a verifier for these types.
    Yes {
        /// The verifier's legal name, as the root recorded it.
        legal_name: Option<LegalName>,
        /// The root of trust's DID.
        by: String,
        /// The root of trust's legal name, as genesis or governance recorded it.
        by_name: Option<LegalName>,
        /// The types it may request (short names).
        types: Vec<String>,
    },
    /// No accreditation as a verifier is in force.
    No,
    /// The registry could not be asked (or the wallet has none): nothing is known.
    CouldNotCheck(String),
}

/// What the wallet could check about a verifier, for the consent screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The verifier's DID.
    pub did: Did,
    /// The name the verifier gives itself: never checked by anyone.
    pub claimed_name: Option<String>,
    /// Its accreditation as a verifier.
    pub accredited: Accredited,
    /// The types asked for that an accreditation does not cover (short names), if any.
    pub beyond_accreditation: Vec<String>,
    /// This wallet's record of presenting to it.
    pub seen: Option<VerifierRecord>,
}

/// Finds out what can be checked about `verifier`, asking for `requested_types`.
pub async fn check(
    registry: Option<&dyn VerifierAccreditations>,
    holder: &Holder,
    store: &Store,
    verifier: &Did,
    claimed_name: Option<&str>,
    requested_types: &[&str],
    now: Timestamp,
) -> Result<Standing, StoreError> {
    let accredited = match registry {
        None => Accredited::CouldNotCheck("this wallet has no registry to ask".into()),
        Some(registry) => match registry.verifier_accreditation(verifier, now).await {
            Ok(Some(accreditation)) => {
                // A type is often named twice (its term and its `vct`): once is enough here.
                let mut types: Vec<String> = Vec::new();
                for short in accreditation.credential_types.iter().map(|t| short_type(t)) {
                    if !types.contains(&short) {
                        types.push(short);
                    }
                }
                Accredited::Yes {
                    legal_name: accreditation.legal_name,
                    by: accreditation.accredited_by,
                    by_name: accreditation.accredited_by_name,
                    types,
                }
            }
            Ok(None) => Accredited::No,
            Err(Unavailable(reason)) => Accredited::CouldNotCheck(reason),
        },
    };
    let beyond_accreditation = match &accredited {
        Accredited::Yes { types, .. } => {
            let mut beyond: Vec<String> = Vec::new();
            for requested in requested_types.iter().map(|t| short_type(t)) {
                if !types.contains(&requested) && !beyond.contains(&requested) {
                    beyond.push(requested);
                }
            }
            beyond
        }
        _ => Vec::new(),
    };
    Ok(Standing {
        did: verifier.clone(),
        claimed_name: claimed_name.map(str::to_owned),
        accredited,
        beyond_accreditation,
        seen: store.verifier(&holder.vault, verifier.as_str()).await?,
    })
}

/// [`check`] for `request`, answered with the credentials of `found`, against the wallet's
/// registry (none configured, or a registry URL that does not parse: could not check).
pub async fn for_request(
    holder: &Holder,
    store: &Store,
    request: &Request,
    found: &Match,
) -> Result<Standing, StoreError> {
    let registry = holder.config.registry_client().ok().flatten();
    check(
        registry.as_ref().map(|r| r as &dyn VerifierAccreditations),
        holder,
        store,
        &request.verifier,
        request.verifier_name.as_deref(),
        &found
            .answers
            .iter()
            .map(|answer| answer.held.row.type_name.as_str())
            .collect::<Vec<_>>(),
        sigil_core::time::now(),
    )
    .await
}

/// The last segment of a type IRI or `vct`.
fn short_type(text: &str) -> String {
    text.rsplit(['#', '/']).next().unwrap_or(text).to_owned()
}

impl Standing {
    /// The loud warning about who the verifier is, if one is due.
    pub fn warning(&self) -> Option<String> {
        let name = match &self.claimed_name {
            Some(name) => format!("The name \"{name}\" is what it says about itself; nobody has checked it."),
            None => "It gives no name, and nobody has checked who it is.".to_owned(),
        };
        match &self.accredited {
            Accredited::Yes { .. } => None,
            Accredited::No => Some(format!("This verifier is not accredited. {name}")),
            Accredited::CouldNotCheck(reason) => {
                Some(format!("Could not check accreditation ({reason}). {name}"))
            }
        }
    }

    /// The verifier's legal name, when an accreditation in force records one.
    pub fn legal_name(&self) -> Option<&LegalName> {
        match &self.accredited {
            Accredited::Yes { legal_name, .. } => legal_name.as_ref(),
            _ => None,
        }
    }

    /// The accreditation in a sentence.
    pub fn accreditation(&self) -> String {
        match &self.accredited {
            Accredited::Yes {
                by, by_name, types, ..
            } => {
                let by = by_name
                    .as_ref()
                    .map_or_else(|| by.clone(), |name| format!("{name} ({by})"));
                format!("Accredited as a verifier by {by} for {}.", types.join(", "))
            }
            Accredited::No => "Not accredited as a verifier by any root of trust.".to_owned(),
            Accredited::CouldNotCheck(_) => "Could not check accreditation.".to_owned(),
        }
    }

    /// The warning about a type asked for beyond the accreditation, if one is due.
    pub fn type_warning(&self) -> Option<String> {
        let Accredited::Yes { types, .. } = &self.accredited else {
            return None;
        };
        if self.beyond_accreditation.is_empty() {
            return None;
        }
        Some(format!(
            "It asks for a {}, but it is accredited to ask only for {}.",
            self.beyond_accreditation.join(" and "),
            types.join(", ")
        ))
    }

    /// Whether this wallet has presented to the verifier before, in a sentence.
    pub fn history(&self) -> String {
        match &self.seen {
            None => "You have not presented to this verifier before.".to_owned(),
            Some(record) => format!(
                "You have presented to this verifier before: {} time(s), last on {}.",
                record.presentations,
                chrono::DateTime::from_timestamp(record.last_at, 0)
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::holder::{DidMethod, WalletDir};

    /// Verifier accreditations in memory; a DID mapped to `None` makes the registry unreachable.
    struct Registry(HashMap<String, Option<Accreditation>>);

    #[async_trait]
    impl VerifierAccreditations for Registry {
        async fn verifier_accreditation(
            &self,
            verifier: &Did,
            _at: Timestamp,
        ) -> Result<Option<Accreditation>, Unavailable> {
            match self.0.get(verifier.as_str()) {
                Some(None) => Err(Unavailable("connection refused".into())),
                Some(Some(accreditation)) => Ok(Some(accreditation.clone())),
                None => Ok(None),
            }
        }
    }

    const FAST: sigil_core::keystore::KdfParams = sigil_core::keystore::KdfParams {
        m_cost: 64,
        t_cost: 1,
        p_cost: 1,
    };

    fn did(seed: u8) -> Did {
        sigil_core::key::SigningKey::from_seed(&[seed; 32]).did_key()
    }

    fn accredited(verifier: &Did, types: &[&str]) -> Accreditation {
        Accreditation {
            issuer: verifier.clone(),
            credential_type: types.first().map(|t| (*t).to_owned()).unwrap_or_default(),
            credential_types: types.iter().map(|t| (*t).to_owned()).collect(),
            legal_name: None,
            accredited_by: "did:sigil:ministry".into(),
            accredited_by_name: None,
            valid_from: None,
            valid_until: None,
        }
    }

    #[tokio::test]
    async fn an_impostor_is_warned_about_an_accredited_verifier_is_not_and_a_second_visit_is_known() {
        let temp = tempfile::tempdir().unwrap();
        let dir = WalletDir(temp.path().to_owned());
        crate::holder::init(&dir, None, DidMethod::Key, "pw", FAST)
            .await
            .unwrap();
        let holder = crate::holder::unlock(&dir, "pw").unwrap();
        let store = Store::open(&dir.database_path()).await.unwrap();
        let (employer, impostor, unreachable) = (did(1), did(2), did(3));
        let registry = Registry(HashMap::from([
            (
                employer.to_string(),
                Some(accredited(
                    &employer,
                    &[
                        "UniversityDegreeCredential",
                        "https://w3id.org/sigil/types/UniversityDegreeCredential",
                    ],
                )),
            ),
            (unreachable.to_string(), None),
        ]));
        let now = sigil_core::time::now();
        let degree = "https://w3id.org/sigil/vocab#UniversityDegreeCredential";
        let standing = |verifier: Did, requested: &'static str| {
            let (registry, holder, store) = (&registry, &holder, &store);
            async move {
                check(
                    Some(registry),
                    holder,
                    store,
                    &verifier,
                    Some("Example Employer"),
                    &[requested],
                    now,
                )
                .await
                .unwrap()
            }
        };

        let fake = standing(impostor.clone(), degree).await;
        assert_eq!(fake.accredited, Accredited::No);
        assert_eq!(
            fake.warning().unwrap(),
            "This verifier is not accredited. The name \"Example Employer\" is what it says about \
             itself; nobody has checked it."
        );

        let real = standing(employer.clone(), degree).await;
        assert_eq!(real.warning(), None);
        assert_eq!(real.type_warning(), None);
        assert_eq!(
            real.accreditation(),
            "Accredited as a verifier by did:sigil:ministry for UniversityDegreeCredential."
        );
        assert_eq!(real.history(), "You have not presented to this verifier before.");

        let greedy = standing(employer.clone(), "ProductInspectionCertificate").await;
        assert!(
            greedy
                .type_warning()
                .unwrap()
                .contains("ProductInspectionCertificate")
        );

        let unknown = standing(unreachable, degree).await;
        assert!(matches!(unknown.accredited, Accredited::CouldNotCheck(_)));
        assert!(
            unknown
                .warning()
                .unwrap()
                .starts_with("Could not check accreditation")
        );
        assert!(!unknown.accreditation().contains("Accredited"));
        let offline = check(None, &holder, &store, &employer, None, &[degree], now)
            .await
            .unwrap();
        assert!(matches!(offline.accredited, Accredited::CouldNotCheck(_)));

        store
            .record_presentation(&holder.vault, employer.as_str(), Some("Example Employer"), 0)
            .await
            .unwrap();
        let again = standing(employer, degree).await;
        assert!(
            again
                .history()
                .starts_with("You have presented to this verifier before: 1 time(s)")
        );
        assert_eq!(standing(impostor, degree).await.seen, None);
    }
}
