//! The fuzz targets, one module per parser that takes input from outside. Each names its
//! entry point and states its property; `tests/targets.rs` runs each for a bounded time.

pub mod csv_batch;
pub mod dcql;
pub mod did;
pub mod did_operation;
pub mod json;
pub mod jws;
pub mod ledger_transaction;
pub mod oid4vci_credential_request;
pub mod openid4vp_request;
pub mod openid4vp_uri;
pub mod receipt;
pub mod sd_jwt;
pub mod status_list;
pub mod verify;
pub mod vp_token;

use crate::target::Target;

/// Every target, in the order the tests list them.
pub const ALL: &[&Target] = &[
    &json::TARGET,
    &jws::TARGET,
    &sd_jwt::TARGET,
    &did::TARGET,
    &did_operation::TARGET,
    &ledger_transaction::TARGET,
    &receipt::TARGET,
    &status_list::TARGET,
    &dcql::TARGET,
    &openid4vp_request::TARGET,
    &openid4vp_uri::TARGET,
    &vp_token::TARGET,
    &oid4vci_credential_request::TARGET,
    &csv_batch::TARGET,
    &verify::TARGET,
];

/// JSON tokens shared by the targets whose input is JSON.
pub(crate) const JSON_TOKENS: &[&[u8]] = &[
    b"\"\\u0061\"",
    b"\"a\":1,\"a\":2",
    b"1.0e+2",
    b"\"2026-06-30T12:00:00Z\"",
    b"\"9999-12-31T23:59:59Z\"",
    b"\"-0001-01-01T00:00:00Z\"",
    b"\"did:key:z6Mk\"",
    b"\"z\"",
    b"\"u\"",
];
