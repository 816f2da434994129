//! DCQL queries (`sigil_core::dcql`), as the wallet reads them from a verifier's request.
//!
//! Property: reading and matching against a held diploma never panic, and a query read,
//! written and read again is the same query.

use serde_json::json;
use sigil_core::dcql::{Candidate, Query};
use sigil_core::format::CredentialFormat;

use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "dcql",
    entry_point: "sigil_core::dcql::{Query::parse, CredentialQuery::matches, ClaimPath::select}",
    tokens: &[
        b"\"credentials\"",
        b"\"credential_sets\"",
        b"\"claims\"",
        b"\"claim_sets\"",
        b"\"path\"",
        b"\"values\"",
        b"\"meta\"",
        b"\"type_values\"",
        b"\"vct_values\"",
        b"\"ldp_vc\"",
        b"\"jwt_vc_json\"",
        b"\"dc+sd-jwt\"",
        b"\"options\"",
        b"\"required\"",
        b"\"multiple\"",
        b"null",
        b"\"credentialSubject\"",
        b"4294967296",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let parsed = Query::parse(&text(input));
    if let Ok(query) = &parsed {
        let written = serde_json::to_value(query).map_err(|e| Violation(e.to_string()))?;
        let again = Query::from_value(&written);
        ensure(again.as_ref().ok() == Some(query), || {
            format!("reads back as {again:?}")
        })?;
        let subject = json!({
            "id": "did:key:z6MkStudent",
            "name": "Ada Lovelace",
            "degree": {"type": "BachelorDegree", "name": "BSc Mathematics"},
            "courses": [{"title": "Analysis"}, {"title": "Algebra"}],
        });
        let types = [
            "VerifiableCredential".to_owned(),
            "UniversityDegreeCredential".to_owned(),
        ];
        for format in [
            CredentialFormat::LdpVc,
            CredentialFormat::VcJwt,
            CredentialFormat::SdJwt,
        ] {
            let candidate = Candidate {
                format,
                types: &types,
                subject: &subject,
            };
            for credential in query.credentials() {
                let _ = credential.matches(&candidate);
                for claim in credential.claims.iter().flatten() {
                    let _ = claim.path.select(&subject);
                }
            }
        }
    }
    Ok(Outcome::of(&parsed))
}
