//! `POST /api/credentials/endorse`: the institution adds its own Data Integrity proof to a
//! credential someone else (or it) already signed — an endorsement by a second key (VC Data
//! Integrity §2.1.1, proof sets, and §2.1.2, proof chains).
//!
//! An endorsement vouches for what it signs, so the credential is verified first, with the
//! whole pipeline (proof, signing key and its history, validity, status): the institution
//! never lends its signature to a forgery, an expired or a revoked credential. What is added
//! is one `eddsa-rdfc-2022` proof by the institution's current assertion key, with an `id` of
//! its own so that later proofs can chain to it; `options.previousProof` (one id or a list)
//! chains it to existing proofs instead of adding it to the set.
//!
//! Request: `{"verifiableCredential": {…}, "options": {"previousProof": "urn:…"}}`, with an API
//! token. Answer: 201 `{"verifiableCredential": {…}}`; 400 for a malformed request or a
//! credential that does not verify (naming the failed checks), 503 when a fact could not be
//! checked.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sigil_core::data_integrity::proof_set::{ProofLink, add_proof};
use sigil_core::data_integrity::{Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::verify::sources::StatusListsByIssuer;
use sigil_core::verify::{Expectations, Subject, VerificationError, Verifier};

use super::api::ApiCaller;
use super::error::ApiError;
use crate::service::Issuer;

/// `POST /api/credentials/endorse`
pub async fn endorse(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (credential, previous) = read_request(&body)?;
    check_before_endorsing(&issuer, &credential).await?;

    let key = issuer.signing_key().await;
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: key.method.clone(),
        purpose: Relationship::AssertionMethod,
        created: sigil_core::time::now(),
        challenge: None,
        domain: None,
    };
    let link = ProofLink {
        id: Some(format!("urn:uuid:{}", uuid::Uuid::new_v4())),
        previous,
    };
    let endorsed = add_proof(&credential, &key.key, &options, &link)
        .await
        .map_err(|e| ApiError::BadRequest(format!("the credential cannot be endorsed: {e}")))?;
    let subject = credential.get("id").and_then(Value::as_str).unwrap_or("(no id)");
    issuer.audit(&actor, "endorse", subject, &key.method).await;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "verifiableCredential": endorsed })),
    ))
}

/// The credential and the proof ids the endorsement chains to.
fn read_request(body: &[u8]) -> Result<(Value, Vec<String>), ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::BadRequest("the body is not UTF-8".into()))?;
    let request = sigil_core::json::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let credential = match request.get("verifiableCredential") {
        Some(credential @ Value::Object(_)) => credential.clone(),
        Some(_) => {
            return Err(ApiError::BadRequest(
                "`verifiableCredential` must be a Data Integrity credential (a JSON object); a JWT cannot carry a second proof"
                    .into(),
            ));
        }
        None => return Err(ApiError::BadRequest("`verifiableCredential` is missing".into())),
    };
    let options = request.get("options").cloned().unwrap_or_else(|| json!({}));
    let Some(options) = options.as_object() else {
        return Err(ApiError::BadRequest("`options` must be an object".into()));
    };
    if let Some(unknown) = options.keys().find(|key| *key != "previousProof") {
        return Err(ApiError::BadRequest(format!(
            "unknown option {unknown:?}; this endpoint takes previousProof"
        )));
    }
    let previous = match options.get("previousProof") {
        None => Vec::new(),
        Some(Value::String(id)) => vec![id.clone()],
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| id.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ApiError::BadRequest("options.previousProof must be proof ids (strings)".into())
            })?,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "options.previousProof must be a proof id or a list of them".into(),
            ));
        }
    };
    Ok((credential, previous))
}

/// Verifies the credential as a verifier would, against the registry the institution uses.
async fn check_before_endorsing(issuer: &Issuer, credential: &Value) -> Result<(), ApiError> {
    let status = StatusListsByIssuer {
        registry: Some(&issuer.registry),
        own_url: None,
    };
    let mut verifier = Verifier::new(&issuer.resolver);
    verifier.status = Some(&status);
    verifier.history = Some(&issuer.registry);
    let report = match verifier
        .verify(&credential.to_string(), &Expectations::default())
        .await
    {
        Ok(report) => report,
        Err(VerificationError::CouldNotCheck { check, reason }) => {
            return Err(ApiError::Unavailable(format!(
                "the credential could not be checked before endorsing it ({check}: {reason})"
            )));
        }
        Err(e) => return Err(ApiError::BadRequest(format!("the credential is unusable: {e}"))),
    };
    if report.subject != Subject::Credential {
        return Err(ApiError::BadRequest(
            "`verifiableCredential` is a presentation; only a credential is endorsed".into(),
        ));
    }
    if report.valid {
        return Ok(());
    }
    let failed: Vec<String> = report
        .failures()
        .iter()
        .map(|(id, check)| format!("{id}: {}", check.message))
        .collect();
    Err(ApiError::BadRequest(format!(
        "the credential does not verify, so it is not endorsed: {}",
        failed.join("; ")
    )))
}
