//! The `did:sigil` method's wire format (`registry/DID-METHOD.md`): operations, their
//! canonical bytes, signatures and digests. The registry validates and orders them; issuers,
//! wallets and controllers build and sign them — so they live here, in the shared core.

pub mod digest;
pub mod operation;
