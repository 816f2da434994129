//! JSON-LD expansion and RDF Dataset Canonicalization (RDFC-1.0), for the `*-rdfc-*`
//! Data Integrity cryptosuites.
//!
//! Expansion and canonicalisation come from SpruceID's `ssi` (its `json-ld` and `ssi-rdf`
//! crates): they are the hard, standard parts, and `ssi`'s output verifies in Digital
//! Bazaar's libraries. Sigil adds the document loader, which serves only bundled contexts,
//! parsed once per process.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize as _;
use serde_json::Value;
use ssi::json_ld::json_ld::{IriBuf, LoadError, Loader, RemoteDocument};
use ssi::json_ld::{CompactJsonLd, Expandable as _, iref::Iri};
use ssi::rdf::{AnyLdEnvironment as _, LdEnvironment};

use crate::contexts::{self, UnknownContext};

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

/// Canonical N-Quads of a JSON-LD document, one line per quad, in canonical order.
pub async fn canonicalize(document: &Value) -> Result<Vec<String>, JsonLdError> {
    check_top_level_contexts(document)?;
    let compact = CompactJsonLd(
        json_syntax::Value::deserialize(document).map_err(|e| JsonLdError::Expansion(e.to_string()))?,
    );
    let mut environment = LdEnvironment::default();
    let expanded = compact
        .expand_with(&mut environment, &BundledLoader)
        .await
        .map_err(|e| JsonLdError::Expansion(e.to_string()))?;
    environment
        .canonical_form_of(&expanded)
        .map_err(|e| JsonLdError::ToRdf(e.to_string()))
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

    #[test]
    fn an_unknown_context_is_refused_without_fetching_it() {
        let document = json!({"@context": ["https://attacker.example/ctx"], "name": "x"});
        let err = block_on(canonicalize(&document)).unwrap_err();
        assert!(matches!(err, JsonLdError::UnknownContext(_)), "{err}");
    }

    #[test]
    fn a_nested_unknown_context_is_refused_too() {
        let document = json!({"@context": [contexts::CREDENTIALS_V2],
                              "credentialSubject": {"@context": "https://attacker.example/ctx", "x": 1}});
        assert!(block_on(canonicalize(&document)).is_err());
    }
}
