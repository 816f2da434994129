//! `sigil-service`: what the four Sigil services share so they are configured, started, served
//! and stopped the same way — layered settings ([`config`]), tracing and exit codes
//! ([`startup`]), the SQLite database ([`sqlite`]), askama pages and security headers
//! ([`pages`]), random tokens, digests and constant-time checks ([`tokens`]), and the signal
//! that stops a server ([`shutdown`]).

pub mod config;
pub mod pages;
pub mod shutdown;
pub mod sqlite;
pub mod startup;
pub mod tokens;
