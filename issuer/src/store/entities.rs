//! The issuer's tables, as sea-orm entities. Times are Unix seconds. Secrets (codes, PINs,
//! access and API tokens, session ids) are stored only as SHA-256 digests; registrar passwords
//! as argon2id hashes.

/// Every status-list position ever given, with the credential (offered or issued) it was
/// given to. Rows are never deleted, so no position is given twice.
pub mod status_position {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "status_positions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub status_list: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub status_index: i64,
        pub credential_id: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Offers waiting for the wallet, or dead (expired, locked). An offer leaves this table when
/// its credential is issued.
pub mod offer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "offers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub type_name: String,
        pub format: String,
        pub summary: String,
        /// The subject claims (JSON).
        pub claims: String,
        pub status_list: i32,
        pub status_index: i64,
        /// The pre-authorized code's digest. The code is also the offer's URL path, so the
        /// offer endpoint finds the row by the same digest.
        #[sea_orm(unique)]
        pub code_hash: String,
        pub tx_code_hash: String,
        pub expires_at: i64,
        pub failed_tx_codes: i32,
        #[sea_orm(unique)]
        pub access_token_hash: Option<String>,
        pub token_expires_at: Option<i64>,
        /// `sigil_core::lifecycle::OfferState`'s name.
        pub state: String,
        /// Bumped by every transition; a transition is written only over the version it began
        /// from.
        pub version: i64,
        pub created_at: i64,
        pub created_by: String,
        /// The CSV batch the offer came from, if any.
        pub batch: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Credentials signed and handed out: what the registrar manages afterwards. No claims.
pub mod issued_credential {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "issued_credentials")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub type_name: String,
        pub format: String,
        pub summary: String,
        pub subject: Option<String>,
        /// `active`, `suspended` or `revoked` (`sigil_core::lifecycle::CredentialStatus`).
        pub status: String,
        pub status_list: i32,
        pub status_index: i64,
        pub created_at: i64,
        pub created_by: String,
        pub batch: Option<String>,
        pub issued_at: i64,
        pub credential_hash: String,
        pub anchor_root: Option<String>,
        /// The issuer profile's `did:key` it was signed as; NULL: the institution's DID.
        pub profile_did: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The latest published version of each status list.
pub mod status_list {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "status_lists")]
    pub struct Model {
        /// The list credential's URL.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub number: i32,
        pub purpose: String,
        /// The signed `BitstringStatusListCredential` (JSON).
        pub credential: String,
        /// Its `validFrom`.
        pub valid_from: i64,
        /// The registry's receipt for the publication (JSON).
        pub receipt: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Issuance anchors submitted to the registry.
pub mod anchor {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "anchors")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub merkle_root: String,
        pub size: i32,
        pub block_height: i64,
        pub anchored_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Registrar accounts of the portal.
pub mod registrar {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "registrars")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub username: String,
        /// argon2id PHC string.
        pub password_hash: String,
        pub created_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Portal sessions.
pub mod session {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id_hash: String,
        pub username: String,
        /// The session's CSRF token (sent in every form).
        pub csrf: String,
        pub expires_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// API tokens made by `sigil-issuer token create`.
pub mod api_token {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub token_hash: String,
        pub label: String,
        pub created_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Who did what, when. Never holds claims, codes or PINs.
pub mod audit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: i64,
        /// `registrar:NAME`, `token:LABEL`, `wallet` or `system`.
        pub actor: String,
        pub action: String,
        /// What the action was about (a credential id, a key, a list).
        pub target: String,
        pub detail: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
