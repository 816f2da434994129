//! `sigil-verifier`: checks credentials and presentations.
//!
//! - [`check`] and [`render`]: one verification and its report, for the `verify` command.
//! - [`bundle`]: the offline registry bundle (`bundle export`, `verify --bundle`).
//! - [`service`]: the running verifier (`serve`): its DID, [`policy`]s, [`store`] and
//!   registry; [`oid4vp`] presentation requests; [`http`] pages and APIs; [`config`].

pub mod bundle;
pub mod check;
pub mod config;
pub mod http;
pub mod oid4vp;
pub mod policy;
pub mod render;
pub mod service;
pub mod store;
