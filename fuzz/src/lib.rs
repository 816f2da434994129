//! `sigil-fuzz`: fuzz targets for every parser of Sigil that takes input from outside — JSON,
//! JWS, SD-JWT, DIDs, `did:sigil` operations and registry transactions, OpenID4VCI and
//! OpenID4VP messages, DCQL, status lists, the CSV batch and the verification pipeline — run
//! by `cargo test` on the stable toolchain (no nightly, no `cargo fuzz`).
//!
//! Each [`target::Target`] is a parser's entry point and a property every input must keep: no
//! panic, no hang, and where it means something a round trip (read, write, read gives the same
//! value). The [`runner`] replays the target's corpus (`fuzz/corpus/<target>/`, real valid
//! inputs made by [`seeds`] plus every input that once broke something) and then mutates it
//! ([`mutate`]) for a bounded time; proptest drives the mutations and shrinks a failure to the
//! fewest edits. `docs/fuzzing.md` tells how to run a target for hours and add to the corpus.

pub mod corpus;
pub mod fixtures;
pub mod mutate;
pub mod runner;
pub mod seeds;
pub mod target;
pub mod targets;
