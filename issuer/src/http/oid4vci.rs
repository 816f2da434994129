//! OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow:
//!
//! ```text
//! GET  /.well-known/openid-credential-issuer     issuer metadata (§12.2)
//! GET  /.well-known/oauth-authorization-server   authorization server metadata (RFC 8414)
//! GET  /offers/{code}                            the credential offer, by reference (§4.1.3)
//! POST /token                                    pre-authorized code + tx_code -> access token (§6)
//! POST /nonce                                    a fresh c_nonce (§7)
//! POST /credential                               key proof -> credential (§8)
//! ```
//!
//! The rules — codes single-use and expiring, a wrong PIN counted against the code, which
//! dies after [`crate::domain::offer::MAX_TX_CODE_ATTEMPTS`], access tokens single-use — are
//! the transitions of [`crate::domain::Offer`]; these handlers read the offer, apply a
//! transition, and store the result only over the version they read. Nonces are single-use
//! and expire.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sigil_core::issue::CredentialFormat;
use sigil_core::lifecycle::OfferState;
use sigil_core::time::Timestamp;

use super::error::OAuthError;
use super::set_member as set;
use crate::credential_types::TypeDefinition;
use crate::domain::{AccessToken, RedeemError, TokenError};
use crate::issuance::{SigningError, TX_CODE_LENGTH};
use crate::key_proof::{self, ProofError};
use crate::service::Issuer;
use crate::store::offers::Redemption;
use sigil_service::tokens::digest;

/// The grant type of the pre-authorized code flow.
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

/// The credential configuration id of a type in a format, e.g. `UniversityDegreeCredential_ldp_vc`.
pub fn configuration_id(type_name: &str, format: CredentialFormat) -> String {
    format!("{type_name}_{}", format.configuration_suffix())
}

fn no_store(body: Value) -> Response {
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /.well-known/openid-credential-issuer`
pub async fn issuer_metadata(State(issuer): State<Arc<Issuer>>) -> Json<Value> {
    let base = &issuer.public_url;
    let mut configurations = Map::new();
    for definition in issuer.types.iter() {
        for format in CredentialFormat::ALL {
            configurations.insert(
                configuration_id(definition.name(), format),
                configuration(definition, format),
            );
        }
    }
    Json(json!({
        "credential_issuer": base,
        "credential_endpoint": format!("{base}/credential"),
        "nonce_endpoint": format!("{base}/nonce"),
        "display": [{"name": issuer.name, "locale": "en"}],
        "credential_configurations_supported": configurations,
    }))
}

/// One entry of `credential_configurations_supported` (§12.2.4 and Appendix A).
/// A type's `credential_metadata.display`: its name (and description) in each language its
/// file gives; a description in a language with no name of its own is left out.
fn type_display(definition: &TypeDefinition) -> Vec<Value> {
    definition
        .display_name
        .entries()
        .into_iter()
        .map(|(locale, name)| match &definition.description {
            Some(description) => {
                json!({"name": name, "locale": locale, "description": description.in_language(locale)})
            }
            None => json!({"name": name, "locale": locale}),
        })
        .collect()
}

fn configuration(definition: &TypeDefinition, format: CredentialFormat) -> Value {
    let in_subject = format != CredentialFormat::SdJwt;
    let claims: Vec<Value> = definition
        .claims
        .iter()
        .map(|claim| {
            let mut path: Vec<&str> = Vec::new();
            if in_subject {
                path.push("credentialSubject");
            }
            path.extend(claim.path.iter().map(String::as_str));
            json!({
                "path": path,
                "mandatory": claim.mandatory,
                "display": claim.label.display(),
            })
        })
        .collect();
    let mut entry = json!({
        "format": format.protocol_name(),
        "scope": definition.name(),
        "cryptographic_binding_methods_supported": ["did:key", "did:jwk", "did:sigil", "jwk"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}},
        "credential_metadata": {
            "display": type_display(definition),
            "claims": claims,
        },
    });
    let types = json!(["VerifiableCredential", definition.name()]);
    match format {
        CredentialFormat::LdpVc => {
            set(
                &mut entry,
                "credential_signing_alg_values_supported",
                json!(["eddsa-rdfc-2022"]),
            );
            set(
                &mut entry,
                "credential_definition",
                json!({
                    "@context": [sigil_core::contexts::CREDENTIALS_V2, definition.core.context],
                    "type": types,
                }),
            );
        }
        CredentialFormat::VcJwt => {
            set(
                &mut entry,
                "credential_signing_alg_values_supported",
                json!(["EdDSA"]),
            );
            set(&mut entry, "credential_definition", json!({ "type": types }));
        }
        CredentialFormat::SdJwt => {
            set(
                &mut entry,
                "credential_signing_alg_values_supported",
                json!(["EdDSA"]),
            );
            set(&mut entry, "vct", json!(definition.core.vct));
        }
    }
    entry
}

/// `GET /.well-known/oauth-authorization-server`: the issuer is its own authorization server.
pub async fn authorization_server_metadata(State(issuer): State<Arc<Issuer>>) -> Json<Value> {
    let base = &issuer.public_url;
    Json(json!({
        "issuer": base,
        "token_endpoint": format!("{base}/token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": true,
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
    }))
}

/// `GET /offers/{code}`: the credential offer object.
pub async fn credential_offer(
    State(issuer): State<Arc<Issuer>>,
    Path(code): Path<String>,
) -> Result<Response, OAuthError> {
    let now = sigil_core::time::now();
    let offer = issuer.store.offer_by_code(&digest(&code)).await?;
    let description = match offer.as_ref().map(|offer| offer.state_at(now)) {
        Some(OfferState::Offered) => None,
        Some(OfferState::Withdrawn) => Some("the issuer withdrew this offer"),
        _ => Some("no such offer, or it was used or has expired"),
    };
    let (Some(offer), None) = (offer, description) else {
        return Ok((
            axum::http::StatusCode::NOT_FOUND,
            Json(json!({"error": "not_found", "error_description": description})),
        )
            .into_response());
    };
    Ok(no_store(json!({
        "credential_issuer": issuer.public_url,
        "credential_configuration_ids": [configuration_id(&offer.type_name, offer.format)],
        "grants": {
            PRE_AUTHORIZED_GRANT: {
                "pre-authorized_code": code,
                "tx_code": {
                    "input_mode": "numeric",
                    "length": TX_CODE_LENGTH,
                    "description": format!("The PIN {} gave you with this offer", issuer.name),
                },
            },
        },
    })))
}

/// The token request (§6.1), form-encoded.
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    #[serde(rename = "pre-authorized_code")]
    pre_authorized_code: Option<String>,
    tx_code: Option<String>,
}

/// `POST /token`
pub async fn token(
    State(issuer): State<Arc<Issuer>>,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(request) = form.map_err(|e| {
        OAuthError::bad(
            "invalid_request",
            format!(
                "the token request must be application/x-www-form-urlencoded: {}",
                e.body_text()
            ),
        )
    })?;
    match request.grant_type.as_deref() {
        Some(PRE_AUTHORIZED_GRANT) => {}
        Some(other) => {
            return Err(OAuthError::bad(
                "unsupported_grant_type",
                format!("grant type {other:?} is not supported; use {PRE_AUTHORIZED_GRANT}"),
            ));
        }
        None => return Err(OAuthError::bad("invalid_request", "grant_type is missing")),
    }
    let code = request
        .pre_authorized_code
        .ok_or_else(|| OAuthError::bad("invalid_request", "pre-authorized_code is missing"))?;
    let tx_code = request.tx_code.ok_or_else(|| {
        OAuthError::bad(
            "invalid_request",
            "tx_code is missing: this offer needs the PIN that came with it",
        )
    })?;
    let access_token = redeem_code(&issuer, &code, &tx_code, sigil_core::time::now()).await?;
    Ok(no_store(json!({
        "access_token": access_token.secret,
        "token_type": "Bearer",
        "expires_in": access_token.expires_in,
    })))
}

/// Redeems `code` with `pin` through the store (which applies [`crate::domain::Offer::redeem`]
/// race-safely), answering each refusal as OAuth names it.
async fn redeem_code(
    issuer: &Issuer,
    code: &str,
    pin: &str,
    now: Timestamp,
) -> Result<AccessToken, OAuthError> {
    let invalid_grant = || {
        OAuthError::bad(
            "invalid_grant",
            "the pre-authorized code is unknown, used or expired",
        )
    };
    match issuer.store.redeem_offer(code, pin, now).await? {
        Redemption::Granted(access_token) => Ok(access_token),
        Redemption::Refused(RedeemError::WrongPin { offer, attempts_left }) => {
            Err(wrong_pin(issuer, &offer.id, attempts_left).await)
        }
        Redemption::Refused(RedeemError::Withdrawn) => {
            Err(OAuthError::bad("invalid_grant", "the issuer withdrew this offer"))
        }
        Redemption::UnknownCode | Redemption::Refused(_) => Err(invalid_grant()),
    }
}

/// The answer to a wrong PIN, once counted; the last one locks the offer, which is audited.
async fn wrong_pin(issuer: &Issuer, offer_id: &str, attempts_left: u32) -> OAuthError {
    let description = if attempts_left > 0 {
        format!("wrong transaction code; {attempts_left} attempts left")
    } else {
        issuer
            .audit(
                "wallet",
                "offer locked",
                offer_id,
                "too many wrong transaction codes",
            )
            .await;
        "wrong transaction code; the offer is now locked: ask the issuer for a new one".to_owned()
    };
    OAuthError::bad("invalid_grant", description)
}

/// `POST /nonce`: a nonce that carries its own expiry under the issuer's MAC; nothing is
/// stored ([`crate::nonces`]).
pub async fn nonce(State(issuer): State<Arc<Issuer>>) -> Response {
    let nonce = issuer.nonces.issue(sigil_core::time::now().timestamp());
    no_store(json!({ "c_nonce": nonce }))
}

/// The credential request (§8.2). `proofs.jwt` is 1.0's shape; a single `proof` object is
/// accepted as earlier drafts sent it.
#[derive(Debug, Deserialize)]
pub struct CredentialRequest {
    credential_configuration_id: Option<String>,
    proofs: Option<Proofs>,
    proof: Option<SingleProof>,
}

#[derive(Debug, Deserialize)]
pub struct Proofs {
    jwt: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct SingleProof {
    proof_type: String,
    jwt: Option<String>,
}

/// `POST /credential`
pub async fn credential(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, OAuthError> {
    let token = bearer(&headers).ok_or_else(|| OAuthError::invalid_token("no access token"))?;
    let now = sigil_core::time::now();
    let unknown = || OAuthError::invalid_token(TokenError::Unknown.to_string());
    let offer = issuer
        .store
        .offer_by_token(&digest(token))
        .await?
        .ok_or_else(unknown)?;
    let spent = offer
        .accept_token(token, now)
        .map_err(|e| OAuthError::invalid_token(e.to_string()))?;

    let text = std::str::from_utf8(&body)
        .map_err(|_| OAuthError::bad("invalid_credential_request", "the body is not UTF-8"))?;
    let value = sigil_core::json::parse(text)
        .map_err(|e| OAuthError::bad("invalid_credential_request", e.to_string()))?;
    let request: CredentialRequest = serde_json::from_value(value)
        .map_err(|e| OAuthError::bad("invalid_credential_request", e.to_string()))?;
    let expected = configuration_id(&offer.type_name, offer.format);
    match request.credential_configuration_id.as_deref() {
        Some(id) if id == expected => {}
        Some(id) => {
            return Err(OAuthError::bad(
                "unknown_credential_configuration",
                format!("this token is for {expected}, not {id}"),
            ));
        }
        None => {
            return Err(OAuthError::bad(
                "invalid_credential_request",
                "credential_configuration_id is missing",
            ));
        }
    }
    let jwt = match (request.proofs, request.proof) {
        (Some(Proofs { jwt }), None) if jwt.len() == 1 => jwt.into_iter().next(),
        (None, Some(SingleProof { proof_type, jwt })) if proof_type == "jwt" => jwt,
        _ => None,
    }
    .ok_or_else(|| {
        OAuthError::bad(
            "invalid_proof",
            "send exactly one key proof, as proofs.jwt: [\"…\"]",
        )
    })?;
    let proof = key_proof::check(&jwt, &issuer.public_url, &issuer.resolver, now)
        .await
        .map_err(|e| match e {
            ProofError::Invalid(reason) => OAuthError::bad("invalid_proof", reason),
            ProofError::Nonce(reason) => OAuthError::bad("invalid_nonce", reason),
            ProofError::Unresolvable(reason) => OAuthError::unavailable(reason),
        })?;
    // Spent before signing: of two requests with one nonce, only one gets this far.
    issuer.nonces.spend(&proof.nonce, now.timestamp()).map_err(|e| {
        OAuthError::bad(
            "invalid_nonce",
            format!("{e}; get a fresh one from the nonce endpoint"),
        )
    })?;
    // Recording the credential in the offer's place spends the token: a second request with
    // it finds nothing, and of two at once only one is recorded.
    let credential = issuer
        .sign_for_holder(&offer, &spent, &proof.holder, &proof.key, now)
        .await
        .map_err(|e| match e {
            SigningError::AlreadyIssued => OAuthError::invalid_token("the access token was just used"),
            other => OAuthError::internal(other),
        })?;
    Ok(no_store(json!({ "credentials": [{ "credential": credential }] })))
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}
