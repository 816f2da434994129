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

/// One row per piece of equivocation evidence.
pub mod equivocation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "equivocations")]
    pub struct Model {
        /// The digest of the evidence's JCS form: the same evidence is kept once.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The validator that signed both headers.
        pub validator: String,
        pub height: i64,
        /// The evidence as JSON text.
        pub body: String,
        /// When this node recorded it (RFC 3339).
        pub recorded_at: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One row per Raft log entry, the entry as JSON text.
pub mod raft_log {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "raft_log")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub log_index: i64,
        pub body: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The Raft values a node keeps across restarts (vote, committed, applied, membership,
/// snapshot), each as JSON text under its name.
pub mod raft_value {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "raft_values")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        pub value: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One row per validator signature over the header at a height.
pub mod header_signature {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "header_signatures")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub height: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub validator: String,
        pub header_hash: String,
        pub signature: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One part of the newest ledger state snapshot: JSON lines, one snapshot entry each.
pub mod state_snapshot {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "state_snapshots")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub part: i64,
        pub height: i64,
        pub body: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
