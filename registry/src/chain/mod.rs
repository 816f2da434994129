//! The chain (docs/design.md §4): blocks that order transactions, link to their predecessor by
//! hash, commit to their transactions with an RFC 6962 Merkle root and to the resulting state,
//! and are signed by a validator named in genesis. Pure, like the ledger: producing and
//! checking a block needs no clock, disk or network.

pub mod block;
pub mod genesis;
/// RFC 6962 Merkle trees, shared with issuers (anchors) through `sigil-core`.
pub use sigil_core::merkle;

pub use block::{Block, BlockHeader, ChainError, Produced, Receipt, Tip, produce, receipt, verify_block};

#[cfg(test)]
mod tests;
pub use genesis::Genesis;
