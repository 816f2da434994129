//! `sigil-verifier`: checks credentials and presentations.
//!
//! - [`check`] and [`render`]: one verification and its report, for the `verify` command.
//! - [`service`]: the running verifier (`serve`): its DID, [`policy`]s, [`store`] and
//!   registry; [`oid4vp`] presentation requests; [`http`] pages and APIs; [`config`].

pub mod check;
pub mod config;
pub mod http;
pub mod oid4vp;
pub mod policy;
pub mod render;
pub mod service;
pub mod store;
