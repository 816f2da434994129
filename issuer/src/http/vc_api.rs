//! The W3C CCG VC API issuer endpoint, `POST /credentials/issue`: the caller sends a
//! credential and `options`, the issuer adds its status entries and a Data Integrity proof
//! (`eddsa-rdfc-2022` by default, `eddsa-jcs-2022` on request) and answers
//! `{verifiableCredential}`. Authenticated with the API tokens, like `/api/`. There is no
//! offer: the credential is recorded as issued, directly, at a status position reserved
//! before signing.
//!
//! The issuer owns two things the caller may not choose: the status entries (a caller's
//! `credentialStatus` would point at a list the portal cannot revoke in, so it is refused) and,
//! for the types it defines, the claims (each subject is checked against the type's JSON
//! Schema, as the portal and the offers API check them).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sigil_core::data_integrity::{self, Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::issue::CredentialFormat;
use sigil_core::lifecycle::CredentialStatus;
use sigil_core::model::Credential;
use sigil_core::verify::{IssuedForm, credential_hash};

use super::api::ApiCaller;
use super::error::ApiError;
use super::set_member;
use crate::domain::IssuedCredential;
use crate::service::Issuer;
use crate::status;

/// `POST /credentials/issue`
pub async fn issue(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (mut unsigned, cryptosuite) = read_request(&body)?;
    let did = issuer.did().to_string();
    match unsigned.get("issuer") {
        None => set_member(&mut unsigned, "issuer", json!(did)),
        Some(given) => {
            let id = given.as_str().or_else(|| given.get("id").and_then(Value::as_str));
            if id != Some(did.as_str()) {
                return Err(ApiError::BadRequest(format!("this service issues as {did} only")));
            }
        }
    }
    // What Sigil signs, its verifiers must be able to read: the compact form of the bundled
    // contexts only, so that the JSON says what the signature covers.
    sigil_core::jsonld::compact_form::check(&unsigned).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let parsed = Credential::from_json(&unsigned).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    check_owned_parts(&issuer, &parsed)?;
    let now = sigil_core::time::now();

    // Reserve the status position first: the credential must name it before it is signed.
    let id = uuid::Uuid::new_v4().to_string();
    let position = issuer.store.reserve_position(&id).await?;
    issuer.publish_lists_if_missing(&[position.list]).await?;
    set_member(
        &mut unsigned,
        "credentialStatus",
        status::entries(&issuer.public_url, position),
    );
    // Taken only now: publishing a status list above takes the signing permit itself.
    let key = issuer.signing_key().await;
    if key.did.as_str() != did {
        return Err(ApiError::Conflict(
            "the institution's DID changed meanwhile".into(),
        ));
    }
    let proof_options = ProofOptions {
        cryptosuite,
        verification_method: key.method.clone(),
        purpose: Relationship::AssertionMethod,
        created: now,
        challenge: None,
        domain: None,
    };
    // A credential that cannot be signed or hashed leaves its position reserved, unused.
    let signed = data_integrity::sign(&unsigned, &key.key, &proof_options)
        .await
        .map_err(|e| ApiError::BadRequest(format!("the credential cannot be signed: {e}")))?;
    let credential_hash = credential_hash(&IssuedForm::Json(&signed))
        .map_err(|e| ApiError::BadRequest(format!("the credential cannot be recorded: {e}")))?;
    let type_name = parsed.specific_types().first().cloned().unwrap_or_default();
    issuer
        .store
        .insert_issued(&IssuedCredential {
            id: id.clone(),
            summary: format!("{type_name} (VC API)"),
            type_name,
            format: CredentialFormat::LdpVc,
            subject: parsed.subject_ids().next().map(str::to_owned),
            position,
            created_at: now,
            created_by: actor.clone(),
            batch: None,
            issued_at: now,
            credential_hash,
            anchor_root: None,
            status: CredentialStatus::Active,
        })
        .await?;
    issuer
        .audit(&actor, "issue (VC API)", &id, cryptosuite_name(cryptosuite))
        .await;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "verifiableCredential": signed })),
    ))
}

/// Refuses a caller-chosen `credentialStatus`, and subjects that do not satisfy the JSON Schema
/// of a type this issuer defines.
fn check_owned_parts(issuer: &Issuer, credential: &Credential) -> Result<(), ApiError> {
    if !credential.status.is_empty() {
        return Err(ApiError::BadRequest(
            "credentialStatus is the issuer's to set (so that it can revoke what it issues): leave it out"
                .into(),
        ));
    }
    for type_name in credential.specific_types() {
        let Some(definition) = issuer.types.get(&type_name) else {
            continue;
        };
        for subject in &credential.subjects {
            let mut claims = subject.clone();
            claims.remove("id");
            if let Err(errors) = definition.validate(&claims) {
                return Err(ApiError::BadRequest(format!(
                    "credentialSubject does not satisfy the {type_name} schema: {}",
                    errors.join("; ")
                )));
            }
        }
    }
    Ok(())
}

/// The unsigned credential and the cryptosuite asked for in a request body.
fn read_request(body: &[u8]) -> Result<(Value, Cryptosuite), ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::BadRequest("the body is not UTF-8".into()))?;
    let request = sigil_core::json::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let unsigned = request
        .get("credential")
        .cloned()
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::BadRequest("the body needs a `credential` object".into()))?;
    let options = request.get("options").cloned().unwrap_or(Value::Null);
    let cryptosuite = match options.get("cryptosuite").and_then(Value::as_str) {
        None | Some("eddsa-rdfc-2022") => Cryptosuite::EddsaRdfc2022,
        Some("eddsa-jcs-2022") => Cryptosuite::EddsaJcs2022,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "cryptosuite {other:?} is not offered; use eddsa-rdfc-2022 or eddsa-jcs-2022"
            )));
        }
    };
    if unsigned.get("proof").is_some() {
        return Err(ApiError::BadRequest("the credential already has a proof".into()));
    }
    Ok((unsigned, cryptosuite))
}

fn cryptosuite_name(suite: Cryptosuite) -> &'static str {
    match suite {
        Cryptosuite::EddsaJcs2022 => "eddsa-jcs-2022",
        _ => "eddsa-rdfc-2022",
    }
}
