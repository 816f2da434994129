//! `sigil-verifier`: checks credentials and presentations. For now the `verify` and
//! `contexts` commands; the OpenID4VP verifier, its web pages and JSON API arrive with
//! issue #6 and build on [`check`].

pub mod check;
pub mod render;
