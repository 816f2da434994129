//! `sigil-registry`: the DID registry — a blockchain of `did:sigil` operations, Bitstring
//! Status List publications, issuance anchors and accreditations (DESIGN.md §3, §4).
//!
//! Built in increments (issue #3). What is here: [`ledger`], the pure state-transition core —
//! the `did:sigil` operations, their validation in `apply`, and resolution of a DID as of a
//! version or time from the ledger state. Block production, SQLite storage, the HTTP API,
//! the explorer pages and the `sigil-registry` binary build on it next.

pub mod ledger;
