//! `sigil-issuer`: a university's (or any institution's) credential issuer.
//!
//! - [`institution`]: the data directory, keys, `did:sigil` with pre-rotation, `issuer.toml`.
//! - [`profiles`]: further identities (`did:key`s) the service can sign as.
//! - [`offline`]: `sigil-issuer issue` from the command line.
//! - [`service`]: the running issuer; [`credential_types`] it issues, [`issuance`] of offers
//!   and credentials, whose [`domain`] types (`Offer`, `IssuedCredential`) change by pure
//!   transitions, [`key_proof`] of the wallet, [`status`] lists, [`anchoring`], and the
//!   [`paper_copy`] of an offer printed as a diploma with a QR code.
//! - [`http`]: OpenID4VCI, the JSON API, the W3C VC API; [`portal`]: the registrar portal;
//!   [`store`]: its SQLite database; [`accounts`]: registrars and API tokens.

pub mod accounts;
pub mod anchoring;
pub mod config;
pub mod credential_types;
pub mod csv_batch;
pub mod domain;
pub mod http;
pub mod institution;
pub mod issuance;
pub mod key_proof;
pub mod nonces;
pub mod offline;
pub mod paper_copy;
pub mod portal;
pub mod profiles;
pub mod service;
pub mod status;
pub mod store;
