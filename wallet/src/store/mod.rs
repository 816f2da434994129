//! The wallet's storage: SQLite through sea-orm in `DATA_DIR/wallet.db`, each record's content
//! sealed by the [`Vault`].

mod entities;
mod migration;

use std::collections::BTreeMap;
use std::path::Path;

use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait as _, QueryOrder as _};
use sea_orm_migration::MigratorTrait as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::names::LegalName;

pub use entities::{credential, history, verifier};
pub use sea_orm::DbErr;

use crate::vault::{Vault, VaultError};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("wallet database: {0}")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A row holds what this version cannot read (the file was altered or is newer).
    #[error("wallet database: {0}")]
    Corrupt(String),
}

/// One verification check, as the wallet keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckLine {
    pub id: String,
    /// `passed`, `failed` or `not_applicable`.
    pub outcome: String,
    pub sentence: String,
}

/// What the wallet keeps of a credential, sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialRecord {
    /// The credential exactly as received: JSON text, a compact JWS, or an SD-JWT.
    pub credential: String,
    /// Its subject's claims, as the wallet shows them (all of them, disclosable ones included).
    pub claims: Value,
    /// Who accredits the issuer for this type, in a sentence, if anyone.
    pub accreditation: Option<String>,
    /// The issuer's legal name as its accreditation recorded it when the credential was
    /// received (the registry vouches for it); absent, the issuer's name is the one its
    /// metadata gives, self-asserted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_legal_name: Option<LegalName>,
    /// The legal name of the root of trust that accredited the issuer, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accreditor_name: Option<LegalName>,
    /// The issuer's names for the claims, by dotted path, each by language tag (from its
    /// OpenID4VCI metadata when the credential was received; the issuer's words, shown as
    /// labels only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub claim_labels: BTreeMap<String, BTreeMap<String, String>>,
    /// The issuer's name for the credential's type, by language tag (from the same metadata).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub type_names: BTreeMap<String, String>,
    /// The checks made when it was received.
    pub checks: Vec<CheckLine>,
}

/// A credential in the wallet: the clear columns and the opened record.
#[derive(Debug, Clone)]
pub struct Held {
    pub row: credential::Model,
    pub record: CredentialRecord,
}

/// A history entry, opened.
/// What happened to a credential, as the history records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryEvent {
    /// Received from an issuer, verified and stored.
    Received,
    /// Presented to a verifier after consent.
    Presented,
    /// A verifier's request the holder declined.
    Refused,
    /// Deleted from the wallet.
    Deleted,
}

impl HistoryEvent {
    /// The event's name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryEvent::Received => "received",
            HistoryEvent::Presented => "presented",
            HistoryEvent::Refused => "refused",
            HistoryEvent::Deleted => "deleted",
        }
    }

    /// The event named `name`; a name this version does not know is an error.
    pub fn parse(name: &str) -> Result<HistoryEvent, StoreError> {
        [
            HistoryEvent::Received,
            HistoryEvent::Presented,
            HistoryEvent::Refused,
            HistoryEvent::Deleted,
        ]
        .into_iter()
        .find(|event| event.as_str() == name)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown history event {name:?}")))
    }
}

impl std::fmt::Display for HistoryEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, not `write_str`: the history listing aligns events in a column.
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: i64,
    pub event: HistoryEvent,
    pub party: String,
    pub credential_id: Option<String>,
    /// The claims disclosed (paths like `name` or `degree.name`), never their values.
    pub claims: Vec<String>,
}

/// A verifier this wallet has presented to, as kept (sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifierRecord {
    /// The verifier's DID (what its requests were signed by).
    pub did: String,
    /// The name it last gave itself (unchecked).
    pub name: Option<String>,
    /// How many presentations were made to it.
    pub presentations: u32,
    /// When the first and the last were made (Unix seconds).
    pub first_at: i64,
    pub last_at: i64,
}

/// The wallet database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and runs the migrations.
    pub async fn open(path: &Path) -> Result<Store, DbErr> {
        let db = sigil_service::sqlite::open(path, 2).await?;
        migration::Migrator::up(&db, None).await?;
        Ok(Store { db })
    }

    /// Stores a credential; `row.sealed` is filled from `record`.
    pub async fn insert_credential(
        &self,
        vault: &Vault,
        mut row: credential::Model,
        record: &CredentialRecord,
    ) -> Result<(), StoreError> {
        row.sealed = vault.seal(&row.id, record)?;
        let active: credential::ActiveModel = row.into();
        credential::Entity::insert(active).exec(&self.db).await?;
        Ok(())
    }

    /// Every credential's clear columns, newest first.
    pub async fn list(&self) -> Result<Vec<credential::Model>, DbErr> {
        credential::Entity::find()
            .order_by_desc(credential::Column::ReceivedAt)
            .all(&self.db)
            .await
    }

    /// Every credential, opened, newest first.
    pub async fn all(&self, vault: &Vault) -> Result<Vec<Held>, StoreError> {
        let mut held = Vec::new();
        for row in self.list().await? {
            let record = vault.open(&row.id, &row.sealed)?;
            held.push(Held { row, record });
        }
        Ok(held)
    }

    /// One credential, opened.
    pub async fn get(&self, vault: &Vault, id: &str) -> Result<Option<Held>, StoreError> {
        let Some(row) = credential::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(None);
        };
        let record = vault.open(&row.id, &row.sealed)?;
        Ok(Some(Held { row, record }))
    }

    /// Deletes a credential; true if it was there.
    pub async fn delete(&self, id: &str) -> Result<bool, DbErr> {
        let result = credential::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(result.rows_affected == 1)
    }

    /// Records an event.
    pub async fn add_history(&self, vault: &Vault, entry: &HistoryEntry) -> Result<(), StoreError> {
        // The sealed value is bound to the entry's time and party, not to its row number,
        // which is known only after the insert.
        let binding = history_binding(entry.at, &entry.party);
        let sealed = vault.seal(&binding, &entry.claims)?;
        history::Entity::insert(history::ActiveModel {
            at: Set(entry.at),
            event: Set(entry.event.as_str().to_owned()),
            party: Set(entry.party.clone()),
            credential_id: Set(entry.credential_id.clone()),
            sealed: Set(sealed),
            ..Default::default()
        })
        .exec(&self.db)
        .await?;
        Ok(())
    }

    /// The history, newest first, opened.
    pub async fn history(&self, vault: &Vault) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = history::Entity::find()
            .order_by_desc(history::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                let claims = vault.open(&history_binding(row.at, &row.party), &row.sealed)?;
                Ok(HistoryEntry {
                    at: row.at,
                    event: HistoryEvent::parse(&row.event)?,
                    party: row.party,
                    credential_id: row.credential_id,
                    claims,
                })
            })
            .collect()
    }
}

impl Store {
    /// The record of the verifier `did`, if this wallet has presented to it.
    pub async fn verifier(&self, vault: &Vault, did: &str) -> Result<Option<VerifierRecord>, StoreError> {
        Ok(self.verifier_row(vault, did).await?.map(|(_, record)| record))
    }

    /// Counts a presentation to `did` (named `name`) at `at`.
    pub async fn record_presentation(
        &self,
        vault: &Vault,
        did: &str,
        name: Option<&str>,
        at: i64,
    ) -> Result<(), StoreError> {
        let (id, record) = match self.verifier_row(vault, did).await? {
            Some((id, record)) => (
                id,
                VerifierRecord {
                    name: name.map(str::to_owned).or(record.name),
                    presentations: record.presentations.saturating_add(1),
                    last_at: at,
                    ..record
                },
            ),
            None => (
                uuid::Uuid::new_v4().to_string(),
                VerifierRecord {
                    did: did.to_owned(),
                    name: name.map(str::to_owned),
                    presentations: 1,
                    first_at: at,
                    last_at: at,
                },
            ),
        };
        let row = verifier::ActiveModel {
            sealed: Set(vault.seal(&id, &record)?),
            id: Set(id),
        };
        verifier::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(verifier::Column::Id)
                    .update_column(verifier::Column::Sealed)
                    .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The row id and opened record of the verifier `did`: the rows are few, and sealed
    /// whole, so each is opened to find it.
    async fn verifier_row(
        &self,
        vault: &Vault,
        did: &str,
    ) -> Result<Option<(String, VerifierRecord)>, StoreError> {
        for row in verifier::Entity::find().all(&self.db).await? {
            let record: VerifierRecord = vault.open(&row.id, &row.sealed)?;
            if record.did == did {
                return Ok(Some((row.id, record)));
            }
        }
        Ok(None)
    }
}

fn history_binding(at: i64, party: &str) -> String {
    format!("history:{at}:{party}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn presentations_to_a_verifier_are_counted_under_seal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("wallet.db")).await.unwrap();
        let vault = Vault::new(&[9; 32]);
        assert_eq!(store.verifier(&vault, "did:key:z6MkA").await.unwrap(), None);
        store
            .record_presentation(&vault, "did:key:z6MkA", Some("Example Employer"), 100)
            .await
            .unwrap();
        store
            .record_presentation(&vault, "did:key:z6MkA", None, 200)
            .await
            .unwrap();
        store
            .record_presentation(&vault, "did:key:z6MkB", None, 150)
            .await
            .unwrap();
        let record = store.verifier(&vault, "did:key:z6MkA").await.unwrap().unwrap();
        assert_eq!(
            record,
            VerifierRecord {
                did: "did:key:z6MkA".into(),
                name: Some("Example Employer".into()),
                presentations: 2,
                first_at: 100,
                last_at: 200,
            }
        );
        let rows = verifier::Entity::find().all(&store.db).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter()
                .all(|row| !row.sealed.contains("z6Mk") && !row.id.contains("z6Mk"))
        );
        // Another wallet's key opens nothing.
        assert!(
            store
                .verifier(&Vault::new(&[1; 32]), "did:key:z6MkA")
                .await
                .is_err()
        );
    }
}
