//! `sigil-issuer`: the university's credential issuer. So far: setting an institution up on a
//! registry ([`institution`]: keys, `did:sigil` with pre-rotation, `issuer.toml`) and issuing
//! from the command line ([`offline`]); the OpenID4VCI service and the registrar portal build
//! on these (issue #4).

pub mod institution;
pub mod offline;
