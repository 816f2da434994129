//! The paper diploma: a copy of an offer's credential signed to be printed with a QR code
//! that holds it whole (`sigil_core::paper`), which the verifier's `/P/{code}` page checks.
//!
//! The issuer keeps no claims once the wallet has collected a credential, so a paper copy is
//! signed while the offer is still held. It is a `vc+jwt` (compact enough for a QR code) with
//! the offer's claims, the type's context, schema and validity, and the offer's status entries
//! — so suspending or revoking the collected credential suspends or revokes its paper copy
//! too, and withdrawing the offer revokes it (`Issuer::revoke`). It names no subject DID and
//! is bound to no holder key: paper has neither. It is not anchored (anchoring covers issued
//! credentials' records, and a paper copy has no record of its own); its hash is in the audit
//! log's entry for the print.

use sigil_core::issue::CredentialFormat;
use sigil_core::lifecycle::OfferState;
use sigil_core::time::Timestamp;
use sigil_core::verify::{IssuedForm, credential_hash};

use crate::domain::{CredentialRecord, Offer};
use crate::service::Issuer;

/// The format of every paper copy: the most compact one that needs no holder key.
pub const PAPER_FORMAT: CredentialFormat = CredentialFormat::VcJwt;

/// A paper copy, signed and ready to print.
#[derive(Debug, Clone)]
pub struct PaperCopy {
    /// The offer it copies, as it was when the copy was signed.
    pub offer: Offer,
    /// The signed `vc+jwt`.
    pub credential: String,
    /// Its hash, as anchoring computes it (`sigil_core::verify::credential_hash`).
    pub hash: String,
    pub signed_at: Timestamp,
    /// What the QR code holds: `{paper_verifier}/P/{code}`.
    pub address: String,
}

/// Why no paper copy was signed.
#[derive(Debug, thiserror::Error)]
pub enum PaperCopyError {
    /// No `paper_verifier` is set, so a QR code would lead nowhere.
    #[error("no paper_verifier is set: a printed QR code would lead nowhere")]
    NoVerifier,
    /// No offer or credential has this id.
    #[error("no credential {0}")]
    NotFound(String),
    /// The wallet collected the credential: its claims are no longer kept.
    #[error("{0} was collected by the wallet; its claims are no longer kept")]
    Collected(String),
    /// The offer was withdrawn: nothing is signed from it.
    #[error("the offer {0} was withdrawn")]
    Withdrawn(String),
    /// The offer is locked or over: no wallet will collect it, so no diploma is printed from it
    /// either. (One printed before it closed is still revoked by withdrawing it.)
    #[error("the offer {0} is closed")]
    Closed(String),
    /// The offer's type was removed from the configuration since.
    #[error("the credential type {0} is no longer configured")]
    UnknownType(String),
    /// Signing failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The offer a paper copy of `record` would be signed from, or why there can be none: only an
/// offer still holds the claims, a withdrawn one is signed for no one, and a locked or expired
/// one is closed.
pub fn printable_offer(record: &CredentialRecord) -> Result<&Offer, PaperCopyError> {
    match record {
        CredentialRecord::Issued(credential) => Err(PaperCopyError::Collected(credential.id.clone())),
        CredentialRecord::Offered(offer) => match offer.state {
            OfferState::Withdrawn => Err(PaperCopyError::Withdrawn(offer.id.clone())),
            OfferState::CredentialIssued => Err(PaperCopyError::Collected(offer.id.clone())),
            OfferState::Expired | OfferState::Locked => Err(PaperCopyError::Closed(offer.id.clone())),
            OfferState::Offered | OfferState::TokenIssued => Ok(offer),
        },
    }
}

impl Issuer {
    /// Signs a paper copy of the credential offered as `id`, for `actor`, and records the
    /// print in the audit log.
    pub async fn sign_paper_copy(
        &self,
        id: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<PaperCopy, PaperCopyError> {
        let verifier = self.paper_verifier.as_ref().ok_or(PaperCopyError::NoVerifier)?;
        let record = self
            .store
            .credential(id)
            .await
            .map_err(anyhow::Error::from)?
            .ok_or_else(|| PaperCopyError::NotFound(id.to_owned()))?;
        let offer = printable_offer(&record)?.clone();
        let definition = self
            .types
            .get(&offer.type_name)
            .ok_or_else(|| PaperCopyError::UnknownType(offer.type_name.clone()))?;
        let request =
            self.credential_request(definition, offer.position, offer.claims.clone(), None, None, now);
        let credential = {
            let key = self.signing_key().await;
            request
                .issue(PAPER_FORMAT, &key.key, &key.method, now)
                .await
                .map_err(anyhow::Error::from)?
        };
        let hash = credential_hash(&IssuedForm::Jws(&credential)).map_err(anyhow::Error::from)?;
        let address = format!(
            "{}/P/{}",
            verifier.as_str().trim_end_matches('/'),
            sigil_core::paper::encode(&credential)
        );
        self.audit(
            actor,
            "print",
            &offer.id,
            &format!("{} paper copy, hash {hash}", PAPER_FORMAT.name()),
        )
        .await;
        Ok(PaperCopy {
            offer,
            credential,
            hash,
            signed_at: now,
            address,
        })
    }
}
