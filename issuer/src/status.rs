//! Revocation and suspension (W3C Bitstring Status List v1.0). Every credential gets one
//! random position, used in two lists: `…/status/revocation/N` and `…/status/suspension/N`.
//! Changing a credential's status rebuilds the list from the database, signs it as a
//! `BitstringStatusListCredential` (eddsa-rdfc-2022) and publishes it on the registry;
//! only once the registry has acknowledged the block is the new status stored.

use serde_json::{Value, json};
use sigil_core::data_integrity::{self, Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::model::status_list::Bitstring;
use sigil_core::registry::SubmitError;
use sigil_core::time::{Timestamp, format_datetime};
use sigil_core::transaction::{Receipt, StatusListPublication, Transaction};

use sigil_core::lifecycle::{CredentialStatus, StatusAction, StatusChangeRefused};

use crate::domain::StatusPosition;
use crate::service::Issuer;
use crate::store::entities::status_list;

/// The two purposes every credential has a position in.
pub const PURPOSES: [&str; 2] = ["revocation", "suspension"];

/// Whether a credential with `status` has the bit of the list with `purpose` set.
fn sets(status: CredentialStatus, purpose: &str) -> bool {
    matches!(
        (status, purpose),
        (CredentialStatus::Revoked, "revocation") | (CredentialStatus::Suspended, "suspension")
    )
}

/// Why a status change did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// No offer or credential has this id.
    #[error("no credential {0}")]
    NotFound(String),
    /// The id is an offer's: there are no bits to change until the wallet collects it (an
    /// offer can only be withdrawn, by revoking it).
    #[error(
        "{0} is still an offer; it can be revoked (withdrawn), and suspended once the wallet has collected it"
    )]
    NotIssued(String),
    /// The credential was signed as an issuer profile (a `did:key`): it names no status list,
    /// so no bit anyone checks could record the change.
    #[error(
        "{id} was signed as the profile {profile_did} and carries no status entry: its status cannot be changed"
    )]
    NoStatusEntry { id: String, profile_did: String },
    /// The change is not allowed from the credential's status (revocation is final).
    #[error(transparent)]
    NotAllowed(#[from] StatusChangeRefused),
    /// The registry refused the new list; nothing was changed.
    #[error("the registry refused the status list ({code}): {message}")]
    Refused { code: String, message: String },
    /// The registry could not be reached; nothing was changed.
    #[error("the registry could not be reached; nothing was changed: {0}")]
    Unavailable(String),
    /// Signing, the database, or the status changed meanwhile.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for StatusError {
    fn from(error: sea_orm::DbErr) -> Self {
        StatusError::Internal(error.into())
    }
}

/// What a status change produced: the registry's receipt for each list published.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub credential_id: String,
    pub status: CredentialStatus,
    pub receipts: Vec<Receipt>,
}

/// The URL of status list `number` for `purpose`.
pub fn list_url(public_url: &str, purpose: &str, number: i32) -> String {
    format!("{public_url}/status/{purpose}/{number}")
}

/// The `credentialStatus` entries of a credential at `position`.
pub fn entries(public_url: &str, position: StatusPosition) -> Value {
    let index = position.index;
    Value::Array(
        PURPOSES
            .iter()
            .map(|purpose| {
                let list = list_url(public_url, purpose, position.list);
                json!({
                    "id": format!("{list}#{index}"),
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": purpose,
                    "statusListIndex": index.to_string(),
                    "statusListCredential": list,
                })
            })
            .collect(),
    )
}

impl Issuer {
    /// Publishes an all-clear first version of every list that credentials use (or list 1)
    /// and that the registry has not seen from this issuer yet.
    pub async fn publish_missing_lists(&self) -> Result<(), StatusError> {
        let mut numbers = self.store.list_numbers().await?;
        if numbers.is_empty() {
            numbers.push(1);
        }
        self.publish_lists_if_missing(&numbers).await
    }

    /// Publishes an all-clear first version of each of the lists `numbers` the registry has
    /// not seen yet — after new credentials went into them, before anyone can hold one.
    pub async fn publish_lists_if_missing(&self, numbers: &[i32]) -> Result<(), StatusError> {
        let _guard = self.status_lock.lock().await;
        for &number in numbers {
            for purpose in PURPOSES {
                let id = list_url(&self.public_url, purpose, number);
                if self.store.status_list(&id).await?.is_none() {
                    self.publish(number, purpose, None).await?;
                }
            }
        }
        Ok(())
    }

    /// Re-signs and publishes every list whose latest version was signed by another key than
    /// the current one. After a key is declared compromised, verifiers distrust what it
    /// signed without an anchor — the lists included — so they must be re-signed at once.
    pub async fn republish_stale_lists(&self) -> Result<usize, StatusError> {
        let _guard = self.status_lock.lock().await;
        let current = self.active_key().method.clone();
        let mut republished = 0;
        for list in self.store.status_lists().await? {
            let signer = serde_json::from_str::<Value>(&list.credential)
                .ok()
                .and_then(|c| {
                    c.pointer("/proof/verificationMethod")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
            if signer.as_deref() != Some(current.as_str()) {
                self.publish(list.number, &list.purpose, None).await?;
                republished += 1;
            }
        }
        Ok(republished)
    }

    /// Revokes a credential, or withdraws an offer nobody has collected yet (so nothing is
    /// ever signed from it). Returns the status change, or `None` for a withdrawn offer.
    ///
    /// A withdrawn offer's position is revoked in the revocation list, since a paper copy
    /// printed from the offer (`crate::paper_copy`) points there: the offer is withdrawn
    /// first — so the wallet can no longer collect it — then the list is published. Should
    /// the registry not take the list, the offer stays withdrawn (the log and the audit entry
    /// say the list was not published) and the next publication of that list carries the bit.
    pub async fn revoke(&self, id: &str, actor: &str) -> Result<Option<StatusChange>, StatusError> {
        match self.set_status(id, StatusAction::Revoke, actor).await {
            Err(StatusError::NotIssued(_)) => {}
            other => return other.map(Some),
        }
        let _guard = self.status_lock.lock().await;
        let Some(offer) = self.store.offer(id).await? else {
            return Err(StatusError::NotFound(id.to_owned()));
        };
        let withdrawn = offer
            .withdraw()
            .map_err(|e| StatusError::Internal(anyhow::anyhow!("{id}: {e}")))?;
        if !self.store.save_offer(&offer, &withdrawn).await? {
            return Err(anyhow::anyhow!("the offer {id} changed while it was being withdrawn").into());
        }
        let published = self.publish(withdrawn.position.list, "revocation", None).await;
        let detail = match &published {
            Ok(receipt) => format!(
                "the offer was withdrawn before it was collected; status list published in block {}",
                receipt.height
            ),
            Err(e) => {
                tracing::warn!(%e, id, "an offer was withdrawn but its status list was not published");
                format!(
                    "the offer was withdrawn before it was collected; its status list was not published: {e}"
                )
            }
        };
        self.audit(actor, "withdraw", id, &detail).await;
        Ok(None)
    }

    /// Changes a credential's status by `action` and publishes the lists it changes; the
    /// database follows only once the registry has the new lists.
    pub async fn set_status(
        &self,
        id: &str,
        action: StatusAction,
        actor: &str,
    ) -> Result<StatusChange, StatusError> {
        let _guard = self.status_lock.lock().await;
        let Some(current) = self.store.issued_credential(id).await? else {
            return Err(match self.store.offer(id).await? {
                Some(_) => StatusError::NotIssued(id.to_owned()),
                None => StatusError::NotFound(id.to_owned()),
            });
        };
        if let Some(profile_did) = &current.profile_did {
            return Err(StatusError::NoStatusEntry {
                id: id.to_owned(),
                profile_did: profile_did.clone(),
            });
        }
        let next = current.apply(action)?;
        let mut receipts = Vec::new();
        for purpose in PURPOSES {
            if sets(current.status, purpose) != sets(next.status, purpose) {
                let change = (current.position.index, sets(next.status, purpose));
                receipts.push(self.publish(current.position.list, purpose, Some(change)).await?);
            }
        }
        if !self.store.save_status(&current, &next).await? {
            return Err(anyhow::anyhow!("the status of {id} changed while its list was published").into());
        }
        let blocks: Vec<String> = receipts.iter().map(|r| r.height.to_string()).collect();
        self.audit(
            actor,
            action.as_str(),
            id,
            &format!("status list published in block {}", blocks.join(", ")),
        )
        .await;
        Ok(StatusChange {
            credential_id: id.to_owned(),
            status: next.status,
            receipts,
        })
    }

    /// Builds list `number` for `purpose` from the database — with `change` (position, bit)
    /// applied on top — signs it, submits it and records it. Returns the registry's receipt.
    async fn publish(
        &self,
        number: i32,
        purpose: &str,
        change: Option<(i64, bool)>,
    ) -> Result<Receipt, StatusError> {
        let id = list_url(&self.public_url, purpose, number);
        let mut bits = Bitstring::new();
        for (status, index) in self.store.list_positions(number).await? {
            if sets(status, purpose) {
                set_bit(&mut bits, index, true)?;
            }
        }
        if let Some((index, value)) = change {
            set_bit(&mut bits, index, value)?;
        }
        // The registry keeps every version and wants each newer than the last, to the second,
        // and none dated ahead of its clock. Revocations faster than one a second per list
        // therefore wait (holding the status lock, so they queue) for the clock to pass the
        // last version, instead of dating each version a second further into the future
        // until the registry refuses them all.
        let previous = self.store.status_list(&id).await?;
        let valid_from = match &previous {
            Some(list) => clock_past(list.valid_from).await,
            None => sigil_core::time::now(),
        };
        let encoded_list = bits.encode().map_err(|e| StatusError::Internal(e.into()))?;
        let key = self.signing_key().await;
        let unsigned = json!({
            "@context": [sigil_core::contexts::CREDENTIALS_V2],
            "id": id,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": key.did.to_string(),
            "validFrom": format_datetime(valid_from),
            "credentialSubject": {
                "id": format!("{id}#list"),
                "type": "BitstringStatusList",
                "statusPurpose": purpose,
                "encodedList": encoded_list,
            },
        });
        let options = ProofOptions {
            cryptosuite: Cryptosuite::EddsaRdfc2022,
            verification_method: key.method.clone(),
            purpose: Relationship::AssertionMethod,
            created: valid_from,
            challenge: None,
            domain: None,
        };
        let signed = data_integrity::sign(&unsigned, &key.key, &options)
            .await
            .map_err(|e| StatusError::Internal(e.into()))?;
        let transaction = Transaction::StatusList(StatusListPublication {
            credential: signed.clone(),
        });
        let receipt = self.registry.submit(&transaction).await.map_err(|e| match e {
            SubmitError::Refused { code, message } => StatusError::Refused { code, message },
            SubmitError::Unavailable(reason) => StatusError::Unavailable(reason),
            bad @ SubmitError::BadReceipt(_) => StatusError::Unavailable(bad.to_string()),
        })?;
        self.store
            .save_status_list(status_list::Model {
                id,
                number,
                purpose: purpose.to_owned(),
                credential: signed.to_string(),
                valid_from: valid_from.timestamp(),
                receipt: Some(serde_json::to_string(&receipt).map_err(|e| StatusError::Internal(e.into()))?),
            })
            .await?;
        Ok(receipt)
    }
}

fn set_bit(bits: &mut Bitstring, index: i64, value: bool) -> Result<(), StatusError> {
    let index = u64::try_from(index).map_err(|_| anyhow::anyhow!("negative status index {index}"))?;
    bits.set(index, 1, u32::from(value))
        .map_err(|e| StatusError::Internal(e.into()))
}

/// The current time once the clock has passed the whole second `seconds` (at once if it
/// already has).
async fn clock_past(seconds: i64) -> Timestamp {
    loop {
        let now = sigil_core::time::now();
        if now.timestamp() > seconds {
            return now;
        }
        let until_next = 1000 - i64::from(now.timestamp_subsec_millis());
        let wait = u64::try_from(until_next.clamp(1, 1000)).unwrap_or(1000);
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    }
}
