//! Issued credentials: recording one, its status (written only over the status it changed
//! from), the positions each status list must set, and anchoring.

use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, IntoActiveModel as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _,
};
use sigil_core::lifecycle::{CredentialStatus, OfferState};

use super::entities::{issued_credential, offer, status_position};
use super::offers::{format, time};
use super::{DbErr, Store};
use crate::domain::{IssuedCredential, StatusPosition};

impl Store {
    /// Records a credential signed without an offer (the VC API), at a position from
    /// [`Store::reserve_position`].
    pub async fn insert_issued(&self, credential: &IssuedCredential) -> Result<(), DbErr> {
        let row = issued_row(credential).into_active_model().reset_all();
        self.write(move |txn| {
            Box::pin(async move {
                row.insert(txn).await?;
                Ok(())
            })
        })
        .await
    }

    /// An issued credential by id.
    pub async fn issued_credential(&self, id: &str) -> Result<Option<IssuedCredential>, DbErr> {
        issued_credential::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(issued_from_row)
            .transpose()
    }

    /// Writes `next`'s status only if the stored credential still has `previous`'s: false if
    /// another change got there first.
    pub async fn save_status(
        &self,
        previous: &IssuedCredential,
        next: &IssuedCredential,
    ) -> Result<bool, DbErr> {
        let update = issued_credential::Entity::update_many()
            .col_expr(
                issued_credential::Column::Status,
                sea_orm::sea_query::Expr::value(next.status.as_str()),
            )
            .filter(issued_credential::Column::Id.eq(previous.id.as_str()))
            .filter(issued_credential::Column::Status.eq(previous.status.as_str()));
        self.write(move |txn| Box::pin(async move { Ok(update.exec(txn).await?.rows_affected == 1) }))
            .await
    }

    /// The positions in list `number` whose credential is not active, with its status. An
    /// open offer is active; a withdrawn one is revoked — nothing is ever issued at its
    /// position, but a paper copy printed from it (`crate::paper_copy`) points there.
    pub async fn list_positions(&self, number: i32) -> Result<Vec<(CredentialStatus, i64)>, DbErr> {
        let rows: Vec<(String, i64)> = issued_credential::Entity::find()
            .select_only()
            .column(issued_credential::Column::Status)
            .column(issued_credential::Column::StatusIndex)
            .filter(issued_credential::Column::StatusList.eq(number))
            .filter(issued_credential::Column::Status.ne(CredentialStatus::Active.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let withdrawn: Vec<i64> = offer::Entity::find()
            .select_only()
            .column(offer::Column::StatusIndex)
            .filter(offer::Column::StatusList.eq(number))
            .filter(offer::Column::State.eq(OfferState::Withdrawn.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|(status, index)| Ok((status_named(&status)?, index)))
            .chain(
                withdrawn
                    .into_iter()
                    .map(|index| Ok((CredentialStatus::Revoked, index))),
            )
            .collect()
    }

    /// The status lists positions have been given in.
    pub async fn list_numbers(&self) -> Result<Vec<i32>, DbErr> {
        status_position::Entity::find()
            .select_only()
            .column(status_position::Column::StatusList)
            .distinct()
            .into_tuple()
            .all(&self.db)
            .await
    }

    /// Issued credentials not yet anchored, oldest first.
    pub async fn unanchored(&self, limit: u64) -> Result<Vec<IssuedCredential>, DbErr> {
        issued_credential::Entity::find()
            .filter(issued_credential::Column::AnchorRoot.is_null())
            .order_by_asc(issued_credential::Column::IssuedAt)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(issued_from_row)
            .collect()
    }

    /// Records that `ids` are covered by the anchor `merkle_root`.
    pub async fn mark_anchored(&self, ids: &[String], merkle_root: &str) -> Result<(), DbErr> {
        let update = issued_credential::Entity::update_many()
            .col_expr(
                issued_credential::Column::AnchorRoot,
                sea_orm::sea_query::Expr::value(merkle_root),
            )
            .filter(issued_credential::Column::Id.is_in(ids.iter().cloned()));
        self.write(move |txn| {
            Box::pin(async move {
                update.exec(txn).await?;
                Ok(())
            })
        })
        .await
    }
}

fn status_named(name: &str) -> Result<CredentialStatus, DbErr> {
    CredentialStatus::parse(name).ok_or_else(|| DbErr::Custom(format!("stored status {name:?} is unknown")))
}

pub(super) fn issued_from_row(row: issued_credential::Model) -> Result<IssuedCredential, DbErr> {
    Ok(IssuedCredential {
        format: format(&row.format)?,
        position: StatusPosition {
            list: row.status_list,
            index: row.status_index,
        },
        created_at: time(row.created_at)?,
        issued_at: time(row.issued_at)?,
        status: status_named(&row.status)?,
        id: row.id,
        type_name: row.type_name,
        summary: row.summary,
        subject: row.subject,
        created_by: row.created_by,
        batch: row.batch,
        credential_hash: row.credential_hash,
        anchor_root: row.anchor_root,
        profile_did: row.profile_did,
    })
}

pub(super) fn issued_row(credential: &IssuedCredential) -> issued_credential::Model {
    issued_credential::Model {
        id: credential.id.clone(),
        type_name: credential.type_name.clone(),
        format: credential.format.name().to_owned(),
        summary: credential.summary.clone(),
        subject: credential.subject.clone(),
        status: credential.status.as_str().to_owned(),
        status_list: credential.position.list,
        status_index: credential.position.index,
        created_at: credential.created_at.timestamp(),
        created_by: credential.created_by.clone(),
        batch: credential.batch.clone(),
        issued_at: credential.issued_at.timestamp(),
        credential_hash: credential.credential_hash.clone(),
        anchor_root: credential.anchor_root.clone(),
        profile_did: credential.profile_did.clone(),
    }
}
