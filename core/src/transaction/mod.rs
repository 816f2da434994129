//! The wire format of the ledger transactions that issuers and roots of trust sign
//! (DESIGN.md §4): signed statements, issuance anchors and status-list publications. The
//! registry validates and orders them; the issuer service builds and signs them — so their
//! shape lives here, in the shared core, next to the `did:sigil` operations of
//! [`crate::did::sigil`].

pub mod anchor;
pub mod statement;
pub mod status_list;

pub use anchor::IssuanceAnchor;
pub use statement::StatementProof;
pub use status_list::StatusListPublication;
