//! What the bundled contexts define, read once from their JSON: the terms of each context,
//! which terms take IRIs as values (`@type: @id` or `@vocab`) or JSON literals (`@json`), and
//! which contexts let any other name through with a `@vocab`.
//!
//! [`super::compact_form`] uses these tables to accept only documents written in the terms
//! of their own contexts. The tables are built from the context files themselves, so adding
//! a bundled context needs no second list to keep in step.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::contexts;

/// The terms one bundled context defines, at its top level and in its scoped contexts.
#[derive(Debug, Default)]
pub(crate) struct ContextTerms {
    pub terms: HashSet<String>,
    /// The context sets a top-level `@vocab`: any other name expands into that vocabulary.
    pub has_vocab: bool,
}

/// Every bundled context's terms, plus what the terms' definitions say about their values.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    pub contexts: HashMap<&'static str, ContextTerms>,
    /// Every term of every bundled context.
    pub all_terms: HashSet<String>,
    /// Terms that some definition types `@id` or `@vocab`: their string values are IRIs.
    pub iri_valued: HashSet<String>,
    /// Terms that some definition types `@vocab`: their values are resolved as terms first.
    pub vocab_valued: HashSet<String>,
    /// Terms that every definition types `@json`: their values are JSON literals, not nodes.
    pub json_literals: HashSet<String>,
    /// The IRIs each term expands to, over all its definitions.
    pub iris: HashMap<String, BTreeSet<String>>,
}

/// The tables, built on first use.
pub(crate) static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    let mut vocabulary = Vocabulary::default();
    let mut not_json = HashSet::new();
    for bundled in contexts::BUNDLED {
        let Ok(document) = serde_json::from_str::<Value>(bundled.document) else {
            continue;
        };
        let mut terms = ContextTerms::default();
        if let Some(Value::Object(context)) = document.get("@context") {
            terms.has_vocab = context.contains_key("@vocab");
            let prefixes = prefixes(context, &HashMap::new());
            collect(context, &prefixes, &mut terms, &mut vocabulary, &mut not_json);
        }
        vocabulary.contexts.insert(bundled.url, terms);
    }
    vocabulary.json_literals.retain(|term| !not_json.contains(term));
    vocabulary
});

/// Terms whose definition is a plain IRI ending in `#` or `/`: usable as `prefix:suffix`.
/// A scoped context (the VCDM 1.1 context defines `cred:` and `sec:` only inside its
/// type-scoped contexts) sees the prefixes of the contexts around it, and its own.
fn prefixes(context: &Map<String, Value>, outer: &HashMap<String, String>) -> HashMap<String, String> {
    let mut prefixes = outer.clone();
    prefixes.extend(context.iter().filter_map(|(term, definition)| {
        let iri = definition.as_str()?;
        (iri.ends_with('#') || iri.ends_with('/')).then(|| (term.clone(), iri.to_owned()))
    }));
    prefixes
}

fn collect(
    context: &Map<String, Value>,
    prefixes: &HashMap<String, String>,
    terms: &mut ContextTerms,
    vocabulary: &mut Vocabulary,
    not_json: &mut HashSet<String>,
) {
    for (term, definition) in context {
        if term.starts_with('@') {
            continue;
        }
        terms.terms.insert(term.clone());
        vocabulary.all_terms.insert(term.clone());
        let (iri, value_type) = match definition {
            Value::String(iri) => (Some(iri.as_str()), None),
            Value::Object(definition) => {
                if let Some(Value::Object(scoped)) = definition.get("@context") {
                    let scoped_prefixes = self::prefixes(scoped, prefixes);
                    collect(scoped, &scoped_prefixes, terms, vocabulary, not_json);
                }
                (
                    definition.get("@id").and_then(Value::as_str),
                    definition.get("@type").and_then(Value::as_str),
                )
            }
            _ => (None, None),
        };
        if let Some(iri) = iri {
            vocabulary
                .iris
                .entry(term.clone())
                .or_default()
                .insert(expand(iri, prefixes));
        }
        match value_type {
            Some("@id") => {
                vocabulary.iri_valued.insert(term.clone());
            }
            Some("@vocab") => {
                vocabulary.iri_valued.insert(term.clone());
                vocabulary.vocab_valued.insert(term.clone());
            }
            Some("@json") => {
                vocabulary.json_literals.insert(term.clone());
            }
            _ => {}
        }
        if value_type != Some("@json") {
            not_json.insert(term.clone());
        }
    }
}

/// Expands `prefix:suffix` with the context's own prefixes; other IRIs are kept as written.
fn expand(iri: &str, prefixes: &HashMap<String, String>) -> String {
    match iri.split_once(':') {
        Some((prefix, suffix)) if !suffix.starts_with("//") => match prefixes.get(prefix) {
            Some(base) => format!("{base}{suffix}"),
            None => iri.to_owned(),
        },
        _ => iri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_know_the_credential_terms() {
        let vocabulary = &*VOCABULARY;
        let v2 = &vocabulary.contexts[contexts::CREDENTIALS_V2];
        for term in [
            "issuer",
            "credentialSubject",
            "credentialStatus",
            "validUntil",
            "holder",
        ] {
            assert!(v2.terms.contains(term), "{term}");
        }
        assert!(!v2.has_vocab);
        assert!(vocabulary.contexts[contexts::CREDENTIALS_EXAMPLES_V2].has_vocab);
        assert!(vocabulary.iri_valued.contains("issuer"));
        assert!(vocabulary.vocab_valued.contains("proofPurpose"));
        assert!(vocabulary.json_literals.contains("jsonSchema"));
        assert_eq!(
            vocabulary.iris["studentId"],
            BTreeSet::from(["https://w3id.org/sigil/vocab#studentId".to_owned()])
        );
    }

    /// The checks read these names from the JSON. If a bundled context gave another name the
    /// same IRI, that name would carry the same meaning unseen by the checks.
    #[test]
    fn no_other_term_shares_an_iri_with_a_term_the_checks_read() {
        let vocabulary = &*VOCABULARY;
        let read = [
            "issuer",
            "credentialSubject",
            "credentialStatus",
            "credentialSchema",
            "validFrom",
            "validUntil",
            "issuanceDate",
            "expirationDate",
            "evidence",
            "holder",
            "verifiableCredential",
            "proof",
            "statusPurpose",
            "statusListIndex",
            "statusListCredential",
            "statusSize",
            "cryptosuite",
            "verificationMethod",
            "proofPurpose",
            "proofValue",
            "created",
            "challenge",
            "domain",
            "id",
            "previousProof",
            "VerifiableCredential",
            "VerifiablePresentation",
            "BitstringStatusListEntry",
            "DataIntegrityProof",
            "Ed25519Signature2020",
        ];
        for name in read {
            let iris = &vocabulary.iris[name];
            for (other, other_iris) in &vocabulary.iris {
                if other != name {
                    assert!(
                        iris.is_disjoint(other_iris),
                        "{other} shares an IRI with {name}: {iris:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_vcdm_1_1_terms_are_read_from_its_type_scoped_contexts_with_their_prefixes() {
        let vocabulary = &*VOCABULARY;
        let v1 = &vocabulary.contexts[contexts::CREDENTIALS_V1];
        for term in [
            "issuer",
            "issuanceDate",
            "expirationDate",
            "credentialSubject",
            "holder",
            "proof",
        ] {
            assert!(v1.terms.contains(term), "{term}");
        }
        // `cred:` is defined only inside the scoped context of VerifiableCredential.
        assert!(vocabulary.iris["issuanceDate"].contains("https://www.w3.org/2018/credentials#issuanceDate"));
        assert!(vocabulary.iris["proof"].contains("https://w3id.org/security#proof"));
        // Every `cred:` term is inside a scoped context that defines `cred`. (The v1 context's
        // RsaSignature2018 writes `sec:` without defining it, so those stay as written: under
        // JSON-LD they are absolute IRIs of a `sec:` scheme, and are kept that way here too.)
        let unexpanded: Vec<&String> = vocabulary
            .iris
            .values()
            .flatten()
            .filter(|iri| iri.starts_with("cred:"))
            .collect();
        assert!(unexpanded.is_empty(), "{unexpanded:?}");
        assert!(
            vocabulary.contexts[contexts::ED25519_SIGNATURE_2020_V1]
                .terms
                .contains("Ed25519Signature2020")
        );
    }

    /// A value such as `did:example:1` must never be read as a compact IRI.
    #[test]
    fn no_bundled_term_is_a_uri_scheme_used_in_identifiers() {
        for scheme in ["did", "http", "https", "urn", "data"] {
            assert!(!VOCABULARY.all_terms.contains(scheme), "{scheme}");
        }
    }
}
