//! JSON-LD expansion and RDF Dataset Canonicalization (RDFC-1.0), for the `*-rdfc-*`
//! Data Integrity cryptosuites.
//!
//! Two paths give the same bytes. The fast one ([`fast`]) reads documents in the bundled
//! contexts straight from the JSON tree. The general one takes expansion and the RDF
//! dataset from SpruceID's `ssi` (its `json-ld` and `ssi-rdf` crates), the hard, standard
//! parts. Both hand the dataset to Sigil's own RDFC-1.0 ([`rdfc`], which says why it is
//! Sigil's). Around `ssi`'s expansion Sigil adds two things, both for speed:
//!
//! - the document loader serves only bundled contexts, parsed once per process;
//! - the top-level `@context` of a document, when it only names bundled contexts, is
//!   *processed* once per process (JSON-LD 1.1 Processing §4.1) and the resulting active
//!   context is handed to expansion, instead of processing the same contexts again for
//!   every credential and every proof configuration. Expanding `{..document}` from that
//!   active context is what the expansion algorithm does itself on meeting the `@context`
//!   entry (Expansion §13, step 9), so the result is the same, only cheaper.
//!
//! [`compact_form`] holds the other half of reading JSON-LD safely: the rule that a document
//! is accepted only when its JSON says what its meaning says.

pub mod compact_form;
mod dataset;
mod fast;
mod rdfc;
pub(crate) mod vocabulary;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde::Deserialize as _;
use serde_json::Value;
use ssi::json_ld::iref::Iri;
use ssi::json_ld::json_ld::context_processing::{Options as ProcessingOptions, Process as _};
use ssi::json_ld::json_ld::expansion::{Action, Options as ExpansionOptions, Policy};
use ssi::json_ld::json_ld::syntax::TryFromJson as _;
use ssi::json_ld::json_ld::{BlankIdBuf, Context, Expand as _, IriBuf, LoadError, Loader, RemoteDocument};
use ssi::rdf::{AnyLdEnvironment as _, LdEnvironment};

use crate::contexts::{self, UnknownContext};
use dataset::Dataset;

/// Why a document could not be canonicalised.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum JsonLdError {
    /// The document names a context Sigil does not bundle.
    #[error(transparent)]
    UnknownContext(#[from] UnknownContext),
    /// JSON-LD expansion failed (invalid context, undefined term, bad value).
    #[error("JSON-LD expansion failed: {0}")]
    Expansion(String),
    /// The expanded document could not be turned into RDF.
    #[error("could not convert to RDF: {0}")]
    ToRdf(String),
    /// Telling the document's blank nodes apart would take more work than RDFC-1.0's bound
    /// allows (many blank nodes that say the same things).
    #[error("too many blank nodes alike to canonicalise within the work bound")]
    TooManyAlikeBlankNodes,
}

/// Bundled contexts, parsed once into `json-syntax` values.
static LOADED: LazyLock<HashMap<&'static str, json_syntax::Value>> = LazyLock::new(|| {
    contexts::BUNDLED
        .iter()
        .filter_map(|context| {
            let value: Value = serde_json::from_str(context.document).ok()?;
            Some((context.url, json_syntax::Value::deserialize(&value).ok()?))
        })
        .collect()
});

/// The document loader: bundled contexts only.
#[derive(Debug, Clone, Copy, Default)]
pub struct BundledLoader;

impl Loader for BundledLoader {
    async fn load(&self, url: &Iri) -> Result<RemoteDocument<IriBuf>, LoadError> {
        match LOADED.get(url.as_str()) {
            Some(document) => Ok(RemoteDocument::new(Some(url.to_owned()), None, document.clone())),
            None => Err(LoadError::new(
                url.to_owned(),
                UnknownContext(url.as_str().to_owned()),
            )),
        }
    }
}

/// An active context: the result of processing a `@context`.
type ActiveContext = Context<IriBuf, BlankIdBuf>;

/// Most distinct `@context` lists kept processed. Only lists of bundled URLs are cached,
/// so the set is small in practice; the bound only guards against a flood of permutations.
const MAX_PROCESSED_CONTEXTS: usize = 256;

/// Processed top-level contexts, keyed by the JSON text of the `@context` value.
static PROCESSED: LazyLock<Mutex<HashMap<String, Arc<ActiveContext>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Canonical N-Quads of a JSON-LD document, one line per quad, in canonical order.
///
/// Documents in the bundled contexts take [`fast`], which gives the same bytes without
/// `ssi`'s expansion; every other document, and every error, comes from the general path.
pub async fn canonicalize(document: &Value) -> Result<Vec<String>, JsonLdError> {
    check_top_level_contexts(document)?;
    check_percent_encoding(document)?;
    if let Some(lines) = fast::canonicalize(document) {
        return Ok(lines);
    }
    canonicalize_general(document).await
}

/// Canonical N-Quads through `ssi`'s expansion and Sigil's RDFC-1.0, for any document.
pub(crate) async fn canonicalize_general(document: &Value) -> Result<Vec<String>, JsonLdError> {
    let quads = general_quads(document).await?;
    rdfc::nquads(Dataset::from_lexical(&quads)).ok_or(JsonLdError::TooManyAlikeBlankNodes)
}

/// The canonical N-Quads `ssi` 0.16 gives `document`, which Sigil gave before it labelled
/// blank nodes itself.
///
/// They are RDFC-1.0's bytes except where blank nodes are told apart only by Hash N-Degree
/// Quads, or the same quad is written twice: there `ssi` 0.16 labels them otherwise than the
/// specification and the other implementations do (`rdfc` has the details). A signature made
/// over these bytes is still a signature over the document's graph, so the verifier accepts
/// one when the standard bytes do not verify (see `data_integrity`): a credential signed
/// then keeps verifying.
pub(crate) async fn canonicalize_as_ssi_0_16(document: &Value) -> Result<Vec<String>, JsonLdError> {
    let quads = general_quads(document).await?;
    Ok(
        ssi::rdf::urdna2015::normalize(quads.iter().map(|quad| quad.as_lexical_quad_ref()))
            .into_nquads_lines(),
    )
}

/// The RDF dataset of `document` through `ssi`'s expansion, its quads in no particular order.
async fn general_quads(document: &Value) -> Result<Vec<ssi::rdf::LexicalQuad>, JsonLdError> {
    check_top_level_contexts(document)?;
    check_percent_encoding(document)?;
    let (active, body) = match (document.get("@context"), document.as_object()) {
        (Some(context), Some(object)) => {
            let mut body = object.clone();
            body.remove("@context");
            (active_context(context).await?, Value::Object(body))
        }
        _ => (Arc::new(ActiveContext::default()), document.clone()),
    };
    let body = to_json_syntax(&body)?;
    let mut environment = LdEnvironment::default();
    let expanded = body
        .expand_full(
            &mut environment.vocabulary,
            (*active).clone(),
            None,
            &BundledLoader,
            expansion_options(),
            (),
        )
        .await
        .map_err(|e| JsonLdError::Expansion(e.to_string()))?;
    environment
        .quads_of(&expanded)
        .map_err(|e| JsonLdError::ToRdf(e.to_string()))
}

/// Undefined terms and invalid values are errors, not silently dropped: a claim that does
/// not make it into the canonical form would not be signed. (The same policy as `ssi`.)
fn expansion_options() -> ExpansionOptions {
    ExpansionOptions {
        policy: Policy {
            invalid: Action::Reject,
            allow_undefined: false,
            ..Policy::default()
        },
        ..ExpansionOptions::default()
    }
}

/// The active context of a top-level `@context` value, processed once per process when it
/// only names bundled contexts, every time when it holds inline definitions.
async fn active_context(context: &Value) -> Result<Arc<ActiveContext>, JsonLdError> {
    let cacheable = match context {
        Value::String(_) => true,
        Value::Array(entries) => entries.iter().all(Value::is_string),
        _ => false,
    };
    let key = context.to_string();
    if cacheable {
        if let Some(hit) = PROCESSED.lock().ok().and_then(|cache| cache.get(&key).cloned()) {
            return Ok(hit);
        }
    }
    let syntax = ssi::json_ld::json_ld::syntax::context::Context::try_from_json(to_json_syntax(context)?)
        .map_err(|e| JsonLdError::Expansion(format!("invalid @context: {e}")))?;
    let processed = syntax
        .process_full(
            &mut (),
            &ActiveContext::default(),
            &BundledLoader,
            None,
            ProcessingOptions::from(expansion_options()),
            (),
        )
        .await
        .map_err(|e| JsonLdError::Expansion(e.to_string()))?;
    let active = Arc::new(processed.into_processed());
    if cacheable {
        if let Ok(mut cache) = PROCESSED.lock() {
            if cache.len() >= MAX_PROCESSED_CONTEXTS {
                cache.clear();
            }
            cache.insert(key, active.clone());
        }
    }
    Ok(active)
}

fn to_json_syntax(value: &Value) -> Result<json_syntax::Value, JsonLdError> {
    json_syntax::Value::deserialize(value).map_err(|e| JsonLdError::Expansion(e.to_string()))
}

/// Refuses a document in which a key, or a string value that could be an IRI (one without
/// whitespace), percent-encodes bytes that are not UTF-8, such as `urn:uuid:…%e9…`. RFC 3987
/// §3.1 IRIs percent-encode UTF-8, and the IRI types under `ssi`'s expansion (`iref` on
/// `pct-str` 2) assume it: they panic when they hash or compare such an IRI. Found by the
/// `verify` fuzz target (`sigil-fuzz`); the ledger's status-list check panicked the same way.
fn check_percent_encoding(value: &Value) -> Result<(), JsonLdError> {
    let refuse = |text: &str| {
        let shown: String = text.chars().take(80).collect();
        Err(JsonLdError::Expansion(format!(
            "{shown:?} percent-encodes bytes that are not UTF-8; an IRI percent-encodes UTF-8 (RFC 3987)"
        )))
    };
    match value {
        Value::String(text)
            if !text.chars().any(|c| c.is_whitespace() || c.is_control())
                && !percent_decodes_to_utf8(text) =>
        {
            return refuse(text);
        }
        Value::Array(items) => items.iter().try_for_each(check_percent_encoding)?,
        Value::Object(object) => {
            for (key, item) in object {
                if !percent_decodes_to_utf8(key) {
                    return refuse(key);
                }
                check_percent_encoding(item)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether `text` is UTF-8 once its `%XX` sequences are decoded (a `%` not followed by two hex
/// digits is left as it is: no IRI parser accepts it, so it never becomes one).
fn percent_decodes_to_utf8(text: &str) -> bool {
    if !text.contains('%') {
        return true;
    }
    let hex = |byte: u8| {
        char::from(byte)
            .to_digit(16)
            .and_then(|digit| u8::try_from(digit).ok())
    };
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match (
            byte,
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                decoded.push(high << 4 | low);
                i += 3;
            }
            _ => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

/// Names an unknown top-level context before expansion, for a clearer error than the one
/// expansion would give. Contexts nested deeper are caught by [`BundledLoader`].
fn check_top_level_contexts(document: &Value) -> Result<(), JsonLdError> {
    let urls = match document.get("@context") {
        Some(Value::String(url)) => vec![url.as_str()],
        Some(Value::Array(entries)) => entries.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    for url in urls {
        contexts::find(url)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::block_on;
    use serde_json::json;

    #[test]
    fn canonical_form_ignores_key_order() {
        let a = json!({"@context": [contexts::CREDENTIALS_V2, contexts::CREDENTIALS_EXAMPLES_V2],
                       "type": ["VerifiableCredential"], "issuer": "did:example:1",
                       "credentialSubject": {"id": "did:example:2", "name": "Ada"}});
        let b = json!({"credentialSubject": {"name": "Ada", "id": "did:example:2"},
                       "issuer": "did:example:1", "type": ["VerifiableCredential"],
                       "@context": [contexts::CREDENTIALS_V2, contexts::CREDENTIALS_EXAMPLES_V2]});
        let a = block_on(canonicalize(&a)).unwrap();
        assert_eq!(a, block_on(canonicalize(&b)).unwrap());
        assert!(a.iter().any(|line| line.contains("\"Ada\"")), "{a:?}");
    }

    /// The reference: `ssi`'s own expansion of the whole document, `@context` included.
    async fn canonicalize_like_ssi(document: &Value) -> Vec<String> {
        use ssi::json_ld::{CompactJsonLd, Expandable as _};
        let compact = CompactJsonLd(to_json_syntax(document).unwrap());
        let mut environment = LdEnvironment::default();
        let expanded = compact
            .expand_with(&mut environment, &BundledLoader)
            .await
            .unwrap();
        environment.canonical_form_of(&expanded).unwrap()
    }

    #[test]
    fn the_processed_context_cache_gives_exactly_what_full_expansion_gives() {
        let documents = [
            json!({"@context": [contexts::CREDENTIALS_V2, contexts::SIGIL_V1],
                   "type": ["VerifiableCredential", "UniversityDegreeCredential"], "issuer": "did:example:1",
                   "validFrom": "2026-06-30T00:00:00Z",
                   "credentialSubject": {"id": "did:example:2", "name": "Ada", "studentId": "S-1",
                                         "dateOfBirth": "1815-12-10",
                                         "degree": {"type": "BachelorDegree", "name": "BSc"}},
                   "credentialStatus": {"id": "https://r.example/s/1#5", "type": "BitstringStatusListEntry",
                                        "statusPurpose": "revocation", "statusListIndex": "5",
                                        "statusListCredential": "https://r.example/s/1"}}),
            json!({"@context": [contexts::CREDENTIALS_V2, contexts::SIGIL_V1],
                   "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                   "created": "2026-06-30T12:00:00Z", "proofPurpose": "assertionMethod",
                   "verificationMethod": "did:example:1#key-1"}),
            // VCDM 1.1: every term in type-scoped contexts, a proof type with its own.
            json!({"@context": [contexts::CREDENTIALS_V1, contexts::ED25519_SIGNATURE_2020_V1, contexts::SIGIL_V1],
                   "type": ["VerifiableCredential", "UniversityDegreeCredential"], "issuer": "did:example:1",
                   "issuanceDate": "2026-06-30T00:00:00Z", "expirationDate": "2031-06-30T00:00:00Z",
                   "credentialSubject": {"id": "did:example:2", "studentId": "S-1"},
                   "proof": {"type": "Ed25519Signature2020", "created": "2026-06-30T12:00:00Z",
                             "proofPurpose": "assertionMethod", "verificationMethod": "did:example:1#key-1",
                             "proofValue": "z5"}}),
            json!({"@context": [contexts::CREDENTIALS_V2, {"nickname": "https://example.com/nickname"}],
                   "type": ["VerifiablePresentation"], "holder": "did:example:2", "nickname": "Ada"}),
        ];
        for document in documents {
            let cached = block_on(canonicalize(&document)).unwrap();
            assert_eq!(cached, block_on(canonicalize(&document)).unwrap());
            assert_eq!(cached, block_on(canonicalize_like_ssi(&document)), "{document:#}");
            assert!(!cached.is_empty());
        }
    }

    #[test]
    fn an_undefined_term_is_an_error_not_silently_dropped() {
        let document = json!({"@context": [contexts::DATA_INTEGRITY_V2], "unheardOf": "x"});
        let err = block_on(canonicalize(&document)).unwrap_err();
        assert!(matches!(err, JsonLdError::Expansion(_)), "{err}");
    }

    #[test]
    fn an_unknown_context_is_refused_without_fetching_it() {
        let document = json!({"@context": ["https://attacker.example/ctx"], "name": "x"});
        let err = block_on(canonicalize(&document)).unwrap_err();
        assert!(matches!(err, JsonLdError::UnknownContext(_)), "{err}");
    }

    #[test]
    fn an_iri_percent_encoding_bytes_that_are_not_utf8_is_refused_not_a_panic() {
        for id in [
            "urn:uuid:d373eb09-4061%e9aea047",
            "https://r.example/s/1%C3",
            "https://r.example/%ff%fe",
        ] {
            let document = json!({"@context": [contexts::CREDENTIALS_V2],
                                  "type": ["VerifiableCredential"], "issuer": "did:example:1",
                                  "credentialSubject": {"id": id}});
            let err = block_on(canonicalize(&document)).unwrap_err();
            assert!(err.to_string().contains("not UTF-8"), "{id}: {err}");
        }
        // UTF-8 percent-encoded is an IRI like any other, and text with spaces is no IRI.
        let document = json!({"@context": [contexts::CREDENTIALS_V2, contexts::CREDENTIALS_EXAMPLES_V2],
                              "type": ["VerifiableCredential"], "issuer": "did:example:1",
                              "credentialSubject": {"id": "https://r.example/%C3%A9l%C3%A8ve", "name": "50 %ef"}});
        assert!(block_on(canonicalize(&document)).is_ok());
    }

    #[test]
    fn a_nested_unknown_context_is_refused_too() {
        let document = json!({"@context": [contexts::CREDENTIALS_V2],
                              "credentialSubject": {"@context": "https://attacker.example/ctx", "x": 1}});
        assert!(block_on(canonicalize(&document)).is_err());
    }
}
