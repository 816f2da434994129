//! Finding the key that signed: resolve the signer's DID as of the signing time and check
//! that the verification method was authorised for the purpose then (docs/design.md §5 rule 3),
//! then what the ledger knows of that key since — compromise and deactivation.

use super::report::{Check, check_id};
use super::{VerificationError, Verifier};
use crate::did::document::Relationship;
use crate::did::{Did, DidUrl, ResolutionError, ResolutionOptions};
use crate::key::PublicKey;
use crate::time::{Timestamp, format_datetime};

/// A signing key that was found, or the sentence saying why not.
pub(crate) type KeyLookup = Result<PublicKey, String>;

impl Verifier<'_> {
    /// Resolves `method_id`, which must belong to `signer`, as of `signed_at`, and checks it
    /// is in `relationship` then. Adds the `signing_key` check to `checks`.
    pub(crate) async fn signing_key(
        &self,
        signer: &Did,
        method_id: &str,
        relationship: Relationship,
        signed_at: Option<Timestamp>,
        checks: &mut Vec<Check>,
    ) -> Result<KeyLookup, VerificationError> {
        let lookup = self.find_key(signer, method_id, relationship, signed_at).await?;
        checks.push(match &lookup {
            Ok(_) => Check::passed(
                check_id::SIGNING_KEY,
                format!(
                    "{method_id} was an {} key of {signer}{}.",
                    relationship.name(),
                    signed_at
                        .map(|t| format!(" at {}", format_datetime(t)))
                        .unwrap_or_default()
                ),
            ),
            Err(reason) => Check::failed(check_id::SIGNING_KEY, reason.clone()),
        });
        Ok(lookup)
    }

    async fn find_key(
        &self,
        signer: &Did,
        method_id: &str,
        relationship: Relationship,
        signed_at: Option<Timestamp>,
    ) -> Result<KeyLookup, VerificationError> {
        let method = match DidUrl::parse(method_id) {
            Ok(method) => method,
            Err(e) => return Ok(Err(format!("The verification method is not a DID URL: {e}."))),
        };
        if method.did() != signer {
            return Ok(Err(format!(
                "The proof was made with a key of {}, not of {signer}.",
                method.did()
            )));
        }
        let options = signed_at.map(ResolutionOptions::at).unwrap_or_default();
        let resolution = match self.resolver.resolve(signer, &options).await {
            Ok(resolution) => resolution,
            Err(e) if e.is_unavailable() => {
                return Err(VerificationError::CouldNotCheck {
                    check: check_id::SIGNING_KEY,
                    reason: e.to_string(),
                });
            }
            Err(ResolutionError::MethodNotSupported(m)) => {
                return Err(VerificationError::Unsupported(format!(
                    "DID method `{m}` is not supported"
                )));
            }
            Err(e) => return Ok(Err(format!("{signer} could not be resolved: {e}."))),
        };
        let Some(found) = resolution.document.method_for(method_id, relationship) else {
            return Ok(Err(format!(
                "{method_id} was not an {} key of {signer}{}.",
                relationship.name(),
                signed_at
                    .map(|t| format!(" at {}", format_datetime(t)))
                    .unwrap_or_default()
            )));
        };
        Ok(found
            .public_key()
            .map_err(|e| format!("The key of {method_id} is unusable: {e}.")))
    }

    /// The `key_history` check: a key compromised from T invalidates what claims a time at or
    /// after T, and what claims an earlier time unless an anchor before T covers it; a
    /// deactivated DID invalidates what it signed afterwards.
    pub(crate) async fn key_history_check(
        &self,
        signer: &Did,
        method_id: &str,
        signed_at: Option<Timestamp>,
        issued: &super::Issued<'_>,
    ) -> Result<Check, VerificationError> {
        let id = check_id::KEY_HISTORY;
        if signer.method() == "web" {
            // did:web keeps no history: a key is valid while its document lists it (the
            // proof check resolved the current document), and no ledger records rotations.
            return Ok(Check::not_applicable(
                id,
                "did:web keeps no key history; only the keys its document lists now verify.",
            ));
        }
        if matches!(signer.method(), "key" | "jwk") {
            return Ok(Check::not_applicable(
                id,
                format!(
                    "did:{} keys cannot be rotated or revoked; there is no history to check.",
                    signer.method()
                ),
            ));
        }
        let Some(history) = self.history else {
            return Err(VerificationError::CouldNotCheck {
                check: id,
                reason: format!("no key history source is configured for {signer}"),
            });
        };
        let unavailable = |e: super::sources::Unavailable| VerificationError::CouldNotCheck {
            check: id,
            reason: e.0,
        };
        let events = history.key_events(signer, method_id).await.map_err(unavailable)?;
        let Some(signed_at) = signed_at else {
            return Ok(Check::failed(
                id,
                "The signature carries no signing time, so the key history cannot be applied.",
            ));
        };
        if let Some(deactivated) = events.deactivated_at {
            if signed_at >= deactivated {
                return Ok(Check::failed(
                    id,
                    format!(
                        "{signer} was deactivated at {}; this was signed afterwards.",
                        format_datetime(deactivated)
                    ),
                ));
            }
        }
        let Some(compromised) = events.compromised_since else {
            return Ok(Check::passed(
                id,
                format!("{method_id} has not been reported compromised."),
            ));
        };
        if signed_at >= compromised {
            return Ok(Check::failed(
                id,
                format!(
                    "{method_id} was declared compromised from {}; this claims to be signed at {}.",
                    format_datetime(compromised),
                    format_datetime(signed_at)
                ),
            ));
        }
        let anchor = match issued.hash() {
            Some(hash) => history
                .anchored_before(signer, &hash, compromised)
                .await
                .map_err(unavailable)?,
            None => None,
        };
        Ok(signed_before_compromise(method_id, compromised, anchor))
    }
}

/// What claims to be signed before its key was declared compromised holds only if an
/// issuance anchor from before then proves it existed.
fn signed_before_compromise(
    method_id: &str,
    compromised: Timestamp,
    anchor: Option<super::sources::AnchorEvidence>,
) -> Check {
    let id = check_id::KEY_HISTORY;
    match anchor {
        Some(anchor) => Check::passed(
            id,
            format!(
                "{method_id} was later declared compromised from {}, but this credential was anchored in block {} at {}, before that.",
                format_datetime(compromised),
                anchor.block_height,
                format_datetime(anchor.block_time)
            ),
        ),
        None => Check::failed(
            id,
            format!(
                "{method_id} was declared compromised from {}; this claims an earlier signing time, but no issuance anchor from before then proves it.",
                format_datetime(compromised)
            ),
        ),
    }
}
