//! Reports as people and scripts read them: aligned text for the terminal, JSON for `--json`.

use std::fmt::Write as _;

use serde_json::json;
use sigil_core::verify::{Outcome, VerificationError, VerificationReport};

use crate::check::Verdict;

/// The report as text: a verdict line, then one line per check, credentials indented.
pub fn text(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Valid(report) => format!("VALID: {}\n{}", headline(report), checks(report, "  ")),
        Verdict::Invalid(report) => {
            let mut out = format!("INVALID: {}\n{}", headline(report), checks(report, "  "));
            let _ = writeln!(out, "Failed:");
            for (path, check) in report.failures() {
                let _ = writeln!(out, "  {path}: {}", check.message);
            }
            out
        }
        Verdict::NoReport(error) => format!("{}\n", error_line(error)),
    }
}

/// The report (or error) as JSON.
pub fn json(verdict: &Verdict) -> serde_json::Value {
    match verdict {
        Verdict::Valid(report) | Verdict::Invalid(report) => json!(report),
        Verdict::NoReport(error) => json!({
            "valid": false,
            "error": {"kind": error_kind(error), "message": error.to_string()},
        }),
    }
}

fn error_kind(error: &VerificationError) -> &'static str {
    match error {
        VerificationError::Input(_) => "unusable_input",
        VerificationError::Unsupported(_) => "unsupported",
        VerificationError::CouldNotCheck { .. } => "could_not_check",
    }
}

fn error_line(error: &VerificationError) -> String {
    match error {
        VerificationError::CouldNotCheck { .. } => format!("COULD NOT CHECK: {error}"),
        VerificationError::Unsupported(_) => format!("NO VERDICT: {error}"),
        VerificationError::Input(_) => format!("INVALID: {error}"),
    }
}

fn headline(report: &VerificationReport) -> String {
    let types: Vec<&str> = report
        .types
        .iter()
        .map(String::as_str)
        .filter(|t| *t != "VerifiableCredential")
        .collect();
    let mut line = report.describe().to_owned();
    if !types.is_empty() {
        let _ = write!(line, ", {}", types.join(", "));
    }
    if let Some(issuer) = &report.issuer {
        let _ = write!(line, ", issued by {issuer}");
    }
    if let Some(holder) = &report.holder {
        let _ = write!(line, ", presented by {holder}");
    }
    line
}

fn checks(report: &VerificationReport, indent: &str) -> String {
    let mut out = String::new();
    for check in &report.checks {
        let mark = match check.outcome {
            Outcome::Passed => "ok  ",
            Outcome::Failed => "FAIL",
            Outcome::NotApplicable => "n/a ",
            Outcome::Note => "note",
        };
        let _ = writeln!(out, "{indent}{mark} {:<15} {}", check.id, check.message);
    }
    for (index, credential) in report.credentials.iter().enumerate() {
        let _ = writeln!(out, "{indent}credential {}: {}", index + 1, headline(credential));
        out.push_str(&checks(credential, &format!("{indent}  ")));
    }
    out
}
