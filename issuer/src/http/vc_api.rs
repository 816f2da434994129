//! The W3C CCG VC API issuer endpoint, `POST /credentials/issue`: the caller sends a
//! credential and `options`, the issuer checks it ([`validate`]), adds its status entries and
//! secures it — a Data Integrity proof (`eddsa-rdfc-2022` by default, `eddsa-jcs-2022` on
//! request) or, with `options.format = "vc+jwt"`, a `vc+jwt` returned as an
//! `EnvelopedVerifiableCredential` ([`options`]) — and answers 201 `{verifiableCredential}`.
//! A credential that breaks a rule of the data model, or options the issuer cannot honour,
//! are answered 400 with the fault named; nothing is reserved or signed. Authenticated with
//! the API tokens, like `/api/`. There is no offer: the credential is recorded as issued,
//! directly, at a status position reserved before signing.
//!
//! A VCDM 1.1 credential (first context `https://www.w3.org/2018/credentials/v1`) is issued
//! as VCDM 1.1: Data Integrity only (the signer adds the Data Integrity context to its
//! `@context`), and without status entries, since no context Sigil bundles defines the
//! Bitstring Status List terms for VCDM 1.1.
//!
//! The issuer owns two things the caller may not choose: the status entries (a caller's
//! `credentialStatus` would point at a list the portal cannot revoke in, so it is refused;
//! `options.credentialStatus` asks for entries of the issuer's own lists) and, for the types
//! it defines, the claims (each subject is checked against the type's JSON Schema, as the
//! portal and the offers API check them).

mod options;
mod validate;

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sigil_core::data_integrity::{self, Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::issue::CredentialFormat;
use sigil_core::lifecycle::CredentialStatus;
use sigil_core::model::{Credential, DataModel};
use sigil_core::verify::{IssuedForm, credential_hash};

use super::api::ApiCaller;
use super::error::ApiError;
use super::set_member;
use crate::domain::IssuedCredential;
use crate::service::Issuer;
use crate::status;
use options::IssueOptions;

/// `POST /credentials/issue`
pub async fn issue(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (mut unsigned, options) = read_request(&body)?;
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
    let parsed = Credential::from_json(&unsigned).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let model = parsed.data_model;
    if model == DataModel::V1_1 {
        check_v1_options(&options)?;
    }
    // What Sigil signs, its verifiers must be able to read: the compact form of the bundled
    // contexts only, so that the JSON says what the signature covers (and no term or type
    // is left undefined).
    sigil_core::jsonld::compact_form::check(&unsigned).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    check_owned_parts(&issuer, &parsed)?;
    let now = sigil_core::time::now();

    // Reserve the status position first: the credential must name it before it is signed.
    let id = uuid::Uuid::new_v4().to_string();
    let position = issuer.store.reserve_position(&id).await?;
    issuer.publish_lists_if_missing(&[position.list]).await?;
    if model == DataModel::V2 {
        set_member(
            &mut unsigned,
            "credentialStatus",
            status_entries(&issuer.public_url, position, options.status_purposes()),
        );
    }
    // Taken only now: publishing a status list above takes the signing permit itself.
    let key = issuer.signing_key().await;
    if key.did.as_str() != did {
        return Err(ApiError::Conflict(
            "the institution's DID changed meanwhile".into(),
        ));
    }
    // A credential that cannot be signed or hashed leaves its position reserved, unused.
    let (answer, credential_hash) = match options.format {
        CredentialFormat::VcJwt => {
            let jwt = sigil_core::jose::sign_vc_jwt(&unsigned, &key.key, &key.method, now)
                .map_err(|e| ApiError::BadRequest(format!("the credential cannot be signed: {e}")))?;
            let hash = credential_hash(&IssuedForm::Jws(&jwt))
                .map_err(|e| ApiError::BadRequest(format!("the credential cannot be recorded: {e}")))?;
            (sigil_core::jose::envelope(&jwt), hash)
        }
        _ => {
            let proof_options = ProofOptions {
                cryptosuite: options.cryptosuite,
                verification_method: key.method.clone(),
                purpose: Relationship::AssertionMethod,
                created: now,
                challenge: None,
                domain: None,
            };
            let signed = data_integrity::sign(&unsigned, &key.key, &proof_options)
                .await
                .map_err(|e| ApiError::BadRequest(format!("the credential cannot be signed: {e}")))?;
            let hash = credential_hash(&IssuedForm::Json(&signed))
                .map_err(|e| ApiError::BadRequest(format!("the credential cannot be recorded: {e}")))?;
            (signed, hash)
        }
    };
    let type_name = parsed.specific_types().first().cloned().unwrap_or_default();
    issuer
        .store
        .insert_issued(&IssuedCredential {
            id: id.clone(),
            summary: format!("{type_name} (VC API)"),
            type_name,
            format: options.format,
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
        .audit(&actor, "issue (VC API)", &id, &how_secured(&options))
        .await;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "verifiableCredential": answer })),
    ))
}

/// Whether a VCDM 1.1 credential can be issued with `options`: Data Integrity only (the
/// signer adds the Data Integrity context, as the v1 base context does not define the proof
/// terms), and without status entries.
fn check_v1_options(options: &IssueOptions) -> Result<(), ApiError> {
    if options.format != CredentialFormat::LdpVc {
        return Err(ApiError::BadRequest(
            "a VCDM 1.1 credential is secured with Data Integrity only; vc+jwt secures VCDM 2.0 credentials"
                .into(),
        ));
    }
    if options.requested_status.is_some() {
        return Err(ApiError::BadRequest(
            "this issuer gives VCDM 1.1 credentials no status entries (no bundled context defines them for VCDM 1.1); leave options.credentialStatus out".into(),
        ));
    }
    Ok(())
}

/// The issuer's status entries at `position` for `purposes`.
fn status_entries(public_url: &str, position: crate::domain::StatusPosition, purposes: &[&str]) -> Value {
    let all = status::entries(public_url, position);
    Value::Array(
        all.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| {
                entry
                    .get("statusPurpose")
                    .and_then(Value::as_str)
                    .is_some_and(|purpose| purposes.contains(&purpose))
            })
            .cloned()
            .collect(),
    )
}

/// Refuses a caller-chosen `credentialStatus`, and subjects that do not satisfy the JSON Schema
/// of a type this issuer defines.
fn check_owned_parts(issuer: &Issuer, credential: &Credential) -> Result<(), ApiError> {
    if !credential.status.is_empty() {
        return Err(ApiError::BadRequest(
            "credentialStatus is the issuer's to set (so that it can revoke what it issues): leave it out, or ask for entries with options.credentialStatus"
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

/// The unsigned credential, checked, and the options of a request body.
fn read_request(body: &[u8]) -> Result<(Value, IssueOptions), ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::BadRequest("the body is not UTF-8".into()))?;
    let request = sigil_core::json::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let unsigned = request
        .get("credential")
        .cloned()
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::BadRequest("the body needs a `credential` object".into()))?;
    let options = options::read(request.get("options")).map_err(ApiError::BadRequest)?;
    if unsigned.get("proof").is_some() {
        return Err(ApiError::BadRequest("the credential already has a proof".into()));
    }
    validate::check(&unsigned).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok((unsigned, options))
}

/// How a credential was secured, for the audit log.
fn how_secured(options: &IssueOptions) -> String {
    match (options.format, options.cryptosuite) {
        (CredentialFormat::VcJwt, _) => "vc+jwt".into(),
        (_, Cryptosuite::EddsaJcs2022) => "eddsa-jcs-2022".into(),
        _ => "eddsa-rdfc-2022".into(),
    }
}
