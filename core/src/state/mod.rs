//! The registry's authenticated state, shared by the registry that builds it and by the
//! clients that check its answers (docs/registry-proofs.md):
//!
//! - [`tree`]: a sparse Merkle tree over every record, whose root each block header carries;
//! - [`records`]: the records it holds — a DID's whole history, a status list's latest
//!   version, the accreditations of one DID in one role, the first anchor of a credential —
//!   with the names they are stored under and their digests;
//! - [`genesis`]: the chain's starting point, which names the validators;
//! - [`commit`]: the signed header a quorum of those validators vouches for, and an answer
//!   proven against it ([`commit::Proven`]), which a client checks with [`commit::ChainTrust`];
//! - [`evidence`]: two headers one validator signed at one height;
//! - [`validators`]: a validator set and its quorum, which governance changes.

pub mod commit;
pub mod evidence;
pub mod genesis;
pub mod records;
pub mod tree;
pub mod validators;
