//! `sigil-issuer`: the university's credential issuer. For now, offline issuance from the
//! command line (`sigil-issuer issue`) and key generation; the OpenID4VCI service and the
//! registrar portal arrive with issue #4 and build on [`offline`].

pub mod offline;
