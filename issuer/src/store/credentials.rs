//! The registrar's view over offers and issued credentials together: one by id, the search,
//! and the dashboard's counts.

use sea_orm::{
    ColumnTrait as _, Condition, EntityTrait as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _,
    QuerySelect as _,
};
use sigil_core::lifecycle::CredentialStatus;

use super::entities::{issued_credential, offer};
use super::{DbErr, Store};
use crate::domain::CredentialRecord;

/// Counts for the dashboard.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Offers not (yet) collected, expired and locked ones included.
    pub offered: u64,
    pub issued: u64,
    pub revoked: u64,
    pub suspended: u64,
}

impl Store {
    /// The offer or issued credential with id `id`.
    pub async fn credential(&self, id: &str) -> Result<Option<CredentialRecord>, DbErr> {
        if let Some(issued) = self.issued_credential(id).await? {
            return Ok(Some(CredentialRecord::Issued(issued)));
        }
        Ok(self.offer(id).await?.map(CredentialRecord::Offered))
    }

    /// The newest offers and credentials whose summary, id, type or batch contains `query`.
    pub async fn search_credentials(&self, query: &str, limit: u64) -> Result<Vec<CredentialRecord>, DbErr> {
        let query = query.trim();
        let mut offers = offer::Entity::find().order_by_desc(offer::Column::CreatedAt);
        let mut issued =
            issued_credential::Entity::find().order_by_desc(issued_credential::Column::CreatedAt);
        if !query.is_empty() {
            offers = offers.filter(
                Condition::any()
                    .add(offer::Column::Summary.contains(query))
                    .add(offer::Column::Id.eq(query))
                    .add(offer::Column::TypeName.contains(query))
                    .add(offer::Column::Batch.eq(query)),
            );
            issued = issued.filter(
                Condition::any()
                    .add(issued_credential::Column::Summary.contains(query))
                    .add(issued_credential::Column::Id.eq(query))
                    .add(issued_credential::Column::TypeName.contains(query))
                    .add(issued_credential::Column::Batch.eq(query)),
            );
        }
        let mut records = Vec::new();
        for row in offers.limit(limit).all(&self.db).await? {
            records.push(CredentialRecord::Offered(super::offers::offer_from_row(row)?));
        }
        for row in issued.limit(limit).all(&self.db).await? {
            records.push(CredentialRecord::Issued(super::issued::issued_from_row(row)?));
        }
        records.sort_by_key(|record| std::cmp::Reverse(record.facts().created_at));
        records.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(records)
    }

    /// Counts for the dashboard.
    pub async fn counts(&self) -> Result<Counts, DbErr> {
        let with_status = |status: CredentialStatus| {
            issued_credential::Entity::find()
                .filter(issued_credential::Column::Status.eq(status.as_str()))
                .count(&self.db)
        };
        Ok(Counts {
            offered: offer::Entity::find().count(&self.db).await?,
            issued: issued_credential::Entity::find().count(&self.db).await?,
            revoked: with_status(CredentialStatus::Revoked).await?,
            suspended: with_status(CredentialStatus::Suspended).await?,
        })
    }
}
