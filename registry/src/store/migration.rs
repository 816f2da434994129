//! Schema migrations, run at start-up. Each migration is named by its date and never edited
//! once merged; a change of schema is a new migration.

use sea_orm_migration::prelude::*;

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateChain),
            Box::new(CreateEquivocations),
            Box::new(CreateConsensus),
            Box::new(CreateStateSnapshots),
        ]
    }
}

/// Blocks and their transactions.
#[derive(DeriveMigrationName)]
struct CreateChain;

#[derive(DeriveIden)]
enum Blocks {
    Table,
    Height,
    Hash,
    Header,
}

#[derive(DeriveIden)]
enum Transactions {
    Table,
    Hash,
    Height,
    Position,
    Body,
}

// async_trait's signature elides SchemaManager's lifetime; naming it breaks the impl.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateChain {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Blocks::Table)
                    .col(
                        ColumnDef::new(Blocks::Height)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Blocks::Hash).string().not_null().unique_key())
                    .col(ColumnDef::new(Blocks::Header).text().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Transactions::Table)
                    .col(
                        ColumnDef::new(Transactions::Hash)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Transactions::Height).big_integer().not_null())
                    .col(ColumnDef::new(Transactions::Position).integer().not_null())
                    .col(ColumnDef::new(Transactions::Body).text().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("transactions_by_block")
                    .table(Transactions::Table)
                    .col(Transactions::Height)
                    .col(Transactions::Position)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}

/// Equivocation evidence: two headers one validator signed at one height, kept as received.
struct CreateEquivocations;

/// Named by hand: the derived name is the file's, which the first migration already holds.
impl MigrationName for CreateEquivocations {
    fn name(&self) -> &str {
        "m20261201_000002_create_equivocations"
    }
}

#[derive(DeriveIden)]
enum Equivocations {
    Table,
    Id,
    Validator,
    Height,
    Body,
    RecordedAt,
}

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateEquivocations {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Equivocations::Table)
                    .col(
                        ColumnDef::new(Equivocations::Id)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Equivocations::Validator).string().not_null())
                    .col(ColumnDef::new(Equivocations::Height).big_integer().not_null())
                    .col(ColumnDef::new(Equivocations::Body).text().not_null())
                    .col(ColumnDef::new(Equivocations::RecordedAt).string().not_null())
                    .to_owned(),
            )
            .await
    }
}

/// What a node of several keeps for the consensus (docs/consensus.md): the Raft log, the
/// Raft values (vote, committed and applied log ids, membership, snapshot), and the
/// validators' signatures over the headers it applied.
struct CreateConsensus;

impl MigrationName for CreateConsensus {
    fn name(&self) -> &str {
        "m20261202_000003_create_consensus"
    }
}

#[derive(DeriveIden)]
enum RaftLog {
    Table,
    LogIndex,
    Body,
}

#[derive(DeriveIden)]
enum RaftValues {
    Table,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum HeaderSignatures {
    Table,
    Height,
    Validator,
    HeaderHash,
    Signature,
}

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateConsensus {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RaftLog::Table)
                    .col(
                        ColumnDef::new(RaftLog::LogIndex)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(RaftLog::Body).text().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RaftValues::Table)
                    .col(ColumnDef::new(RaftValues::Name).string().not_null().primary_key())
                    .col(ColumnDef::new(RaftValues::Value).text().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HeaderSignatures::Table)
                    .col(ColumnDef::new(HeaderSignatures::Height).big_integer().not_null())
                    .col(ColumnDef::new(HeaderSignatures::Validator).string().not_null())
                    .col(ColumnDef::new(HeaderSignatures::HeaderHash).string().not_null())
                    .col(ColumnDef::new(HeaderSignatures::Signature).string().not_null())
                    .primary_key(
                        Index::create()
                            .col(HeaderSignatures::Height)
                            .col(HeaderSignatures::Validator),
                    )
                    .to_owned(),
            )
            .await
    }
}

/// The newest snapshot of the ledger state (docs/consensus.md, "Snapshots"), in parts of JSON
/// lines, so that a node restarts from it and the blocks after it.
struct CreateStateSnapshots;

impl MigrationName for CreateStateSnapshots {
    fn name(&self) -> &str {
        "m20261202_000004_create_state_snapshots"
    }
}

#[derive(DeriveIden)]
enum StateSnapshots {
    Table,
    Part,
    Height,
    Body,
}

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateStateSnapshots {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StateSnapshots::Table)
                    .col(
                        ColumnDef::new(StateSnapshots::Part)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(StateSnapshots::Height).big_integer().not_null())
                    .col(ColumnDef::new(StateSnapshots::Body).text().not_null())
                    .to_owned(),
            )
            .await
    }
}
