//! Only documents whose JSON says what their JSON-LD meaning says.
//!
//! An `eddsa-rdfc-2022` signature covers the canonical RDF of a document, but the checks read
//! its JSON (issuer, types, subject ids, dates, status entries, holder, embedded
//! credentials). JSON-LD gives one meaning many spellings — `"@id"` for `"id"`, a full IRI for
//! a term, an inline context that renames a term, `@graph`, `@included` — so a thief could
//! respell a signed document, keep its signature, and hide a status entry or a subject from
//! the checks. Sigil therefore accepts a Data Integrity document (with either cryptosuite)
//! only in the compact form of its bundled contexts, and refuses anything else with a
//! sentence naming the key:
//!
//! - `@context` only at the top of a document (and of each credential in a presentation and
//!   each proof), naming bundled contexts by URL: no inline definitions;
//! - no other key starting with `@`: keywords are written through the aliases the contexts
//!   define (`id`, `type`), value objects (`@value` with `@language`/`@direction`) excepted;
//! - no key that is an IRI or compact IRI, and no key the document's contexts do not define
//!   (unless one of them sets a `@vocab`);
//! - identifiers are absolute IRIs whose scheme is not a term (so `did:…` can never be read
//!   as a compact IRI), and no node is described twice under the same identifier;
//! - `type` values and other vocabulary-relative values are terms, not IRIs;
//! - no arrays inside arrays (JSON-LD would flatten them).
//!
//! Under these rules every key the checks read is the one term its bundled context defines
//! for that meaning (a test in [`super::vocabulary`] shows no other term shares its IRI), so
//! reading the JSON is reading the meaning. The remaining freedoms of JSON-LD — key order,
//! one value or an array of one, the order of a set's values — do not change what the
//! checks read; `verify` normalises them in what it reports.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::vocabulary::{ContextTerms, VOCABULARY};
use crate::contexts;

/// Why a document is not in the compact form of its bundled contexts.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error(
    "{reason} (at {path}); Sigil reads only JSON-LD written in the terms of its bundled contexts, so that what it checks is what the signature covers"
)]
pub struct NotCompactForm {
    /// Where: `credentialSubject.@id`, `verifiableCredential[0].proof`, or "the top level".
    pub path: String,
    /// What is wrong, for a person.
    pub reason: String,
}

/// Checks a credential, presentation or proof document (with its proof) against the rules in
/// the module documentation.
pub fn check(document: &Value) -> Result<(), NotCompactForm> {
    let Value::Object(object) = document else {
        return Err(NotCompactForm {
            path: "the top level".into(),
            reason: format!(
                "a document must be a JSON object, not {}",
                crate::json::kind_of(document)
            ),
        });
    };
    Walk::default().node(object, &Path::root(), &Scope::default(), true)
}

/// A JSON path for error messages.
#[derive(Debug, Clone)]
struct Path(String);

impl Path {
    fn root() -> Self {
        Path(String::new())
    }

    fn key(&self, key: &str) -> Self {
        if self.0.is_empty() {
            Path(key.to_owned())
        } else {
            Path(format!("{}.{key}", self.0))
        }
    }

    fn index(&self, index: usize) -> Self {
        Path(format!("{}[{index}]", self.0))
    }

    fn fail<T>(&self, reason: impl Into<String>) -> Result<T, NotCompactForm> {
        Err(NotCompactForm {
            path: if self.0.is_empty() {
                "the top level".into()
            } else {
                format!("`{}`", self.0)
            },
            reason: reason.into(),
        })
    }
}

/// The bundled contexts in force: the document's, plus those of enclosing documents.
#[derive(Debug, Clone, Default)]
struct Scope(Vec<&'static ContextTerms>);

impl Scope {
    fn defines(&self, term: &str) -> bool {
        self.0
            .iter()
            .any(|context| context.has_vocab || context.terms.contains(term))
    }

    /// The scope inside a node whose `@context` is `value`.
    fn with(&self, value: &Value, path: &Path) -> Result<Scope, NotCompactForm> {
        let path = path.key("@context");
        let urls: Vec<&Value> = match value {
            Value::Array(entries) => entries.iter().collect(),
            single => vec![single],
        };
        if urls.is_empty() {
            return path.fail("an empty @context");
        }
        let mut scope = self.clone();
        for url in urls {
            let url = match url {
                Value::String(url) => url,
                Value::Object(_) => {
                    return path.fail(
                        "an inline context: @context may only name bundled contexts by URL, never define or redefine terms",
                    );
                }
                _ => return path.fail("@context must name bundled contexts by URL"),
            };
            if let Err(unknown) = contexts::find(url) {
                return path.fail(unknown.to_string());
            }
            if let Some(terms) = VOCABULARY.contexts.get(url.as_str()) {
                scope.0.push(terms);
            }
        }
        Ok(scope)
    }
}

#[derive(Default)]
struct Walk<'v> {
    /// Identifiers of the node objects seen so far.
    node_ids: HashSet<&'v str>,
}

impl<'v> Walk<'v> {
    /// A node object; `document` when it may carry its own `@context` (a document, a
    /// credential inside a presentation, a proof).
    fn node(
        &mut self,
        object: &'v Map<String, Value>,
        path: &Path,
        outer: &Scope,
        document: bool,
    ) -> Result<(), NotCompactForm> {
        if is_value_object(object) {
            return value_object(object, path);
        }
        if document && !path.0.is_empty() {
            // A credential inside a presentation and a proof are graphs of their own: their
            // nodes do not merge with the presentation's.
            let outer_ids = std::mem::take(&mut self.node_ids);
            let result = self.node_in_scope(object, path, outer, document);
            self.node_ids = outer_ids;
            return result;
        }
        self.node_in_scope(object, path, outer, document)
    }

    fn node_in_scope(
        &mut self,
        object: &'v Map<String, Value>,
        path: &Path,
        outer: &Scope,
        document: bool,
    ) -> Result<(), NotCompactForm> {
        let scope = match object.get("@context") {
            Some(context) if document => outer.with(context, path)?,
            Some(_) => {
                return path
                    .key("@context")
                    .fail("a context inside a document: @context may only stand at the top of a document");
            }
            None if path.0.is_empty() => return path.fail("the document has no @context"),
            None => outer.clone(),
        };
        for (key, value) in object {
            let here = path.key(key);
            if key == "@context" {
                continue;
            }
            if key.starts_with('@') {
                return here.fail(format!(
                    "`{key}` is a JSON-LD keyword; only @context may be written (use `id` and `type` for @id and @type)"
                ));
            }
            if key.contains(':') {
                return here.fail(format!(
                    "`{key}` is an IRI, not a term: write the term a bundled context defines for it"
                ));
            }
            if !scope.defines(key) {
                return here.fail(format!("`{key}` is not a term of the document's contexts"));
            }
            match key.as_str() {
                "id" => self.node_id(value, &here)?,
                "type" => {
                    vocabulary_values(value, &here, "a type")?;
                    defined_types(value, &here, &scope)?;
                }
                _ if VOCABULARY.vocab_valued.contains(key) => vocabulary_values(value, &here, "this value")?,
                _ if VOCABULARY.json_literals.contains(key) => {}
                _ => {
                    let nested_documents = matches!(key.as_str(), "proof" | "verifiableCredential");
                    let iri_valued = VOCABULARY.iri_valued.contains(key);
                    self.value(value, &here, &scope, nested_documents, iri_valued)?;
                }
            }
        }
        Ok(())
    }

    fn value(
        &mut self,
        value: &'v Value,
        path: &Path,
        scope: &Scope,
        documents: bool,
        iri_valued: bool,
    ) -> Result<(), NotCompactForm> {
        match value {
            Value::Object(object) => self.node(object, path, scope, documents),
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    let here = path.index(index);
                    if item.is_array() {
                        return here.fail("an array inside an array");
                    }
                    self.value(item, &here, scope, documents, iri_valued)?;
                }
                Ok(())
            }
            Value::String(iri) if iri_valued => absolute_iri(iri, path),
            _ => Ok(()),
        }
    }

    fn node_id(&mut self, value: &'v Value, path: &Path) -> Result<(), NotCompactForm> {
        let Value::String(id) = value else {
            return path.fail("an identifier must be a string");
        };
        absolute_iri(id, path)?;
        if !self.node_ids.insert(id) {
            return path.fail(format!("{id:?} identifies two objects; describe each node once"));
        }
        Ok(())
    }
}

/// `{"@value": "…", "@language": "…", "@direction": "…"}`: a string in a language.
fn is_value_object(object: &Map<String, Value>) -> bool {
    object.contains_key("@value")
}

fn value_object(object: &Map<String, Value>, path: &Path) -> Result<(), NotCompactForm> {
    for (key, value) in object {
        let fine = match key.as_str() {
            "@value" | "@language" => value.is_string(),
            "@direction" => matches!(value.as_str(), Some("ltr" | "rtl")),
            _ => false,
        };
        if !fine {
            return path
                .key(key)
                .fail("a value object may only hold a string @value with @language and @direction");
        }
    }
    Ok(())
}

/// `type` and `@vocab`-typed values: terms, never IRIs.
fn vocabulary_values(value: &Value, path: &Path, what: &str) -> Result<(), NotCompactForm> {
    let names: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    for name in names {
        match name.as_str() {
            Some(name) if !name.is_empty() && !name.contains(':') && !name.starts_with('@') => {}
            Some(name) => {
                return path.fail(format!(
                    "{what} must be written as a term of the bundled contexts, not {name:?}"
                ));
            }
            None => return path.fail(format!("{what} must be a string")),
        }
    }
    Ok(())
}

/// `type` values the document's contexts define (or a `@vocab` takes in): JSON-LD would
/// otherwise read an undefined type as a relative IRI, which no signature can pin down.
fn defined_types(value: &Value, path: &Path, scope: &Scope) -> Result<(), NotCompactForm> {
    let names: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    for name in names.into_iter().filter_map(Value::as_str) {
        if !scope.defines(name) {
            return path.fail(format!(
                "the type {name:?} is not a term of the document's contexts"
            ));
        }
    }
    Ok(())
}

/// An absolute IRI whose scheme is not a term (else it would be read as a compact IRI), with
/// no character an IRI cannot hold (JSON-LD would drop it from the signed data).
fn absolute_iri(iri: &str, path: &Path) -> Result<(), NotCompactForm> {
    let scheme = iri.split_once(':').map(|(scheme, _)| scheme);
    let valid_scheme = scheme.is_some_and(|scheme| {
        let mut chars = scheme.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if !valid_scheme {
        return path.fail(format!(
            "{iri:?} is not an absolute IRI; relative identifiers and blank nodes are not signed"
        ));
    }
    if scheme.is_some_and(|scheme| VOCABULARY.all_terms.contains(scheme)) {
        return path.fail(format!(
            "{iri:?} would be read as a compact IRI; write the full IRI"
        ));
    }
    if iri
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || "<>\"{}|\\^`".contains(c))
    {
        return path.fail(format!("{iri:?} holds a character an IRI cannot"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contexts::{CREDENTIALS_EXAMPLES_V2, CREDENTIALS_V2, SIGIL_V1};
    use serde_json::json;

    fn diploma() -> Value {
        json!({
            "@context": [CREDENTIALS_V2, SIGIL_V1],
            "type": ["VerifiableCredential", "UniversityDegreeCredential"],
            "issuer": {"id": "did:example:uni", "name": "Example University"},
            "validFrom": "2026-06-30T00:00:00Z",
            "credentialSubject": {"id": "did:example:ada", "name": "Ada",
                                  "degree": {"type": "BachelorDegree", "name": "BSc"}},
            "credentialStatus": [{
                "id": "https://r.example/status/3#5", "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation", "statusListIndex": "5",
                "statusListCredential": "https://r.example/status/3"
            }],
            "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                      "created": "2026-06-30T12:00:00Z", "proofPurpose": "assertionMethod",
                      "verificationMethod": "did:example:uni#key-1", "proofValue": "z5"}
        })
    }

    fn refusal(document: &Value) -> NotCompactForm {
        check(document).expect_err("refused")
    }

    #[test]
    fn a_diploma_in_compact_form_is_accepted() {
        check(&diploma()).unwrap();
        let presentation = json!({
            "@context": [CREDENTIALS_V2], "type": "VerifiablePresentation",
            "holder": "did:example:ada", "verifiableCredential": [diploma()],
            "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
                      "@context": [CREDENTIALS_V2], "proofPurpose": "authentication",
                      "verificationMethod": "did:example:ada#key-1", "challenge": "c",
                      "domain": "https://verifier.example", "proofValue": "z5"}
        });
        check(&presentation).unwrap();
    }

    #[test]
    fn keywords_are_refused_with_the_key_named() {
        let mut document = diploma();
        let subject = document["credentialSubject"].as_object_mut().unwrap();
        let id = subject.shift_remove("id").unwrap();
        subject.insert("@id".into(), id);
        let err = refusal(&document);
        assert_eq!(err.path, "`credentialSubject.@id`");
        assert!(err.to_string().contains("JSON-LD keyword"), "{err}");

        for keyword in ["@graph", "@included", "@reverse", "@type", "@vocab", "@base"] {
            let mut document = diploma();
            document[keyword] = json!([]);
            assert!(refusal(&document).reason.contains(keyword), "{keyword}");
        }
    }

    #[test]
    fn iri_keys_and_compact_iris_are_refused() {
        for key in [
            "https://www.w3.org/2018/credentials#credentialStatus",
            "sigil:studentId",
        ] {
            let mut document = diploma();
            document[key] = json!("x");
            let err = refusal(&document);
            assert!(err.reason.contains("is an IRI, not a term"), "{err}");
        }
    }

    #[test]
    fn inline_nested_and_unknown_contexts_are_refused() {
        let mut document = diploma();
        document["@context"] =
            json!([CREDENTIALS_V2, SIGIL_V1, {"expires": "https://www.w3.org/2018/credentials#validUntil"}]);
        assert!(refusal(&document).reason.contains("inline context"));
        let mut document = diploma();
        document["credentialSubject"]["@context"] = json!(SIGIL_V1);
        assert!(refusal(&document).reason.contains("top of a document"));
        let mut document = diploma();
        document["@context"] = json!([CREDENTIALS_V2, "https://attacker.example/ctx"]);
        assert!(refusal(&document).reason.contains("unknown JSON-LD context"));
        let mut document = diploma();
        document.as_object_mut().unwrap().remove("@context");
        assert!(refusal(&document).reason.contains("no @context"));
    }

    #[test]
    fn undefined_terms_are_refused_unless_a_context_sets_a_vocabulary() {
        let mut document = diploma();
        document["credentialSubject"]["nickname"] = json!("Ada");
        assert!(refusal(&document).reason.contains("`nickname` is not a term"));
        document["@context"] = json!([CREDENTIALS_V2, SIGIL_V1, CREDENTIALS_EXAMPLES_V2]);
        check(&document).unwrap();
    }

    /// The diploma with `credentialSubject.id` set to `id`.
    fn with_subject_id(id: &str) -> Value {
        let mut document = diploma();
        document["credentialSubject"]["id"] = json!(id);
        document
    }

    #[test]
    fn identifiers_must_be_absolute_iris_that_are_not_compact_iris() {
        for id in ["student-42", "_:b0", "schema:person", "did:example: ada"] {
            assert!(check(&with_subject_id(id)).is_err(), "{id}");
        }
        let mut document = diploma();
        document["issuer"] = json!("university");
        assert!(refusal(&document).reason.contains("not an absolute IRI"));
    }

    #[test]
    fn a_node_described_twice_is_refused() {
        let document = with_subject_id("https://r.example/status/3#5");
        assert!(refusal(&document).reason.contains("identifies two objects"));
    }

    #[test]
    fn types_and_purposes_are_terms_not_iris() {
        let mut document = diploma();
        document["type"] = json!([
            "VerifiableCredential",
            "https://w3id.org/sigil/vocab#UniversityDegreeCredential"
        ]);
        assert!(
            refusal(&document)
                .reason
                .contains("a type must be written as a term")
        );
        let mut document = diploma();
        document["proof"]["proofPurpose"] = json!("https://w3id.org/security#assertionMethod");
        assert!(check(&document).is_err());
        let mut document = diploma();
        document["type"] = json!("VerifiableCredential");
        check(&document).unwrap();
    }

    #[test]
    fn a_type_the_contexts_do_not_define_is_refused() {
        let mut document = diploma();
        document["type"] = json!(["VerifiableCredential", "MadeUpCredential"]);
        assert!(
            refusal(&document)
                .reason
                .contains("\"MadeUpCredential\" is not a term")
        );
        let mut document = diploma();
        document["credentialSubject"]["degree"]["type"] = json!("MadeUpDegree");
        assert!(refusal(&document).reason.contains("MadeUpDegree"));
    }

    #[test]
    fn language_values_are_accepted_and_typed_values_refused() {
        let mut document = diploma();
        document["credentialSubject"]["name"] = json!([{"@value": "Ada", "@language": "en"}, {"@value": "Ada", "@language": "fr", "@direction": "ltr"}]);
        check(&document).unwrap();
        let mut document = diploma();
        document["validUntil"] = json!({"@value": "2030-01-01T00:00:00Z", "@type": "xsd:dateTime"});
        assert!(check(&document).is_err());
    }

    #[test]
    fn a_vcdm_1_1_credential_in_compact_form_is_accepted_and_its_respellings_refused() {
        use crate::contexts::{CREDENTIALS_V1, ED25519_SIGNATURE_2020_V1};
        let credential = json!({
            "@context": [CREDENTIALS_V1, ED25519_SIGNATURE_2020_V1, SIGIL_V1],
            "type": ["VerifiableCredential", "UniversityDegreeCredential"],
            "issuer": "did:example:uni",
            "issuanceDate": "2026-06-30T00:00:00Z",
            "expirationDate": "2030-06-30T00:00:00Z",
            "credentialSubject": {"id": "did:example:ada", "studentId": "S-1"},
            "proof": [
                {"type": "Ed25519Signature2020", "created": "2026-06-30T12:00:00Z",
                 "proofPurpose": "assertionMethod", "verificationMethod": "did:example:uni#key-1",
                 "proofValue": "z5"},
                {"id": "urn:proof:2", "type": "Ed25519Signature2020", "created": "2026-06-30T12:00:00Z",
                 "proofPurpose": "assertionMethod", "verificationMethod": "did:example:notary#key-1",
                 "proofValue": "z6"}
            ]
        });
        check(&credential).unwrap();
        let mut respelled = credential.clone();
        respelled["https://www.w3.org/2018/credentials#expirationDate"] = json!("2030-06-30T00:00:00Z");
        respelled.as_object_mut().unwrap().remove("expirationDate");
        assert!(refusal(&respelled).reason.contains("is an IRI, not a term"));
        let mut undefined = credential;
        undefined["proof"][0]["cryptosuite"] = json!("eddsa-rdfc-2022");
        assert!(refusal(&undefined).reason.contains("`cryptosuite` is not a term"));
    }

    #[test]
    fn arrays_inside_arrays_are_refused() {
        let mut document = diploma();
        document["credentialStatus"] = json!([[document["credentialStatus"][0].clone()]]);
        assert!(refusal(&document).reason.contains("array inside an array"));
    }
}
