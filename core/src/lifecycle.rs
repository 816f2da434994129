//! The states an issuer's credential and offer go through, and which changes between them are
//! allowed: the rules live here, once, so that every service and page that shows or changes a
//! state agrees on them.
//!
//! - [`CredentialStatus`]: an issued credential is active, suspended or revoked (W3C Bitstring
//!   Status List v1.0 §2.1, purposes `revocation` and `suspension`). Revocation is final.
//! - [`OfferState`]: an OpenID4VCI pre-authorized offer (OpenID4VCI 1.0 §4.1, §6) is offered,
//!   then its code is exchanged for an access token, then the token for the credential; or it
//!   expires, or it locks after too many wrong transaction codes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An issued credential's status, as its status-list bits publish it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialStatus {
    /// Neither bit is set.
    Active,
    /// The `suspension` bit is set; it can be cleared again.
    Suspended,
    /// The `revocation` bit is set, for good.
    Revoked,
}

/// What a registrar does to a credential's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusAction {
    Suspend,
    Reinstate,
    Revoke,
}

/// A status change the rules do not allow: the credential keeps its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the credential is {from}; it cannot become {}", .action.outcome())]
pub struct StatusChangeRefused {
    /// The status the credential has, and keeps.
    pub from: CredentialStatus,
    /// What was asked.
    pub action: StatusAction,
}

impl CredentialStatus {
    /// Every status.
    pub const ALL: [CredentialStatus; 3] = [
        CredentialStatus::Active,
        CredentialStatus::Suspended,
        CredentialStatus::Revoked,
    ];

    /// The status's name: `active`, `suspended` or `revoked` (what storage and the APIs use).
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialStatus::Active => "active",
            CredentialStatus::Suspended => "suspended",
            CredentialStatus::Revoked => "revoked",
        }
    }

    /// The status named `name`, if it is one of [`CredentialStatus::as_str`]'s.
    pub fn parse(name: &str) -> Option<CredentialStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// Suspends an active credential. Refused for a suspended or revoked one.
    pub fn suspend(self) -> Result<CredentialStatus, StatusChangeRefused> {
        self.apply(StatusAction::Suspend)
    }

    /// Reinstates a suspended credential. Refused for an active or revoked one.
    pub fn reinstate(self) -> Result<CredentialStatus, StatusChangeRefused> {
        self.apply(StatusAction::Reinstate)
    }

    /// Revokes an active or suspended credential. Refused for a revoked one: revocation is
    /// final and happens once.
    pub fn revoke(self) -> Result<CredentialStatus, StatusChangeRefused> {
        self.apply(StatusAction::Revoke)
    }

    /// The status after `action`, or why it is not allowed from this one.
    pub fn apply(self, action: StatusAction) -> Result<CredentialStatus, StatusChangeRefused> {
        use CredentialStatus::{Active, Revoked, Suspended};
        match (self, action) {
            (Active, StatusAction::Suspend) => Ok(Suspended),
            (Suspended, StatusAction::Reinstate) => Ok(Active),
            (Active | Suspended, StatusAction::Revoke) => Ok(Revoked),
            (from, action) => Err(StatusChangeRefused { from, action }),
        }
    }

    /// The actions allowed from this status, in the order a page offers them.
    pub fn allowed_actions(self) -> Vec<StatusAction> {
        StatusAction::ALL
            .into_iter()
            .filter(|action| self.apply(*action).is_ok())
            .collect()
    }
}

impl fmt::Display for CredentialStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl StatusAction {
    /// Every action, in the order a page offers them.
    pub const ALL: [StatusAction; 3] = [
        StatusAction::Suspend,
        StatusAction::Reinstate,
        StatusAction::Revoke,
    ];

    /// The action's name: `suspend`, `reinstate` or `revoke` (URLs, forms, the audit log).
    pub fn as_str(self) -> &'static str {
        match self {
            StatusAction::Suspend => "suspend",
            StatusAction::Reinstate => "reinstate",
            StatusAction::Revoke => "revoke",
        }
    }

    /// The action named `name`, if it is one of [`StatusAction::as_str`]'s.
    pub fn parse(name: &str) -> Option<StatusAction> {
        Self::ALL.into_iter().find(|action| action.as_str() == name)
    }

    /// The status the action leads to when it is allowed.
    pub fn outcome(self) -> CredentialStatus {
        match self {
            StatusAction::Suspend => CredentialStatus::Suspended,
            StatusAction::Reinstate => CredentialStatus::Active,
            StatusAction::Revoke => CredentialStatus::Revoked,
        }
    }
}

impl fmt::Display for StatusAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a pre-authorized offer stands.
///
/// ```text
/// Offered --(code + right PIN)--> TokenIssued --(token + key proof)--> CredentialIssued
///    |  \--(too many wrong PINs)--> Locked
///    \-----(offer's time passes)--> Expired   (and TokenIssued, when the token's does)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    /// Waiting for the wallet to send the code with the PIN.
    Offered,
    /// The code was exchanged for an access token (once); waiting for the credential request.
    TokenIssued,
    /// The credential was signed for the holder: the offer is over.
    CredentialIssued,
    /// The offer, or its access token, ran out of time before it was used.
    Expired,
    /// Too many wrong PINs: the code is dead.
    Locked,
    /// The issuer withdrew the offer before the credential was issued (a registrar revoking
    /// what nobody holds yet): the code is dead and nothing is signed.
    Withdrawn,
}

/// A change of offer state the rules do not allow: the offer keeps its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an offer that is {from} cannot become {to}")]
pub struct OfferStateRefused {
    /// The state the offer has, and keeps.
    pub from: OfferState,
    /// The state asked for.
    pub to: OfferState,
}

impl OfferState {
    /// Every state.
    pub const ALL: [OfferState; 6] = [
        OfferState::Offered,
        OfferState::TokenIssued,
        OfferState::CredentialIssued,
        OfferState::Expired,
        OfferState::Locked,
        OfferState::Withdrawn,
    ];

    /// The state's name: `offered`, `token_issued`, `credential_issued`, `expired`, `locked`,
    /// `withdrawn`.
    pub fn as_str(self) -> &'static str {
        match self {
            OfferState::Offered => "offered",
            OfferState::TokenIssued => "token_issued",
            OfferState::CredentialIssued => "credential_issued",
            OfferState::Expired => "expired",
            OfferState::Locked => "locked",
            OfferState::Withdrawn => "withdrawn",
        }
    }

    /// The state named `name`, if it is one of [`OfferState::as_str`]'s.
    pub fn parse(name: &str) -> Option<OfferState> {
        Self::ALL.into_iter().find(|state| state.as_str() == name)
    }

    /// Whether nothing can happen to the offer any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OfferState::CredentialIssued | OfferState::Expired | OfferState::Locked | OfferState::Withdrawn
        )
    }

    /// The state after the code was exchanged for a token: only from `Offered`.
    pub fn token_issued(self) -> Result<OfferState, OfferStateRefused> {
        self.to(OfferState::TokenIssued, &[OfferState::Offered])
    }

    /// The state after the credential was issued: only from `TokenIssued`.
    pub fn credential_issued(self) -> Result<OfferState, OfferStateRefused> {
        self.to(OfferState::CredentialIssued, &[OfferState::TokenIssued])
    }

    /// The state after too many wrong PINs: only from `Offered`.
    pub fn locked(self) -> Result<OfferState, OfferStateRefused> {
        self.to(OfferState::Locked, &[OfferState::Offered])
    }

    /// The state once the offer's (or its token's) time has passed: from `Offered` or
    /// `TokenIssued`.
    pub fn expired(self) -> Result<OfferState, OfferStateRefused> {
        self.to(
            OfferState::Expired,
            &[OfferState::Offered, OfferState::TokenIssued],
        )
    }

    /// The state once the issuer withdraws the offer: from any state but after the credential
    /// was issued (that is revocation) or a second time. A locked or expired offer gives no
    /// credential either way, but a paper copy printed from it shares its status entry, and
    /// withdrawing is what revokes it.
    pub fn withdrawn(self) -> Result<OfferState, OfferStateRefused> {
        self.to(
            OfferState::Withdrawn,
            &[
                OfferState::Offered,
                OfferState::TokenIssued,
                OfferState::Locked,
                OfferState::Expired,
            ],
        )
    }

    fn to(self, next: OfferState, allowed_from: &[OfferState]) -> Result<OfferState, OfferStateRefused> {
        if allowed_from.contains(&self) {
            Ok(next)
        } else {
            Err(OfferStateRefused { from: self, to: next })
        }
    }
}

impl fmt::Display for OfferState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CredentialStatus::{Active, Revoked, Suspended};

    #[test]
    fn an_active_credential_can_be_suspended_or_revoked_but_not_reinstated() {
        assert_eq!(Active.suspend(), Ok(Suspended));
        assert_eq!(Active.revoke(), Ok(Revoked));
        assert_eq!(
            Active.reinstate(),
            Err(StatusChangeRefused {
                from: Active,
                action: StatusAction::Reinstate
            })
        );
    }

    #[test]
    fn a_suspended_credential_can_be_reinstated_or_revoked_but_not_suspended_again() {
        assert_eq!(Suspended.reinstate(), Ok(Active));
        assert_eq!(Suspended.revoke(), Ok(Revoked));
        assert_eq!(
            Suspended.suspend(),
            Err(StatusChangeRefused {
                from: Suspended,
                action: StatusAction::Suspend
            })
        );
    }

    #[test]
    fn revocation_is_final() {
        for action in StatusAction::ALL {
            assert_eq!(
                Revoked.apply(action),
                Err(StatusChangeRefused {
                    from: Revoked,
                    action
                })
            );
        }
        assert!(Revoked.allowed_actions().is_empty());
        assert_eq!(
            Revoked.reinstate().unwrap_err().to_string(),
            "the credential is revoked; it cannot become active"
        );
    }

    #[test]
    fn the_actions_a_page_offers_are_the_allowed_ones() {
        assert_eq!(
            Active.allowed_actions(),
            vec![StatusAction::Suspend, StatusAction::Revoke]
        );
        assert_eq!(
            Suspended.allowed_actions(),
            vec![StatusAction::Reinstate, StatusAction::Revoke]
        );
    }

    #[test]
    fn names_are_the_stored_ones_and_read_back() {
        let names: Vec<&str> = CredentialStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["active", "suspended", "revoked"]);
        for status in CredentialStatus::ALL {
            assert_eq!(CredentialStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for action in StatusAction::ALL {
            assert_eq!(StatusAction::parse(action.as_str()), Some(action));
        }
        for state in OfferState::ALL {
            assert_eq!(OfferState::parse(state.as_str()), Some(state));
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        assert_eq!(CredentialStatus::parse("Active"), None);
        assert_eq!(StatusAction::parse("delete"), None);
        assert_eq!(OfferState::parse("issued"), None);
    }

    #[test]
    fn an_offer_goes_offered_then_token_then_credential() {
        let token = OfferState::Offered.token_issued().unwrap();
        assert_eq!(token, OfferState::TokenIssued);
        assert_eq!(token.credential_issued(), Ok(OfferState::CredentialIssued));
        assert!(OfferState::CredentialIssued.is_final());
        assert!(!OfferState::TokenIssued.is_final());
    }

    #[test]
    fn an_offer_cannot_skip_or_repeat_a_step() {
        let refused = |from, to| Err(OfferStateRefused { from, to });
        assert_eq!(
            OfferState::Offered.credential_issued(),
            refused(OfferState::Offered, OfferState::CredentialIssued)
        );
        assert_eq!(
            OfferState::TokenIssued.token_issued(),
            refused(OfferState::TokenIssued, OfferState::TokenIssued)
        );
        assert_eq!(
            OfferState::TokenIssued.locked(),
            refused(OfferState::TokenIssued, OfferState::Locked)
        );
    }

    #[test]
    fn only_a_live_offer_expires_or_locks_and_a_final_one_stays_final() {
        assert_eq!(OfferState::Offered.expired(), Ok(OfferState::Expired));
        assert_eq!(OfferState::TokenIssued.expired(), Ok(OfferState::Expired));
        assert_eq!(OfferState::Offered.locked(), Ok(OfferState::Locked));
        for state in [OfferState::CredentialIssued, OfferState::Withdrawn] {
            assert!(state.withdrawn().is_err(), "{state}: nothing left to withdraw");
        }
        for state in [
            OfferState::Offered,
            OfferState::TokenIssued,
            OfferState::Locked,
            OfferState::Expired,
        ] {
            assert_eq!(state.withdrawn(), Ok(OfferState::Withdrawn), "{state}");
        }
        for state in OfferState::ALL.into_iter().filter(|s| s.is_final()) {
            assert!(state.token_issued().is_err());
            assert!(state.credential_issued().is_err());
            assert!(state.locked().is_err());
            assert!(state.expired().is_err());
        }
    }
}
