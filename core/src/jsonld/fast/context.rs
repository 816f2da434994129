//! Active contexts built from the bundled context documents, each processed once per process.
//!
//! This is JSON-LD 1.1 Context Processing (§4.1) and Create Term Definition (§4.2) for the
//! features the bundled contexts use: `@version`, `@protected`, `@vocab`, `@propagate`, term
//! definitions with `@id`, `@type` and `@container` (`@set` or `@graph`), and scoped contexts
//! (`@context` in a term definition). Anything else — `@base`, `@import`, `@language`,
//! `@reverse`, other containers, inline contexts in a document — answers `None`, and the
//! document goes to the general path.
//!
//! Every result is cached: the key is the context it was processed in (by id), the local
//! context (a list of bundled URLs, or the address of a scoped context inside a bundled
//! document, which lives as long as the process) and the two flags that change the result.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, RwLock};

use serde_json::{Map, Value};

use crate::contexts;

/// Bundled context documents, parsed once. Scoped contexts are borrowed from these values,
/// so their addresses are stable for the life of the process.
static DOCUMENTS: LazyLock<HashMap<&'static str, Value>> = LazyLock::new(|| {
    contexts::BUNDLED
        .iter()
        .filter_map(|bundled| {
            let document: Value = serde_json::from_str(bundled.document).ok()?;
            Some((bundled.url, document.get("@context")?.clone()))
        })
        .collect()
});

/// What a term expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Mapping {
    /// A keyword alias, such as `"id": "@id"`.
    Keyword(&'static str),
    /// An absolute IRI.
    Iri(Arc<str>),
}

/// A term definition's `@type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TypeMapping {
    /// `@id`: string values are IRIs, resolved as identifiers.
    Id,
    /// `@vocab`: string values are IRIs, resolved as terms first.
    Vocab,
    /// `@json`: values are JSON literals.
    Json,
    /// `@none`: no coercion.
    None,
    /// A datatype IRI for string values.
    Datatype(Arc<str>),
}

/// The containers the fast path handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Container {
    /// None, or `@set` (which changes nothing in RDF).
    Plain,
    /// `@graph`: each value is a node in a named graph of its own.
    Graph,
}

/// One term definition.
#[derive(Debug, Clone)]
pub(super) struct TermDefinition {
    pub mapping: Mapping,
    pub type_mapping: Option<TypeMapping>,
    pub container: Container,
    /// A scoped context, inside a bundled context document.
    pub scoped: Option<&'static Value>,
    /// Usable as the prefix of a compact IRI.
    pub prefix: bool,
    pub protected: bool,
}

impl TermDefinition {
    /// Equal but for `@protected`: a protected term may be defined again only this way.
    fn same_as(&self, other: &TermDefinition) -> bool {
        self.mapping == other.mapping
            && self.type_mapping == other.type_mapping
            && self.container == other.container
            && self.scoped == other.scoped
            && self.prefix == other.prefix
    }
}

/// An active context.
#[derive(Debug)]
pub(super) struct ActiveContext {
    /// Identifies this context in the cache of processed contexts.
    id: u64,
    terms: HashMap<&'static str, Arc<TermDefinition>>,
    vocab: Option<Arc<str>>,
    /// The context before a type-scoped context, restored on entering another node.
    pub previous: Option<Arc<ActiveContext>>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl ActiveContext {
    pub fn term(&self, term: &str) -> Option<&TermDefinition> {
        self.terms.get(term).map(Arc::as_ref)
    }
}

/// The empty active context, where every document starts.
pub(super) fn empty() -> Arc<ActiveContext> {
    static EMPTY: LazyLock<Arc<ActiveContext>> = LazyLock::new(|| {
        Arc::new(ActiveContext {
            id: 0,
            terms: HashMap::new(),
            vocab: None,
            previous: None,
        })
    });
    EMPTY.clone()
}

/// What a string expands to, when the fast path covers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Expanded {
    Keyword(&'static str),
    /// An absolute IRI.
    Iri(Arc<str>),
}

/// The keywords the fast path can meet; any other `@`-string is not covered.
const KEYWORDS: &[&str] = &[
    "@context",
    "@id",
    "@type",
    "@value",
    "@language",
    "@direction",
    "@graph",
    "@included",
    "@index",
    "@json",
    "@list",
    "@nest",
    "@none",
    "@reverse",
    "@set",
    "@vocab",
    "@base",
    "@version",
    "@protected",
    "@propagate",
    "@import",
    "@prefix",
];

fn keyword(value: &str) -> Option<&'static str> {
    KEYWORDS.iter().copied().find(|keyword| *keyword == value)
}

/// IRI expansion (JSON-LD 1.1 §5.2) in a processed context, with no base IRI: `None` when
/// `value` does not expand to a keyword or an absolute IRI (a relative IRI, a blank node
/// identifier, a term mapped to `null`), which the fast path leaves to the general one.
pub(super) fn expand_iri(active: &ActiveContext, value: &str, vocab: bool) -> Option<Expanded> {
    if value.starts_with('@') {
        return keyword(value).map(Expanded::Keyword);
    }
    if let Some(definition) = active.terms.get(value) {
        match &definition.mapping {
            Mapping::Keyword(keyword) => return Some(Expanded::Keyword(keyword)),
            Mapping::Iri(iri) if vocab => return Some(Expanded::Iri(iri.clone())),
            Mapping::Iri(_) => {}
        }
    }
    if let Some((prefix, suffix)) = value.split_once(':').filter(|(prefix, _)| !prefix.is_empty()) {
        if prefix == "_" {
            return None;
        }
        if !suffix.starts_with("//") {
            if let Some(definition) = active.terms.get(prefix).filter(|definition| definition.prefix) {
                if let Mapping::Iri(iri) = &definition.mapping {
                    return absolute_iri(format!("{iri}{suffix}"));
                }
            }
        }
        return absolute_iri(value.to_owned());
    }
    match &active.vocab {
        Some(base) if vocab => absolute_iri(format!("{base}{value}")),
        _ => None,
    }
}

fn absolute_iri(iri: String) -> Option<Expanded> {
    is_absolute_iri(&iri).then(|| Expanded::Iri(iri.into()))
}

/// Whether `text` is certainly an absolute IRI (RFC 3987) that every JSON-LD processor reads
/// the same way. Conservative: characters that are legal only in some parts of an IRI
/// (`[`, `]`), a second `#`, malformed percent-escapes, and ports that are not digits are
/// refused, so that such documents take the general path and get its answer.
pub(super) fn is_absolute_iri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    if !scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return false;
    }
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '-' | '.'
                    | '_'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | ':'
                    | '@'
                    | '/'
                    | '?'
                    | '#'
                    | '%'
            )
            || (u32::from(c) >= 0xA0 && !(0xD800..=0xF8FF).contains(&u32::from(c)) && u32::from(c) < 0xFFF0)
    };
    if !rest.chars().all(allowed) || text.matches('#').count() > 1 {
        return false;
    }
    let bytes = text.as_bytes();
    let percent_ok = bytes.iter().enumerate().all(|(i, byte)| {
        *byte != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !percent_ok {
        return false;
    }
    match rest.strip_prefix("//") {
        None => true,
        Some(hierarchical) => {
            let authority = hierarchical.split(['/', '?', '#']).next().unwrap_or_default();
            let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
            match host_port.split_once(':') {
                None => true,
                Some((_, port)) => port.chars().all(|c| c.is_ascii_digit()),
            }
        }
    }
}

/// Cache of processed contexts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    parent: u64,
    local: Local,
    override_protected: bool,
    propagate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Local {
    /// A `@context` of bundled URLs, one per line.
    Urls(String),
    /// A scoped context, by its address in [`DOCUMENTS`].
    Scoped(usize),
}

/// More distinct processings than real documents produce (a few lists of bundled URLs, each
/// with a dozen scoped contexts); past it, new combinations — a stranger sending permutations
/// of URLs, say — take the general path rather than grow the cache. An entry is a term table
/// of a few hundred definitions, so this bounds the cache at tens of megabytes.
const MAX_CACHED: usize = 1_024;
/// Longer `@context` lists are left to the general path.
const MAX_URLS: usize = 16;

static CACHE: LazyLock<RwLock<HashMap<Key, Arc<ActiveContext>>>> = LazyLock::new(RwLock::default);

fn cached(key: Key, process: impl FnOnce() -> Option<ActiveContext>) -> Option<Arc<ActiveContext>> {
    if let Some(hit) = CACHE.read().ok()?.get(&key) {
        return Some(hit.clone());
    }
    let processed = Arc::new(process()?);
    let mut cache = CACHE.write().ok()?;
    if cache.len() >= MAX_CACHED {
        return None;
    }
    Some(cache.entry(key).or_insert(processed).clone())
}

/// `active` with a document's `@context` applied: a bundled URL or a list of them.
pub(super) fn with_urls(active: &Arc<ActiveContext>, local: &Value) -> Option<Arc<ActiveContext>> {
    let urls: Vec<&str> = match local {
        Value::String(url) => vec![url.as_str()],
        Value::Array(entries) if entries.len() <= MAX_URLS => {
            entries.iter().map(Value::as_str).collect::<Option<_>>()?
        }
        _ => return None,
    };
    let key = Key {
        parent: active.id,
        local: Local::Urls(urls.join("\n")),
        override_protected: false,
        propagate: true,
    };
    cached(key, || {
        let mut result = derive(active, true);
        for url in urls {
            apply(&mut result, DOCUMENTS.get(url)?, false, 0)?;
        }
        Some(result)
    })
}

/// `active` with a scoped context applied: a property-scoped one (`override_protected`, and
/// propagated) or a type-scoped one (not propagated unless it says so).
pub(super) fn with_scoped(
    active: &Arc<ActiveContext>,
    scoped: &'static Value,
    override_protected: bool,
    propagate: bool,
) -> Option<Arc<ActiveContext>> {
    let key = Key {
        parent: active.id,
        local: Local::Scoped(std::ptr::from_ref(scoped) as usize),
        override_protected,
        propagate,
    };
    cached(key, || {
        let propagate = match scoped.get("@propagate") {
            Some(Value::Bool(propagate)) => *propagate,
            Some(_) => return None,
            None => propagate,
        };
        let mut result = derive(active, propagate);
        if scoped.is_null() {
            // Step 5.1: `null` starts again from the empty context (the credentials in a
            // presentation are read this way); only an overriding context may drop
            // protected terms.
            if !propagate || (!override_protected && result.terms.values().any(|term| term.protected)) {
                return None;
            }
            result.terms.clear();
            result.vocab = None;
            result.previous = None;
            return Some(result);
        }
        apply(&mut result, scoped, override_protected, 0)?;
        Some(result)
    })
}

/// Context Processing steps 1–3: a copy of `active`, remembering it when the new context
/// does not propagate.
fn derive(active: &Arc<ActiveContext>, propagate: bool) -> ActiveContext {
    ActiveContext {
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        terms: active.terms.clone(),
        vocab: active.vocab.clone(),
        previous: match &active.previous {
            None if !propagate => Some(active.clone()),
            previous => previous.clone(),
        },
    }
}

/// Bundled contexts load no others more deeply than this.
const MAX_REMOTE_DEPTH: usize = 4;

/// Context Processing step 5 for one local context (a URL, or a map of definitions).
fn apply(
    result: &mut ActiveContext,
    local: &'static Value,
    override_protected: bool,
    depth: usize,
) -> Option<()> {
    match local {
        Value::Array(entries) => entries
            .iter()
            .try_for_each(|entry| apply(result, entry, override_protected, depth)),
        Value::String(url) if depth < MAX_REMOTE_DEPTH => {
            apply(result, DOCUMENTS.get(url.as_str())?, false, depth + 1)
        }
        Value::Object(definitions) => apply_definitions(result, definitions, override_protected),
        _ => None,
    }
}

fn apply_definitions(
    result: &mut ActiveContext,
    definitions: &'static Map<String, Value>,
    override_protected: bool,
) -> Option<()> {
    for (key, value) in definitions {
        match (key.as_str(), value) {
            ("@version", Value::Number(_)) | ("@protected" | "@propagate", Value::Bool(_)) => {}
            ("@vocab", Value::Null) => result.vocab = None,
            ("@vocab", Value::String(vocab)) => match expand_iri(result, vocab, true)? {
                Expanded::Iri(iri) => result.vocab = Some(iri),
                Expanded::Keyword(_) => return None,
            },
            (key, _) if key.starts_with('@') => return None,
            _ => {}
        }
    }
    let protected = definitions
        .get("@protected")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut defining = Defining {
        definitions,
        defined: HashMap::new(),
        protected,
        override_protected,
    };
    definitions
        .keys()
        .filter(|term| !term.starts_with('@'))
        .try_for_each(|term| defining.define(result, term))
}

/// The state of Create Term Definition over one map of definitions.
struct Defining {
    definitions: &'static Map<String, Value>,
    /// `true` once a term is defined, `false` while it is being defined (to catch cycles).
    defined: HashMap<&'static str, bool>,
    /// The map's `@protected`.
    protected: bool,
    override_protected: bool,
}

impl Defining {
    /// Defines `term` in `result` if this map defines it and it is not defined yet.
    fn dependency(&mut self, result: &mut ActiveContext, term: &str) -> Option<()> {
        match self.definitions.get_key_value(term) {
            Some((term, _)) if !self.defined.contains_key(term.as_str()) => self.define(result, term),
            Some((term, _)) if self.defined.get(term.as_str()) == Some(&false) => None,
            _ => Some(()),
        }
    }

    /// IRI expansion during definition: terms of this map the value depends on come first.
    fn expand(&mut self, result: &mut ActiveContext, value: &str) -> Option<Expanded> {
        if !value.starts_with('@') {
            self.dependency(result, value)?;
            if let Some((prefix, _)) = value.split_once(':') {
                self.dependency(result, prefix)?;
            }
        }
        expand_iri(result, value, true)
    }

    /// Create Term Definition (JSON-LD 1.1 §4.2) for the features the fast path covers.
    fn define(&mut self, result: &mut ActiveContext, term: &'static str) -> Option<()> {
        match self.defined.get(term) {
            Some(true) => return Some(()),
            Some(false) => return None,
            None => {}
        }
        self.defined.insert(term, false);
        let value = self.definitions.get(term)?;
        let previous = result.terms.remove(term);
        let (id, simple, definition) = match value {
            Value::String(id) => (Some(id.as_str()), true, None),
            Value::Object(definition) => {
                if definition.keys().any(|key| {
                    !matches!(
                        key.as_str(),
                        "@id" | "@type" | "@container" | "@context" | "@protected"
                    )
                }) {
                    return None;
                }
                let id = match definition.get("@id") {
                    None => None,
                    Some(Value::String(id)) => Some(id.as_str()),
                    Some(_) => return None,
                };
                (id, false, Some(definition))
            }
            _ => return None,
        };
        let protected = match definition.and_then(|definition| definition.get("@protected")) {
            None => self.protected,
            Some(Value::Bool(protected)) => *protected,
            Some(_) => return None,
        };
        let type_mapping = match definition.and_then(|definition| definition.get("@type")) {
            None => None,
            Some(Value::String(type_)) => Some(match self.expand(result, type_)? {
                Expanded::Keyword("@id") => TypeMapping::Id,
                Expanded::Keyword("@vocab") => TypeMapping::Vocab,
                Expanded::Keyword("@json") => TypeMapping::Json,
                Expanded::Keyword("@none") => TypeMapping::None,
                Expanded::Keyword(_) => return None,
                Expanded::Iri(iri) => TypeMapping::Datatype(iri),
            }),
            Some(_) => return None,
        };
        let container = match definition.and_then(|definition| definition.get("@container")) {
            None => Container::Plain,
            Some(Value::String(container)) if container == "@set" => Container::Plain,
            Some(Value::String(container)) if container == "@graph" => Container::Graph,
            Some(_) => return None,
        };
        let scoped = definition.and_then(|definition| definition.get("@context"));
        let is_compact_or_iri = term.get(1..).is_some_and(|rest| rest.contains(':')) || term.contains('/');
        let mapping = match id.filter(|id| *id != term) {
            Some(_) if is_compact_or_iri => return None,
            Some(id) => match self.expand(result, id)? {
                Expanded::Keyword("@context") => return None,
                Expanded::Keyword(keyword) => Mapping::Keyword(keyword),
                Expanded::Iri(iri) => Mapping::Iri(iri),
            },
            None => match term.split_once(':') {
                Some((prefix, suffix)) if !prefix.is_empty() => {
                    self.dependency(result, prefix)?;
                    match result.terms.get(prefix).map(|definition| &definition.mapping) {
                        Some(Mapping::Iri(iri)) => Mapping::Iri(format!("{iri}{suffix}").into()),
                        _ if is_absolute_iri(term) => Mapping::Iri(term.into()),
                        _ => return None,
                    }
                }
                _ if term.contains('/') => return None,
                _ => Mapping::Iri(format!("{}{term}", result.vocab.as_deref()?).into()),
            },
        };
        let prefix = simple
            && !is_compact_or_iri
            && matches!(&mapping, Mapping::Iri(iri) if iri.ends_with([':', '/', '?', '#', '[', ']', '@']));
        let mut new = TermDefinition {
            mapping,
            type_mapping,
            container,
            scoped,
            prefix,
            protected,
        };
        if let Some(previous) = previous.filter(|previous| previous.protected && !self.override_protected) {
            if !previous.same_as(&new) {
                return None;
            }
            new = (*previous).clone();
        }
        result.terms.insert(term, Arc::new(new));
        self.defined.insert(term, true);
        Some(())
    }
}
