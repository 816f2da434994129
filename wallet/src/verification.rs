//! Verifying what the wallet is given, with the registry the wallet was set up with: the
//! same pipeline verifiers run (docs/design.md §5), so the holder sees what they will see.

use std::sync::Arc;

use serde_json::Value;
use sigil_core::did::StandardResolver;
use sigil_core::fetch::status_lists::UrlStatusLists;
use sigil_core::fetch::{NetPolicy, WebDocuments};
use sigil_core::format::CredentialFormat;
use sigil_core::jose;
use sigil_core::sd_jwt;
use sigil_core::verify::sources::StatusListsByIssuer;
use sigil_core::verify::{Expectations, StatusListSource, VerificationReport, Verifier};

use crate::holder::Holder;

/// Why there is no report.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The input could not be judged (unreadable, unsupported, or the registry is down).
    #[error("{0}")]
    CouldNotCheck(String),
}

/// Verifies `input` with the wallet's registry (if it has one).
pub async fn verify(
    holder: &Holder,
    input: &str,
    expect: &Expectations,
) -> Result<VerificationReport, Failure> {
    let registry = holder
        .config
        .registry_client()
        .map_err(|e| Failure::CouldNotCheck(e.to_string()))?
        .map(Arc::new);
    // did:web documents and the status lists of issuers not on the registry are read at
    // their own URL, under the strict policy whatever the wallet's development setting (a
    // credential is a stranger's).
    let web = Arc::new(WebDocuments::new(NetPolicy::strict()));
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
    verifier
        .verify(input, expect)
        .await
        .map_err(|e| Failure::CouldNotCheck(e.to_string()))
}

/// The signed payload of a credential in any format (the signature was checked already).
fn payload(credential: &str) -> Option<Value> {
    let text = credential.trim();
    if text.starts_with('{') {
        return sigil_core::json::parse(text).ok();
    }
    let jws = text.split('~').next()?;
    jose::decode_unverified(jws).ok().map(|jws| jws.payload)
}

/// Whether a verified credential is bound to `holder`: its subject is the holder's DID, or —
/// for SD-JWT VC — its `cnf` key is the holder's key.
pub fn is_bound_to(report: &VerificationReport, credential: &str, holder: &Holder) -> bool {
    let Some(payload) = payload(credential) else {
        return false;
    };
    match report.format {
        CredentialFormat::SdJwt => {
            sd_jwt::confirmation_key(&payload).is_ok_and(|key| key == holder.key.public_key())
        }
        CredentialFormat::LdpVc | CredentialFormat::VcJwt => {
            let did = holder.did.as_str();
            // A VC-JWT of VCDM 1.1 holds the credential under `vc`, and may name its subject
            // only in `sub` (verification refused it if the two disagree).
            if payload.get("sub").and_then(Value::as_str) == Some(did) {
                return true;
            }
            let credential = payload.get("vc").unwrap_or(&payload);
            match credential.get("credentialSubject") {
                Some(Value::Array(subjects)) => subjects
                    .iter()
                    .any(|s| s.get("id").and_then(Value::as_str) == Some(did)),
                Some(subject) => subject.get("id").and_then(Value::as_str) == Some(did),
                None => false,
            }
        }
    }
}

/// When a credential stops being valid, in Unix seconds: the earlier of `validUntil` and a
/// JWT's `exp`, since verification holds it to both.
pub fn valid_until(credential: &str) -> Option<i64> {
    let payload = payload(credential)?;
    let valid_until = payload
        .get("validUntil")
        .and_then(Value::as_str)
        .and_then(sigil_core::time::parse_datetime)
        .map(|t| t.timestamp());
    let exp = payload.get("exp").and_then(Value::as_i64);
    valid_until.into_iter().chain(exp).min()
}
