//! Anchoring (docs/design.md §4): every so often the hashes of the credentials issued since the
//! last batch go to the registry as one signed issuance anchor (their RFC 6962 Merkle root).
//! The block that holds it proves the credentials existed by then — which keeps them valid
//! even if the signing key is later declared compromised from a time after that block.

use std::time::Duration;

use serde_json::Value;
use sigil_core::registry::SubmitError;
use sigil_core::transaction::{Transaction, anchor, statement};

use crate::service::Issuer;
use crate::store::entities;

/// What one anchoring round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorOutcome {
    /// Nothing was waiting.
    Idle,
    /// A batch of `size` credentials was anchored in block `height`.
    Anchored {
        merkle_root: String,
        size: usize,
        height: u64,
    },
}

impl Issuer {
    /// Anchors the credentials issued and not yet anchored (at most one full batch).
    pub async fn anchor_pending(&self) -> anyhow::Result<AnchorOutcome> {
        let _guard = self.anchor_lock.lock().await;
        let pending = self.store.unanchored(anchor::MAX_BATCH as u64).await?;
        if pending.is_empty() {
            return Ok(AnchorOutcome::Idle);
        }
        let (ids, hashes): (Vec<String>, Vec<String>) = pending
            .into_iter()
            .map(|credential| (credential.id, credential.credential_hash))
            .unzip();
        let key = self.signing_key().await;
        let now = sigil_core::time::now();
        let mut batch = anchor::unsigned(key.did.as_str(), hashes, &sigil_core::time::format_datetime(now));
        batch.proof = Some(statement::sign(&batch, &key.key, &key.method)?);
        let height = match self.registry.submit(&Transaction::Anchor(batch.clone())).await {
            Ok(receipt) => receipt.height,
            Err(SubmitError::Refused { code, message }) if code == "anchor_exists" => {
                // A previous round reached the registry but not our database: record it now.
                tracing::info!(%message, "anchor already on the registry");
                0
            }
            Err(error) => return Err(error.into()),
        };
        self.store
            .insert_anchor(entities::anchor::Model {
                merkle_root: batch.merkle_root.clone(),
                size: i32::try_from(ids.len()).unwrap_or(i32::MAX),
                block_height: i64::try_from(height).unwrap_or(i64::MAX),
                anchored_at: now.timestamp(),
            })
            .await?;
        self.store.mark_anchored(&ids, &batch.merkle_root).await?;
        self.audit(
            "system",
            "anchor",
            &batch.merkle_root,
            &format!("{} credentials in block {height}", ids.len()),
        )
        .await;
        Ok(AnchorOutcome::Anchored {
            merkle_root: batch.merkle_root,
            size: ids.len(),
            height,
        })
    }

    /// Anchors pending credentials every `anchor_interval_seconds`, forever. Failures (the
    /// registry down) are logged and retried on the next round; nothing is lost, since the
    /// pending hashes stay in the database.
    pub async fn anchor_periodically(&self) {
        let period = Duration::from_secs(self.settings.anchor_interval_seconds.max(1));
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match self.anchor_pending().await {
                Ok(AnchorOutcome::Idle) => {}
                Ok(AnchorOutcome::Anchored { size, height, .. }) => {
                    tracing::info!(size, height, "anchored issued credentials");
                }
                Err(error) => tracing::warn!(%error, "anchoring failed; will retry"),
            }
        }
    }

    /// The registry's proof that a credential was anchored: the anchor with the hash's
    /// inclusion proof in the batch and the block receipt. `None` while it waits for a batch.
    pub async fn anchor_proof(&self, credential_hash: &str) -> anyhow::Result<Option<Value>> {
        self.registry
            .anchor(credential_hash)
            .await
            .map_err(|e| anyhow::anyhow!(e.0))
    }
}
