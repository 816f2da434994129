//! The wallet's tables. What a credential says (its claims, the credential itself) is sealed
//! with the wallet's storage key (see `vault`); only what the list needs to sort and label it
//! is in the clear: type, format, issuer, when it came and until when it is valid. The
//! verifiers presented to are sealed whole, under a random row id.

/// One row per credential held.
pub mod credential {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "credentials")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// `ldp_vc`, `vc+jwt` or `dc+sd-jwt`.
        pub format: String,
        pub type_name: String,
        pub issuer: String,
        /// The issuer's name from its OpenID4VCI metadata.
        pub issuer_name: String,
        pub received_at: i64,
        pub valid_until: Option<i64>,
        /// The sealed [`crate::store::Sealed`] record: the credential as received and what
        /// verification said.
        pub sealed: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What was disclosed to whom, and when; and what was refused.
pub mod history {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "history")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: i64,
        /// `received`, `presented`, `refused` or `deleted`.
        pub event: String,
        /// The issuer or verifier.
        pub party: String,
        pub credential_id: Option<String>,
        /// Sealed JSON list of the claim paths disclosed (names, never values).
        pub sealed: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The verifiers this wallet has presented to: one row each, everything but a random id
/// sealed (a [`crate::store::VerifierRecord`]).
pub mod verifier {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "verifiers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub sealed: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
