//! `sigil-templates`: what Sigil's web front ends share — the stylesheet, the base layout
//! (`templates/layout.html`) and the askama pages of the registry explorer ([`registry`]), the
//! issuer's registrar portal ([`issuer`]), the verifier ([`verifier`]) and the wallet's local
//! UI ([`wallet`]); QR codes ([`qr`]); how a party is named ([`party`]); the languages pages are written in ([`lang`]) and the words on them in each ([`text`]).

pub mod issuer;
pub mod lang;
pub mod party;
pub mod qr;
pub mod registry;
pub mod text;
pub mod verifier;
pub mod wallet;

/// The stylesheet every Sigil page links, served at [`STYLESHEET_PATH`].
pub const STYLESHEET: &str = include_str!("../static/sigil.css");

/// Where services serve [`STYLESHEET`].
pub const STYLESHEET_PATH: &str = "/static/sigil.css";
