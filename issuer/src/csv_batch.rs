//! A graduating class as CSV: a header row naming claims by their dotted keys (`name`,
//! `studentId`, `degree.type`, …; see the type's `claims`), then one row per credential.
//! Every row is checked before anything is issued; errors name the CSV line.

use std::collections::BTreeMap;

use sigil_core::issue::CredentialFormat;

use crate::credential_types::TypeDefinition;
use crate::issuance::OfferRequest;

/// Largest class accepted in one upload: a large university's graduating class. At about
/// 150 bytes a row it stays well inside the issuer's 4 MiB request body limit.
pub const MAX_ROWS: usize = 10_000;

/// A problem with one line of the CSV (line 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub errors: Vec<String>,
}

/// Reads `text` into one offer request per row, or every problem found.
pub fn parse(
    text: &str,
    definition: &TypeDefinition,
    format: CredentialFormat,
) -> Result<Vec<OfferRequest>, Vec<LineError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(str::to_owned).collect(),
        Err(e) => return Err(vec![line_error(1, e.to_string())]),
    };
    let known: Vec<String> = definition.claims.iter().map(|c| c.key()).collect();
    let unknown: Vec<&String> = header.iter().filter(|h| !known.contains(h)).collect();
    if !unknown.is_empty() || header.is_empty() {
        return Err(vec![line_error(
            1,
            format!(
                "unknown columns {unknown:?}; the columns of {} are {}",
                definition.name(),
                known.join(", ")
            ),
        )]);
    }
    let mut requests = Vec::new();
    let mut problems = Vec::new();
    for (position, record) in reader.records().enumerate() {
        let line = position + 2;
        if requests.len() + problems.len() >= MAX_ROWS {
            problems.push(line_error(line, format!("a batch holds at most {MAX_ROWS} rows")));
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(line_error(line, e.to_string()));
                continue;
            }
        };
        let fields: BTreeMap<String, String> = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        let claims = definition.claims_from_fields(&fields);
        match definition.validate(&claims) {
            Ok(()) => requests.push(OfferRequest {
                type_name: definition.name().to_owned(),
                claims,
                format,
            }),
            Err(errors) => problems.push(LineError { line, errors }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if requests.is_empty() {
        return Err(vec![line_error(
            2,
            "the file has no rows after the header".into(),
        )]);
    }
    Ok(requests)
}

fn line_error(line: usize, error: String) -> LineError {
    LineError {
        line,
        errors: vec![error],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential_types::TypeCatalogue;

    const HEADER: &str =
        "name,studentId,dateOfBirth,degree.type,degree.name,fieldOfStudy,honours,graduationDate";

    fn parse_class(rows: &[&str]) -> Result<Vec<OfferRequest>, Vec<LineError>> {
        let catalogue = TypeCatalogue::builtin().unwrap();
        let definition = catalogue.get("UniversityDegreeCredential").unwrap();
        let text = std::iter::once(HEADER)
            .chain(rows.iter().copied())
            .collect::<Vec<_>>()
            .join("\n");
        parse(&text, definition, CredentialFormat::LdpVc)
    }

    #[test]
    fn a_good_class_gives_one_request_per_row() {
        let requests = parse_class(&[
            "Ada Lovelace,S-1,1815-12-10,BachelorDegree,BSc Mathematics,Mathematics,First Class,2026-06-30",
            "\"Turing, Alan\",S-2,1912-06-23,DoctoralDegree,PhD Mathematics,Mathematics,,2026-06-30",
        ])
        .unwrap();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[1].claims["name"], "Turing, Alan");
        assert!(!requests[1].claims.contains_key("honours"));
    }

    #[test]
    fn every_bad_row_is_reported_by_line() {
        let problems = parse_class(&[
            "Ada Lovelace,S-1,1815-12-10,BachelorDegree,BSc Mathematics,Mathematics,,2026-06-30",
            "Bad Date,S-2,yesterday,BachelorDegree,BSc,Maths,,2026-06-30",
            "No Degree,S-3,1990-01-01,Diploma,BSc,Maths,,2026-06-30",
            "too,few,columns",
        ])
        .unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
    }

    #[test]
    fn unknown_columns_are_refused() {
        let catalogue = TypeCatalogue::builtin().unwrap();
        let definition = catalogue.get("UniversityDegreeCredential").unwrap();
        let problems = parse("name,shoeSize\nAda,38", definition, CredentialFormat::LdpVc).unwrap_err();
        assert_eq!(problems[0].line, 1);
        assert!(problems[0].errors[0].contains("shoeSize"));
    }
}
