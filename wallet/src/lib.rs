//! `sigil-wallet`: the citizen's wallet — holder keys, the credential store, the OpenID4VCI
//! and OpenID4VP clients, and the local web UI (DESIGN.md §1, §7).
//!
//! This crate holds the place of the wallet in the workspace; the wallet itself arrives with
//! issue #5. Holder-side building blocks already exist in `sigil-core`: SD-JWT presentations
//! with key binding (`sd_jwt::present`), Data Integrity and JWT presentations (`issue`).
