//! `options.checks` of the VC API verify endpoints: which of the pipeline's checks make the
//! verdict, and the answer body built from a report under that choice.
//!
//! The signature checks — format, proof, signing key, key history, SD-JWT disclosures, holder
//! binding — always count: every other fact a check reads comes from what the signature
//! covers, so a verdict without them would vouch for nothing. A caller chooses among the
//! others (status, validity, trust). Status that was not asked for is not read at all (no
//! list is fetched, so an unreachable or unknown list cannot fail the answer); validity and
//! trust cost nothing to run, so they still run. Every check not asked for is listed under
//! `notRequested` and, when it found something, reported as a warning rather than an error.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use sigil_core::verify::{Check, Outcome, VerificationReport, check_id};

/// The check names a caller may put in `options.checks`, and the pipeline checks each selects
/// (an empty list: one of the checks that always count).
const NAMES: &[(&str, &[&str])] = &[
    ("proof", &[]),
    ("credentialStatus", &[check_id::STATUS]),
    ("status", &[check_id::STATUS]),
    ("expiration", &[check_id::VALIDITY]),
    ("validity", &[check_id::VALIDITY]),
    ("trust", &[check_id::TRUST]),
];

/// The pipeline checks a caller may leave out of the verdict.
const OPTIONAL: &[&str] = &[check_id::STATUS, check_id::VALIDITY, check_id::TRUST];

/// Which optional checks count towards the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    counted: BTreeSet<&'static str>,
}

impl Default for Selection {
    /// Without `options.checks`, every check counts.
    fn default() -> Self {
        Selection {
            counted: OPTIONAL.iter().copied().collect(),
        }
    }
}

impl Selection {
    /// Reads `options.checks`: absent means every check, otherwise an array of the names in
    /// [`NAMES`]. Anything else is the caller's mistake, named in the error.
    pub fn from_option(checks: Option<&Value>) -> Result<Selection, String> {
        let Some(checks) = checks else {
            return Ok(Selection::default());
        };
        let names = checks
            .as_array()
            .ok_or("options.checks must be an array of check names")?;
        let mut counted = BTreeSet::new();
        for name in names {
            let name = name
                .as_str()
                .ok_or("options.checks must be an array of check names")?;
            let (_, selected) = NAMES.iter().find(|(known, _)| *known == name).ok_or_else(|| {
                let known: Vec<&str> = NAMES.iter().map(|(known, _)| *known).collect();
                format!(
                    "unknown check {name:?} in options.checks; this verifier knows {}",
                    known.join(", ")
                )
            })?;
            counted.extend(selected.iter().copied());
        }
        Ok(Selection { counted })
    }

    /// Whether a failure of the pipeline check `id` fails the verdict.
    pub fn counts(&self, id: &str) -> bool {
        !OPTIONAL.contains(&id) || self.counted.contains(id)
    }

    /// The optional checks left out of the verdict.
    fn not_requested(&self) -> Vec<&'static str> {
        OPTIONAL
            .iter()
            .copied()
            .filter(|id| !self.counted.contains(id))
            .collect()
    }
}

/// The verdict of `report` under `selection`, and the VC API's answer body:
/// `{verified, checks, warnings, errors, notRequested}`.
pub fn answer(report: &VerificationReport, selection: &Selection) -> (bool, Value) {
    let mut passed = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for check in every_check(report) {
        let counted = selection.counts(check.id);
        match (check.outcome, counted) {
            (Outcome::Passed, true) => {
                if !passed.contains(&check.id) {
                    passed.push(check.id);
                }
            }
            (Outcome::Failed, true) => errors.push(entry(check, &check.message)),
            (Outcome::Note, _) => warnings.push(entry(check, &check.message)),
            (Outcome::Failed, false) => warnings.push(entry(
                check,
                &format!("(not requested in options.checks) {}", check.message),
            )),
            (Outcome::Passed | Outcome::NotApplicable, false) | (Outcome::NotApplicable, true) => {}
        }
    }
    let verified = errors.is_empty();
    let body = json!({
        "verified": verified,
        "checks": passed,
        "warnings": warnings,
        "errors": errors,
        "notRequested": selection.not_requested(),
    });
    (verified, body)
}

fn entry(check: &Check, message: &str) -> Value {
    json!({"check": check.id, "message": message})
}

/// The checks of a report and of every credential inside it.
fn every_check(report: &VerificationReport) -> Vec<&Check> {
    let mut all: Vec<&Check> = report.checks.iter().collect();
    for credential in &report.credentials {
        all.extend(every_check(credential));
    }
    all
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::*;
    use serde_json::json;

    #[test]
    fn without_options_checks_every_check_counts() {
        let selection = Selection::from_option(None).unwrap();
        for id in [
            check_id::PROOF,
            check_id::STATUS,
            check_id::VALIDITY,
            check_id::TRUST,
        ] {
            assert!(selection.counts(id), "{id}");
        }
        assert!(selection.not_requested().is_empty());
    }

    #[test]
    fn the_signature_checks_count_even_when_not_named() {
        let selection = Selection::from_option(Some(&json!([]))).unwrap();
        for id in [
            check_id::FORMAT,
            check_id::PROOF,
            check_id::SIGNING_KEY,
            check_id::HOLDER_BINDING,
        ] {
            assert!(selection.counts(id), "{id}");
        }
        assert!(!selection.counts(check_id::STATUS));
        assert_eq!(
            selection.not_requested(),
            vec![check_id::STATUS, check_id::VALIDITY, check_id::TRUST]
        );
    }

    #[test]
    fn credential_status_selects_the_status_check_only() {
        let selection = Selection::from_option(Some(&json!(["proof", "credentialStatus"]))).unwrap();
        assert!(selection.counts(check_id::STATUS));
        assert!(!selection.counts(check_id::VALIDITY));
    }

    #[test]
    fn an_unknown_check_name_or_a_malformed_list_is_refused() {
        let error = Selection::from_option(Some(&json!(["proof", "astrology"]))).unwrap_err();
        assert!(error.contains("astrology"), "{error}");
        assert!(Selection::from_option(Some(&json!("proof"))).is_err());
        assert!(Selection::from_option(Some(&json!([7]))).is_err());
    }
}
