//! `sigil-registry`: the DID registry — a blockchain of `did:sigil` operations, Bitstring
//! Status List publications, issuance anchors and accreditations (DESIGN.md §3, §4).
//!
//! This crate holds the place of the registry in the workspace; the ledger core, block
//! production, storage, HTTP API and `sigil-registry` binary arrive with issue #3. Until
//! then, `did:sigil` DIDs are resolved by `sigil-core`'s Universal Resolver client against
//! any registry endpoint that speaks the driver API.
