//! An RDF dataset as Sigil canonicalises it: nodes, literals and quads, with blank nodes
//! numbered. The fast path writes one straight from the JSON tree; the general path reads one
//! from the quads `ssi`'s expansion gives.

use std::collections::HashMap;
use std::sync::Arc;

use rdf_types::{Id, LexicalQuad, LiteralType, Term};

pub(crate) const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
pub(crate) const RDF_LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
pub(crate) const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";

/// A node: an IRI, or a blank node numbered in the order the walk met it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Node {
    Iri(Arc<str>),
    Blank(usize),
}

/// A literal: its lexical form, its datatype IRI and, for `rdf:langString`, its language.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Literal {
    pub value: String,
    pub datatype: Arc<str>,
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Object {
    Node(Node),
    Literal(Literal),
}

/// One quad; `graph` is `None` in the default graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Quad {
    pub subject: Node,
    pub predicate: Arc<str>,
    pub object: Object,
    pub graph: Option<Node>,
}

/// A document's RDF dataset.
#[derive(Debug, Default)]
pub(crate) struct Dataset {
    pub quads: Vec<Quad>,
    /// How many blank nodes were numbered (some may appear in no quad).
    pub blank_nodes: usize,
}

impl Dataset {
    /// The dataset of `quads` as `ssi` writes them, its blank nodes numbered in the order met.
    pub(crate) fn from_lexical<'q>(quads: &'q [LexicalQuad]) -> Self {
        let mut blanks: HashMap<&'q str, usize> = HashMap::new();
        let mut node = |id: &'q Id| match id {
            Id::Iri(iri) => Node::Iri(iri.as_str().into()),
            Id::Blank(blank) => {
                let next = blanks.len();
                Node::Blank(*blanks.entry(blank.as_str()).or_insert(next))
            }
        };
        let quads = quads
            .iter()
            .map(|quad| Quad {
                subject: node(&quad.0),
                predicate: quad.1.as_str().into(),
                object: match &quad.2 {
                    Term::Id(id) => Object::Node(node(id)),
                    Term::Literal(literal) => Object::Literal(match &literal.type_ {
                        LiteralType::Any(datatype) => Literal {
                            value: literal.value.clone(),
                            datatype: datatype.as_str().into(),
                            language: None,
                        },
                        LiteralType::LangString(language) => Literal {
                            value: literal.value.clone(),
                            datatype: RDF_LANG_STRING.into(),
                            language: Some(language.as_str().to_owned()),
                        },
                    }),
                },
                graph: quad.3.as_ref().map(&mut node),
            })
            .collect();
        Self {
            quads,
            blank_nodes: blanks.len(),
        }
    }
}
