//! A registrar's graduating class as CSV (`sigil_issuer::csv_batch::parse`), uploaded through
//! the portal or `POST /api/offers/batch`, for the built-in `UniversityDegreeCredential`.
//!
//! Property: never panics; a class is at most `MAX_ROWS` requests, every one of the type,
//! and every problem names a line of the file.

use std::sync::OnceLock;

use sigil_core::format::CredentialFormat;
use sigil_issuer::credential_types::{TypeCatalogue, TypeDefinition};
use sigil_issuer::csv_batch::{self, MAX_ROWS};

use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "csv_batch",
    entry_point: "sigil_issuer::csv_batch::parse",
    tokens: &[
        b",",
        b"\"",
        b"\"\"",
        b"\n",
        b"\r\n",
        b"\r",
        b"=HYPERLINK(\"x\")",
        b"+1",
        b"-1",
        b"@SUM",
        b"degree.type",
        b"degree.name",
        b"name",
        b"honours",
        b"BachelorDegree",
        b"2026-02-30",
        b"\xef\xbb\xbf",
    ],
    property,
};

fn definition() -> Option<&'static TypeDefinition> {
    static CATALOGUE: OnceLock<Option<TypeCatalogue>> = OnceLock::new();
    CATALOGUE
        .get_or_init(|| TypeCatalogue::builtin().ok())
        .as_ref()
        .and_then(|catalogue| catalogue.get("UniversityDegreeCredential"))
}

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let definition =
        definition().ok_or_else(|| Violation("no built-in UniversityDegreeCredential".into()))?;
    let text = text(input);
    // The CSV reader ends a record at `\n`, `\r` or `\r\n`; records are never more than lines.
    let lines = text.bytes().filter(|b| matches!(b, b'\n' | b'\r')).count() + 2;
    let parsed = csv_batch::parse(&text, definition, CredentialFormat::LdpVc);
    match &parsed {
        Ok(requests) => {
            ensure(!requests.is_empty() && requests.len() <= MAX_ROWS, || {
                format!("{} requests", requests.len())
            })?;
            ensure(requests.iter().all(|r| r.type_name == definition.name()), || {
                "a request of another type".into()
            })?;
        }
        Err(problems) => {
            ensure(!problems.is_empty(), || "refused without a reason".into())?;
            for problem in problems {
                ensure(problem.line >= 1 && problem.line <= lines, || {
                    format!("a problem on line {} of a {lines}-line file", problem.line)
                })?;
            }
        }
    }
    Ok(Outcome::of(&parsed))
}
