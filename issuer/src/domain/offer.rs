//! An offer of one credential, from the registrar's click to the wallet's credential request,
//! as pure transitions: each takes the offer and `now` and returns the next offer or a typed
//! refusal, and does no IO. The store persists what a transition returns, conditionally on
//! the version it started from, so two requests racing on one offer cannot both win.

use serde_json::{Map, Value};
use sigil_core::issue::CredentialFormat;
use sigil_core::lifecycle::{OfferState, OfferStateRefused};
use sigil_core::time::Timestamp;

use super::StatusPosition;
use sigil_service::tokens::{digest, random_secret};

/// Wrong PINs an offer survives: the last of them locks it.
pub const MAX_TX_CODE_ATTEMPTS: u32 = 5;

/// How long an access token lives, in seconds.
pub const TOKEN_SECONDS: i64 = 600;

/// An offer as the registrar made it, before the store gives it a status position.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferDraft {
    pub id: String,
    pub type_name: String,
    pub format: CredentialFormat,
    /// One line naming the subject, for the registrar's lists (never the claims themselves).
    pub summary: String,
    /// The subject's claims, validated against the type's schema.
    pub claims: Map<String, Value>,
    /// The pre-authorized code's digest.
    pub code_digest: String,
    /// The PIN's digest, hashed with the code ([`tx_code_digest`]).
    pub pin_digest: String,
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
    /// Who made it, as the audit log names them.
    pub created_by: String,
    /// The CSV upload it came from, if any.
    pub batch: Option<String>,
}

/// An access token granted for an offer, kept as its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub digest: String,
    pub expires_at: Timestamp,
}

/// An offer the store holds: waiting for the wallet, or dead (expired, locked).
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub id: String,
    pub type_name: String,
    pub format: CredentialFormat,
    pub summary: String,
    pub claims: Map<String, Value>,
    /// Where the credential's status bits will be; reserved for good from the offer on.
    pub position: StatusPosition,
    pub code_digest: String,
    pub pin_digest: String,
    pub expires_at: Timestamp,
    pub failed_pin_attempts: u32,
    /// Set once the code has been exchanged for a token.
    pub token: Option<TokenGrant>,
    /// The state as stored; [`Offer::state_at`] adds what time has done since.
    pub state: OfferState,
    pub created_at: Timestamp,
    pub created_by: String,
    pub batch: Option<String>,
    /// How many transitions the offer has been through. The store writes a transition only
    /// over the version it was computed from.
    pub version: i64,
}

/// What a successful redemption hands the wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The bearer token itself: given to the wallet once, stored only as its digest.
    pub secret: String,
    /// Its lifetime in seconds.
    pub expires_in: i64,
}

/// Why a code and PIN did not get a token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RedeemError {
    /// The PIN is wrong. `offer` has the attempt counted — and is locked when it was the last
    /// one — and must be stored.
    #[error("wrong transaction code; {attempts_left} attempts left")]
    WrongPin { offer: Box<Offer>, attempts_left: u32 },
    /// The code is not this offer's.
    #[error("the pre-authorized code is not this offer's")]
    WrongCode,
    /// The offer's time is over.
    #[error("the offer has expired")]
    Expired,
    /// Too many wrong PINs were sent before.
    #[error("the offer is locked after too many wrong transaction codes")]
    Locked,
    /// The code was already exchanged for a token (or the credential issued).
    #[error("the pre-authorized code was already used")]
    AlreadyRedeemed,
    /// The issuer withdrew the offer.
    #[error("the issuer withdrew this offer")]
    Withdrawn,
}

/// Why an access token does not get the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No token was granted for this offer, or another one was, or it was already used.
    #[error("the access token is unknown, used or expired")]
    Unknown,
    /// The token's time is over.
    #[error("the access token has expired")]
    Expired,
}

impl Offer {
    /// A new offer at `position`, waiting for the wallet.
    pub fn open(draft: OfferDraft, position: StatusPosition) -> Offer {
        Offer {
            id: draft.id,
            type_name: draft.type_name,
            format: draft.format,
            summary: draft.summary,
            claims: draft.claims,
            position,
            code_digest: draft.code_digest,
            pin_digest: draft.pin_digest,
            expires_at: draft.expires_at,
            failed_pin_attempts: 0,
            token: None,
            state: OfferState::Offered,
            created_at: draft.created_at,
            created_by: draft.created_by,
            batch: draft.batch,
            version: 0,
        }
    }

    /// The state at `now`: an offer (or a granted token) whose time has passed is expired
    /// even though the store has not been told.
    pub fn state_at(&self, now: Timestamp) -> OfferState {
        let out_of_time = match self.state {
            OfferState::Offered => self.expires_at < now,
            OfferState::TokenIssued => self.token.as_ref().is_none_or(|t| t.expires_at < now),
            _ => false,
        };
        if out_of_time {
            OfferState::Expired
        } else {
            self.state
        }
    }

    /// Exchanges the pre-authorized `code` and the `pin` for an access token (OpenID4VCI 1.0
    /// §6.1). A wrong PIN counts an attempt; the [`MAX_TX_CODE_ATTEMPTS`]th locks the offer.
    pub fn redeem(&self, code: &str, pin: &str, now: Timestamp) -> Result<(Offer, AccessToken), RedeemError> {
        if digest(code) != self.code_digest {
            return Err(RedeemError::WrongCode);
        }
        match self.state_at(now) {
            OfferState::Offered => {}
            OfferState::Expired => return Err(RedeemError::Expired),
            OfferState::Locked => return Err(RedeemError::Locked),
            OfferState::Withdrawn => return Err(RedeemError::Withdrawn),
            OfferState::TokenIssued | OfferState::CredentialIssued => {
                return Err(RedeemError::AlreadyRedeemed);
            }
        }
        if tx_code_digest(code, pin) != self.pin_digest {
            return Err(self.wrong_pin());
        }
        let secret = random_secret();
        let next = Offer {
            state: self
                .state
                .token_issued()
                .map_err(|_| RedeemError::AlreadyRedeemed)?,
            token: Some(TokenGrant {
                digest: digest(&secret),
                expires_at: now + chrono::Duration::seconds(TOKEN_SECONDS),
            }),
            version: self.version + 1,
            ..self.clone()
        };
        let token = AccessToken {
            secret,
            expires_in: TOKEN_SECONDS,
        };
        Ok((next, token))
    }

    fn wrong_pin(&self) -> RedeemError {
        let failed = self.failed_pin_attempts.saturating_add(1);
        let attempts_left = MAX_TX_CODE_ATTEMPTS.saturating_sub(failed);
        let state = match attempts_left {
            0 => self.state.locked().unwrap_or(self.state),
            _ => self.state,
        };
        let offer = Offer {
            failed_pin_attempts: failed,
            state,
            version: self.version + 1,
            ..self.clone()
        };
        RedeemError::WrongPin {
            offer: Box::new(offer),
            attempts_left,
        }
    }

    /// The offer withdrawn by the issuer: its code and any token it granted are dead, and no
    /// credential will be signed from it. Refused once the offer is over.
    pub fn withdraw(&self) -> Result<Offer, OfferStateRefused> {
        Ok(Offer {
            state: self.state.withdrawn()?,
            token: None,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// Accepts the access `token` for the credential (OpenID4VCI 1.0 §8): the offer as it is
    /// once the credential is issued — its token spent — or why the token is refused. The
    /// credential is signed from this offer's claims; storing the issued credential in its
    /// place is what spends the token.
    pub fn accept_token(&self, token: &str, now: Timestamp) -> Result<Offer, TokenError> {
        let grant = self.token.as_ref().ok_or(TokenError::Unknown)?;
        if grant.digest != digest(token) {
            return Err(TokenError::Unknown);
        }
        if grant.expires_at < now {
            return Err(TokenError::Expired);
        }
        let state = self.state.credential_issued().map_err(|_| TokenError::Unknown)?;
        Ok(Offer {
            state,
            token: None,
            version: self.version + 1,
            ..self.clone()
        })
    }
}

/// How a PIN is stored: hashed together with its code, so a database leak does not reveal
/// PINs by a 10⁶ brute force without also knowing the (unstored) 256-bit code.
pub fn tx_code_digest(code: &str, tx_code: &str) -> String {
    digest(&format!("{code}\u{0}{tx_code}"))
}

/// Offers for tests: a degree for Ada at a fixed time, with a known code and PIN.
#[cfg(test)]
pub(crate) mod examples {
    use serde_json::Map;
    use sigil_core::issue::CredentialFormat;
    use sigil_core::time::Timestamp;

    use super::{OfferDraft, tx_code_digest};
    use sigil_service::tokens::digest;

    pub const CODE: &str = "the-pre-authorized-code";
    pub const PIN: &str = "123456";

    /// `seconds` after a fixed instant.
    pub fn at(seconds: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    /// An offer `id` made at `at(0)`, valid for an hour, redeemable with `code` and [`PIN`].
    pub fn draft(id: &str, code: &str) -> OfferDraft {
        let mut claims = Map::new();
        claims.insert("name".into(), "Ada Lovelace".into());
        OfferDraft {
            id: id.into(),
            type_name: "UniversityDegreeCredential".into(),
            format: CredentialFormat::LdpVc,
            summary: "Ada Lovelace".into(),
            claims,
            code_digest: digest(code),
            pin_digest: tx_code_digest(code, PIN),
            expires_at: at(3600),
            created_at: at(0),
            created_by: "registrar:ada".into(),
            batch: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::examples::{CODE, PIN, at, draft};
    use super::*;

    fn offer() -> Offer {
        Offer::open(draft("offer-1", CODE), StatusPosition { list: 1, index: 42 })
    }

    /// The counted offer and the attempts left, if `result` is a wrong PIN.
    fn wrong_pin(result: Result<(Offer, AccessToken), RedeemError>) -> Option<(Offer, u32)> {
        match result {
            Err(RedeemError::WrongPin { offer, attempts_left }) => Some((*offer, attempts_left)),
            _ => None,
        }
    }

    #[test]
    fn the_right_pin_gets_a_token_that_the_offer_keeps_as_a_digest() {
        let offered = offer();
        let (redeemed, token) = offered.redeem(CODE, PIN, at(10)).unwrap();
        assert_eq!(redeemed.state, OfferState::TokenIssued);
        assert_eq!(redeemed.version, offered.version + 1);
        let grant = redeemed.token.clone().unwrap();
        assert_eq!(grant.digest, digest(&token.secret));
        assert_eq!(grant.expires_at, at(10) + Duration::seconds(TOKEN_SECONDS));
        assert_eq!(token.expires_in, TOKEN_SECONDS);
        assert_eq!(
            redeemed.claims, offered.claims,
            "the claims wait for the credential request"
        );
    }

    #[test]
    fn a_code_is_redeemed_once() {
        let (redeemed, _) = offer().redeem(CODE, PIN, at(10)).unwrap();
        assert_eq!(
            redeemed.redeem(CODE, PIN, at(11)),
            Err(RedeemError::AlreadyRedeemed)
        );
    }

    #[test]
    fn another_code_is_refused_without_counting_an_attempt() {
        assert_eq!(
            offer().redeem("another-code", PIN, at(10)),
            Err(RedeemError::WrongCode)
        );
    }

    #[test]
    fn a_wrong_pin_counts_an_attempt_and_the_fifth_locks_the_offer() {
        let mut current = offer();
        for left in (0..MAX_TX_CODE_ATTEMPTS).rev() {
            let (counted, attempts_left) = wrong_pin(current.redeem(CODE, "000000", at(10))).unwrap();
            assert_eq!(attempts_left, left);
            assert_eq!(counted.version, current.version + 1);
            current = counted;
        }
        assert_eq!(current.failed_pin_attempts, MAX_TX_CODE_ATTEMPTS);
        assert_eq!(current.state, OfferState::Locked);
        assert_eq!(current.redeem(CODE, PIN, at(11)), Err(RedeemError::Locked));
    }

    #[test]
    fn a_right_pin_after_wrong_ones_still_works_while_attempts_are_left() {
        let (counted, _) = wrong_pin(offer().redeem(CODE, "000000", at(10))).unwrap();
        let (redeemed, _) = counted.redeem(CODE, PIN, at(11)).unwrap();
        assert_eq!(redeemed.failed_pin_attempts, 1);
        assert_eq!(redeemed.state, OfferState::TokenIssued);
    }

    #[test]
    fn an_expired_offer_is_refused_even_with_the_right_pin() {
        let offered = offer();
        assert_eq!(
            offered.state_at(at(3600)),
            OfferState::Offered,
            "valid to the second"
        );
        assert_eq!(offered.state_at(at(3601)), OfferState::Expired);
        assert_eq!(offered.redeem(CODE, PIN, at(3601)), Err(RedeemError::Expired));
    }

    #[test]
    fn a_granted_token_gets_the_credential_once_and_is_then_spent() {
        let (redeemed, token) = offer().redeem(CODE, PIN, at(10)).unwrap();
        let issued = redeemed.accept_token(&token.secret, at(20)).unwrap();
        assert_eq!(issued.state, OfferState::CredentialIssued);
        assert_eq!(issued.token, None);
        assert_eq!(issued.version, redeemed.version + 1);
        assert_eq!(
            issued.accept_token(&token.secret, at(21)),
            Err(TokenError::Unknown)
        );
    }

    #[test]
    fn a_withdrawn_offer_gives_neither_a_token_nor_a_credential() {
        let withdrawn = offer().withdraw().unwrap();
        assert_eq!(withdrawn.state, OfferState::Withdrawn);
        assert_eq!(withdrawn.redeem(CODE, PIN, at(10)), Err(RedeemError::Withdrawn));

        let (redeemed, token) = offer().redeem(CODE, PIN, at(10)).unwrap();
        let withdrawn = redeemed.withdraw().unwrap();
        assert_eq!(withdrawn.token, None);
        assert_eq!(
            withdrawn.accept_token(&token.secret, at(20)),
            Err(TokenError::Unknown)
        );

        let issued = redeemed.accept_token(&token.secret, at(20)).unwrap();
        assert!(
            issued.withdraw().is_err(),
            "an issued credential is revoked, not withdrawn"
        );
        assert!(withdrawn.withdraw().is_err());
    }

    #[test]
    fn a_token_is_refused_when_it_is_another_or_too_old() {
        let offered = offer();
        assert_eq!(offered.accept_token("anything", at(10)), Err(TokenError::Unknown));
        let (redeemed, token) = offered.redeem(CODE, PIN, at(10)).unwrap();
        assert_eq!(
            redeemed.accept_token("another token", at(20)),
            Err(TokenError::Unknown)
        );
        let late = at(10) + Duration::seconds(TOKEN_SECONDS + 1);
        assert_eq!(
            redeemed.accept_token(&token.secret, late),
            Err(TokenError::Expired)
        );
        assert_eq!(redeemed.state_at(late), OfferState::Expired);
    }
}
