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
use sigil_core::jose;
use sigil_core::verify::Expectations;
use sigil_service::tokens::random_secret;

use crate::check::Verdict;
use crate::policy::Policy;
use crate::service::VerifierService;
use crate::store::request;

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
    /// Opens a presentation request for `policy`.
    pub async fn create_request(&self, policy: &Policy) -> anyhow::Result<CreatedRequest> {
        let now = sigil_core::time::now().timestamp();
        let row = request::Model {
            id: uuid::Uuid::new_v4().simple().to_string(),
            policy: serde_json::to_string(policy)?,
            nonce: random_secret(),
            state: random_secret(),
            dcql: policy.dcql_query().to_string(),
            created_at: now,
            expires_at: now + self.settings.request_lifetime_seconds,
            status: "pending".into(),
            outcome: None,
            answered_at: None,
        };
        let created = CreatedRequest {
            request_uri: self.authorization_uri(&row.id),
            id: row.id.clone(),
            expires_at: row.expires_at,
        };
        self.store.insert(row).await?;
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
        let dcql: Value = serde_json::from_str(&row.dcql)?;
        let claims = json!({
            "iss": self.client_id(),
            "aud": "https://self-issued.me/v2",
            "client_id": self.client_id(),
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": format!("{}/requests/{}/response", self.public_url, row.id),
            "nonce": row.nonce,
            "state": row.state,
            "dcql_query": dcql,
            "iat": row.created_at,
            "exp": row.expires_at,
            "client_metadata": {
                "client_name": self.name,
                "vp_formats_supported": {
                    "ldp_vc": {"proof_type_values": ["DataIntegrityProof"], "cryptosuite_values": ["eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019"]},
                    "jwt_vc_json": {"alg_values": ["EdDSA", "ES256"]},
                    "dc+sd-jwt": {"sd-jwt_alg_values": ["EdDSA", "ES256"], "kb-jwt_alg_values": ["EdDSA", "ES256"]},
                },
            },
        });
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
        if row.status == "pending" && row.expires_at < sigil_core::time::now().timestamp() {
            return Ok(Some(self.store.expire(row).await?));
        }
        Ok(Some(row))
    }

    /// Takes a wallet's response to request `id`.
    pub async fn take_response(&self, id: &str, form: ResponseForm) -> Result<&'static str, ResponseError> {
        let row = self.current(id).await?.ok_or(ResponseError::NotFound)?;
        match row.status.as_str() {
            "pending" => {}
            "expired" => return Err(ResponseError::Refused("the request has expired".into())),
            _ => return Err(ResponseError::Refused("the request was already answered".into())),
        }
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
            return self.record(&row, "rejected", &outcome, now.timestamp()).await;
        }
        let presentation = presentation_in(form.vp_token.as_deref(), &row.dcql)?;
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
        let (status, outcome) = match &verdict {
            Verdict::NoReport(error)
                if matches!(error, sigil_core::verify::VerificationError::CouldNotCheck { .. }) =>
            {
                return Err(ResponseError::CouldNotCheck(error.to_string()));
            }
            Verdict::NoReport(_) => ("rejected", outcome_json(&verdict, None, false)),
            Verdict::Valid(report) | Verdict::Invalid(report) => {
                let judgement = policy.judge(report, now);
                let accepted = judgement.accepts(report);
                let status = if accepted { "verified" } else { "rejected" };
                (status, outcome_json(&verdict, Some(&judgement), accepted))
            }
        };
        self.record(&row, status, &outcome, now.timestamp()).await
    }

    async fn record(
        &self,
        row: &request::Model,
        status: &'static str,
        outcome: &Value,
        at: i64,
    ) -> Result<&'static str, ResponseError> {
        if self
            .store
            .answer(&row.id, status, &outcome.to_string(), at)
            .await
            .map_err(anyhow::Error::from)?
        {
            Ok(status)
        } else {
            Err(ResponseError::Refused("the request was already answered".into()))
        }
    }
}

/// The one presentation in a `vp_token` (a JSON object from credential query ids to arrays of
/// presentations, OpenID4VP 1.0 §8.1), as text for the pipeline.
fn presentation_in(vp_token: Option<&str>, dcql: &str) -> Result<String, ResponseError> {
    let refuse = |reason: &str| ResponseError::Refused(reason.to_owned());
    let token = vp_token.ok_or_else(|| refuse("the response has no vp_token"))?;
    let token = sigil_core::json::parse(token).map_err(|e| refuse(&format!("vp_token: {e}")))?;
    let object = token
        .as_object()
        .ok_or_else(|| refuse("vp_token must be a JSON object"))?;
    let dcql: Value = serde_json::from_str(dcql).unwrap_or(Value::Null);
    let ids: Vec<&str> = dcql
        .get("credentials")
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .filter_map(|q| q.get("id").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let mut presentations = object
        .iter()
        .filter(|(id, _)| ids.contains(&id.as_str()))
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

    const DCQL: &str = r#"{"credentials":[{"id":"ldp"},{"id":"sd"}]}"#;

    #[test]
    fn the_presentation_is_found_under_a_query_id() {
        let token = r#"{"sd": ["eyJ...~"]}"#;
        assert_eq!(presentation_in(Some(token), DCQL).unwrap(), "eyJ...~");
        let object = r#"{"ldp": [{"type": ["VerifiablePresentation"]}]}"#;
        assert!(
            presentation_in(Some(object), DCQL)
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
                matches!(presentation_in(token, DCQL), Err(ResponseError::Refused(_))),
                "{token:?}"
            );
        }
    }
}
