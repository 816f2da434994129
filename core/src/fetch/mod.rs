//! Fetching what strangers name — under one policy shared by every Sigil program: the
//! wallet's offers and requests, `did:web` documents and status lists at their own URL.
//!
//! [`policy`] says where Sigil may go (`https`, public addresses, no redirects);
//! [`documents`] fetches a document under it, or serves a local copy instead, so that
//! verification can run with no network at all; [`status_lists`] reads Bitstring Status
//! List credentials at their own URL through it.

pub mod documents;
pub mod policy;
pub mod status_lists;

pub use documents::{DocumentError, Fetched, WebDocuments};
pub use policy::{NetPolicy, Refused};
