//! The fast path of canonicalisation: canonical N-Quads straight from the JSON tree, for
//! documents written in the bundled contexts.
//!
//! The general path (`ssi`'s expansion, then Sigil's labelling) is correct for every document
//! but does the same work again for each one: it processes the contexts' term definitions,
//! builds the expanded document and converts it to an RDF dataset. Almost every credential Sigil signs or verifies is the same shape:
//! its contexts are bundled, its nodes are plain JSON objects, and its blank nodes (the
//! credential, its subject, a degree, a proof) each say something different. For those this
//! path
//!
//! - processes each context once per process ([`context`]): term definitions are looked up in
//!   tables, and the contexts scoped to types and properties are cached by where they occur;
//! - walks the JSON once, writing each node's quads as it goes ([`to_rdf`]);
//! - hands the dataset to Sigil's RDFC-1.0 (`jsonld::rdfc`), which labels most credentials'
//!   blank nodes from their first-degree hashes alone.
//!
//! It answers `None` — and the general path runs — for anything outside that: a context
//! that is not a bundled URL, a keyword or container it does not handle, a number that is not
//! an integer, a string with control characters, an IRI whose reading is not certain. A
//! differential test (`tests`) holds the two paths to the same dataset, so the same bytes,
//! on every fixture and on generated credentials and presentations, so the fast path is an
//! optimisation, never a second meaning: a signature made on one path verifies on the
//! other, and in any other JSON-LD processor.

mod context;
#[cfg(test)]
mod tests;
mod to_rdf;

use serde_json::Value;

/// Canonical N-Quads of `document` (one line per quad, each ending in a line feed, in
/// canonical order), or `None` when the document needs the general path.
pub(super) fn canonicalize(document: &Value) -> Option<Vec<String>> {
    super::rdfc::nquads(to_rdf::dataset(document.as_object()?)?)
}
