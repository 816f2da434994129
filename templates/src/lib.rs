//! `sigil-templates`: the shared look of Sigil's web front ends — the stylesheet, the base
//! layout (`templates/layout.html`) and the askama pages: the registry explorer now
//! ([`registry`]); the issuer portal, wallet UI and verifier pages as those services arrive
//! (issues #4, #5, #6).

pub mod registry;

/// The stylesheet every Sigil page links, served at [`STYLESHEET_PATH`].
pub const STYLESHEET: &str = include_str!("../static/sigil.css");

/// Where services serve [`STYLESHEET`].
pub const STYLESHEET_PATH: &str = "/static/sigil.css";
