//! Issuing, in two steps. The registrar makes an **offer** (claims checked against the type's
//! JSON Schema, a status position allocated, a pre-authorized code and a PIN made); later the
//! wallet redeems it and the credential is **signed for the holder** in the offer's format.
//! A batch of offers (a graduating class) is stored in one transaction: all or nothing.

use chrono::Duration;
use rand::Rng as _;
use serde_json::{Map, Value, json};
use sigil_core::did::Did;
use sigil_core::issue::{CredentialFormat, CredentialRequest};
use sigil_core::key::PublicKey;
use sigil_core::time::Timestamp;
use sigil_core::verify::{IssuedForm, credential_hash};

use crate::credential_types::TypeDefinition;
use crate::domain::offer::tx_code_digest;
use crate::domain::{IssuedCredential, Offer, OfferDraft, StatusPosition};
use crate::service::Issuer;
use crate::status;
use crate::store::offers::{IssuanceError, Progress};
use crate::store::records::AuditEntry;
use sigil_service::tokens::{digest, random_secret};

/// Digits in a transaction code (PIN).
pub const TX_CODE_LENGTH: usize = 6;

/// What the registrar asks to issue.
#[derive(Debug, Clone)]
pub struct OfferRequest {
    pub type_name: String,
    pub claims: Map<String, Value>,
    pub format: CredentialFormat,
}

/// A stored offer, ready to hand to the student: the only time its code and PIN exist in the
/// clear.
#[derive(Debug, Clone)]
pub struct OfferHandout {
    pub credential_id: String,
    /// `openid-credential-offer://?credential_offer_uri=…`
    pub offer_uri: String,
    /// The PIN the wallet must send with the code; given to the student separately.
    pub tx_code: String,
    pub expires_at: Timestamp,
    pub summary: String,
}

/// Why offers were not made. Nothing is stored when any request is refused.
#[derive(Debug, thiserror::Error)]
pub enum OfferError {
    /// Requests that failed validation: (position in the batch from 0, reasons).
    #[error("{} of the requests are invalid; nothing was issued", .0.len())]
    Invalid(Vec<(usize, Vec<String>)>),
    /// Storing the offers or publishing a new status list failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why a credential could not be signed for a holder.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The offer's type was removed from the configuration since.
    #[error("the credential type {0} is no longer configured")]
    UnknownType(String),
    /// Another request issued the offer's credential first.
    #[error("the credential was already issued")]
    AlreadyIssued,
    /// Signing or storing failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Issuer {
    /// Checks every request, then stores them all as offers — or none. `batch` names a CSV
    /// upload.
    pub async fn create_offers(
        &self,
        requests: Vec<OfferRequest>,
        actor: &str,
        batch: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<OfferHandout>, OfferError> {
        self.create_offers_reporting(requests, actor, batch, now, std::sync::Arc::new(|_| {}))
            .await
    }

    /// [`Issuer::create_offers`], calling `progress` with the number of offers stored so far.
    pub async fn create_offers_reporting(
        &self,
        requests: Vec<OfferRequest>,
        actor: &str,
        batch: Option<&str>,
        now: Timestamp,
        progress: Progress,
    ) -> Result<Vec<OfferHandout>, OfferError> {
        let mut problems = Vec::new();
        let mut drafts = Vec::with_capacity(requests.len());
        let mut handouts = Vec::with_capacity(requests.len());
        let expires_at = now + Duration::hours(i64::from(self.settings.offer_lifetime_hours));
        for (position, request) in requests.into_iter().enumerate() {
            let Some(definition) = self.types.get(&request.type_name) else {
                problems.push((
                    position,
                    vec![format!("unknown credential type {:?}", request.type_name)],
                ));
                continue;
            };
            if let Err(errors) = definition.validate(&request.claims) {
                problems.push((position, errors));
                continue;
            }
            let credential_id = uuid::Uuid::new_v4().to_string();
            let code = random_secret();
            let tx_code = new_tx_code();
            let summary = definition.summarise(&request.claims);
            drafts.push(OfferDraft {
                id: credential_id.clone(),
                type_name: definition.name().to_owned(),
                format: request.format,
                summary: summary.clone(),
                claims: request.claims,
                code_digest: digest(&code),
                pin_digest: tx_code_digest(&code, &tx_code),
                expires_at,
                created_at: now,
                created_by: actor.to_owned(),
                batch: batch.map(str::to_owned),
            });
            handouts.push(OfferHandout {
                credential_id,
                offer_uri: self.offer_uri(&code),
                tx_code,
                expires_at,
                summary,
            });
        }
        if !problems.is_empty() {
            return Err(OfferError::Invalid(problems));
        }
        let count = drafts.len();
        let (_, lists) = self
            .store
            .insert_offers_reporting(drafts, progress)
            .await
            .map_err(anyhow::Error::from)?;
        // Credentials may have opened a new status list: publish it before anyone can hold
        // a credential that points at it.
        self.publish_lists_if_missing(&lists)
            .await
            .map_err(|e| OfferError::Internal(e.into()))?;
        let detail = match batch {
            Some(batch) => format!("{count} offers from batch {batch}"),
            None => format!("{count} offer"),
        };
        let target = match handouts.as_slice() {
            [one] => one.credential_id.clone(),
            _ => batch.unwrap_or_default().to_owned(),
        };
        self.audit(actor, "create offer", &target, &detail).await;
        Ok(handouts)
    }

    /// The credential offer URI (OpenID4VCI §4.1.3, by reference). The offer object is
    /// served at a URL holding the pre-authorized code itself: whoever has the URI can fetch
    /// the code anyway, so a second secret would add nothing; the PIN, sent separately, is
    /// what protects the offer.
    pub fn offer_uri(&self, code: &str) -> String {
        let target = format!("{}/offers/{code}", self.public_url);
        let encoded: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
        format!("openid-credential-offer://?credential_offer_uri={encoded}")
    }

    /// Signs the credential of `offer` for `holder` (whose key is `holder_key`) and records
    /// it in the offer's place, which spends the access token. `spent` is the offer as
    /// [`Offer::accept_token`] left it; the record is written only if the stored offer is
    /// still `offer`, so of two requests with one token only one gets a credential. Returns
    /// the credential as sent: a JSON object for `ldp_vc`, a string for the JWT formats.
    pub async fn sign_for_holder(
        &self,
        offer: &Offer,
        spent: &Offer,
        holder: &Did,
        holder_key: &PublicKey,
        now: Timestamp,
    ) -> Result<Value, SigningError> {
        let definition = self
            .types
            .get(&spent.type_name)
            .ok_or_else(|| SigningError::UnknownType(spent.type_name.clone()))?;
        let format = spent.format;
        let key = self.signing_key().await;
        let request = self.credential_request(
            definition,
            spent.position,
            spent.claims.clone(),
            Some(holder),
            Some(*holder_key),
            now,
        );
        let issued = request
            .issue(format, &key.key, &key.method, now)
            .await
            .map_err(anyhow::Error::from)?;
        let (value, hash) = match format {
            CredentialFormat::LdpVc => {
                let value: Value = serde_json::from_str(&issued).map_err(anyhow::Error::from)?;
                let hash = credential_hash(&IssuedForm::Json(&value)).map_err(anyhow::Error::from)?;
                (value, hash)
            }
            CredentialFormat::VcJwt => (
                Value::String(issued.clone()),
                credential_hash(&IssuedForm::Jws(&issued)).map_err(anyhow::Error::from)?,
            ),
            CredentialFormat::SdJwt => (
                Value::String(issued.clone()),
                credential_hash(&IssuedForm::SdJwt(&issued)).map_err(anyhow::Error::from)?,
            ),
        };
        let record = IssuedCredential::from_offer(spent, holder.as_str(), hash, now);
        let audit = AuditEntry::new(
            now.timestamp(),
            "wallet",
            "issue",
            &record.id,
            &format!("{} to {holder}", format.name()),
        );
        self.store
            .record_issuance(offer, &record, audit)
            .await
            .map_err(|e| match e {
                IssuanceError::AlreadyIssued => SigningError::AlreadyIssued,
                IssuanceError::Store(e) => SigningError::Internal(e.into()),
            })?;
        Ok(value)
    }

    /// The credential to sign about `subject` (`None`: about no DID, as on paper): the
    /// type's context and schema, its status position, and a validity period from the type's
    /// configuration.
    pub(crate) fn credential_request(
        &self,
        definition: &TypeDefinition,
        position: StatusPosition,
        claims: Map<String, Value>,
        subject: Option<&Did>,
        holder_key: Option<PublicKey>,
        now: Timestamp,
    ) -> CredentialRequest {
        CredentialRequest {
            credential_type: definition.core.clone(),
            issuer: self.did(),
            subject: subject.cloned(),
            claims,
            valid_from: now,
            valid_until: definition
                .valid_for_days
                .map(|days| now + Duration::days(i64::from(days))),
            status: Some(status::entries(&self.public_url, position)),
            schema: Some(json!({
                "id": self.schema_url(definition.name()),
                "type": "JsonSchema",
            })),
            holder_key,
        }
    }

    /// Where a type's JSON Schema is published.
    pub fn schema_url(&self, type_name: &str) -> String {
        format!("{}/schemas/{type_name}.json", self.public_url)
    }
}

/// A fresh numeric PIN.
fn new_tx_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..TX_CODE_LENGTH)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}
