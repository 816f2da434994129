//! The registry's tables, as sea-orm entities. Blocks and transactions are stored exactly as
//! signed (their JSON text), never rebuilt from columns; the other columns are indexes.

/// One row per block.
pub mod block {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "blocks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub height: i64,
        #[sea_orm(unique)]
        pub hash: String,
        /// The signed header, as JSON text.
        pub header: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One row per transaction in a block.
pub mod transaction {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "transactions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub hash: String,
        pub height: i64,
        /// Position in the block, from 0.
        pub position: i32,
        /// The transaction as JSON text.
        pub body: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
