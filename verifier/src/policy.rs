//! What a relying party requires (docs/design.md §6): accepted credential types
//! and formats, the claims that must be disclosed, whose accreditation counts, how old a
//! credential may be, and whether an unaccredited issuer is refused or only warned about.
//! A policy becomes a DCQL query for the wallet, and judges what comes back on top of the
//! verification pipeline's checks.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::dcql::{self, ClaimPath, ClaimsQuery, CredentialQuery, CredentialSetQuery, Meta, QueryId};
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
        }
    }

    /// A policy from a DCQL query another service sent: its formats, types and claims (each
    /// credential query's; the union when there are several).
    pub fn from_dcql(query: &dcql::Query) -> Result<Policy, String> {
        let mut policy = Policy::diploma();
        policy.id = "dcql".into();
        policy.label = "The credential the caller asked for".into();
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
                let dotted = claim.path.subject_dotted(credential.format).ok_or_else(|| {
                    format!(
                        "credential query {}: Sigil's policies ask for subject claims by name, not {}",
                        credential.id,
                        serde_json::to_string(&claim.path).unwrap_or_default()
                    )
                })?;
                add(&mut policy.claims, dotted);
            }
        }
        Ok(policy)
    }

    /// The DCQL query (OpenID4VP 1.0 §6) asking for this policy's credential, in any accepted
    /// format: one credential query per format, and a credential set offering them as options.
    pub fn dcql_query(&self) -> Result<dcql::Query, dcql::DcqlError> {
        let mut credentials = Vec::new();
        for &format in &self.formats {
            let (id, meta) = match format {
                CredentialFormat::LdpVc => ("ldp", Meta::TypeValues(vec![self.type_iris()])),
                CredentialFormat::VcJwt => ("jwt", Meta::TypeValues(vec![self.type_iris()])),
                CredentialFormat::SdJwt => ("sd", Meta::VctValues(self.vcts())),
            };
            let mut query = CredentialQuery::new(QueryId::new(id)?, format, meta);
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
        let options = credentials.iter().map(|c| vec![c.id.clone()]).collect();
        let sets = vec![CredentialSetQuery {
            options,
            required: true,
        }];
        dcql::Query::new(credentials, Some(sets))
    }

    fn type_iris(&self) -> Vec<String> {
        self.credential_types
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

    fn vcts(&self) -> Vec<String> {
        self.credential_types
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

    /// Whether a credential's types (names, IRIs or a `vct`) include an accepted one.
    fn accepts_type(&self, types: &[String]) -> bool {
        let short = |t: &String| {
            t.strip_prefix(SIGIL_VOCAB)
                .or_else(|| t.strip_prefix(SIGIL_VCT))
                .map(str::to_owned)
        };
        let accepted: Vec<String> = self
            .credential_types
            .iter()
            .cloned()
            .chain(self.type_iris())
            .chain(self.vcts())
            .chain(self.credential_types.iter().filter_map(short))
            .collect();
        types.iter().any(|t| accepted.contains(t))
    }

    /// Judges a verified presentation against the policy. Returns the policy's own checks
    /// and the warnings (an unaccredited issuer under `unaccredited = "warn"`).
    pub fn judge(&self, report: &VerificationReport, now: sigil_core::time::Timestamp) -> Judgement {
        let mut checks = Vec::new();
        let mut warnings = Vec::new();
        let credential = report.credentials.first().unwrap_or(report);
        checks.push(if self.accepts_type(&credential.types) {
            Check::passed(
                "policy_type",
                format!("The credential is a {}.", self.credential_types.join(" or ")),
            )
        } else {
            Check::failed(
                "policy_type",
                format!(
                    "A {} was asked for; this is a {}.",
                    self.credential_types.join(" or "),
                    credential.types.join(", ")
                ),
            )
        });
        let missing: Vec<&String> = self
            .claims
            .iter()
            .filter(|claim| !has_claim(credential.claims.as_ref(), claim))
            .collect();
        checks.push(if missing.is_empty() {
            Check::passed("policy_claims", format!("Disclosed: {}.", self.claims.join(", ")))
        } else {
            Check::failed(
                "policy_claims",
                format!(
                    "Required but not disclosed: {}.",
                    missing.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
        });
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

/// Whether the subject `claims` hold the claim named by the dotted `path`.
fn has_claim(claims: Option<&Value>, path: &str) -> bool {
    claims.is_some_and(|claims| !ClaimPath::from_dotted(path).select(claims).is_empty())
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
    fn a_policy_survives_the_round_trip_through_dcql() {
        let policy = Policy::from_dcql(&Policy::diploma().dcql_query().unwrap()).unwrap();
        assert_eq!(policy.formats, CredentialFormat::ALL.to_vec());
        assert_eq!(policy.claims, vec!["name", "degree.name"]);
        assert!(policy.accepts_type(&["UniversityDegreeCredential".to_owned()]));
        assert!(policy.accepts_type(&["https://w3id.org/sigil/types/UniversityDegreeCredential".to_owned()]));
        assert!(!policy.accepts_type(&["ProductInspectionCertificate".to_owned()]));
        let indexed = dcql::Query::from_value(&json!({"credentials": [{"id": "x", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["v"]}, "claims": [{"path": ["degrees", null, "name"]}]}]}))
        .unwrap();
        assert!(Policy::from_dcql(&indexed).is_err());
    }

    #[test]
    fn claims_are_found_by_dotted_path() {
        let claims = json!({"name": "Ada", "degree": {"name": "BSc"}});
        assert!(has_claim(Some(&claims), "degree.name"));
        assert!(!has_claim(Some(&claims), "degree.type"));
        assert!(!has_claim(None, "name"));
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
            holder: Some("did:key:z6Mk".into()),
            types: vec![],
            issued_at: None,
            claims: None,
            checks: vec![Check::passed(check_id::HOLDER_BINDING, "ok")],
            credentials: vec![credential],
            valid: false,
        }
    }

    #[test]
    fn an_unaccredited_issuer_is_refused_or_only_warned_about_as_configured() {
        let now = sigil_core::time::now();
        let report = presentation(Check::failed(check_id::TRUST, "not accredited"), now);
        let mut policy = Policy::diploma();
        assert!(!policy.judge(&report, now).accepts(&report));
        policy.unaccredited = Unaccredited::Warn;
        let judgement = policy.judge(&report, now);
        assert_eq!(judgement.warnings, vec!["not accredited".to_owned()]);
        assert!(judgement.accepts(&report));
    }

    #[test]
    fn a_credential_older_than_the_policy_allows_is_refused() {
        let now = sigil_core::time::now();
        let old = now - chrono::Duration::days(400);
        let report = presentation(Check::passed(check_id::TRUST, "accredited"), old);
        let mut policy = Policy::diploma();
        assert!(policy.judge(&report, now).accepts(&report));
        policy.max_age_days = Some(365);
        let judgement = policy.judge(&report, now);
        assert!(!judgement.accepts(&report));
        assert!(
            judgement
                .checks
                .iter()
                .any(|c| c.id == "policy_age" && c.outcome == Outcome::Failed)
        );
    }
}
