//! The life of a verifier's OpenID4VP presentation request (docs/design.md §6, the API's
//! `GET /api/requests/{id}`), as a pure state machine: it is opened `pending`, and a pending
//! request is answered once — `verified` or `rejected` — or runs out of time and is `expired`.
//! Nothing leaves an answered or expired request. The verifier stores and answers these names.
//!
//! [`RequestObject`] is what such a request asks of the wallet, as the verifier signs it and
//! the wallet reads it (OpenID4VP 1.0 §5).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dcql;

/// The claims of a signed request object (`oauth-authz-req+jwt`, OpenID4VP 1.0 §5, §5.2) as
/// Sigil writes and reads them. Members are optional so that a wallet can say which one a
/// request lacks; the verifier always writes them all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestObject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// `decentralized_identifier:` and the verifier's DID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `vp_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
    /// `direct_post`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<String>,
    /// Where the wallet posts its answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_uri: Option<String>,
    /// What the presentation must be bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The OAuth `state` the response echoes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// What is asked for (§6), checked as it is read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dcql_query: Option<dcql::Query>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<ClientMetadata>,
}

/// The verifier's metadata in a request object (`client_metadata`, §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClientMetadata {
    /// The name the verifier gives itself (not checked: the DID is what is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Per format identifier, the algorithms and proof types the verifier accepts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vp_formats_supported: Option<Value>,
}

/// Where a presentation request is. The serde names are the stored and published ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestState {
    /// Open: waiting for the wallet's response.
    Pending,
    /// Answered with a presentation that verified and met the policy.
    Verified,
    /// Answered with an error, a refusal by the holder, or a presentation that was not accepted.
    Rejected,
    /// Its time ran out before an answer.
    Expired,
}

/// How a wallet's answer ends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The presentation verified and met the policy.
    Accepted,
    /// Anything else: a wallet error, the holder's refusal, a presentation not accepted.
    NotAccepted,
}

/// Why a request cannot move as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Closed {
    /// It was answered already (the state it holds); a replayed or second response.
    #[error("the request was already answered")]
    Answered(RequestState),
    /// Its time ran out.
    #[error("the request has expired")]
    Expired,
}

/// A stored state name that is none of [`RequestState`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a presentation request state")]
pub struct UnknownState(pub String);

impl RequestState {
    /// Every state.
    pub const ALL: [RequestState; 4] = [
        RequestState::Pending,
        RequestState::Verified,
        RequestState::Rejected,
        RequestState::Expired,
    ];

    /// The state's name, as stored and as the API gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Verified => "verified",
            RequestState::Rejected => "rejected",
            RequestState::Expired => "expired",
        }
    }

    /// A state by its name.
    pub fn parse(name: &str) -> Result<RequestState, UnknownState> {
        RequestState::ALL
            .into_iter()
            .find(|state| state.as_str() == name)
            .ok_or_else(|| UnknownState(name.to_owned()))
    }

    /// Whether the request still takes an answer; `Closed` says why not.
    pub fn open(self) -> Result<(), Closed> {
        match self {
            RequestState::Pending => Ok(()),
            RequestState::Expired => Err(Closed::Expired),
            answered @ (RequestState::Verified | RequestState::Rejected) => Err(Closed::Answered(answered)),
        }
    }

    /// The state after the wallet's answer: only a pending request is answered.
    pub fn complete(self, answer: Answer) -> Result<RequestState, Closed> {
        self.open()?;
        Ok(match answer {
            Answer::Accepted => RequestState::Verified,
            Answer::NotAccepted => RequestState::Rejected,
        })
    }

    /// The state once the request's time has run out: only a pending request expires.
    pub fn expire(self) -> Result<RequestState, Closed> {
        self.open()?;
        Ok(RequestState::Expired)
    }
}

impl std::fmt::Display for RequestState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RequestState {
    type Err = UnknownState;

    fn from_str(name: &str) -> Result<RequestState, UnknownState> {
        RequestState::parse(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_stored_and_published_ones() {
        for (state, name) in RequestState::ALL
            .into_iter()
            .zip(["pending", "verified", "rejected", "expired"])
        {
            assert_eq!(state.as_str(), name);
            assert_eq!(serde_json::to_value(state).unwrap(), name);
            assert_eq!(
                serde_json::from_value::<RequestState>(name.into()).unwrap(),
                state
            );
            assert_eq!(name.parse::<RequestState>(), Ok(state));
        }
        assert_eq!(RequestState::parse("failed"), Err(UnknownState("failed".into())));
        assert!(serde_json::from_value::<RequestState>("Pending".into()).is_err());
    }

    #[test]
    fn a_request_object_reads_back_and_refuses_a_bad_query() {
        let query = dcql::Query::from_value(&serde_json::json!({"credentials": [
            {"id": "sd", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}}
        ]}))
        .unwrap();
        let object = RequestObject {
            client_id: Some("decentralized_identifier:did:key:z6Mk".into()),
            nonce: Some("n".into()),
            dcql_query: Some(query),
            client_metadata: Some(ClientMetadata {
                client_name: Some("Verifier".into()),
                vp_formats_supported: None,
            }),
            ..RequestObject::default()
        };
        let written = serde_json::to_value(&object).unwrap();
        assert_eq!(written["dcql_query"]["credentials"][0]["id"], "sd");
        assert!(written.get("state").is_none());
        assert_eq!(
            serde_json::from_value::<RequestObject>(written.clone()).unwrap(),
            object
        );
        let mut bad = written;
        bad["dcql_query"]["credentials"] = serde_json::json!([]);
        let refused = serde_json::from_value::<RequestObject>(bad)
            .unwrap_err()
            .to_string();
        assert!(refused.contains("at least one credential query"), "{refused}");
    }

    #[test]
    fn a_pending_request_is_answered_or_expires_once() {
        let pending = RequestState::Pending;
        assert_eq!(pending.complete(Answer::Accepted), Ok(RequestState::Verified));
        assert_eq!(pending.complete(Answer::NotAccepted), Ok(RequestState::Rejected));
        assert_eq!(pending.expire(), Ok(RequestState::Expired));
        for answered in [RequestState::Verified, RequestState::Rejected] {
            assert_eq!(
                answered.complete(Answer::Accepted),
                Err(Closed::Answered(answered))
            );
            assert_eq!(answered.expire(), Err(Closed::Answered(answered)));
        }
        assert_eq!(
            RequestState::Expired.complete(Answer::Accepted),
            Err(Closed::Expired)
        );
        assert_eq!(RequestState::Expired.expire(), Err(Closed::Expired));
        assert_eq!(Closed::Expired.to_string(), "the request has expired");
        assert_eq!(
            Closed::Answered(RequestState::Verified).to_string(),
            "the request was already answered"
        );
    }
}
