//! `sigil-templates`: the shared look of Sigil's three web front ends (issuer portal, wallet
//! UI, verifier pages) — the stylesheet now, the askama page templates as the services that
//! render them arrive (issues #4, #5, #6).

/// The stylesheet every Sigil page links, served at [`STYLESHEET_PATH`].
pub const STYLESHEET: &str = include_str!("../static/sigil.css");

/// Where services serve [`STYLESHEET`].
pub const STYLESHEET_PATH: &str = "/static/sigil.css";
