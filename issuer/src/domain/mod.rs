//! The issuer's domain: an [`offer::Offer`] waiting for the wallet and the
//! [`issued::IssuedCredential`] it becomes, with their transitions as pure functions that take
//! `now` and return the next value or a typed error. Handlers call these; the store persists
//! what they return. Nothing here does IO.

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
