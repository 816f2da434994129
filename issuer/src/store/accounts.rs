//! Registrar accounts, portal sessions and API tokens.

use sea_orm::{ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _};

use super::entities::{api_token, registrar, session};
use super::{DbErr, Store};

impl Store {
    /// Creates or replaces a registrar account.
    pub async fn put_registrar(&self, username: &str, password_hash: &str, now: i64) -> Result<(), DbErr> {
        let row = registrar::ActiveModel {
            username: Set(username.to_owned()),
            password_hash: Set(password_hash.to_owned()),
            created_at: Set(now),
        };
        self.write(move |txn| {
            Box::pin(async move {
                registrar::Entity::insert(row)
                    .on_conflict(
                        sea_orm::sea_query::OnConflict::column(registrar::Column::Username)
                            .update_column(registrar::Column::PasswordHash)
                            .to_owned(),
                    )
                    .exec(txn)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn registrar(&self, username: &str) -> Result<Option<registrar::Model>, DbErr> {
        registrar::Entity::find_by_id(username).one(&self.db).await
    }

    /// Starts a session, dropping expired ones.
    pub async fn insert_session(&self, row: session::Model, now: i64) -> Result<(), DbErr> {
        self.write(move |txn| {
            Box::pin(async move {
                session::Entity::delete_many()
                    .filter(session::Column::ExpiresAt.lt(now))
                    .exec(txn)
                    .await?;
                let row: session::ActiveModel = row.into();
                session::Entity::insert(row).exec(txn).await?;
                Ok(())
            })
        })
        .await
    }

    /// A live session by the digest of its id.
    pub async fn session(&self, id_hash: &str, now: i64) -> Result<Option<session::Model>, DbErr> {
        session::Entity::find_by_id(id_hash)
            .filter(session::Column::ExpiresAt.gte(now))
            .one(&self.db)
            .await
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<(), DbErr> {
        let id_hash = id_hash.to_owned();
        self.write(move |txn| {
            Box::pin(async move {
                session::Entity::delete_by_id(id_hash).exec(txn).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn insert_api_token(&self, token_hash: &str, label: &str, now: i64) -> Result<(), DbErr> {
        let row = api_token::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            label: Set(label.to_owned()),
            created_at: Set(now),
        };
        self.write(move |txn| {
            Box::pin(async move {
                api_token::Entity::insert(row).exec(txn).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn api_token(&self, token_hash: &str) -> Result<Option<api_token::Model>, DbErr> {
        api_token::Entity::find_by_id(token_hash).one(&self.db).await
    }
}
