//! Issuing: building a VCDM 2.0 credential of a [`CredentialType`] and securing it in one of
//! the three formats, and building holder presentations. Shared by `sigil-issuer issue`, the
//! issuer service and the wallet.

use serde_json::{Map, Value, json};

use crate::contexts::CREDENTIALS_V2;
use crate::data_integrity::{self, Cryptosuite, ProofError, ProofOptions};
use crate::did::Did;
use crate::did::document::Relationship;
use crate::jose::{self, JwsError};
use crate::key::{PublicKey, SigningKey};
use crate::model::CredentialType;
use crate::sd_jwt::{self, SdJwtError};
use crate::time::{Timestamp, format_datetime};

pub use crate::format::CredentialFormat;

/// Why a credential could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The claims are not usable (for example, they try to set `id`).
    #[error("invalid claims: {0}")]
    Claims(String),
    /// SD-JWT VC needs the holder's public key for `cnf`.
    #[error("an SD-JWT VC is bound to the holder's key, and none was given for the subject")]
    NoHolderKey,
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The signed credential could not be written out as JSON (a bug, never silently empty).
    #[error("the signed credential could not be encoded: {0}")]
    Encoding(#[from] serde_json::Error),
    #[error(transparent)]
    Jws(#[from] JwsError),
    #[error(transparent)]
    SdJwt(#[from] SdJwtError),
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct CredentialRequest {
    pub credential_type: CredentialType,
    pub issuer: Did,
    /// Whom the credential is about (`credentialSubject.id`, the SD-JWT VC's `sub`); `None`
    /// for a credential bound to no DID, such as a diploma printed on paper, whose subject
    /// is named only by its claims.
    pub subject: Option<Did>,
    /// The subject's claims (without `id`).
    pub claims: Map<String, Value>,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
    /// A `credentialStatus` entry, when the issuer keeps a status list.
    pub status: Option<Value>,
    /// A `credentialSchema` entry.
    pub schema: Option<Value>,
    /// The holder's key, for the SD-JWT VC `cnf` claim.
    pub holder_key: Option<PublicKey>,
}

impl CredentialRequest {
    fn check_claims(&self) -> Result<(), IssueError> {
        if self.claims.contains_key("id") {
            return Err(IssueError::Claims(
                "`id` is the subject and comes from --subject, not from the claims".into(),
            ));
        }
        if let Some(name) = self
            .claims
            .keys()
            .find(|k| k.starts_with('@') || k.starts_with('_'))
        {
            return Err(IssueError::Claims(format!(
                "claim names may not start with `@` or `_`: {name:?}"
            )));
        }
        Ok(())
    }

    /// The unsigned VCDM 2.0 credential.
    pub fn unsigned_credential(&self) -> Result<Value, IssueError> {
        self.check_claims()?;
        let mut subject = Map::new();
        if let Some(id) = &self.subject {
            subject.insert("id".into(), id.to_string().into());
        }
        subject.extend(self.claims.clone());
        let mut credential = json!({
            "@context": [CREDENTIALS_V2, self.credential_type.context],
            "id": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
            "type": ["VerifiableCredential", self.credential_type.name],
            "issuer": self.issuer.to_string(),
            "validFrom": format_datetime(self.valid_from),
            "credentialSubject": subject,
        });
        if let Some(object) = credential.as_object_mut() {
            if let Some(until) = self.valid_until {
                object.insert("validUntil".into(), format_datetime(until).into());
            }
            if let Some(status) = &self.status {
                object.insert("credentialStatus".into(), status.clone());
            }
            if let Some(schema) = &self.schema {
                object.insert("credentialSchema".into(), schema.clone());
            }
        }
        Ok(credential)
    }

    /// The SD-JWT VC payload before the selectively disclosable claims are hidden.
    fn sd_jwt_claims(&self, now: Timestamp) -> Result<Map<String, Value>, IssueError> {
        self.check_claims()?;
        let holder = self.holder_key.as_ref().ok_or(IssueError::NoHolderKey)?;
        let mut claims = Map::new();
        claims.insert("iss".into(), self.issuer.to_string().into());
        if let Some(subject) = &self.subject {
            claims.insert("sub".into(), subject.to_string().into());
        }
        claims.insert("vct".into(), self.credential_type.vct.clone().into());
        claims.insert("iat".into(), now.timestamp().into());
        claims.insert("nbf".into(), self.valid_from.timestamp().into());
        if let Some(until) = self.valid_until {
            claims.insert("exp".into(), until.timestamp().into());
        }
        claims.insert("cnf".into(), json!({"jwk": holder.to_jwk().to_value()}));
        // SD-JWT VC names IETF Token Status Lists (`status`); Sigil's lists are W3C Bitstring
        // Status Lists on the registry, so the same entries as in the other formats are
        // carried, always disclosed, as `credentialStatus`.
        if let Some(status) = &self.status {
            claims.insert("credentialStatus".into(), status.clone());
        }
        claims.extend(self.claims.clone());
        Ok(claims)
    }

    /// Signs the credential in `format` with `key`, whose verification method is `method_id`.
    /// Returns the credential as it is sent: pretty JSON, a compact JWS, or an SD-JWT.
    pub async fn issue(
        &self,
        format: CredentialFormat,
        key: &SigningKey,
        method_id: &str,
        now: Timestamp,
    ) -> Result<String, IssueError> {
        Ok(match format {
            CredentialFormat::LdpVc => {
                let options = ProofOptions {
                    cryptosuite: Cryptosuite::EddsaRdfc2022,
                    verification_method: method_id.to_owned(),
                    purpose: Relationship::AssertionMethod,
                    created: now,
                    challenge: None,
                    domain: None,
                };
                let signed = data_integrity::sign(&self.unsigned_credential()?, key, &options)
                    .await
                    .map_err(|e| match e {
                        ProofError::JsonLd(crate::jsonld::JsonLdError::Expansion(reason)) => {
                            IssueError::Claims(format!(
                                "{reason}: every claim of a Data Integrity credential must be defined by the \
                             {} context ({})",
                                self.credential_type.name, self.credential_type.context
                            ))
                        }
                        other => IssueError::Proof(other),
                    })?;
                serde_json::to_string_pretty(&signed)?
            }
            CredentialFormat::VcJwt => jose::sign_vc_jwt(&self.unsigned_credential()?, key, method_id, now)?,
            CredentialFormat::SdJwt => sd_jwt::issue(
                self.sd_jwt_claims(now)?,
                &self.credential_type.selectively_disclosable,
                key,
                method_id,
            )?,
        })
    }
}

/// A Data Integrity presentation of `credentials`, signed by the holder for a verifier's
/// `challenge` and `domain` (VC Data Integrity §2.1, proof purpose `authentication`).
pub async fn data_integrity_presentation(
    credentials: Vec<Value>,
    holder: &Did,
    key: &SigningKey,
    method_id: &str,
    challenge: &str,
    domain: &str,
    now: Timestamp,
) -> Result<Value, ProofError> {
    let presentation = json!({
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.to_string(),
        "verifiableCredential": credentials,
    });
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: method_id.to_owned(),
        purpose: Relationship::Authentication,
        created: now,
        challenge: Some(challenge.to_owned()),
        domain: Some(domain.to_owned()),
    };
    data_integrity::sign(&presentation, key, &options).await
}

/// A `vp+jwt` presentation of `vc+jwt` credentials, bound to a verifier's `nonce` and `aud`.
pub fn jwt_presentation(
    vc_jwts: &[&str],
    holder: &Did,
    key: &SigningKey,
    method_id: &str,
    nonce: &str,
    audience: &str,
    now: Timestamp,
) -> Result<String, JwsError> {
    let presentation = json!({
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.to_string(),
        "verifiableCredential": vc_jwts.iter().map(|jwt| jose::envelope(jwt)).collect::<Vec<_>>(),
    });
    jose::sign_vp_jwt(&presentation, key, method_id, nonce, audience, now)
}
