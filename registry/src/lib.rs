//! `sigil-registry`: the DID registry — a blockchain of `did:sigil` operations, Bitstring
//! Status List publications, issuance anchors and accreditations (docs/design.md §3, §4).
//!
//! The pure parts — no clock, IO or randomness:
//! - [`ledger`]: the state-transition core — `did:sigil` operations, status lists, anchors and
//!   accreditations, validated in `apply` — and resolution from the ledger state;
//! - [`chain`]: genesis, blocks (hash links, RFC 6962 transaction root, state commitment,
//!   validator signature), their production and checking, and receipts.
//!
//! Around them: [`store`] (SQLite or PostgreSQL through sea-orm), [`replay`] (rebuild and check the chain
//! from genesis), [`node`] (submissions, block cutting, the consensus trait), [`http`] (the
//! API) and [`service`] (the data directory, `init` and `serve`).

pub mod chain;
pub mod client;
pub mod config;
pub mod consensus;
pub mod finality;
#[cfg(test)]
mod fixtures;
pub mod http;
pub mod ledger;
pub mod node;
mod parallel;
pub mod replay;
pub mod service;
pub mod store;
