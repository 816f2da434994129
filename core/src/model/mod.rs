//! The W3C Verifiable Credentials Data Model (2.0, and 1.1 for credentials from issuers still
//! on it): typed views of credentials and presentations, Bitstring Status List entries and lists, and Sigil's credential types.

pub mod claims;
pub mod credential;
pub mod credential_type;
pub mod one_or_many;
pub mod presentation;
pub mod status_list;

pub use credential::{Credential, DataModel, Issuer, SchemaReference, StatusEntry};
pub use credential_type::CredentialType;
pub use presentation::Presentation;

/// Why a JSON document is not a well-formed credential or presentation.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("not a valid {what}: {reason}")]
pub struct ModelError {
    /// "credential" or "presentation".
    pub what: &'static str,
    /// What is wrong, for a person.
    pub reason: String,
}
