//! RDF Dataset Canonicalization (RDFC-1.0), Sigil's own, for both paths of `jsonld`: the
//! canonical labels of a dataset's blank nodes and the canonical N-Quads they are written in.
//!
//! RDFC-1.0 labels blank nodes by hashing, for each one, the quads that mention it (itself
//! written `_:a`, every other blank node `_:z`: §4.6); nodes whose hash is unique get
//! `c14n0`, `c14n1`, … in the order of their hashes. Nodes that share a hash — the
//! credentials of a presentation of several diplomas alike, say, or their degrees — are told
//! apart by Hash N-Degree Quads (§4.8): the paths from each to the blank nodes around it,
//! the least over the orders those could be labelled in.
//!
//! Why Sigil does this itself rather than through `ssi`: `ssi` 0.16 labels some such
//! datasets otherwise than the specification, Digital Bazaar's `rdf-canonize` and `pyld`
//! (which agree with each other and with this module; `tests` holds their answers). A
//! presentation of three alike diplomas signed by one of those libraries did not verify in
//! Sigil, nor Sigil's in them. `ssi` still expands documents on the general path; the
//! bytes it used to give are kept only to verify what was signed with them
//! (`jsonld::canonicalize_as_ssi_0_16`).
//!
//! The specification asks for a bound on the work, since a dataset of many blank nodes
//! alike makes it factorial ([`WORK_LIMIT`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use sha2::{Digest as _, Sha256};

use super::dataset::{Dataset, Literal, Node, Object, Quad, RDF_LANG_STRING, XSD_STRING};

/// The canonical N-Quads of `dataset`, one line per quad (each ending in a line feed), in
/// code point order, or `None` when labelling its blank nodes would take more than
/// [`WORK_LIMIT`].
///
/// The same quad written twice (a type listed twice, say) counts once: a dataset is a set.
pub(crate) fn nquads(mut dataset: Dataset) -> Option<Vec<String>> {
    dataset.quads.sort_unstable();
    dataset.quads.dedup();
    let labels = canonical_labels(&dataset)?;
    let mut lines: Vec<String> = dataset
        .quads
        .iter()
        .map(|quad| line(quad, |blank| labels.get(&blank).map_or("", String::as_str)))
        .collect();
    lines.sort_unstable();
    Some(lines)
}

/// `c14nN` for every blank node that appears in a quad (RDFC-1.0 §4.4.3), or `None` when
/// telling alike blank nodes apart would cost more than [`WORK_LIMIT`].
fn canonical_labels(dataset: &Dataset) -> Option<HashMap<usize, String>> {
    if dataset.blank_nodes == 0 {
        return Some(HashMap::new());
    }
    let mut mentions: Vec<Vec<&Quad>> = vec![Vec::new(); dataset.blank_nodes];
    for quad in &dataset.quads {
        let mut blanks: Vec<usize> = positions(quad).map(|(_, blank)| blank).collect();
        blanks.sort_unstable();
        blanks.dedup();
        for blank in blanks {
            mentions.get_mut(blank)?.push(quad);
        }
    }
    let first_degree: Vec<String> = mentions
        .iter()
        .enumerate()
        .map(|(blank, quads)| first_degree_hash(blank, quads))
        .collect();
    let mut alike: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (blank, hash) in first_degree.iter().enumerate() {
        if mentions.get(blank).is_some_and(|quads| !quads.is_empty()) {
            alike.entry(hash).or_default().push(blank);
        }
    }
    let mut labelling = Labelling {
        mentions: &mentions,
        first_degree: &first_degree,
        canonical: Issuer::new("c14n"),
        work_left: WORK_LIMIT,
    };
    // Nodes with a hash of their own are labelled first, in the order of their hashes
    // (§4.4.3 step 5), then each group of alike nodes in the same order (step 6).
    for blanks in alike.values() {
        if let [blank] = blanks.as_slice() {
            labelling.canonical.issue(*blank);
        }
    }
    for blanks in alike.values().filter(|blanks| blanks.len() > 1) {
        let mut paths = Vec::with_capacity(blanks.len());
        for &blank in blanks {
            if labelling.canonical.label(blank).is_some() {
                continue;
            }
            let mut issuer = Issuer::new("b");
            issuer.issue(blank);
            paths.push(labelling.hash_n_degree_quads(blank, issuer)?);
        }
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, issuer) in paths {
            for &blank in &issuer.order {
                labelling.canonical.issue(blank);
            }
        }
    }
    Some(
        labelling
            .canonical
            .order
            .iter()
            .enumerate()
            .map(|(index, &blank)| (blank, format!("c14n{index}")))
            .collect(),
    )
}

/// How many steps (a Hash N-Degree Quads call, or a permutation tried) the labelling of one
/// dataset may take. RDFC-1.0 §4.1 asks implementations to bound this work, since a dataset
/// of many blank nodes all alike (a "poison graph") makes it factorial. Credentials and
/// presentations of alike credentials need a few dozen; past the bound the fast path stands
/// aside.
const WORK_LIMIT: usize = 10_000;

/// Blank node identifiers issued in order (RDFC-1.0 §4.5): `c14n0`, `c14n1`, … for the
/// canonical labels, `b0`, `b1`, … for the temporary ones Hash N-Degree Quads tries.
#[derive(Clone)]
struct Issuer {
    prefix: &'static str,
    order: Vec<usize>,
    issued: HashMap<usize, String>,
}

impl Issuer {
    fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            order: Vec::new(),
            issued: HashMap::new(),
        }
    }

    fn label(&self, blank: usize) -> Option<&str> {
        self.issued.get(&blank).map(String::as_str)
    }

    /// The label of `blank`, issued now if it has none.
    fn issue(&mut self, blank: usize) -> &str {
        let next = self.order.len();
        let prefix = self.prefix;
        let order = &mut self.order;
        self.issued.entry(blank).or_insert_with(|| {
            order.push(blank);
            format!("{prefix}{next}")
        })
    }
}

struct Labelling<'d> {
    mentions: &'d [Vec<&'d Quad>],
    first_degree: &'d [String],
    canonical: Issuer,
    work_left: usize,
}

impl Labelling<'_> {
    /// Hash N-Degree Quads (RDFC-1.0 §4.8.3): a hash of `reference` from the paths to the
    /// blank nodes it is related to, each path chosen as the least over the orders in which
    /// those nodes could be labelled; with the issuer that chose it.
    fn hash_n_degree_quads(&mut self, reference: usize, issuer: Issuer) -> Option<(String, Issuer)> {
        self.work_left = self.work_left.checked_sub(1)?;
        let mut related: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for quad in self.mentions.get(reference)? {
            for (position, blank) in positions(quad) {
                if blank != reference {
                    let hash = self.hash_related_blank_node(blank, quad, &issuer, position);
                    related.entry(hash).or_default().push(blank);
                }
            }
        }
        let mut issuer = issuer;
        let mut hasher = Sha256::new();
        for (hash, blanks) in &related {
            hasher.update(hash.as_bytes());
            let mut chosen: Option<(String, Issuer)> = None;
            for order in permutations(blanks) {
                self.work_left = self.work_left.checked_sub(1)?;
                let beaten = |path: &str, chosen: &Option<(String, Issuer)>| {
                    chosen
                        .as_ref()
                        .is_some_and(|(best, _)| path.len() >= best.len() && path > best.as_str())
                };
                let mut copy = issuer.clone();
                let mut path = String::new();
                let mut recursion = Vec::new();
                let mut skipped = false;
                for blank in order {
                    path.push_str("_:");
                    if let Some(label) = self.canonical.label(blank) {
                        path.push_str(label);
                    } else {
                        if copy.label(blank).is_none() {
                            recursion.push(blank);
                        }
                        path.push_str(copy.issue(blank));
                    }
                    if beaten(&path, &chosen) {
                        skipped = true;
                        break;
                    }
                }
                if skipped {
                    continue;
                }
                for blank in recursion {
                    let (hash, next) = self.hash_n_degree_quads(blank, copy.clone())?;
                    path.push_str("_:");
                    path.push_str(copy.issue(blank));
                    path.push('<');
                    path.push_str(&hash);
                    path.push('>');
                    copy = next;
                    if beaten(&path, &chosen) {
                        skipped = true;
                        break;
                    }
                }
                if !skipped && chosen.as_ref().is_none_or(|(best, _)| path < *best) {
                    chosen = Some((path, copy));
                }
            }
            let (path, chosen_issuer) = chosen?;
            hasher.update(path.as_bytes());
            issuer = chosen_issuer;
        }
        Some((hex(&hasher.finalize()), issuer))
    }

    /// Hash Related Blank Node (RDFC-1.0 §4.7.3): where `related` sits in `quad` (`s`, `o`
    /// or `g`, with the predicate unless in the graph) and what it is called so far.
    fn hash_related_blank_node(
        &self,
        related: usize,
        quad: &Quad,
        issuer: &Issuer,
        position: char,
    ) -> String {
        let mut input = String::from(position);
        if position != 'g' {
            input.push('<');
            input.push_str(&quad.predicate);
            input.push('>');
        }
        match self.canonical.label(related).or_else(|| issuer.label(related)) {
            Some(label) => {
                input.push_str("_:");
                input.push_str(label);
            }
            None => input.push_str(self.first_degree.get(related).map_or("", String::as_str)),
        }
        hex(&Sha256::digest(input.as_bytes()))
    }
}

/// The blank nodes of `quad` with their positions: `s`ubject, `o`bject, `g`raph.
fn positions(quad: &Quad) -> impl Iterator<Item = (char, usize)> + '_ {
    let object = match &quad.object {
        Object::Node(node) => Some(node),
        Object::Literal(_) => None,
    };
    [
        ('s', Some(&quad.subject)),
        ('o', object),
        ('g', quad.graph.as_ref()),
    ]
    .into_iter()
    .filter_map(|(position, node)| match node {
        Some(Node::Blank(blank)) => Some((position, *blank)),
        _ => None,
    })
}

/// Every distinct order of `items`, in lexicographic order, lazily: the caller's work limit
/// stops a factorial list before it is built.
///
/// The specification tries every permutation of the list, in which a node related through
/// several quads alike appears several times (a credential's graph, once for each of its
/// quads). Orders that differ only by swapping equal entries write the same path and issue
/// the same labels, so trying each distinct order once gives the same least path, without
/// the factorial of the repeats (a presentation with the same credential twice needs it).
fn permutations(items: &[usize]) -> impl Iterator<Item = Vec<usize>> {
    let mut next = Some(items.to_vec());
    if let Some(first) = next.as_mut() {
        first.sort_unstable();
    }
    std::iter::from_fn(move || {
        let current = next.take()?;
        let mut following = current.clone();
        if advance(&mut following) {
            next = Some(following);
        }
        Some(current)
    })
}

/// The next permutation in lexicographic order, in place; `false` after the last.
fn advance(order: &mut [usize]) -> bool {
    let Some(pivot) = order.windows(2).rposition(|pair| matches!(pair, [a, b] if a < b)) else {
        return false;
    };
    let Some(&at_pivot) = order.get(pivot) else {
        return false;
    };
    let Some(successor) = order.iter().rposition(|&item| item > at_pivot) else {
        return false;
    };
    order.swap(pivot, successor);
    if let Some(tail) = order.get_mut(pivot + 1..) {
        tail.reverse();
    }
    true
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

#[cfg(test)]
mod tests;
