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
//! The identity it signs as is the institution's `did:sigil` by default; an issuer profile's
//! `did:key` (`crate::profiles`) when the credential's `issuer` is that DID, or on
//! `POST /profiles/{name}/credentials/issue`. A DID that is neither is refused with 400, an
//! unknown profile name with 404. A profile's credentials carry no status entries: the
//! issuer's status lists are its `did:sigil`'s, and a verifier believes only a list signed by
//! the credential's own issuer, so `options.credentialStatus` on a profile is refused with 400.
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
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use sigil_core::data_integrity::{self, Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::issue::CredentialFormat;
use sigil_core::key::SigningKey;
use sigil_core::lifecycle::CredentialStatus;
use sigil_core::model::{Credential, DataModel};
use sigil_core::time::Timestamp;
use sigil_core::verify::{IssuedForm, credential_hash};

use super::api::ApiCaller;
use super::error::ApiError;
use super::set_member;
use crate::domain::IssuedCredential;
use crate::profiles::Profile;
use crate::service::Issuer;
use crate::status;
use options::IssueOptions;

/// `POST /credentials/issue`: signs as the identity the credential's `issuer` names — the
/// institution's `did:sigil` (also when `issuer` is left out) or one of its profiles' DIDs.
pub async fn issue(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (unsigned, options) = read_request(&body)?;
    let did = issuer.did().to_string();
    let signer = match named_issuer(&unsigned) {
        None => Signer::Institution,
        Some(Some(id)) if id == did => Signer::Institution,
        Some(named) => match named.and_then(|id| issuer.profile_with_did(id)) {
            Some(profile) => Signer::Profile(profile),
            None => {
                let mut dids = vec![did];
                dids.extend(issuer.profiles().iter().map(|p| p.did.to_string()));
                return Err(ApiError::BadRequest(format!(
                    "this service issues as {} only",
                    dids.join(" or ")
                )));
            }
        },
    };
    issue_as(&issuer, actor, unsigned, options, signer).await
}

/// `POST /profiles/{name}/credentials/issue`: signs as the profile `name` (404 if there is
/// none); the credential's `issuer`, if given, must be the profile's DID.
pub async fn issue_as_profile(
    State(issuer): State<Arc<Issuer>>,
    ApiCaller(actor): ApiCaller,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let profile = issuer
        .profile(&name)
        .ok_or_else(|| ApiError::NotFound(format!("this issuer has no profile {name:?}")))?;
    let (unsigned, options) = read_request(&body)?;
    if let Some(named) = named_issuer(&unsigned)
        && named != Some(profile.did.as_str())
    {
        return Err(ApiError::BadRequest(format!(
            "the profile {name} issues as {} only",
            profile.did
        )));
    }
    issue_as(&issuer, actor, unsigned, options, Signer::Profile(profile)).await
}

/// The identity a credential is signed as.
enum Signer {
    /// The institution's `did:sigil`, with status entries on its registry lists.
    Institution,
    /// An issuer profile's `did:key`: no status entries (see [`crate::profiles`]).
    Profile(Arc<Profile>),
}

/// The credential's `issuer`: `None` when it is left out, `Some(None)` when it names no DID
/// (neither a string nor an object with a string `id`).
fn named_issuer(unsigned: &Value) -> Option<Option<&str>> {
    unsigned
        .get("issuer")
        .map(|given| given.as_str().or_else(|| given.get("id").and_then(Value::as_str)))
}

/// Checks, signs as `signer`, records and answers one checked request.
async fn issue_as(
    issuer: &Issuer,
    actor: String,
    mut unsigned: Value,
    options: IssueOptions,
    signer: Signer,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let did = match &signer {
        Signer::Institution => issuer.did().to_string(),
        Signer::Profile(profile) => {
            if options.requested_status.is_some() {
                return Err(ApiError::BadRequest(format!(
                    "the profile {} gives its credentials no status entries (a verifier believes only a list its credential's issuer signed, and this issuer's lists are its did:sigil's); leave options.credentialStatus out, or issue as the institution",
                    profile.name
                )));
            }
            profile.did.to_string()
        }
    };
    if unsigned.get("issuer").is_none() {
        set_member(&mut unsigned, "issuer", json!(did));
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
    check_owned_parts(issuer, &parsed)?;
    let now = sigil_core::time::now();

    // Reserve the status position first: the credential must name it before it is signed. A
    // profile's credential names none, but its record holds a position like every other
    // (never published, so nothing reads it).
    let id = uuid::Uuid::new_v4().to_string();
    let position = issuer.store.reserve_position(&id).await?;
    // A credential that cannot be signed or hashed leaves its position reserved, unused.
    let (answer, credential_hash, profile_did) = match &signer {
        Signer::Institution => {
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
            let (answer, hash) = secure(&unsigned, &options, &key.key, &key.method, now).await?;
            (answer, hash, None)
        }
        Signer::Profile(profile) => {
            let (answer, hash) = secure(&unsigned, &options, &profile.key, &profile.method, now).await?;
            (answer, hash, Some(profile.did.to_string()))
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
            profile_did,
        })
        .await?;
    issuer
        .audit(
            &actor,
            "issue (VC API)",
            &id,
            &format!("{} as {did}", how_secured(&options)),
        )
        .await;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "verifiableCredential": answer })),
    ))
}

/// Signs `unsigned` with `key` (verification method `method`) as `options` ask; returns the
/// answer's credential and the hash anchoring covers.
async fn secure(
    unsigned: &Value,
    options: &IssueOptions,
    key: &SigningKey,
    method: &str,
    now: Timestamp,
) -> Result<(Value, String), ApiError> {
    match options.format {
        CredentialFormat::VcJwt => {
            let jwt = sigil_core::jose::sign_vc_jwt(unsigned, key, method, now)
                .map_err(|e| ApiError::BadRequest(format!("the credential cannot be signed: {e}")))?;
            let hash = credential_hash(&IssuedForm::Jws(&jwt))
                .map_err(|e| ApiError::BadRequest(format!("the credential cannot be recorded: {e}")))?;
            Ok((sigil_core::jose::envelope(&jwt), hash))
        }
        _ => {
            let proof_options = ProofOptions {
                cryptosuite: options.cryptosuite,
                verification_method: method.to_owned(),
                purpose: Relationship::AssertionMethod,
                created: now,
                challenge: None,
                domain: None,
            };
            let signed = data_integrity::sign(unsigned, key, &proof_options)
                .await
                .map_err(|e| ApiError::BadRequest(format!("the credential cannot be signed: {e}")))?;
            let hash = credential_hash(&IssuedForm::Json(&signed))
                .map_err(|e| ApiError::BadRequest(format!("the credential cannot be recorded: {e}")))?;
            Ok((signed, hash))
        }
    }
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
