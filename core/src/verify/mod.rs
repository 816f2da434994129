//! The verification pipeline of docs/design.md §5, as a library: any of Sigil's formats in, a
//! [`VerificationReport`] out, or a [`VerificationError`] when the input is unusable or a
//! check could not be made ("could not check" is never reported as "invalid").
//!
//! Order of work for a credential: format → proof (with the key the issuer DID had at the
//! signing time) → key history → status → validity period → trust → expected issuer. For a
//! presentation: the holder's proof and binding, then each credential inside.

mod batch;
mod data_integrity;
mod jose;
pub mod report;
mod sd_jwt;
mod signer;
pub mod sources;
mod status;
mod status_memo;
mod vc_jwt_v1;

use serde_json::Value;
use sha2::{Digest as _, Sha256};

pub use batch::DeferredSignatures;
pub use report::{Check, Outcome, Subject, VerificationReport, check_id};
pub use sources::{KeyHistory, StatusListSource, TrustRegistry};
pub use status_memo::VerifiedStatusLists;

use crate::did::{Did, DidResolver};
use crate::model::StatusEntry;
use crate::names::{LegalName, NameSource, ShownName};
use crate::time::{Timestamp, format_datetime};

/// Allowed clock difference between issuer and verifier, in seconds.
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// Why there is no verdict.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum VerificationError {
    /// The input is not a credential or presentation Sigil can read.
    #[error("unusable input: {0}")]
    Input(String),
    /// The input uses something Sigil does not implement (a cryptosuite, a DID method, a
    /// status type), so it cannot be judged either way.
    #[error("cannot check: {0}")]
    Unsupported(String),
    /// A source needed for a check could not be reached (registry down, timeout).
    #[error("could not check {check}: {reason}")]
    CouldNotCheck { check: &'static str, reason: String },
}

/// What the caller expects of a presentation (docs/design.md §7 flags).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    /// Data Integrity presentations: the verifier's `challenge`.
    pub challenge: Option<String>,
    /// Data Integrity presentations: the verifier's `domain`.
    pub domain: Option<String>,
    /// JWT and SD-JWT presentations: the verifier's `nonce`.
    pub nonce: Option<String>,
    /// JWT and SD-JWT presentations: the verifier's identifier (`aud`).
    pub audience: Option<String>,
    /// Require this issuer.
    pub issuer: Option<Did>,
    /// Fail a presentation whose holder is not the subject of every credential in it. VCDM
    /// 2.0 lets a holder present a credential about someone else, so without this the
    /// mismatch is only a note; the OpenID4VP service's policies ask for it.
    pub require_holder_binding: bool,
    /// Fail a credential whose issuer is not accredited for its type (when a trust registry
    /// is configured). Without this an unaccredited issuer is only a note.
    pub require_accreditation: bool,
    /// Only a presentation answers (the VC API's `/presentations/verify`), even without a
    /// challenge.
    pub require_presentation: bool,
    /// Leave the credentials' status unread (the VC API's `options.checks` without a status
    /// check): no status list is fetched and the report says the status was not checked, so
    /// a caller who did not ask cannot be failed by an unreachable list.
    pub skip_status: bool,
}

impl Expectations {
    /// Whether the caller bound the verification to a challenge, nonce, domain or audience:
    /// then only a presentation can answer, never a bare credential anyone could copy.
    pub fn asks_for_presentation(&self) -> bool {
        self.require_presentation
            || self.challenge.is_some()
            || self.domain.is_some()
            || self.nonce.is_some()
            || self.audience.is_some()
    }
}

/// The verifier: a DID resolver plus the optional sources of outside facts.
#[derive(Clone, Copy)]
pub struct Verifier<'a> {
    pub resolver: &'a dyn DidResolver,
    pub status: Option<&'a dyn StatusListSource>,
    pub trust: Option<&'a dyn TrustRegistry>,
    pub history: Option<&'a dyn KeyHistory>,
    /// The time verification is made at.
    pub now: Timestamp,
    /// Status lists verified earlier in the same second, reused (a long-lived verifier keeps
    /// one [`VerifiedStatusLists`] for the sources it always uses).
    pub status_lists_seen: Option<&'a VerifiedStatusLists>,
    /// Set only while the verifier checks one presentation's Ed25519 signatures in a batch
    /// (`batch`); always `None` from [`Verifier::new`], and nothing outside can make one.
    #[doc(hidden)]
    pub deferred_signatures: Option<&'a DeferredSignatures>,
}

impl std::fmt::Debug for Verifier<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("status", &self.status.is_some())
            .field("trust", &self.trust.is_some())
            .field("history", &self.history.is_some())
            .field("now", &self.now)
            .finish()
    }
}

/// What a credential is verified as. A status list credential is checked like any other —
/// proof, signing key, key history, validity — but its own status and accreditation do not
/// apply: it is trusted because the credential's issuer signed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Credential,
    StatusList,
}

/// What every format yields about a credential once its proof is checked.
#[derive(Debug)]
pub(crate) struct SignedCredential<'a> {
    pub issuer: Did,
    /// The name the credential gives its issuer, self-asserted.
    pub issuer_name: Option<LegalName>,
    pub method_id: String,
    pub signed_at: Option<Timestamp>,
    pub types: Vec<String>,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    /// Why the dates cannot be believed, one sentence each, found by the format: a JWT `exp`
    /// or `nbf` naming another instant than the credential's `validUntil` or `validFrom`.
    /// Any of them fails the `validity` check.
    pub validity_conflicts: Vec<String>,
    pub status: Vec<StatusEntry>,
    /// The credential as issued, for [`credential_hash`] — taken only when a key history
    /// needs an anchor, since hashing a JSON credential means writing it in JCS.
    pub issued: Issued<'a>,
}

/// A credential in the form it was issued, held until its hash is needed.
#[derive(Debug)]
pub(crate) enum Issued<'a> {
    Json(std::borrow::Cow<'a, Value>),
    Jws(&'a str),
    SdJwt(&'a str),
}

impl Issued<'_> {
    /// See [`credential_hash`]; `None` when it cannot be computed (then no anchor can vouch
    /// for the credential).
    pub fn hash(&self) -> Option<String> {
        let form = match self {
            Issued::Json(value) => IssuedForm::Json(value),
            Issued::Jws(text) => IssuedForm::Jws(text),
            Issued::SdJwt(text) => IssuedForm::SdJwt(text),
        };
        credential_hash(&form).ok()
    }
}

impl<'a> Verifier<'a> {
    /// A verifier with only a resolver, at the current time.
    pub fn new(resolver: &'a dyn DidResolver) -> Self {
        Verifier {
            resolver,
            status: None,
            trust: None,
            history: None,
            now: crate::time::now(),
            status_lists_seen: None,
            deferred_signatures: None,
        }
    }

    /// Verifies a credential or presentation given as text: Data Integrity JSON, a compact
    /// JWS (`vc+jwt`, `vp+jwt`, or a VC-JWT of VCDM 1.1 §6.3.1), or an SD-JWT VC.
    pub async fn verify(
        &self,
        input: &str,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        Ok(presentation_when_asked(
            self.verify_any(input, expect).await?,
            expect,
        ))
    }

    async fn verify_any(
        &self,
        input: &str,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        let input = input.trim();
        crate::json::check_size(input.len(), crate::json::MAX_INPUT_BYTES)
            .map_err(|e| VerificationError::Input(e.to_string()))?;
        if input.starts_with('{') {
            let value = crate::json::parse(input).map_err(|e| VerificationError::Input(e.to_string()))?;
            return self.verify_json_any(&value, expect).await;
        }
        if crate::sd_jwt::SdJwt::looks_like(input) {
            return self.verify_sd_jwt(input, expect).await;
        }
        if crate::jose::looks_like_compact_jws(input) {
            return self.verify_jws(input, expect, Role::Credential).await;
        }
        Err(VerificationError::Input(
            "not a credential or presentation: expected Data Integrity JSON, a compact JWS or an SD-JWT"
                .into(),
        ))
    }

    /// Verifies a Data Integrity credential or presentation given as JSON.
    pub async fn verify_json(
        &self,
        value: &Value,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        Ok(presentation_when_asked(
            self.verify_json_any(value, expect).await?,
            expect,
        ))
    }

    async fn verify_json_any(
        &self,
        value: &Value,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        // Both paths check the compact form first (`jsonld::compact_form`).
        if crate::model::Presentation::is_presentation(value) {
            self.verify_di_presentation(value, expect).await
        } else {
            self.verify_di_credential(value, expect, Role::Credential).await
        }
    }

    /// The checks after the proof, common to every credential format.
    pub(crate) async fn credential_checks(
        &self,
        credential: &SignedCredential<'_>,
        expect: &Expectations,
        role: Role,
        report: &mut VerificationReport,
    ) -> Result<(), VerificationError> {
        report.issued_at = credential.signed_at.or(credential.valid_from);
        report.push(
            self.key_history_check(
                &credential.issuer,
                &credential.method_id,
                credential.signed_at,
                &credential.issued,
            )
            .await?,
        );
        report.push(self.validity_check(
            credential.valid_from,
            credential.valid_until,
            &credential.validity_conflicts,
        ));
        if role == Role::Credential {
            if expect.skip_status {
                if !credential.status.is_empty() {
                    report.push(Check::not_applicable(
                        check_id::STATUS,
                        "The status was not checked: the caller did not ask for it.",
                    ));
                }
            } else {
                for check in self.status_checks(&credential.issuer, &credential.status).await? {
                    report.push(check);
                }
            }
            let (check, accreditation) = self.trust_check(credential, expect.require_accreditation).await?;
            report.push(check);
            if let Some(accreditation) = accreditation {
                report.issuer_name = accreditation.legal_name.map(|name| ShownName {
                    name,
                    source: NameSource::Registry,
                });
                report.accredited_by = Some(report::Accreditor {
                    did: accreditation.accredited_by,
                    name: accreditation.accredited_by_name,
                });
            }
        }
        if report.issuer_name.is_none() {
            report.issuer_name = credential.issuer_name.clone().map(|name| ShownName {
                name,
                source: NameSource::SelfAsserted,
            });
        }
        if let Some(expected) = &expect.issuer {
            report.push(if expected == &credential.issuer {
                Check::passed(
                    check_id::EXPECTED_ISSUER,
                    format!("Issued by {expected}, as required."),
                )
            } else {
                Check::failed(
                    check_id::EXPECTED_ISSUER,
                    format!("Issued by {}, but {expected} was required.", credential.issuer),
                )
            });
        }
        Ok(())
    }

    fn validity_check(
        &self,
        valid_from: Option<Timestamp>,
        valid_until: Option<Timestamp>,
        conflicts: &[String],
    ) -> Check {
        let id = check_id::VALIDITY;
        let skew = chrono::Duration::seconds(CLOCK_SKEW_SECONDS);
        let mut failures = conflicts.to_vec();
        if let Some(from) = valid_from {
            if from > self.now + skew {
                failures.push(format!("Not valid until {}.", format_datetime(from)));
            }
        }
        if let Some(until) = valid_until {
            if until <= self.now - skew {
                failures.push(format!("Expired on {}.", format_datetime(until)));
            }
        }
        if !failures.is_empty() {
            return Check::failed(id, failures.join(" "));
        }
        match (valid_from, valid_until) {
            (None, None) => Check::passed(id, "No validity period is set."),
            (_, Some(until)) => Check::passed(id, format!("Valid until {}.", format_datetime(until))),
            (Some(from), None) => Check::passed(id, format!("Valid since {}.", format_datetime(from))),
        }
    }

    /// Accreditation of the issuer for every type; a refusal is a failure only when
    /// `required`, else a note. With the check comes the accreditation found for the first
    /// type, when every type has one: it names the issuer and its accreditor.
    async fn trust_check(
        &self,
        credential: &SignedCredential<'_>,
        required: bool,
    ) -> Result<(Check, Option<sources::Accreditation>), VerificationError> {
        let (check, accreditation) = self.accreditation_check(credential).await?;
        Ok(if check.outcome == Outcome::Failed && !required {
            let note = Check::note(
                check.id,
                format!("{} Accreditation was not required.", check.message),
            );
            (note, None)
        } else {
            (check, accreditation)
        })
    }

    async fn accreditation_check(
        &self,
        credential: &SignedCredential<'_>,
    ) -> Result<(Check, Option<sources::Accreditation>), VerificationError> {
        let id = check_id::TRUST;
        let Some(trust) = self.trust else {
            let check = Check::not_applicable(
                id,
                "No trust registry is configured, so the issuer's accreditation was not checked.",
            );
            return Ok((check, None));
        };
        let at = credential.signed_at.unwrap_or(self.now);
        let types: Vec<&String> = credential
            .types
            .iter()
            .filter(|t| *t != "VerifiableCredential")
            .collect();
        if types.is_empty() {
            let check = Check::failed(id, "The credential names no type to check accreditation for.");
            return Ok((check, None));
        }
        let mut granted = Vec::new();
        let mut first = None;
        for credential_type in types {
            match trust.accreditation(&credential.issuer, credential_type, at).await {
                Ok(Some(accreditation)) => {
                    granted.push(format!(
                        "{credential_type} by {}",
                        named(
                            &accreditation.accredited_by,
                            accreditation.accredited_by_name.as_ref()
                        )
                    ));
                    first.get_or_insert(accreditation);
                }
                Ok(None) => {
                    let check = Check::failed(
                        id,
                        format!(
                            "{} was not accredited to issue {credential_type} at {}.",
                            credential.issuer,
                            format_datetime(at)
                        ),
                    );
                    return Ok((check, None));
                }
                Err(e) => {
                    return Err(VerificationError::CouldNotCheck {
                        check: id,
                        reason: e.0,
                    });
                }
            }
        }
        let issuer = named(
            credential.issuer.as_str(),
            first.as_ref().and_then(|a| a.legal_name.as_ref()),
        );
        let check = Check::passed(id, format!("{issuer} is accredited for {}.", granted.join(", ")));
        Ok((check, first))
    }
}

/// A party in a check's sentence: "Example University (did:sigil:…)" when the registry
/// records its name, else its DID.
fn named(did: &str, name: Option<&LegalName>) -> String {
    match name {
        Some(name) => format!("{name} ({did})"),
        None => did.to_owned(),
    }
}

/// A bare credential answering a verification bound to a challenge or nonce is not valid:
/// a copy would pass as well as the holder's own presentation.
fn presentation_when_asked(mut report: VerificationReport, expect: &Expectations) -> VerificationReport {
    if expect.asks_for_presentation() && report.subject == Subject::Credential {
        report.push(Check::failed(
            check_id::HOLDER_BINDING,
            "A presentation was asked for (bound to the verifier's challenge or nonce), but this is a bare credential: anyone holding a copy could send it.",
        ));
        report = report.finish();
    }
    report
}

/// The hash that identifies a credential in issuance anchors: lowercase hex SHA-256 of the
/// credential as issued — the compact JWS for `vc+jwt`, the issuer-signed JWT for SD-JWT VC
/// (disclosures vary between presentations), and the RFC 8785 (JCS) form of the whole
/// secured JSON, proof included, for Data Integrity. A JSON value JCS cannot write is an
/// error, never the hash of nothing.
pub fn credential_hash(issued: &IssuedForm<'_>) -> Result<String, NotHashable> {
    let bytes: Vec<u8> = match issued {
        IssuedForm::Json(value) => serde_jcs::to_vec(value).map_err(|e| NotHashable(e.to_string()))?,
        IssuedForm::Jws(text) => text.as_bytes().to_vec(),
        IssuedForm::SdJwt(text) => text.split('~').next().unwrap_or(text).as_bytes().to_vec(),
    };
    Ok(Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect())
}

/// A credential that cannot be put in the canonical form its hash is taken over.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("the credential cannot be written in JCS to be hashed: {0}")]
pub struct NotHashable(pub String);

/// A credential in the form it was issued, for [`credential_hash`].
#[derive(Debug, Clone, Copy)]
pub enum IssuedForm<'a> {
    Json(&'a Value),
    Jws(&'a str),
    SdJwt(&'a str),
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod respelling_tests;

#[cfg(test)]
mod vcdm1_tests;

#[cfg(test)]
mod vc_jwt_v1_tests;
