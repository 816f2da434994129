//! The issuer's domain: an [`offer::Offer`] waiting for the wallet and the
//! [`issued::IssuedCredential`] it becomes, with their transitions as pure functions that take
//! `now` and return the next value or a typed error. Handlers call these; the store persists
//! what they return. Nothing here does IO.

use sigil_core::issue::CredentialFormat;
use sigil_core::lifecycle::{CredentialStatus, OfferState};
use sigil_core::time::Timestamp;

pub mod issued;
pub mod offer;

pub use issued::IssuedCredential;
pub use offer::{AccessToken, Offer, OfferDraft, RedeemError, TokenError};

/// A credential's place in the issuer's status lists: the same index in list `list` of each
/// purpose (`…/status/revocation/N`, `…/status/suspension/N`). Once given, a position is never
/// given again, even if the offer expires unused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusPosition {
    /// The list number, from 1.
    pub list: i32,
    /// The index in the list.
    pub index: i64,
}

/// An offer or an issued credential: what the registrar's search and pages list.
#[derive(Debug, Clone, PartialEq)]
pub enum CredentialRecord {
    Offered(Offer),
    Issued(IssuedCredential),
}

/// What an offer and an issued credential both have, for lists and pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordFacts<'a> {
    pub id: &'a str,
    pub type_name: &'a str,
    pub format: CredentialFormat,
    pub summary: &'a str,
    pub position: StatusPosition,
    pub created_at: Timestamp,
    pub created_by: &'a str,
    pub batch: Option<&'a str>,
}

impl CredentialRecord {
    /// The issuer profile's DID it was signed as; `None` for the institution's DID (offers
    /// are always signed as the institution when collected).
    pub fn profile_did(&self) -> Option<&str> {
        match self {
            CredentialRecord::Offered(_) => None,
            CredentialRecord::Issued(c) => c.profile_did.as_deref(),
        }
    }

    /// What it has either way.
    pub fn facts(&self) -> RecordFacts<'_> {
        match self {
            CredentialRecord::Offered(o) => RecordFacts {
                id: &o.id,
                type_name: &o.type_name,
                format: o.format,
                summary: &o.summary,
                position: o.position,
                created_at: o.created_at,
                created_by: &o.created_by,
                batch: o.batch.as_deref(),
            },
            CredentialRecord::Issued(c) => RecordFacts {
                id: &c.id,
                type_name: &c.type_name,
                format: c.format,
                summary: &c.summary,
                position: c.position,
                created_at: c.created_at,
                created_by: &c.created_by,
                batch: c.batch.as_deref(),
            },
        }
    }

    /// Its status: an offer's bits are clear, so it is active until issued and changed.
    pub fn status(&self) -> CredentialStatus {
        match self {
            CredentialRecord::Offered(_) => CredentialStatus::Active,
            CredentialRecord::Issued(credential) => credential.status,
        }
    }

    /// Where it stands at `now`, as the API and pages name it: `issued`, or the offer's
    /// state (`offered`, `token_issued`, `expired`, `locked`).
    pub fn state_name(&self, now: Timestamp) -> &'static str {
        match self {
            CredentialRecord::Issued(_) => "issued",
            CredentialRecord::Offered(offer) => match offer.state_at(now) {
                OfferState::CredentialIssued => "issued",
                state => state.as_str(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::offer::examples::{CODE, PIN, at, draft};
    use super::*;

    #[test]
    fn a_record_is_named_by_where_it_stands_now() {
        let offered = Offer::open(draft("offer-1", CODE), StatusPosition { list: 1, index: 1 });
        let record = CredentialRecord::Offered(offered.clone());
        assert_eq!(record.state_name(at(10)), "offered");
        assert_eq!(record.state_name(at(3601)), "expired");
        assert_eq!(record.status(), CredentialStatus::Active);
        let (redeemed, token) = offered.redeem(CODE, PIN, at(10)).unwrap();
        assert_eq!(
            CredentialRecord::Offered(redeemed.clone()).state_name(at(11)),
            "token_issued"
        );
        let spent = redeemed.accept_token(&token.secret, at(12)).unwrap();
        let issued = IssuedCredential::from_offer(&spent, "did:key:z6Mk", "hash".into(), at(12));
        let record = CredentialRecord::Issued(issued.revoke().unwrap());
        assert_eq!(record.state_name(at(13)), "issued");
        assert_eq!(record.status(), CredentialStatus::Revoked);
        assert_eq!(record.facts().id, "offer-1");
    }
}
