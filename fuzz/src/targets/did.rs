//! `sigil_core::did`: DIDs and DID URLs (`kid` headers, verification methods, issuers),
//! resolving `did:key` and `did:jwk`, which happens locally from the identifier alone, and the
//! URL a `did:web` document is fetched from.
//!
//! Property: never panics; a DID or DID URL that parses is written back exactly as it was
//! read and parses again to the same value, and its method is the text after `did:`.

use sigil_core::did::{Did, DidUrl};

use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "did",
    entry_point: "sigil_core::did::{Did::parse, DidUrl::parse, key::resolve, jwk::resolve, web::document_url}",
    tokens: &[
        b"did:jwk:",
        b"did:web:",
        b"z6Mk",
        b"zDn",
        b"eyJ",
        b"%3A",
        b"%2",
        b"::",
        b"#key-1",
        b"?versionTime=",
        b"/path",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let text = text(input);
    let url = DidUrl::parse(&text);
    if let Ok(url) = &url {
        ensure(url.to_string() == text, || {
            format!("DID URL written back as {url}")
        })?;
        let again = DidUrl::parse(&url.to_string());
        ensure(again.as_ref() == Ok(url), || {
            format!("DID URL reads back as {again:?}")
        })?;
        let _ = url.fragment();
        resolve(url.did());
    }
    let did = Did::parse(&text);
    if let Ok(did) = &did {
        ensure(did.as_str() == text, || format!("DID written back as {did}"))?;
        ensure(
            text.get(4..).is_some_and(|rest| rest.starts_with(did.method())),
            || format!("method {:?} is not what follows `did:`", did.method()),
        )?;
        let json = serde_json::to_value(did).map_err(|e| Violation(e.to_string()))?;
        let again: Result<Did, _> = serde_json::from_value(json);
        ensure(again.as_ref().ok() == Some(did), || {
            format!("DID reads back as {again:?}")
        })?;
        let _ = did.method_specific_id();
        resolve(did);
    }
    Ok(Outcome::of(&url))
}

fn resolve(did: &Did) {
    match did.method() {
        "key" => drop(sigil_core::did::key::resolve(did)),
        "jwk" => drop(sigil_core::did::jwk::resolve(did)),
        // Where a did:web document would be fetched from; the mapping is pure, the fetch is
        // not fuzzed here.
        "web" => drop(sigil_core::did::web::document_url(did)),
        _ => {}
    }
}
