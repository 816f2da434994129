//! The verification report (docs/design.md §5): one entry per check — passed, failed or not
//! applicable — each with a sentence a person can read.

use crate::format::CredentialFormat;
use crate::names::{LegalName, ShownName};
use serde::Serialize;
use serde_json::Value;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    NotApplicable,
    /// Checked, and worth knowing, but not a failure under the caller's requirements (a
    /// holder who is not the subject, an unaccredited issuer when accreditation is not
    /// required).
    Note,
}

/// Stable identifiers of the checks, for scripts and the JSON API.
pub mod check_id {
    /// The input is a credential or presentation in a format Sigil reads.
    pub const FORMAT: &str = "format";
    /// The signature verifies over the canonical form.
    pub const PROOF: &str = "proof";
    /// The signing key belonged to the issuer (or holder) when it signed.
    pub const SIGNING_KEY: &str = "signing_key";
    /// The key was not compromised, and the DID not deactivated, at signing time.
    pub const KEY_HISTORY: &str = "key_history";
    /// The status list entry is not set.
    pub const STATUS: &str = "status";
    /// The validity period includes now.
    pub const VALIDITY: &str = "validity";
    /// The issuer is accredited for the credential's type.
    pub const TRUST: &str = "trust";
    /// The issuer is the one the caller asked for.
    pub const EXPECTED_ISSUER: &str = "expected_issuer";
    /// SD-JWT disclosures match the signed digests.
    pub const DISCLOSURES: &str = "disclosures";
    /// The presentation is bound to the holder, the verifier's nonce/challenge and audience.
    pub const HOLDER_BINDING: &str = "holder_binding";
}

/// One check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub outcome: Outcome,
    pub message: String,
}

impl Check {
    /// A passed check.
    pub fn passed(id: &'static str, message: impl Into<String>) -> Self {
        Check {
            id,
            outcome: Outcome::Passed,
            message: message.into(),
        }
    }

    /// A failed check.
    pub fn failed(id: &'static str, message: impl Into<String>) -> Self {
        Check {
            id,
            outcome: Outcome::Failed,
            message: message.into(),
        }
    }

    /// A finding that does not make the input invalid.
    pub fn note(id: &'static str, message: impl Into<String>) -> Self {
        Check {
            id,
            outcome: Outcome::Note,
            message: message.into(),
        }
    }

    /// A check that does not apply to this input.
    pub fn not_applicable(id: &'static str, message: impl Into<String>) -> Self {
        Check {
            id,
            outcome: Outcome::NotApplicable,
            message: message.into(),
        }
    }
}

/// A root of trust that accredited an issuer: its DID and, when genesis or governance
/// recorded one, its legal name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accreditor {
    pub did: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<LegalName>,
}

/// What was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Credential,
    Presentation,
}

/// The result of verifying a credential or presentation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerificationReport {
    pub subject: Subject,
    /// The securing format (a presentation's: `ldp_vc` for a Data Integrity presentation,
    /// `vc+jwt` for a `vp+jwt`, `dc+sd-jwt` for an SD-JWT with key binding).
    pub format: CredentialFormat,
    /// The issuer (credentials) or holder (presentations) DID, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The issuer in words: the legal name its accreditation records (the registry vouches
    /// for it), else the name the credential gives its issuer (self-asserted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_name: Option<ShownName>,
    /// The root of trust whose accreditation of the issuer the `trust` check found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accredited_by: Option<Accreditor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// The credential's types.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// When the credential says it was signed (`proof.created`, `iat`), else its `validFrom`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<crate::time::Timestamp>,
    /// The subject claims the verifier can see (for SD-JWT, only the disclosed ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Value>,
    pub checks: Vec<Check>,
    /// The credentials inside a presentation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<VerificationReport>,
    /// Whether every check here and in the credentials passed or did not apply.
    pub valid: bool,
}

impl VerificationReport {
    /// What was verified, for people.
    pub fn describe(&self) -> &'static str {
        match (self.format, self.subject) {
            (CredentialFormat::LdpVc, Subject::Credential) => "Data Integrity credential",
            (CredentialFormat::LdpVc, Subject::Presentation) => "Data Integrity presentation",
            (CredentialFormat::VcJwt, Subject::Credential) => "VC-JOSE credential (vc+jwt)",
            (CredentialFormat::VcJwt, Subject::Presentation) => "VC-JOSE presentation (vp+jwt)",
            (CredentialFormat::SdJwt, Subject::Credential) => "SD-JWT VC",
            (CredentialFormat::SdJwt, Subject::Presentation) => "SD-JWT VC presentation with key binding",
        }
    }

    pub(crate) fn new(subject: Subject, format: CredentialFormat) -> Self {
        VerificationReport {
            subject,
            format,
            issuer: None,
            issuer_name: None,
            accredited_by: None,
            holder: None,
            types: vec![],
            issued_at: None,
            claims: None,
            checks: vec![],
            credentials: vec![],
            valid: true,
        }
    }

    pub(crate) fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// Computes `valid` from the checks; call once the report is complete.
    pub(crate) fn finish(mut self) -> Self {
        self.valid = self.checks.iter().all(|c| c.outcome != Outcome::Failed)
            && self.credentials.iter().all(|c| c.valid);
        self
    }

    /// Every failed check, with a path naming where it is (`credential 1: status`).
    pub fn failures(&self) -> Vec<(String, &Check)> {
        let mut out: Vec<(String, &Check)> = self
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Failed)
            .map(|c| (c.id.to_owned(), c))
            .collect();
        for (index, credential) in self.credentials.iter().enumerate() {
            for (path, check) in credential.failures() {
                out.push((format!("credential {}: {path}", index + 1), check));
            }
        }
        out
    }

    /// The outcome of the check `id`, if it was made.
    pub fn outcome(&self, id: &str) -> Option<Outcome> {
        self.checks.iter().find(|c| c.id == id).map(|c| c.outcome)
    }
}
