//! OpenID for Verifiable Presentations 1.0, verifier side, cross-device and same-device:
//!
//! 1. A request is created for a [`Policy`] and a DCQL query (the policy's own, or one a
//!    caller sent whole): a fresh nonce and state.
//! 2. The wallet gets `openid4vp://?client_id=decentralized_identifier:did:key:…&request_uri=…`
//!    and fetches the request object — a JWT (`oauth-authz-req+jwt`) signed with the key of
//!    the DID in `client_id`, asking for `response_mode=direct_post`.
//! 3. The wallet posts `vp_token` (or an error) to the response URI: one entry per credential
//!    query it answers (§8.1). Each presentation must be bound to the nonce and to this
//!    verifier (`domain`/`aud` = the client id) and answer its credential query (format,
//!    type, claims, values); together they must answer every required credential set (§6.4.2).
//!    A request is answered once, so a replayed response is refused.
//! 4. The answer to the `direct_post` carries a `redirect_uri` (§8.2): the request's result
//!    page with a fresh `response_code`, so that in the same-device flow the wallet sends the
//!    browser back to the result, which only the holder of that code is shown that way.

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
use sigil_service::tokens::{constant_time_eq, digest};

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
    /// Opens a presentation request asking `query` and judged by `policy`, first deleting
    /// requests whose results have been kept for [`RESULT_RETENTION_SECONDS`] after they
    /// expired.
    pub async fn create_request(
        &self,
        policy: &Policy,
        query: &dcql::Query,
    ) -> Result<CreatedRequest, CreateError> {
        let now = sigil_core::time::now().timestamp();
        let row = request::Model {
            id: uuid::Uuid::new_v4().simple().to_string(),
            policy: serde_json::to_string(policy).map_err(anyhow::Error::from)?,
            nonce: random_secret(),
            state: random_secret(),
            dcql: serde_json::to_string(query).map_err(anyhow::Error::from)?,
            created_at: now,
            expires_at: now + self.settings.request_lifetime_seconds,
            status: RequestState::Pending.as_str().into(),
            outcome: None,
            answered_at: None,
            response_code: None,
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

    /// Takes a wallet's response to request `id`: records the outcome and returns the state
    /// and where the wallet should send the browser.
    pub async fn take_response(&self, id: &str, form: ResponseForm) -> Result<Taken, ResponseError> {
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
        let presented = presentations_in(form.vp_token.as_deref(), &query)?;
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
            skip_status: false,
        };
        let mut judged = Vec::new();
        for presentation in &presented {
            let verdict = self
                .verify(&presentation.text, &expect, &policy.roots_of_trust, now)
                .await;
            if let Verdict::NoReport(error @ sigil_core::verify::VerificationError::CouldNotCheck { .. }) =
                &verdict
            {
                return Err(ResponseError::CouldNotCheck(error.to_string()));
            }
            let judgement = match (&verdict, query.credential(&presentation.query_id)) {
                (Verdict::Valid(report) | Verdict::Invalid(report), Some(credential_query)) => {
                    Some(policy.judge(report, credential_query, now))
                }
                _ => None,
            };
            judged.push((presentation.query_id.clone(), verdict, judgement));
        }
        let outcome = outcome_of_presentations(&query, &judged);
        let answer = if outcome.get("accepted") == Some(&Value::Bool(true)) {
            Answer::Accepted
        } else {
            Answer::NotAccepted
        };
        self.record(&row, state, answer, &outcome, now.timestamp()).await
    }

    /// Moves the request from `state` by the wallet's `answer` and stores the outcome, once,
    /// with the digest of a fresh response code for the result page.
    async fn record(
        &self,
        row: &request::Model,
        state: RequestState,
        answer: Answer,
        outcome: &Value,
        at: i64,
    ) -> Result<Taken, ResponseError> {
        let refused =
            |closed: sigil_core::presentation_request::Closed| ResponseError::Refused(closed.to_string());
        let next = state.complete(answer).map_err(refused)?;
        let response_code = random_secret();
        if self
            .store
            .answer(
                &row.id,
                state,
                next,
                &outcome.to_string(),
                at,
                &digest(&response_code),
            )
            .await
            .map_err(anyhow::Error::from)?
        {
            Ok(Taken {
                state: next,
                redirect_uri: self.result_uri(&row.id, &response_code),
            })
        } else {
            Err(refused(sigil_core::presentation_request::Closed::Answered(next)))
        }
    }

    /// The result page of request `id` for the browser the wallet sends back (§8.2).
    pub fn result_uri(&self, id: &str, response_code: &str) -> String {
        let code: String = url::form_urlencoded::byte_serialize(response_code.as_bytes()).collect();
        format!("{}/requests/{id}?response_code={code}", self.public_url)
    }
}

/// What became of a wallet's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// The request's state now (`verified` or `rejected`).
    pub state: RequestState,
    /// The result page, with the response code that opens it (OpenID4VP 1.0 §8.2).
    pub redirect_uri: String,
}

/// Whether `given` is the response code whose digest request `row` stored: only an answered
/// request has one, and the comparison takes the same time however much of a guess is right.
pub fn response_code_matches(row: &request::Model, given: &str) -> bool {
    row.response_code
        .as_deref()
        .is_some_and(|stored| constant_time_eq(stored, &digest(given)))
}

/// The outcome of every presentation in a response: each judged by its credential query
/// (`presentations`), the whole accepted only when every required credential set is answered
/// and each presentation was accepted (else `reason` says which is not). `report`, `policy_checks` and `warnings`
/// repeat the first presentation's, as a response with one presentation has always recorded.
fn outcome_of_presentations(
    query: &dcql::Query,
    judged: &[(String, Verdict, Option<crate::policy::Judgement>)],
) -> Value {
    let mut presentations = Vec::new();
    let mut accepted_ids: Vec<&str> = Vec::new();
    for (query_id, verdict, judgement) in judged {
        let accepted = match (verdict, judgement) {
            (Verdict::Valid(report) | Verdict::Invalid(report), Some(judgement)) => judgement.accepts(report),
            _ => false,
        };
        if accepted {
            accepted_ids.push(query_id);
        }
        let mut entry = outcome_json(verdict, judgement.as_ref(), accepted);
        if let Some(object) = entry.as_object_mut() {
            object.insert("query_id".into(), Value::String(query_id.clone()));
        }
        presentations.push(entry);
    }
    // First whether what came answers the request at all, then whether each presentation
    // was accepted: a missing credential is the clearer reason of the two.
    let presented_ids: Vec<&str> = judged.iter().map(|(id, _, _)| id.as_str()).collect();
    let not_accepted: Vec<&str> = presented_ids
        .iter()
        .copied()
        .filter(|id| !accepted_ids.contains(id))
        .collect();
    let reason = match query.satisfied_by(&presented_ids) {
        Err(unsatisfied) => Some(format!(
            "the presentations do not answer the request: {unsatisfied}"
        )),
        Ok(()) if !not_accepted.is_empty() => Some(format!(
            "the presentation for {} was not accepted",
            not_accepted.join(" and for ")
        )),
        Ok(()) => None,
    };
    let first = presentations.first().cloned().unwrap_or(Value::Null);
    let warnings: Vec<Value> = presentations
        .iter()
        .filter_map(|p| p.get("warnings").and_then(Value::as_array))
        .flatten()
        .cloned()
        .collect();
    json!({
        "accepted": reason.is_none(),
        "reason": reason,
        "report": first.get("report").cloned().unwrap_or(Value::Null),
        "policy_checks": first.get("policy_checks").cloned().unwrap_or(json!([])),
        "warnings": warnings,
        "presentations": presentations,
    })
}

/// One presentation in a `vp_token`, as text for the pipeline, with the credential query it
/// answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub query_id: String,
    pub text: String,
}

/// The presentations in a `vp_token` (OpenID4VP 1.0 §8.1): a JSON object from credential query
/// ids to non-empty arrays of presentations (or, as drafts had it, one presentation) — one per
/// id unless the query says `multiple`.
/// An id the query does not have, or a value of another shape, is refused. Which credential
/// sets they answer is judged after they are verified. Public for the fuzz targets
/// (`sigil-fuzz`), since it reads what any wallet posts.
pub fn presentations_in(
    vp_token: Option<&str>,
    query: &dcql::Query,
) -> Result<Vec<Presented>, ResponseError> {
    let refuse = |reason: String| ResponseError::Refused(reason);
    let token = vp_token.ok_or_else(|| refuse("the response has no vp_token".into()))?;
    let token = sigil_core::json::parse(token).map_err(|e| refuse(format!("vp_token: {e}")))?;
    let object = token
        .as_object()
        .ok_or_else(|| refuse("vp_token must be a JSON object".into()))?;
    let mut presented = Vec::new();
    for (id, value) in object {
        let credential_query = query.credential(id).ok_or_else(|| {
            refuse(format!(
                "vp_token answers {id:?}, which the request does not ask for"
            ))
        })?;
        // OpenID4VP 1.0 sends an array; wallets built on its drafts send one presentation bare.
        let items = match value {
            Value::Array(items) if !items.is_empty() => items.as_slice(),
            Value::String(_) | Value::Object(_) => std::slice::from_ref(value),
            _ => {
                return Err(refuse(format!(
                    "vp_token's {id:?} must be a non-empty array of presentations"
                )));
            }
        };
        if items.len() > 1 && !credential_query.multiple {
            return Err(refuse(format!(
                "credential query {id:?} takes one presentation, and {} came",
                items.len()
            )));
        }
        for item in items {
            let text = match item {
                Value::String(text) => text.clone(),
                Value::Object(_) => item.to_string(),
                _ => {
                    return Err(refuse(format!(
                        "vp_token's {id:?} holds something that is not a presentation"
                    )));
                }
            };
            presented.push(Presented {
                query_id: id.clone(),
                text,
            });
        }
    }
    if presented.is_empty() {
        return Err(refuse(
            "vp_token answers none of the request's credential queries".into(),
        ));
    }
    Ok(presented)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigil_core::format::CredentialFormat;
    use sigil_core::verify::{Check, Subject, VerificationReport, check_id};

    fn query() -> dcql::Query {
        dcql::Query::from_value(&json!({"credentials": [
            {"id": "ldp", "format": "ldp_vc", "meta": {"type_values": [["T"]]}},
            {"id": "sd", "format": "dc+sd-jwt", "meta": {"vct_values": ["T"]}},
            {"id": "many", "format": "dc+sd-jwt", "meta": {"vct_values": ["U"]}, "multiple": true}
        ]}))
        .unwrap()
    }

    fn taken(token: &str) -> Vec<(String, String)> {
        presentations_in(Some(token), &query())
            .unwrap()
            .into_iter()
            .map(|p| (p.query_id, p.text))
            .collect()
    }

    #[test]
    fn each_presentation_is_found_under_its_query_id() {
        assert_eq!(
            taken(r#"{"sd": ["eyJ...~"]}"#),
            vec![("sd".into(), "eyJ...~".into())]
        );
        let both = taken(r#"{"ldp": [{"type": ["VerifiablePresentation"]}], "sd": ["eyJ...~"]}"#);
        assert_eq!(both.len(), 2);
        assert_eq!(both[0].0, "ldp");
        assert!(both[0].1.contains("VerifiablePresentation"));
        assert_eq!(
            taken(r#"{"many": ["a~", "b~"]}"#).len(),
            2,
            "multiple allows several"
        );
    }

    #[test]
    fn odd_tokens_are_refused_with_a_reason() {
        for (token, reason) in [
            (None, "no vp_token"),
            (Some("not json"), "vp_token:"),
            (Some("[]"), "JSON object"),
            (Some("{}"), "none of the request's"),
            (
                Some(r#"{"other": ["x"]}"#),
                "\"other\", which the request does not ask for",
            ),
            (
                Some(r#"{"sd": ["a", "b"]}"#),
                "takes one presentation, and 2 came",
            ),
            (Some(r#"{"sd": 7}"#), "non-empty array"),
            (Some(r#"{"sd": []}"#), "non-empty array"),
            (Some(r#"{"sd": [7]}"#), "not a presentation"),
        ] {
            let message = match presentations_in(token, &query()) {
                Err(ResponseError::Refused(message)) => message,
                other => format!("not refused: {other:?}"),
            };
            assert!(message.contains(reason), "{token:?}: {message}");
        }
    }

    /// A verified presentation of one Data Integrity diploma with `claims`.
    fn diploma(claims: Value) -> VerificationReport {
        let credential = VerificationReport {
            subject: Subject::Credential,
            format: CredentialFormat::LdpVc,
            issuer: Some("did:key:z6Mk".into()),
            issuer_name: None,
            accredited_by: None,
            holder: None,
            types: vec!["VerifiableCredential".into(), "UniversityDegreeCredential".into()],
            issued_at: None,
            claims: Some(claims),
            checks: vec![Check::passed(check_id::PROOF, "ok")],
            credentials: vec![],
            valid: true,
        };
        VerificationReport {
            subject: Subject::Presentation,
            format: CredentialFormat::LdpVc,
            issuer: None,
            issuer_name: None,
            accredited_by: None,
            holder: Some("did:key:z6Mk".into()),
            types: vec![],
            issued_at: None,
            claims: None,
            checks: vec![Check::passed(check_id::HOLDER_BINDING, "ok")],
            credentials: vec![credential],
            valid: true,
        }
    }

    #[test]
    fn an_answer_to_part_of_a_required_set_is_not_accepted_and_says_why() {
        let degree = "https://w3id.org/sigil/vocab#UniversityDegreeCredential";
        let query = dcql::Query::from_value(&json!({
            "credentials": [
                {"id": "bachelor", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
                 "claims": [{"path": ["credentialSubject", "degree", "type"], "values": ["BachelorDegree"]}]},
                {"id": "master", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
                 "claims": [{"path": ["credentialSubject", "degree", "type"], "values": ["MasterDegree"]}]}
            ],
            "credential_sets": [{"options": [["bachelor", "master"]]}]
        }))
        .unwrap();
        let policy = Policy::from_dcql(&query);
        let now = sigil_core::time::now();
        let judged = |id: &str, kind: &str| {
            let report = diploma(json!({"name": "Ada", "degree": {"type": kind}}));
            let judgement = policy.judge(&report, query.credential(id).unwrap(), now);
            (id.to_owned(), Verdict::Valid(report), Some(judgement))
        };
        let both = outcome_of_presentations(
            &query,
            &[
                judged("bachelor", "BachelorDegree"),
                judged("master", "MasterDegree"),
            ],
        );
        assert_eq!(both["accepted"], true, "{both:#}");
        assert_eq!(both["presentations"].as_array().unwrap().len(), 2);
        assert_eq!(both["presentations"][1]["query_id"], "master");

        let half = outcome_of_presentations(&query, &[judged("bachelor", "BachelorDegree")]);
        assert_eq!(half["accepted"], false);
        assert_eq!(
            half["reason"],
            "the presentations do not answer the request: required credential set 0 is not answered: it needs bachelor and master"
        );

        // A master's degree sent as the bachelor's: that presentation fails its query.
        let swapped = outcome_of_presentations(
            &query,
            &[
                judged("bachelor", "MasterDegree"),
                judged("master", "MasterDegree"),
            ],
        );
        assert_eq!(swapped["accepted"], false);
        assert_eq!(
            swapped["reason"],
            "the presentation for bachelor was not accepted"
        );
        assert_eq!(swapped["presentations"][0]["accepted"], false);
        assert_eq!(swapped["presentations"][1]["accepted"], true);
    }
}
