//! `sigil-registry`: the DID registry — a blockchain of `did:sigil` operations, Bitstring
//! Status List publications, issuance anchors and accreditations (DESIGN.md §3, §4).
//!
//! Built in increments (issue #3). What is here, all pure (no clock, IO or randomness):
//! - [`ledger`]: the state-transition core — `did:sigil` operations, status lists, anchors and
//!   accreditations, validated in `apply` — and resolution from the ledger state;
//! - [`chain`]: genesis, blocks (hash links, RFC 6962 transaction root, state commitment,
//!   validator signature), their production and checking, and receipts.
//!
//! SQLite storage, the node, the HTTP API, the explorer pages and the `sigil-registry`
//! binary build on these next.

pub mod chain;
pub mod ledger;
pub mod replay;
pub mod store;
