//! `sigil-service`: what the four Sigil services share so they are configured, started, served
//! and stopped the same way — layered settings ([`config`]), tracing and exit codes
//! ([`startup`]), the SQLite database ([`sqlite`]) and its one writer ([`group_commit`]), private files ([`files`]), askama pages and security headers
//! ([`pages`]), the language a page is written in ([`language`]), random tokens, digests and constant-time checks ([`tokens`]), per-client rate
//! limits on unauthenticated writes ([`rate_limit`]), a bound on concurrent password hashing
//! ([`blocking`]), how a router is served, over plain HTTP or HTTPS ([`serve`], with the
//! certificate and key read by [`tls`]), and the signal that stops a server ([`shutdown`]).

pub mod blocking;
pub mod config;
pub mod files;
pub mod group_commit;
pub mod language;
pub mod pages;
pub mod rate_limit;
pub mod serve;
pub mod shutdown;
pub mod sqlite;
pub mod startup;
#[cfg(test)]
mod test_certificates;
pub mod tls;
pub mod tokens;
