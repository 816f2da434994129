//! JSON-LD expansion and RDF conversion in one walk over the JSON tree: each node's triples are
//! written as soon as its properties are read, with no expanded document in between.
//!
//! The walk follows the Expansion Algorithm (JSON-LD 1.1 API §5.1.2) step for step where the
//! result depends on it — the context a node is read in (the previous context restored on
//! entering a node, property-scoped, embedded and type-scoped contexts, in that order), how
//! keys and values expand, which values are dropped — and Deserialize JSON-LD to RDF (§8.2)
//! for what each value becomes. It covers node objects, value objects with `@value`, `@type`
//! and `@language`, strings, booleans, integers, `@id`/`@vocab`-typed values, datatypes and
//! `@graph` containers. For anything else it answers `None`.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::context::{self, ActiveContext, Container, Expanded, TermDefinition, TypeMapping};
use crate::jsonld::dataset::{Dataset, Literal, Node, Object, Quad, RDF_LANG_STRING, RDF_TYPE, XSD_STRING};

const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// Nesting deeper than this is left to the general path.
const MAX_DEPTH: usize = 64;

/// The RDF dataset of a JSON-LD document (a node object at the top), or `None` when the
/// document uses something the fast path does not cover.
pub(super) fn dataset(document: &Map<String, Value>) -> Option<Dataset> {
    let mut walk = Walk::default();
    walk.node(document, &context::empty(), None, &None, 0)?;
    Some(walk.dataset)
}

#[derive(Default)]
struct Walk {
    dataset: Dataset,
}

impl Walk {
    fn blank(&mut self) -> Node {
        self.dataset.blank_nodes += 1;
        Node::Blank(self.dataset.blank_nodes - 1)
    }

    fn push(&mut self, subject: &Node, predicate: Arc<str>, object: Object, graph: &Option<Node>) {
        self.dataset.quads.push(Quad {
            subject: subject.clone(),
            predicate,
            object,
            graph: graph.clone(),
        });
    }

    /// Expands a node object and writes its triples into `graph`; returns the node.
    /// `property` is the term whose value this node is (its scoped context applies).
    fn node(
        &mut self,
        element: &Map<String, Value>,
        active: &Arc<ActiveContext>,
        property: Option<&TermDefinition>,
        graph: &Option<Node>,
        depth: usize,
    ) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        // Step 7: a type-scoped context does not reach into other nodes.
        let mut active = active.clone();
        if let Some(previous) = &active.previous {
            let only_id = element.len() == 1
                && element
                    .keys()
                    .all(|key| context::expand_iri(&active, key, true) == Some(Expanded::Keyword("@id")));
            if !only_id {
                active = previous.clone();
            }
        }
        // Step 8: the property-scoped context.
        if let Some(scoped) = property.and_then(|definition| definition.scoped) {
            active = context::with_scoped(&active, scoped, true, true)?;
        }
        // Step 9: an embedded context.
        if let Some(local) = element.get("@context") {
            active = context::with_urls(&active, local)?;
        }
        // Steps 10–11: type-scoped contexts, in the lexical order of the types.
        let type_scoped = active.clone();
        let mut type_keys = element
            .keys()
            .filter(|key| context::expand_iri(&type_scoped, key, true) == Some(Expanded::Keyword("@type")));
        let types: Vec<&str> = match (type_keys.next(), type_keys.next()) {
            (None, _) => vec![],
            (Some(key), None) => match element.get(key)? {
                Value::String(type_) => vec![type_.as_str()],
                Value::Array(types) => types.iter().map(Value::as_str).collect::<Option<_>>()?,
                _ => return None,
            },
            (Some(_), Some(_)) => return None,
        };
        let mut sorted = types.clone();
        sorted.sort_unstable();
        for type_ in sorted {
            if let Some(scoped) = type_scoped.term(type_).and_then(|definition| definition.scoped) {
                active = context::with_scoped(&active, scoped, false, false)?;
            }
        }

        let mut subject = None;
        let mut properties = Vec::with_capacity(element.len());
        for (key, value) in element {
            if key == "@context" {
                continue;
            }
            match context::expand_iri(&active, key, true)? {
                Expanded::Keyword("@id") => match value {
                    Value::String(id) if subject.is_none() => {
                        match context::expand_iri(&active, id, false)? {
                            Expanded::Iri(iri) => subject = Some(Node::Iri(iri)),
                            Expanded::Keyword(_) => return None,
                        }
                    }
                    _ => return None,
                },
                Expanded::Keyword("@type") => {}
                Expanded::Keyword(_) => return None,
                Expanded::Iri(predicate) => properties.push((key, predicate, value)),
            }
        }
        let subject = match subject {
            Some(subject) => subject,
            None => self.blank(),
        };
        for type_ in types {
            match context::expand_iri(&type_scoped, type_, true)? {
                Expanded::Iri(iri) => {
                    self.push(&subject, RDF_TYPE.into(), Object::Node(Node::Iri(iri)), graph);
                }
                Expanded::Keyword(_) => return None,
            }
        }
        for (key, predicate, value) in properties {
            let definition = active.term(key);
            self.property(&subject, &predicate, definition, value, &active, graph, depth)?;
        }
        Some(subject)
    }

    /// Writes the triples of one property's value (one value or an array of them).
    #[allow(clippy::too_many_arguments, reason = "the walk's state at one property")]
    fn property(
        &mut self,
        subject: &Node,
        predicate: &Arc<str>,
        definition: Option<&TermDefinition>,
        value: &Value,
        active: &Arc<ActiveContext>,
        graph: &Option<Node>,
        depth: usize,
    ) -> Option<()> {
        if let Some(TypeMapping::Json) = definition.and_then(|definition| definition.type_mapping.as_ref()) {
            return None;
        }
        let container = definition.map_or(Container::Plain, |definition| definition.container);
        let values = match value {
            Value::Array(values) => values.as_slice(),
            single => std::slice::from_ref(single),
        };
        for value in values {
            let object = match (value, container) {
                (Value::Object(element), _) if element.contains_key("@value") => {
                    if container == Container::Graph
                        || definition.is_some_and(|definition| definition.scoped.is_some())
                    {
                        return None;
                    }
                    Object::Literal(value_object(element, active)?)
                }
                (Value::Object(element), Container::Graph) => {
                    let name = self.blank();
                    self.node(element, active, definition, &Some(name.clone()), depth + 1)?;
                    Object::Node(name)
                }
                (Value::Object(element), Container::Plain) => {
                    Object::Node(self.node(element, active, definition, graph, depth + 1)?)
                }
                (Value::Array(_) | Value::Null, _) | (_, Container::Graph) => return None,
                (scalar, Container::Plain) => self.scalar(scalar, definition, active)?,
            };
            self.push(subject, predicate.clone(), object, graph);
        }
        Some(())
    }

    /// Value Expansion (§5.3.2) of a string, number or boolean, then its RDF term.
    fn scalar(
        &mut self,
        value: &Value,
        definition: Option<&TermDefinition>,
        active: &Arc<ActiveContext>,
    ) -> Option<Object> {
        let active = match definition.and_then(|definition| definition.scoped) {
            Some(scoped) => context::with_scoped(active, scoped, true, true)?,
            None => active.clone(),
        };
        let type_mapping = definition.and_then(|definition| definition.type_mapping.as_ref());
        let literal = |value: String, datatype: &str| {
            Some(Object::Literal(Literal {
                value,
                datatype: datatype.into(),
                language: None,
            }))
        };
        match (value, type_mapping) {
            (Value::String(text), Some(TypeMapping::Id | TypeMapping::Vocab)) => {
                let vocab = type_mapping == Some(&TypeMapping::Vocab);
                match context::expand_iri(&active, text, vocab)? {
                    Expanded::Iri(iri) => Some(Object::Node(Node::Iri(iri))),
                    Expanded::Keyword(_) => None,
                }
            }
            (Value::String(text), Some(TypeMapping::Datatype(datatype))) => literal(lexical(text)?, datatype),
            (Value::String(text), None | Some(TypeMapping::None)) => literal(lexical(text)?, XSD_STRING),
            // A number or boolean under a datatype: the specification gives it the term's
            // datatype, `ssi` its own; left to the general path.
            (Value::Bool(_) | Value::Number(_), Some(TypeMapping::Datatype(_))) => None,
            (Value::Bool(flag), _) => literal(flag.to_string(), XSD_BOOLEAN),
            (Value::Number(number), _) => literal(integer(number)?, XSD_INTEGER),
            _ => None,
        }
    }
}

/// A value object's literal: `@value` with `@type` (a datatype IRI) or `@language`.
fn value_object(element: &Map<String, Value>, active: &ActiveContext) -> Option<Literal> {
    let mut value = None;
    let mut datatype = None;
    let mut language = None;
    for (key, entry) in element {
        match context::expand_iri(active, key, true)? {
            Expanded::Keyword("@value") => value = Some(entry),
            Expanded::Keyword("@type") => match context::expand_iri(active, entry.as_str()?, true)? {
                Expanded::Iri(iri) => datatype = Some(iri),
                Expanded::Keyword(_) => return None,
            },
            Expanded::Keyword("@language") => language = Some(entry.as_str()?),
            _ => return None,
        }
    }
    let value = value?;
    match (value, datatype, language) {
        (_, Some(_), Some(_)) => None,
        (Value::String(text), None, Some(language)) => {
            let well_formed = !language.is_empty()
                && language.split('-').all(|part| {
                    !part.is_empty()
                        && part.len() <= 8
                        && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                });
            well_formed.then_some(())?;
            Some(Literal {
                value: lexical(text)?,
                datatype: RDF_LANG_STRING.into(),
                language: Some(language.to_owned()),
            })
        }
        (Value::String(text), datatype, None) => Some(Literal {
            value: lexical(text)?,
            datatype: datatype.unwrap_or_else(|| XSD_STRING.into()),
            language: None,
        }),
        (Value::Bool(flag), datatype, None) => Some(Literal {
            value: flag.to_string(),
            datatype: datatype.unwrap_or_else(|| XSD_BOOLEAN.into()),
            language: None,
        }),
        (Value::Number(number), datatype, None) if datatype.as_deref() != Some(XSD_DOUBLE) => Some(Literal {
            value: integer(number)?,
            datatype: datatype.unwrap_or_else(|| XSD_INTEGER.into()),
            language: None,
        }),
        _ => None,
    }
}

/// An integer's lexical form. Other numbers become `xsd:double` in a canonical form that the
/// fast path leaves to the general one.
fn integer(number: &serde_json::Number) -> Option<String> {
    number
        .as_i64()
        .map(|n| n.to_string())
        .or_else(|| number.as_u64().map(|n| n.to_string()))
}

/// A string's lexical form, when its N-Quads escaping is certain: control characters other
/// than line feed and carriage return are left to the general path.
fn lexical(text: &str) -> Option<String> {
    (!text.chars().any(|c| c.is_control() && c != '\n' && c != '\r')).then(|| text.to_owned())
}
