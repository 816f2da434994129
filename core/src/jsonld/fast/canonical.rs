//! RDF Dataset Canonicalization (RDFC-1.0) for datasets whose blank nodes each have a
//! first-degree hash of their own, and the canonical N-Quads they are written in.
//!
//! RDFC-1.0 labels blank nodes by hashing, for each one, the quads that mention it (itself
//! written `_:a`, every other blank node `_:z`: §4.6); nodes whose hash is unique get
//! `c14n0`, `c14n1`, … in the order of their hashes (§4.4.3 step 5). Only when two blank
//! nodes share a hash does the algorithm go further (Hash N-Degree Quads), which needs the
//! paths between them. A credential's blank nodes — the credential, its subject, a degree, a
//! proof and the graph holding it — almost always differ in what they say, so this covers
//! them; datasets with shared hashes answer `None` and go to the general path. (That path's
//! `ssi` 0.16 and Digital Bazaar's `rdf-canonize` label some such datasets differently — three
//! credential subjects alike, two of them with degrees alike, is one — so Sigil's answer for
//! them stays `ssi`'s until that is settled.)

use std::collections::HashMap;
use std::fmt::Write as _;

use sha2::{Digest as _, Sha256};

use super::to_rdf::{Dataset, Literal, Node, Object, Quad, RDF_LANG_STRING, XSD_STRING};

/// The canonical N-Quads of `dataset`, one line per quad (each ending in a line feed), in
/// code point order, or `None` when labelling its blank nodes needs Hash N-Degree Quads.
///
/// A dataset with the same quad twice (a type listed twice, say) also answers `None`: RDF
/// makes it one quad, but implementations differ on whether the copy counts in the
/// first-degree hashes, so the general path keeps the answer Sigil has always given.
pub(super) fn nquads(mut dataset: Dataset) -> Option<Vec<String>> {
    dataset.quads.sort_unstable();
    let written = dataset.quads.len();
    dataset.quads.dedup();
    if dataset.quads.len() != written {
        return None;
    }
    let labels = canonical_labels(&dataset)?;
    let mut lines: Vec<String> = dataset
        .quads
        .iter()
        .map(|quad| line(quad, |blank| labels.get(&blank).map_or("", String::as_str)))
        .collect();
    lines.sort_unstable();
    Some(lines)
}

/// `c14nN` for every blank node that appears in a quad.
fn canonical_labels(dataset: &Dataset) -> Option<HashMap<usize, String>> {
    if dataset.blank_nodes == 0 {
        return Some(HashMap::new());
    }
    let mut mentions: Vec<Vec<&Quad>> = vec![Vec::new(); dataset.blank_nodes];
    for quad in &dataset.quads {
        let mut blanks = blank_nodes(quad);
        blanks.sort_unstable();
        blanks.dedup();
        for blank in blanks {
            mentions.get_mut(blank)?.push(quad);
        }
    }
    let mut hashes: Vec<(String, usize)> = mentions
        .iter()
        .enumerate()
        .filter(|(_, quads)| !quads.is_empty())
        .map(|(blank, quads)| (first_degree_hash(blank, quads), blank))
        .collect();
    hashes.sort_unstable();
    if hashes.windows(2).any(|pair| matches!(pair, [a, b] if a.0 == b.0)) {
        return None;
    }
    Some(
        hashes
            .into_iter()
            .enumerate()
            .map(|(index, (_, blank))| (blank, format!("c14n{index}")))
            .collect(),
    )
}

fn blank_nodes(quad: &Quad) -> Vec<usize> {
    let object = match &quad.object {
        Object::Node(node) => Some(node),
        Object::Literal(_) => None,
    };
    [Some(&quad.subject), object, quad.graph.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|node| match node {
            Node::Blank(blank) => Some(*blank),
            Node::Iri(_) => None,
        })
        .collect()
}

/// Hash First Degree Quads (RDFC-1.0 §4.6.3).
fn first_degree_hash(reference: usize, quads: &[&Quad]) -> String {
    let mut lines: Vec<String> = quads
        .iter()
        .map(|quad| line(quad, |blank| if blank == reference { "a" } else { "z" }))
        .collect();
    lines.sort_unstable();
    let mut hasher = Sha256::new();
    for line in &lines {
        hasher.update(line.as_bytes());
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// One quad in canonical N-Quads, blank nodes labelled by `label`.
fn line<'a>(quad: &Quad, label: impl Fn(usize) -> &'a str) -> String {
    let mut out = String::with_capacity(160);
    node(&mut out, &quad.subject, &label);
    out.push_str(" <");
    out.push_str(&quad.predicate);
    out.push_str("> ");
    match &quad.object {
        Object::Node(object) => node(&mut out, object, &label),
        Object::Literal(literal) => write_literal(&mut out, literal),
    }
    if let Some(graph) = &quad.graph {
        out.push(' ');
        node(&mut out, graph, &label);
    }
    out.push_str(" .\n");
    out
}

fn node<'a>(out: &mut String, node: &Node, label: &impl Fn(usize) -> &'a str) {
    match node {
        Node::Iri(iri) => {
            out.push('<');
            out.push_str(iri);
            out.push('>');
        }
        Node::Blank(blank) => {
            out.push_str("_:");
            out.push_str(label(*blank));
        }
    }
}

fn write_literal(out: &mut String, literal: &Literal) {
    out.push('"');
    for c in literal.value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    match &literal.language {
        Some(language) if &*literal.datatype == RDF_LANG_STRING => {
            out.push('@');
            out.push_str(language);
        }
        _ if &*literal.datatype == XSD_STRING => {}
        _ => {
            out.push_str("^^<");
            out.push_str(&literal.datatype);
            out.push('>');
        }
    }
}
