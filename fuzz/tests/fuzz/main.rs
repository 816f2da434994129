//! The fuzz targets, each for a bounded time (`SIGIL_FUZZ_SECONDS`, 3 s by default), the
//! corpus they start from, and property tests of the encodings underneath them. One test
//! binary, so that the workspace links it once.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod corpus;
mod properties;
mod settings;
mod targets;
