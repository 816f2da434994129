//! OpenID for Verifiable Presentations 1.0, verifier side, cross-device:
//!
//! 1. A request is created for a [`Policy`]: a fresh nonce and state, its DCQL query.
//! 2. The wallet gets `openid4vp://?client_id=decentralized_identifier:did:key:…&request_uri=…`
//!    and fetches the request object — a JWT (`oauth-authz-req+jwt`) signed with the key of
//!    the DID in `client_id`, asking for `response_mode=direct_post`.
//! 3. The wallet posts `vp_token` (or an error) to the response URI. The presentation must be
//!    bound to the nonce and to this verifier (`domain`/`aud` = the client id); a request is
//!    answered once, so a replayed response is refused.

use serde::Deserialize;
use serde_json::{Value, json};
use sigil_core::dcql;
use sigil_core::jose;
use sigil_core::presentation_request::{Answer, ClientMetadata, RequestObject, RequestState};
use sigil_core::verify::Expectations;
use sigil_service::tokens::random_secret;

use crate::check::Verdict;
use crate::policy::Policy;
use crate::service::VerifierService;
use crate::store::request;

/// How long a request's result is kept after the request expired, for the relying party to
/// read; older requests are deleted when new ones are made.
pub const RESULT_RETENTION_SECONDS: i64 = 24 * 3600;
/// Requests open at once, across all clients: past this, new ones are refused until some
/// expire. With the per-client rate limit this bounds what strangers can make the verifier
/// store, however many addresses they have.
pub const MAX_OPEN_REQUESTS: u64 = 10_000;

/// Why a request could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("too many open presentation requests; try again when some have expired")]
    TooManyOpen,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A request just created.
#[derive(Debug, Clone)]
pub struct CreatedRequest {
    pub id: String,
    /// The `openid4vp://` link (and QR code content).
    pub request_uri: String,
    pub expires_at: i64,
}

/// The form a wallet posts to the response URI (`direct_post`).
#[derive(Debug, Default, Deserialize)]
pub struct ResponseForm {
    pub vp_token: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Why a response was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ResponseError {
    #[error("no such request")]
    NotFound,
    /// Replayed, late, or for another state: OAuth `invalid_request`.
    #[error("{0}")]
    Refused(String),
    /// The registry could not be reached: the request stays open and the wallet may retry.
    #[error("could not check: {0}")]
    CouldNotCheck(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What a request's outcome records.
pub fn outcome_json(
    verdict: &Verdict,
    judgement: Option<&crate::policy::Judgement>,
    accepted: bool,
) -> Value {
    let report = match verdict {
        Verdict::Valid(report) | Verdict::Invalid(report) => json!(report),
        Verdict::NoReport(e) => json!({"error": e.to_string()}),
    };
    json!({
        "accepted": accepted,
        "report": report,
        "policy_checks": judgement.map(|j| json!(j.checks)).unwrap_or(json!([])),
        "warnings": judgement.map(|j| json!(j.warnings)).unwrap_or(json!([])),
    })
}

impl VerifierService {
    /// Opens a presentation request for `policy`, first deleting requests whose results have
    /// been kept for [`RESULT_RETENTION_SECONDS`] after they expired.
    pub async fn create_request(&self, policy: &Policy) -> Result<CreatedRequest, CreateError> {
        let now = sigil_core::time::now().timestamp();
        let row = request::Model {
            id: uuid::Uuid::new_v4().simple().to_string(),
            policy: serde_json::to_string(policy).map_err(anyhow::Error::from)?,
            nonce: random_secret(),
            state: random_secret(),
            dcql: serde_json::to_string(&policy.dcql_query().map_err(anyhow::Error::from)?)
                .map_err(anyhow::Error::from)?,
            created_at: now,
            expires_at: now + self.settings.request_lifetime_seconds,
            status: RequestState::Pending.as_str().into(),
            outcome: None,
            answered_at: None,
        };
        let created = CreatedRequest {
            request_uri: self.authorization_uri(&row.id),
            id: row.id.clone(),
            expires_at: row.expires_at,
        };
        let purge_before = now - RESULT_RETENTION_SECONDS;
        let inserted = self
            .store
            .insert_bounded(row, now, purge_before, MAX_OPEN_REQUESTS)
            .await
            .map_err(anyhow::Error::from)?;
        if !inserted {
            return Err(CreateError::TooManyOpen);
        }
        Ok(created)
    }

    /// The authorization request by reference (OpenID4VP 1.0 §5.7).
    pub fn authorization_uri(&self, id: &str) -> String {
        let encode = |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
        format!(
            "openid4vp://?client_id={}&request_uri={}",
            encode(&self.client_id()),
            encode(&format!("{}/requests/{id}/request.jwt", self.public_url))
        )
    }

    /// The signed request object of a pending request.
    pub fn request_object(&self, row: &request::Model) -> anyhow::Result<String> {
        let object = RequestObject {
            iss: Some(self.client_id()),
            aud: Some("https://self-issued.me/v2".into()),
            client_id: Some(self.client_id()),
            response_type: Some("vp_token".into()),
            response_mode: Some("direct_post".into()),
            response_uri: Some(format!("{}/requests/{}/response", self.public_url, row.id)),
            nonce: Some(row.nonce.clone()),
            state: Some(row.state.clone()),
            dcql_query: Some(dcql::Query::parse(&row.dcql)?),
            iat: Some(row.created_at),
            exp: Some(row.expires_at),
            client_metadata: Some(ClientMetadata {
                client_name: Some(self.name.clone()),
                vp_formats_supported: Some(json!({
                    "ldp_vc": {"proof_type_values": ["DataIntegrityProof"], "cryptosuite_values": ["eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019"]},
                    "jwt_vc_json": {"alg_values": ["EdDSA", "ES256"]},
                    "dc+sd-jwt": {"sd-jwt_alg_values": ["EdDSA", "ES256"], "kb-jwt_alg_values": ["EdDSA", "ES256"]},
                })),
            }),
        };
        let claims = serde_json::to_value(&object)?;
        Ok(jose::sign_compact(
            &claims,
            "oauth-authz-req+jwt",
            &self.key_id(),
            &self.key,
        )?)
    }

    /// A request, with a pending one past its time marked expired.
    pub async fn current(&self, id: &str) -> anyhow::Result<Option<request::Model>> {
        let Some(row) = self.store.get(id).await? else {
            return Ok(None);
        };
        if row.expires_at < sigil_core::time::now().timestamp() {
            if let Ok(expired) = row.state()?.expire() {
                return Ok(Some(self.store.set_state(row, expired).await?));
            }
        }
        Ok(Some(row))
    }

    /// Takes a wallet's response to request `id`.
    pub async fn take_response(&self, id: &str, form: ResponseForm) -> Result<RequestState, ResponseError> {
        let row = self.current(id).await?.ok_or(ResponseError::NotFound)?;
        let state = row.state().map_err(anyhow::Error::from)?;
        state
            .open()
            .map_err(|closed| ResponseError::Refused(closed.to_string()))?;
        if form.state.as_deref() != Some(row.state.as_str()) {
            return Err(ResponseError::Refused(
                "the response's state is not this request's".into(),
            ));
        }
        let now = sigil_core::time::now();
        if let Some(error) = form.error {
            let outcome = json!({
                "accepted": false,
                "wallet_error": error,
                "wallet_error_description": form.error_description,
            });
            return self
                .record(&row, state, Answer::NotAccepted, &outcome, now.timestamp())
                .await;
        }
        let query = dcql::Query::parse(&row.dcql).map_err(anyhow::Error::from)?;
        let presentation = presentation_in(form.vp_token.as_deref(), &query)?;
        let policy: Policy = serde_json::from_str(&row.policy).map_err(anyhow::Error::from)?;
        let expect = Expectations {
            challenge: Some(row.nonce.clone()),
            domain: Some(self.client_id()),
            nonce: Some(row.nonce.clone()),
            audience: Some(self.client_id()),
            issuer: None,
            // A policy asks for the subject's own presentation unless it says otherwise, and
            // for an accredited issuer (which `unaccredited = "warn"` then softens).
            require_holder_binding: policy.require_holder_binding,
            require_accreditation: true,
            require_presentation: true,
        };
        let verdict = self
            .verify(&presentation, &expect, &policy.roots_of_trust, now)
            .await;
        let (answer, outcome) = match &verdict {
            Verdict::NoReport(error)
                if matches!(error, sigil_core::verify::VerificationError::CouldNotCheck { .. }) =>
            {
                return Err(ResponseError::CouldNotCheck(error.to_string()));
            }
            Verdict::NoReport(_) => (Answer::NotAccepted, outcome_json(&verdict, None, false)),
            Verdict::Valid(report) | Verdict::Invalid(report) => {
                let judgement = policy.judge(report, now);
                let accepted = judgement.accepts(report);
                let answer = if accepted {
                    Answer::Accepted
                } else {
                    Answer::NotAccepted
                };
                (answer, outcome_json(&verdict, Some(&judgement), accepted))
            }
        };
        self.record(&row, state, answer, &outcome, now.timestamp()).await
    }

    /// Moves the request from `state` by the wallet's `answer` and stores the outcome, once.
    async fn record(
        &self,
        row: &request::Model,
        state: RequestState,
        answer: Answer,
        outcome: &Value,
        at: i64,
    ) -> Result<RequestState, ResponseError> {
        let refused =
            |closed: sigil_core::presentation_request::Closed| ResponseError::Refused(closed.to_string());
        let next = state.complete(answer).map_err(refused)?;
        if self
            .store
            .answer(&row.id, state, next, &outcome.to_string(), at)
            .await
            .map_err(anyhow::Error::from)?
        {
            Ok(next)
        } else {
            Err(refused(sigil_core::presentation_request::Closed::Answered(next)))
        }
    }
}

/// The one presentation in a `vp_token` (a JSON object from credential query ids to arrays of
/// presentations, OpenID4VP 1.0 §8.1), as text for the pipeline. Public for the fuzz targets
/// (`sigil-fuzz`), since it reads what any wallet posts.
pub fn presentation_in(vp_token: Option<&str>, query: &dcql::Query) -> Result<String, ResponseError> {
    let refuse = |reason: &str| ResponseError::Refused(reason.to_owned());
    let token = vp_token.ok_or_else(|| refuse("the response has no vp_token"))?;
    let token = sigil_core::json::parse(token).map_err(|e| refuse(&format!("vp_token: {e}")))?;
    let object = token
        .as_object()
        .ok_or_else(|| refuse("vp_token must be a JSON object"))?;
    let mut presentations = object
        .iter()
        .filter(|(id, _)| query.credential(id).is_some())
        .flat_map(|(_, value)| match value {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        });
    let first = presentations
        .next()
        .ok_or_else(|| refuse("vp_token answers none of the request's credential queries"))?;
    if presentations.next().is_some() {
        return Err(refuse("one presentation was asked for"));
    }
    Ok(match first {
        Value::String(text) => text,
        other => serde_json::to_string(&other).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> dcql::Query {
        dcql::Query::from_value(&json!({"credentials": [
            {"id": "ldp", "format": "ldp_vc", "meta": {"type_values": [["T"]]}},
            {"id": "sd", "format": "dc+sd-jwt", "meta": {"vct_values": ["T"]}}
        ]}))
        .unwrap()
    }

    #[test]
    fn the_presentation_is_found_under_a_query_id() {
        let token = r#"{"sd": ["eyJ...~"]}"#;
        assert_eq!(presentation_in(Some(token), &query()).unwrap(), "eyJ...~");
        let object = r#"{"ldp": [{"type": ["VerifiablePresentation"]}]}"#;
        assert!(
            presentation_in(Some(object), &query())
                .unwrap()
                .contains("VerifiablePresentation")
        );
    }

    #[test]
    fn odd_tokens_are_refused() {
        for token in [
            None,
            Some("not json"),
            Some("[]"),
            Some(r#"{"other": ["x"]}"#),
            Some(r#"{"sd": ["a", "b"]}"#),
        ] {
            assert!(
                matches!(presentation_in(token, &query()), Err(ResponseError::Refused(_))),
                "{token:?}"
            );
        }
    }
}
