//! The W3C CCG VC API issuer endpoint, `POST /credentials/issue`: the caller sends a
//! credential and `options`, the issuer adds its status entries and a Data Integrity proof
//! (`eddsa-rdfc-2022` by default, `eddsa-jcs-2022` on request) and answers
//! `{verifiableCredential}`. Authenticated with the API tokens, like `/api/`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sigil_core::data_integrity::{self, Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::model::Credential;
use sigil_core::verify::{IssuedForm, credential_hash};

use super::api::ApiCaller;
use super::error::ApiError;
use super::set_member;
use crate::service::Issuer;
use crate::status;
use crate::store::entities::credential;
use sigil_service::tokens::{digest, random_secret};

/// `POST /credentials/issue`
pub async fn issue(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let text =
        std::str::from_utf8(&body).map_err(|_| ApiError::BadRequest("the body is not UTF-8".into()))?;
    let request = sigil_core::json::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let mut unsigned = request
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
    let now = sigil_core::time::now();

    // Record the credential first: that gives it its status position.
    let id = uuid::Uuid::new_v4().to_string();
    let type_name = parsed.specific_types().first().cloned().unwrap_or_default();
    let row = credential::Model {
        id: id.clone(),
        type_name: type_name.clone(),
        format: "ldp_vc".into(),
        summary: format!("{type_name} (VC API)"),
        claims: None,
        subject: parsed.subject_ids().next().map(str::to_owned),
        status: status::Status::Active.name().into(),
        status_list: 0,
        status_index: 0,
        created_at: now.timestamp(),
        created_by: actor.clone(),
        batch: None,
        issued_at: Some(now.timestamp()),
        credential_hash: None,
        anchor_root: None,
        // No offer: the code is random, never handed out, and already spent.
        code_hash: digest(&random_secret()),
        tx_code_hash: String::new(),
        offer_expires_at: now.timestamp(),
        failed_tx_codes: 0,
        code_used: true,
        access_token_hash: None,
        token_expires_at: None,
    };
    let lists = issuer.store.insert_credentials(vec![row]).await?;
    issuer.publish_lists_if_missing(&lists).await?;
    let mut row = issuer
        .store
        .credential(&id)
        .await?
        .ok_or_else(|| ApiError::internal("the credential row vanished"))?;
    if parsed.status.is_empty() {
        let entries = status::entries(&issuer.public_url, row.status_list, row.status_index);
        set_member(&mut unsigned, "credentialStatus", entries);
    }
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
    let signed = match data_integrity::sign(&unsigned, &key.key, &proof_options).await {
        Ok(signed) => signed,
        Err(e) => {
            issuer.store.delete_credential(&id).await?;
            return Err(ApiError::BadRequest(format!(
                "the credential cannot be signed: {e}"
            )));
        }
    };
    row.credential_hash = match credential_hash(&IssuedForm::Json(&signed)) {
        Ok(hash) => Some(hash),
        Err(e) => {
            issuer.store.delete_credential(&id).await?;
            return Err(ApiError::BadRequest(format!(
                "the credential cannot be recorded: {e}"
            )));
        }
    };
    issuer.store.save_credential(row).await?;
    issuer
        .audit(&actor, "issue (VC API)", &id, cryptosuite_name(cryptosuite))
        .await;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "verifiableCredential": signed })),
    ))
}

fn cryptosuite_name(suite: Cryptosuite) -> &'static str {
    match suite {
        Cryptosuite::EddsaJcs2022 => "eddsa-jcs-2022",
        _ => "eddsa-rdfc-2022",
    }
}
