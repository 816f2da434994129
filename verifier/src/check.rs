//! One verification as the command line and (later) the API run it: set up the verifier
//! from options, verify, and classify the outcome into the exit codes of docs/design.md §7.

use std::sync::Arc;

use sigil_core::did::StandardResolver;
use sigil_core::fetch::status_lists::UrlStatusLists;
use sigil_core::fetch::{NetPolicy, WebDocuments};
use sigil_core::registry::bundle::Bundle;
use sigil_core::registry::{RegistryClient, RegistryNodes};
use sigil_core::verify::sources::StatusListsByIssuer;
use sigil_core::verify::{Expectations, StatusListSource, VerificationError, VerificationReport, Verifier};

/// Where the verifier looks things up.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The registry's base URL, for `did:sigil` and its issuers' status lists.
    pub registry: Option<RegistryNodes>,
    /// The hash of the registry chain's genesis to trust; without it, the genesis the registry
    /// serves first.
    pub registry_genesis: Option<String>,
    /// Local copies of documents strangers name (a `did:web` document, a status list
    /// credential), by URL: served instead of fetching them (`--document URL=FILE`).
    pub documents: Vec<(url::Url, String)>,
    /// Fetch nothing those documents lack: `did:web` documents and status lists come only
    /// from [`Sources::documents`] (`--offline`). The registry, if given, is still asked.
    pub offline: bool,
    /// Where `did:web` documents and status lists may be fetched from: strict unless a test
    /// or a development setup relaxes it.
    pub policy: NetPolicy,
    /// Registry facts from an offline bundle (`--bundle`), checked by the caller: when set,
    /// the registry is read from it alone, [`Sources::registry`] is ignored, and nothing is
    /// fetched (as with [`Sources::offline`]).
    pub bundle: Option<Arc<Bundle>>,
}

impl Sources {
    /// The documents source these options describe: the network under the policy (unless
    /// offline), with the local copies first.
    fn web_documents(&self) -> WebDocuments {
        let web = if self.offline || self.bundle.is_some() {
            WebDocuments::offline()
        } else {
            WebDocuments::new(self.policy.clone())
        };
        self.documents
            .iter()
            .fold(web, |web, (url, text)| web.with_document(url, text.clone()))
    }
}

/// The outcome of one verification.
#[derive(Debug)]
pub enum Verdict {
    /// Every check passed, did not apply or left a note (exit 0).
    Valid(VerificationReport),
    /// A check failed (exit 1).
    Invalid(VerificationReport),
    /// There is no report: the input is unusable (not valid, exit 1), or no verdict could be
    /// reached — something Sigil does not support, or a source it could not reach (exit 2).
    NoReport(VerificationError),
}

impl Verdict {
    /// Classifies the pipeline's answer.
    pub fn of(result: Result<VerificationReport, VerificationError>) -> Verdict {
        match result {
            Ok(report) if report.valid => Verdict::Valid(report),
            Ok(report) => Verdict::Invalid(report),
            Err(e) => Verdict::NoReport(e),
        }
    }

    /// The process exit code for this verdict: 0 valid, 1 not valid (including malformed
    /// input), 2 no verdict reached.
    pub fn exit_code(&self) -> u8 {
        match self {
            Verdict::Valid(_) => 0,
            Verdict::Invalid(_) | Verdict::NoReport(VerificationError::Input(_)) => 1,
            Verdict::NoReport(
                VerificationError::Unsupported(_) | VerificationError::CouldNotCheck { .. },
            ) => 2,
        }
    }

    /// Whether a verdict was reached (valid or not).
    pub fn is_verdict(&self) -> bool {
        self.exit_code() != 2
    }
}

/// Verifies `input` (JSON, compact JWS or SD-JWT). With a registry (or a bundle of its
/// facts), `did:sigil` issuers resolve there, and status, key history and accreditation are
/// read from it; `did:web` issuers resolve, and other issuers' status lists are read, at their
/// own URL (or from the local copies in `sources`). A bundle that does not prove itself gives
/// no verdict.
pub async fn verify(input: &str, expect: &Expectations, sources: &Sources) -> Verdict {
    let web = Arc::new(sources.web_documents());
    let client = match &sources.bundle {
        Some(bundle) => match RegistryClient::from_bundle(bundle) {
            Ok(client) => Some(client),
            Err(e) => {
                return Verdict::NoReport(VerificationError::CouldNotCheck {
                    check: "registry",
                    reason: e.to_string(),
                });
            }
        },
        None => sources.registry.as_ref().map(|nodes| {
            let client = nodes.client();
            match &sources.registry_genesis {
                Some(genesis) => client.pinned(genesis.clone()),
                None => client,
            }
        }),
    };
    // One client for the resolver and every other fact, so they share the trusted genesis
    // and the headers seen.
    let registry = client.map(Arc::new);
    let resolver = match &registry {
        Some(registry) => StandardResolver::with_registry(registry.clone()),
        None => StandardResolver::offline(),
    }
    .with_web(web.clone());
    let own_url = UrlStatusLists::new(web);
    let status = StatusListsByIssuer {
        registry: registry
            .as_ref()
            .map(|registry| registry.as_ref() as &dyn StatusListSource),
        own_url: Some(&own_url),
    };
    let mut verifier = Verifier::new(&resolver);
    verifier.status = Some(&status);
    if let Some(registry) = &registry {
        verifier.trust = Some(registry.as_ref());
        verifier.history = Some(registry.as_ref());
    }
    Verdict::of(verifier.verify(input, expect).await)
}
