//! What a relying party requires (docs/design.md §6): accepted credential types
//! and formats, the claims that must be disclosed, whose accreditation counts, how old a
//! credential may be, and whether an unaccredited issuer is refused or only warned about.
//! A policy becomes a DCQL query for the wallet — one credential, or several (`[[policy.also]]`,
//! each its own credential set) — and judges each presentation that comes back against its
//! credential query, on top of the verification pipeline's checks.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::dcql::{
    self, Candidate, ClaimPath, ClaimsQuery, CredentialQuery, CredentialSetQuery, Meta, Mismatch, QueryId,
};
use sigil_core::format::CredentialFormat;
use sigil_core::verify::{Check, Outcome, VerificationReport, check_id};

/// The namespace of Sigil's credential types, for DCQL `type_values` (expanded IRIs).
const SIGIL_VOCAB: &str = "https://w3id.org/sigil/vocab#";
/// Where Sigil's SD-JWT VC types live.
const SIGIL_VCT: &str = "https://w3id.org/sigil/types/";

/// What to do with an issuer no configured root of trust accredits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unaccredited {
    Refuse,
    Warn,
}

/// One policy, as `[[policy]]` in `verifier.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// A short name, used in URLs and the API.
    pub id: String,
    /// What the page asks for, in words.
    pub label: String,
    /// Accepted credential types (`UniversityDegreeCredential`, or a full IRI / `vct`).
    pub credential_types: Vec<String>,
    /// Accepted formats (`ldp_vc`, `vc+jwt`, `dc+sd-jwt`; the OpenID names are read too).
    #[serde(default = "all_formats")]
    pub formats: Vec<CredentialFormat>,
    /// Claims that must be disclosed, as dotted paths in the subject (`degree.name`).
    #[serde(default)]
    pub claims: Vec<String>,
    /// Roots of trust whose accreditations count; empty: any root in the registry's genesis.
    #[serde(default)]
    pub roots_of_trust: Vec<String>,
    /// Refuse credentials issued longer ago than this.
    #[serde(default)]
    pub max_age_days: Option<u32>,
    #[serde(default = "refuse")]
    pub unaccredited: Unaccredited,
    /// Require the presenter to be the subject of the credential (the default). VCDM 2.0
    /// lets a holder present a credential about someone else; `false` accepts that, and the
    /// report carries it as a note.
    #[serde(default = "required")]
    pub require_holder_binding: bool,
    /// Further credentials asked for with the main one (`[[policy.also]]`), each its own
    /// DCQL credential set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<FurtherCredential>,
}

/// A further credential a policy asks for, as `[[policy.also]]`: in any of its formats, and
/// required unless it says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FurtherCredential {
    /// Names its credential queries (`{id}_ldp`, `{id}_jwt`, `{id}_sd`): DCQL id characters.
    pub id: String,
    pub credential_types: Vec<String>,
    #[serde(default = "all_formats")]
    pub formats: Vec<CredentialFormat>,
    #[serde(default)]
    pub claims: Vec<String>,
    /// Whether the wallet must send it (a required credential set) or may (an optional one).
    #[serde(default = "required")]
    pub required: bool,
}

fn all_formats() -> Vec<CredentialFormat> {
    CredentialFormat::ALL.to_vec()
}

fn refuse() -> Unaccredited {
    Unaccredited::Refuse
}

fn required() -> bool {
    true
}

impl Policy {
    /// The policy the verifier has when none is configured: a university degree from an
    /// accredited university, disclosing the graduate's name and the degree only.
    pub fn diploma() -> Policy {
        Policy {
            id: "diploma".into(),
            label: "A university degree from an accredited university (name and degree only)".into(),
            credential_types: vec!["UniversityDegreeCredential".into()],
            formats: all_formats(),
            claims: vec!["name".into(), "degree.name".into()],
            roots_of_trust: vec![],
            max_age_days: None,
            unaccredited: Unaccredited::Refuse,
            require_holder_binding: true,
            also: vec![],
        }
    }

    /// The policy for a DCQL query another service sent whole: the query itself says what
    /// each presentation must be (it is stored with the request and checked as it is); the
    /// policy gives the default judgement (accredited issuers, holder binding) and the words
    /// the pages show — every type, format and claim asked for.
    pub fn from_dcql(query: &dcql::Query) -> Policy {
        let mut policy = Policy::diploma();
        policy.id = "dcql".into();
        policy.formats.clear();
        policy.credential_types.clear();
        policy.claims.clear();
        let add = |list: &mut Vec<String>, item: String| {
            if !list.contains(&item) {
                list.push(item);
            }
        };
        for credential in query.credentials() {
            if !policy.formats.contains(&credential.format) {
                policy.formats.push(credential.format);
            }
            for value in credential.type_values() {
                add(&mut policy.credential_types, value.to_owned());
            }
            for claim in credential.claims.iter().flatten() {
                add(&mut policy.claims, claim.describe(credential.format));
            }
        }
        let short: Vec<String> = query
            .credentials()
            .iter()
            .filter_map(|credential| credential.type_values().first().map(|t| short_name(t)))
            .fold(Vec::new(), |mut names, name| {
                if !names.contains(&name) {
                    names.push(name);
                }
                names
            });
        policy.label = format!("The credentials the caller asked for ({})", short.join(", "));
        policy
    }

    /// The DCQL query (OpenID4VP 1.0 §6) asking for this policy's credentials, each in any
    /// accepted format: one credential query per format, and per credential a credential set
    /// offering its formats as options (required, or optional for an `also` that says so).
    pub fn dcql_query(&self) -> Result<dcql::Query, dcql::DcqlError> {
        let mut credentials = Vec::new();
        let mut sets = Vec::new();
        let main = FurtherCredential {
            id: String::new(),
            credential_types: self.credential_types.clone(),
            formats: self.formats.clone(),
            claims: self.claims.clone(),
            required: true,
        };
        for wanted in std::iter::once(&main).chain(&self.also) {
            let queries = wanted.credential_queries()?;
            sets.push(CredentialSetQuery {
                options: queries.iter().map(|c| vec![c.id.clone()]).collect(),
                required: wanted.required,
            });
            credentials.extend(queries);
        }
        dcql::Query::new(credentials, Some(sets))
    }

    /// The credential query a presentation answers, judged: its format, type and claims (the
    /// query's own, values and claim sets included), then the policy's age limit and whether
    /// an unaccredited issuer is only warned about. The policy's checks and its warnings.
    pub fn judge(
        &self,
        report: &VerificationReport,
        query: &CredentialQuery,
        now: sigil_core::time::Timestamp,
    ) -> Judgement {
        let mut checks = Vec::new();
        let mut warnings = Vec::new();
        let credential = report.credentials.first().unwrap_or(report);
        let no_claims = Value::Null;
        let candidate = Candidate {
            format: credential.format,
            types: &credential.types,
            subject: credential.claims.as_ref().unwrap_or(&no_claims),
        };
        let asked = query
            .type_values()
            .iter()
            .map(|t| short_name(t))
            .collect::<Vec<_>>()
            .join(" or ");
        match query.check_candidate(&candidate) {
            Ok(claims) => {
                checks.push(Check::passed(
                    "policy_type",
                    format!(
                        "The credential is a {asked}, as credential query {} asks.",
                        query.id
                    ),
                ));
                let disclosed: Vec<String> = claims.iter().map(|c| c.describe(query.format)).collect();
                checks.push(if disclosed.is_empty() {
                    Check::passed("policy_claims", "No particular claim was asked for.")
                } else {
                    Check::passed("policy_claims", format!("Disclosed: {}.", disclosed.join(", ")))
                });
            }
            Err(mismatch @ Mismatch::Claims { .. }) => {
                checks.push(Check::passed(
                    "policy_type",
                    format!(
                        "The credential is a {asked}, as credential query {} asks.",
                        query.id
                    ),
                ));
                checks.push(Check::failed(
                    "policy_claims",
                    format!("Credential query {}: {mismatch}.", query.id),
                ));
            }
            Err(mismatch) => checks.push(Check::failed(
                "policy_type",
                format!("Credential query {} asks for a {asked}: {mismatch}.", query.id),
            )),
        }
        let presented = report.credentials.len();
        if presented > 1 && !query.multiple {
            checks.push(Check::failed(
                "policy_type",
                format!(
                    "{} asks for one credential, and the presentation holds {presented}.",
                    query.id
                ),
            ));
        }
        if let Some(days) = self.max_age_days {
            let issued = credential_time(credential);
            let limit = now - chrono::Duration::days(i64::from(days));
            checks.push(match issued {
                Some(issued) if issued < limit => Check::failed(
                    "policy_age",
                    format!(
                        "Issued {}, more than {days} days ago.",
                        sigil_core::time::format_datetime(issued)
                    ),
                ),
                _ => Check::passed("policy_age", format!("Issued within the last {days} days.")),
            });
        }
        if self.unaccredited == Unaccredited::Warn {
            for check in report.checks.iter().chain(credential.checks.iter()) {
                if check.id == check_id::TRUST && check.outcome == Outcome::Failed {
                    warnings.push(check.message.clone());
                }
            }
        }
        Judgement { checks, warnings }
    }
}

/// The last segment of a type IRI or `vct`, for people.
fn short_name(text: &str) -> String {
    text.rsplit(['#', '/']).next().unwrap_or(text).to_owned()
}

impl FurtherCredential {
    /// One credential query per accepted format, named `{id}_{format}` (or the bare format
    /// name for the policy's main credential, as requests have always named them).
    fn credential_queries(&self) -> Result<Vec<CredentialQuery>, dcql::DcqlError> {
        let mut credentials = Vec::new();
        for &format in &self.formats {
            let (suffix, meta) = match format {
                CredentialFormat::LdpVc => ("ldp", Meta::TypeValues(vec![type_iris(&self.credential_types)])),
                CredentialFormat::VcJwt => ("jwt", Meta::TypeValues(vec![type_iris(&self.credential_types)])),
                CredentialFormat::SdJwt => ("sd", Meta::VctValues(vcts(&self.credential_types))),
            };
            let id = if self.id.is_empty() {
                suffix.to_owned()
            } else {
                format!("{}_{suffix}", self.id)
            };
            let mut query = CredentialQuery::new(QueryId::new(&id)?, format, meta);
            if !self.claims.is_empty() {
                let claims = self
                    .claims
                    .iter()
                    .map(|claim| ClaimsQuery::new(ClaimPath::subject_claim(format, claim)))
                    .collect();
                query.claims = Some(claims);
            }
            credentials.push(query);
        }
        Ok(credentials)
    }
}

/// Sigil's type names as DCQL `type_values` (expanded IRIs); full IRIs stay as they are.
fn type_iris(types: &[String]) -> Vec<String> {
    types
        .iter()
        .map(|t| {
            if t.contains(':') {
                t.clone()
            } else {
                format!("{SIGIL_VOCAB}{t}")
            }
        })
        .collect()
}

/// Sigil's type names as SD-JWT VC `vct` values; full IRIs stay as they are.
fn vcts(types: &[String]) -> Vec<String> {
    types
        .iter()
        .map(|t| {
            if t.contains(':') {
                t.clone()
            } else {
                format!("{SIGIL_VCT}{t}")
            }
        })
        .collect()
}

/// A policy's verdict on top of the pipeline's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub checks: Vec<Check>,
    /// Failures the policy turns into warnings.
    pub warnings: Vec<String>,
}

impl Judgement {
    /// Whether the presentation is accepted: every pipeline check passed (except trust
    /// failures the policy only warns about) and every policy check passed.
    pub fn accepts(&self, report: &VerificationReport) -> bool {
        let pipeline_ok = report
            .failures()
            .iter()
            .all(|(_, check)| check.id == check_id::TRUST && self.warnings.contains(&check.message));
        pipeline_ok && self.checks.iter().all(|c| c.outcome != Outcome::Failed)
    }
}

/// When a credential says it was issued.
fn credential_time(report: &VerificationReport) -> Option<sigil_core::time::Timestamp> {
    report.issued_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_policy_requires_holder_binding_unless_it_says_otherwise() {
        let read = |extra: &str| -> Policy {
            toml::from_str(&format!(
                "id = \"p\"\nlabel = \"P\"\ncredential_types = [\"UniversityDegreeCredential\"]\n{extra}"
            ))
            .unwrap()
        };
        assert!(read("").require_holder_binding);
        assert!(!read("require_holder_binding = false").require_holder_binding);
        assert!(Policy::diploma().require_holder_binding);
    }

    #[test]
    fn the_diploma_policy_asks_for_name_and_degree_in_every_format() {
        let query = serde_json::to_value(Policy::diploma().dcql_query().unwrap()).unwrap();
        let credentials = query["credentials"].as_array().unwrap();
        assert_eq!(credentials.len(), 3);
        assert_eq!(credentials[0]["format"], "ldp_vc");
        assert_eq!(
            credentials[0]["meta"]["type_values"][0][0],
            "https://w3id.org/sigil/vocab#UniversityDegreeCredential"
        );
        assert_eq!(
            credentials[0]["claims"][1]["path"],
            json!(["credentialSubject", "degree", "name"])
        );
        assert_eq!(credentials[1]["format"], "jwt_vc_json");
        assert_eq!(credentials[2]["claims"][1]["path"], json!(["degree", "name"]));
        assert_eq!(
            credentials[2]["meta"]["vct_values"][0],
            "https://w3id.org/sigil/types/UniversityDegreeCredential"
        );
        assert_eq!(
            query["credential_sets"][0]["options"],
            json!([["ldp"], ["jwt"], ["sd"]])
        );
    }

    #[test]
    fn a_dcql_query_sent_whole_is_described_by_its_types_formats_and_claims() {
        let policy = Policy::from_dcql(&Policy::diploma().dcql_query().unwrap());
        assert_eq!(policy.formats, CredentialFormat::ALL.to_vec());
        assert_eq!(policy.claims, vec!["name", "degree.name"]);
        assert_eq!(
            policy.label,
            "The credentials the caller asked for (UniversityDegreeCredential)"
        );
        let indexed = dcql::Query::from_value(&json!({"credentials": [{"id": "x", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["v"]}, "claims": [{"path": ["degrees", null, "name"], "values": ["BSc"]}]}]}))
        .unwrap();
        assert_eq!(
            Policy::from_dcql(&indexed).claims,
            vec![r#"["degrees",null,"name"] (one of "BSc")"#]
        );
    }

    #[test]
    fn a_policy_asks_for_further_credentials_each_in_its_own_credential_set() {
        let policy: Policy = toml::from_str(
            r#"
            id = "graduate"
            label = "A degree and proof of identity"
            credential_types = ["UniversityDegreeCredential"]
            formats = ["ldp_vc", "dc+sd-jwt"]
            claims = ["degree.name"]
            [[also]]
            id = "identity"
            credential_types = ["IdentityCredential"]
            formats = ["dc+sd-jwt"]
            claims = ["name"]
            [[also]]
            id = "transcript"
            credential_types = ["TranscriptCredential"]
            formats = ["vc+jwt"]
            required = false
            "#,
        )
        .unwrap();
        let query = serde_json::to_value(policy.dcql_query().unwrap()).unwrap();
        let ids: Vec<&str> = query["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec!["ldp", "sd", "identity_sd", "transcript_jwt"]);
        assert_eq!(
            query["credential_sets"],
            json!([
                {"options": [["ldp"], ["sd"]]},
                {"options": [["identity_sd"]]},
                {"options": [["transcript_jwt"]], "required": false}
            ])
        );
        assert_eq!(
            query["credentials"][2]["meta"]["vct_values"][0],
            "https://w3id.org/sigil/types/IdentityCredential"
        );
        let mut bad = policy;
        bad.also[0].id = "not an id".into();
        assert!(bad.dcql_query().is_err());
    }
}

#[cfg(test)]
mod judgement_tests {
    use super::*;
    use serde_json::json;
    use sigil_core::verify::Subject;

    fn presentation(trust: Check, issued_at: sigil_core::time::Timestamp) -> VerificationReport {
        let credential = VerificationReport {
            subject: Subject::Credential,
            format: CredentialFormat::LdpVc,
            issuer: Some("did:key:z6Mk".into()),
            issuer_name: None,
            accredited_by: None,
            holder: None,
            types: vec!["VerifiableCredential".into(), "UniversityDegreeCredential".into()],
            issued_at: Some(issued_at),
            claims: Some(json!({"name": "Ada", "degree": {"name": "BSc"}})),
            checks: vec![Check::passed(check_id::PROOF, "ok"), trust],
            credentials: vec![],
            valid: false,
        };
        VerificationReport {
            subject: Subject::Presentation,
            format: CredentialFormat::LdpVc,
            issuer: None,
            issuer_name: None,
            accredited_by: None,
            holder: Some("did:key:z6Mk".into()),
            types: vec![],
            issued_at: None,
            claims: None,
            checks: vec![Check::passed(check_id::HOLDER_BINDING, "ok")],
            credentials: vec![credential],
            valid: false,
        }
    }

    /// The diploma policy's Data Integrity credential query.
    fn ldp_query() -> CredentialQuery {
        Policy::diploma()
            .dcql_query()
            .unwrap()
            .credential("ldp")
            .unwrap()
            .clone()
    }

    fn failed(judgement: &Judgement) -> Vec<(&str, &str)> {
        judgement
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Failed)
            .map(|c| (c.id, c.message.as_str()))
            .collect()
    }

    #[test]
    fn each_presentation_is_judged_by_its_own_credential_query() {
        let now = sigil_core::time::now();
        let report = presentation(Check::passed(check_id::TRUST, "accredited"), now);
        let policy = Policy::diploma();
        let query = policy.dcql_query().unwrap();
        assert!(policy.judge(&report, &ldp_query(), now).accepts(&report));
        let wrong_format = policy.judge(&report, query.credential("sd").unwrap(), now);
        assert_eq!(
            failed(&wrong_format),
            vec![(
                "policy_type",
                "Credential query sd asks for a UniversityDegreeCredential: it is ldp_vc, and dc+sd-jwt was asked for."
            )]
        );
        let valued = dcql::Query::from_value(&json!({"credentials": [{"id": "masters", "format": "ldp_vc",
            "meta": {"type_values": [["https://w3id.org/sigil/vocab#UniversityDegreeCredential"]]},
            "claims": [{"path": ["credentialSubject", "degree", "name"], "values": ["MSc"]}]}]}))
        .unwrap();
        let judgement = policy.judge(&report, &valued.credentials()[0], now);
        assert_eq!(
            failed(&judgement),
            vec![(
                "policy_claims",
                r#"Credential query masters: it does not disclose degree.name (one of "MSc")."#
            )]
        );
        let mut two = report;
        two.credentials.push(two.credentials[0].clone());
        assert!(!policy.judge(&two, &ldp_query(), now).accepts(&two));
    }

    #[test]
    fn an_unaccredited_issuer_is_refused_or_only_warned_about_as_configured() {
        let now = sigil_core::time::now();
        let report = presentation(Check::failed(check_id::TRUST, "not accredited"), now);
        let mut policy = Policy::diploma();
        let query = ldp_query();
        assert!(!policy.judge(&report, &query, now).accepts(&report));
        policy.unaccredited = Unaccredited::Warn;
        let judgement = policy.judge(&report, &query, now);
        assert_eq!(judgement.warnings, vec!["not accredited".to_owned()]);
        assert!(judgement.accepts(&report));
    }

    #[test]
    fn a_credential_older_than_the_policy_allows_is_refused() {
        let now = sigil_core::time::now();
        let old = now - chrono::Duration::days(400);
        let report = presentation(Check::passed(check_id::TRUST, "accredited"), old);
        let mut policy = Policy::diploma();
        let query = ldp_query();
        assert!(policy.judge(&report, &query, now).accepts(&report));
        policy.max_age_days = Some(365);
        let judgement = policy.judge(&report, &query, now);
        assert!(!judgement.accepts(&report));
        assert!(
            judgement
                .checks
                .iter()
                .any(|c| c.id == "policy_age" && c.outcome == Outcome::Failed)
        );
    }
}
