//! A credential the issuer has signed and handed out: what the registrar manages afterwards
//! (its status, its anchor), never its claims. Status changes are pure transitions following
//! `sigil_core::lifecycle`; the store persists one only over the status it started from.

use sigil_core::issue::CredentialFormat;
use sigil_core::lifecycle::{CredentialStatus, StatusAction, StatusChangeRefused};
use sigil_core::time::Timestamp;

use super::StatusPosition;
use super::offer::Offer;

/// An issued credential, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCredential {
    pub id: String,
    pub type_name: String,
    pub format: CredentialFormat,
    /// One line naming the subject, for the registrar's lists.
    pub summary: String,
    /// The holder's DID, when the credential names one.
    pub subject: Option<String>,
    /// Its status bits' position, in the revocation and the suspension list.
    pub position: StatusPosition,
    pub created_at: Timestamp,
    pub created_by: String,
    pub batch: Option<String>,
    pub issued_at: Timestamp,
    /// The hash anchoring covers (`sigil_core::verify::credential_hash`).
    pub credential_hash: String,
    /// The Merkle root of the anchor that covers it, once anchored.
    pub anchor_root: Option<String>,
    pub status: CredentialStatus,
    /// The `did:key` of the issuer profile it was signed as (`crate::profiles`); `None`: the
    /// institution's `did:sigil`, which signs everything but what the VC API is asked to sign
    /// as a profile.
    pub profile_did: Option<String>,
}

impl IssuedCredential {
    /// The credential signed for `subject` from `offer` — the offer as
    /// [`Offer::accept_token`] left it — whose hash is `credential_hash`.
    pub fn from_offer(
        offer: &Offer,
        subject: &str,
        credential_hash: String,
        now: Timestamp,
    ) -> IssuedCredential {
        IssuedCredential {
            id: offer.id.clone(),
            type_name: offer.type_name.clone(),
            format: offer.format,
            summary: offer.summary.clone(),
            subject: Some(subject.to_owned()),
            position: offer.position,
            created_at: offer.created_at,
            created_by: offer.created_by.clone(),
            batch: offer.batch.clone(),
            issued_at: now,
            credential_hash,
            anchor_root: None,
            status: CredentialStatus::Active,
            profile_did: None,
        }
    }

    /// Suspended, if it is active.
    pub fn suspend(&self) -> Result<IssuedCredential, StatusChangeRefused> {
        self.apply(StatusAction::Suspend)
    }

    /// Active again, if it is suspended.
    pub fn reinstate(&self) -> Result<IssuedCredential, StatusChangeRefused> {
        self.apply(StatusAction::Reinstate)
    }

    /// Revoked, for good, if it is not already.
    pub fn revoke(&self) -> Result<IssuedCredential, StatusChangeRefused> {
        self.apply(StatusAction::Revoke)
    }

    /// The credential after `action`, or why the action is not allowed now.
    pub fn apply(&self, action: StatusAction) -> Result<IssuedCredential, StatusChangeRefused> {
        Ok(IssuedCredential {
            status: self.status.apply(action)?,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use sigil_core::lifecycle::OfferState;

    use super::*;
    use crate::domain::offer::examples::{PIN, at, draft};

    fn issued() -> IssuedCredential {
        let offer = Offer::open(
            draft("credential-1", "code"),
            StatusPosition { list: 2, index: 7 },
        );
        let (redeemed, token) = offer.redeem("code", PIN, at(10)).unwrap();
        let spent = redeemed.accept_token(&token.secret, at(20)).unwrap();
        assert_eq!(spent.state, OfferState::CredentialIssued);
        IssuedCredential::from_offer(&spent, "did:key:z6Mk", "hash".into(), at(20))
    }

    #[test]
    fn an_issued_credential_keeps_the_offers_position_and_starts_active() {
        let credential = issued();
        assert_eq!(credential.position, StatusPosition { list: 2, index: 7 });
        assert_eq!(credential.status, CredentialStatus::Active);
        assert_eq!(credential.subject.as_deref(), Some("did:key:z6Mk"));
        assert_eq!((credential.created_at, credential.issued_at), (at(0), at(20)));
        assert_eq!(credential.summary, "Ada Lovelace");
    }

    #[test]
    fn suspend_reinstate_and_revoke_change_only_the_status() {
        let active = issued();
        let suspended = active.suspend().unwrap();
        assert_eq!(suspended.status, CredentialStatus::Suspended);
        assert_eq!(
            IssuedCredential {
                status: CredentialStatus::Active,
                ..suspended.clone()
            },
            active
        );
        assert_eq!(suspended.reinstate().unwrap(), active);
        assert_eq!(suspended.revoke().unwrap().status, CredentialStatus::Revoked);
    }

    #[test]
    fn a_refused_change_names_the_status_it_keeps() {
        let active = issued();
        assert_eq!(
            active.reinstate(),
            Err(StatusChangeRefused {
                from: CredentialStatus::Active,
                action: StatusAction::Reinstate
            })
        );
        let revoked = active.revoke().unwrap();
        for action in StatusAction::ALL {
            assert_eq!(
                revoked.apply(action),
                Err(StatusChangeRefused {
                    from: CredentialStatus::Revoked,
                    action
                })
            );
        }
    }
}
