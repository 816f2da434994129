//! The JSON-LD contexts Sigil knows, bundled in the binary.
//!
//! Nothing ever fetches a remote `@context` (docs/design.md §2): a credential that names a context
//! outside this list is refused with [`UnknownContext`], which protects verifiers from
//! context-swapping attacks, from SSRF, and from depending on a web server's uptime. The
//! files are verbatim copies of the published W3C and W3ID documents.

/// One bundled context.
#[derive(Debug, Clone, Copy)]
pub struct BundledContext {
    /// The URL credentials use in `@context`.
    pub url: &'static str,
    /// A file name for exporting it (`sigil-verifier contexts --export`).
    pub file_name: &'static str,
    /// The document itself.
    pub document: &'static str,
}

/// VCDM 1.1 base context (VCDM 1.1 §5.3): credentials from issuers still on the 1.1 model.
pub const CREDENTIALS_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The context of the `Ed25519Signature2020` proof type (W3C CCG Ed25519 Signature 2020) and
/// its `Ed25519VerificationKey2020` keys, which most VCDM 1.1 credentials are signed with.
pub const ED25519_SIGNATURE_2020_V1: &str = "https://w3id.org/security/suites/ed25519-2020/v1";
/// VCDM 2.0 base context; also defines Data Integrity and Bitstring Status List terms.
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// VCDM 2.0 examples context (`@vocab` for undefined terms), used by W3C test suites.
pub const CREDENTIALS_EXAMPLES_V2: &str = "https://www.w3.org/ns/credentials/examples/v2";
/// Data Integrity v2 (for documents that are not VCDM 2.0 credentials).
pub const DATA_INTEGRITY_V2: &str = "https://w3id.org/security/data-integrity/v2";
/// Multikey verification methods.
pub const MULTIKEY_V1: &str = "https://w3id.org/security/multikey/v1";
/// Sigil's own vocabulary: the diploma and inspection certificate types and their claims.
pub const SIGIL_V1: &str = "https://w3id.org/sigil/contexts/v1";

/// Every context Sigil knows.
pub const BUNDLED: &[BundledContext] = &[
    BundledContext {
        url: CREDENTIALS_V1,
        file_name: "credentials-v1.jsonld",
        document: include_str!("../contexts/credentials-v1.jsonld"),
    },
    BundledContext {
        url: ED25519_SIGNATURE_2020_V1,
        file_name: "ed25519-signature-2020-v1.jsonld",
        document: include_str!("../contexts/ed25519-signature-2020-v1.jsonld"),
    },
    BundledContext {
        url: CREDENTIALS_V2,
        file_name: "credentials-v2.jsonld",
        document: include_str!("../contexts/credentials-v2.jsonld"),
    },
    BundledContext {
        url: CREDENTIALS_EXAMPLES_V2,
        file_name: "credentials-examples-v2.jsonld",
        document: include_str!("../contexts/credentials-examples-v2.jsonld"),
    },
    BundledContext {
        url: DATA_INTEGRITY_V2,
        file_name: "data-integrity-v2.jsonld",
        document: include_str!("../contexts/data-integrity-v2.jsonld"),
    },
    BundledContext {
        url: "https://w3id.org/security/data-integrity/v1",
        file_name: "data-integrity-v1.jsonld",
        document: include_str!("../contexts/data-integrity-v1.jsonld"),
    },
    BundledContext {
        url: MULTIKEY_V1,
        file_name: "multikey-v1.jsonld",
        document: include_str!("../contexts/multikey-v1.jsonld"),
    },
    BundledContext {
        // The Bitstring Status List terms live in the VCDM 2.0 context; this is the context of
        // its predecessor, StatusList2021, which issuers on VCDM 1.1 still use.
        url: "https://w3id.org/vc/status-list/2021/v1",
        file_name: "status-list-2021-v1.jsonld",
        document: include_str!("../contexts/status-list-2021-v1.jsonld"),
    },
    BundledContext {
        url: "https://www.w3.org/ns/did/v1",
        file_name: "did-v1.jsonld",
        document: include_str!("../contexts/did-v1.jsonld"),
    },
    BundledContext {
        url: SIGIL_V1,
        file_name: "sigil-v1.jsonld",
        document: include_str!("../contexts/sigil-v1.jsonld"),
    },
];

/// A context URL that is not bundled.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error(
    "unknown JSON-LD context {0:?}: Sigil only uses bundled contexts and never fetches one from the network"
)]
pub struct UnknownContext(pub String);

/// Looks a context up by URL.
pub fn find(url: &str) -> Result<&'static BundledContext, UnknownContext> {
    BUNDLED
        .iter()
        .find(|context| context.url == url)
        .ok_or_else(|| UnknownContext(url.to_owned()))
}

/// Writes every bundled context into `dir`, plus `index.json` mapping URL to file name, so
/// verifiers on other stacks can load Sigil credentials offline.
pub fn export(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut index = serde_json::Map::new();
    for context in BUNDLED {
        std::fs::write(dir.join(context.file_name), context.document)?;
        index.insert(context.url.to_owned(), context.file_name.into());
    }
    let index = serde_json::to_string_pretty(&index).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("index.json"), index + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_context_is_valid_json_with_a_context_member() {
        for context in BUNDLED {
            let value: serde_json::Value = serde_json::from_str(context.document).unwrap();
            assert!(value.get("@context").is_some(), "{}", context.url);
        }
    }

    #[test]
    fn an_unknown_context_is_a_clear_error() {
        let err = find("https://evil.example/context").unwrap_err();
        assert!(err.to_string().contains("never fetches"), "{err}");
    }

    #[test]
    fn export_writes_an_index_that_names_every_file() {
        let dir = tempfile::tempdir().unwrap();
        export(dir.path()).unwrap();
        let index: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("index.json")).unwrap()).unwrap();
        assert_eq!(index.len(), BUNDLED.len());
        for (_, file) in index {
            assert!(dir.path().join(file.as_str().unwrap()).is_file());
        }
    }
}
