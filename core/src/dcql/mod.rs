//! The Digital Credentials Query Language of OpenID for Verifiable Presentations 1.0 (§6), typed:
//! the verifier builds its request as a [`Query`], the wallet reads the request into one and
//! asks each [`CredentialQuery`] whether a held credential answers it, and both address
//! claims with the same [`ClaimPath`] (§7). Which combinations of credential queries answer a
//! whole query (`credential_sets`, §6.4.2) is `selection`: [`Query::select`] for the wallet,
//! [`Query::satisfied_by`] for the verifier.
//!
//! A query is checked once, where it is read or built ([`Query::new`], [`Query::from_value`]):
//! at least one credential query, ids unique and of the allowed alphabet, non-empty paths,
//! formats Sigil knows and the `meta` each format needs. Each refusal is a [`DcqlError`]
//! naming the fault. Members Sigil does not act on (`trusted_authorities`, extensions) are
//! ignored, as the specification allows for unknown members.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::format::CredentialFormat;

/// The member of a W3C credential that holds its subject's claims; DCQL paths for `ldp_vc`
/// and `jwt_vc_json` start at the credential, so subject claims sit under it.
const SUBJECT: &str = "credentialSubject";

/// Why a DCQL query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DcqlError {
    /// The JSON does not have DCQL's shape: a required member is missing or a member has the
    /// wrong JSON type (the message comes from the reader and names the member).
    #[error("the DCQL query is malformed: {0}")]
    Malformed(String),
    /// `credentials` is empty (§6.1: a non-empty array).
    #[error("a DCQL query needs at least one credential query")]
    NoCredentialQueries,
    /// An id is empty or holds something else than ASCII letters, digits, `_` and `-` (§6.1, §6.3).
    #[error("{0:?} is not a DCQL id (ASCII letters, digits, _ and - only)")]
    BadId(String),
    /// Two credential queries share an id.
    #[error("two credential queries are called {0:?}")]
    DuplicateCredentialId(String),
    /// Two claims queries of one credential query share an id.
    #[error("credential query {query:?} has two claims called {claim:?}")]
    DuplicateClaimId { query: String, claim: String },
    /// The format is not one of Sigil's three (§6.1, Appendix B).
    #[error(
        "credential query {query:?}: format {format:?} is not one Sigil knows (ldp_vc, jwt_vc_json, dc+sd-jwt)"
    )]
    UnknownFormat { query: String, format: String },
    /// `meta` lacks what the format requires: `type_values` for W3C formats, `vct_values` for
    /// SD-JWT VC (Appendix B), or gives the other format's member instead.
    #[error("credential query {query:?} needs meta.{member} for its format")]
    MissingMeta { query: String, member: &'static str },
    /// `type_values`, `vct_values` or one of the type sets is empty.
    #[error("credential query {query:?}: meta.{member} must not be empty, nor any set in it")]
    EmptyMeta { query: String, member: &'static str },
    /// `claims` is present but empty, or `claim_sets` (or one of its sets) is empty.
    #[error("credential query {query:?}: `{member}` must not be empty when present")]
    EmptyList { query: String, member: &'static str },
    /// A claim path is empty (§7).
    #[error("credential query {query:?}: a claim path must not be empty")]
    EmptyPath { query: String },
    /// A claim path element is not a string, a non-negative integer or `null` (§7).
    #[error(
        "credential query {query:?}: claim path element {element} is not a string, a non-negative integer or null"
    )]
    BadPathElement { query: String, element: String },
    /// `values` is empty or holds something else than strings, integers and booleans (§6.3).
    #[error(
        "credential query {query:?}: claim `values` must be a non-empty array of strings, integers and booleans"
    )]
    BadValues { query: String },
    /// `claim_sets` is given without claims that have ids, or names a claim id that is not there.
    #[error("credential query {query:?}: claim_sets names {claim:?}, which no claims query is called")]
    UnknownClaimId { query: String, claim: String },
    /// `claim_sets` is given but a claims query has no `id` (§6.3: required with claim sets).
    #[error("credential query {query:?} has claim_sets, so each of its claims needs an id")]
    MissingClaimId { query: String },
    /// A credential set is empty, has no options, or an option names no credential query.
    #[error("credential_sets must hold sets with options, each option naming credential queries")]
    EmptyCredentialSet,
    /// A credential set names a credential query that is not in `credentials`.
    #[error("credential_sets names {0:?}, which no credential query is called")]
    UnknownCredentialId(String),
}

/// A DCQL query (§6.1): what credentials the verifier asks for, and which combinations answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "wire::raw::Query")]
pub struct Query {
    credentials: Vec<CredentialQuery>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_sets: Option<Vec<CredentialSetQuery>>,
}

/// One credential asked for (§6.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialQuery {
    pub id: QueryId,
    /// Written with its DCQL name (`jwt_vc_json` for `vc+jwt`).
    #[serde(serialize_with = "protocol_name")]
    pub format: CredentialFormat,
    /// Whether several credentials may answer this query (default false).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub multiple: bool,
    pub meta: Meta,
    /// The claims asked for; `None` asks for no particular claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<ClaimsQuery>>,
    /// Alternative sets of claim ids, most preferred first (§6.4.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_sets: Option<Vec<Vec<QueryId>>>,
    /// Whether the presentation must prove possession of the credential's key (default true).
    #[serde(skip_serializing_if = "is_true")]
    pub require_cryptographic_holder_binding: bool,
}

/// The format-specific `meta` of a credential query (Appendix B).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Meta {
    /// W3C formats (`ldp_vc`, `jwt_vc_json`): sets of fully expanded type IRIs; a credential
    /// answers when it has every type of at least one set (Appendix B).
    #[serde(rename = "type_values")]
    TypeValues(Vec<Vec<String>>),
    /// SD-JWT VC: the accepted `vct` values (Appendix B).
    #[serde(rename = "vct_values")]
    VctValues(Vec<String>),
}

/// One claim asked for (§6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimsQuery {
    /// Needed when the credential query has `claim_sets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<QueryId>,
    pub path: ClaimPath,
    /// If given, the claim must have one of these values (strings, integers, booleans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

/// A set of alternative combinations of credential queries (§6.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialSetQuery {
    /// Each option is a list of credential query ids that together answer the set.
    pub options: Vec<Vec<QueryId>>,
    /// Whether the set must be answered (default true).
    #[serde(skip_serializing_if = "is_true")]
    pub required: bool,
}

/// An id of a credential query or claims query: non-empty ASCII letters, digits, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct QueryId(String);

/// A claims path pointer (§7): from the root of the credential, one element per step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ClaimPath(Vec<PathElement>);

/// One step of a [`ClaimPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathElement {
    /// A string: the member of an object.
    Key(String),
    /// A non-negative integer: the element of an array at that index.
    Index(u64),
    /// `null`: every element of an array.
    All,
}

/// A held credential, as a query sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub format: CredentialFormat,
    /// Its types: for W3C formats JSON-LD terms or IRIs, for SD-JWT VC its `vct`.
    pub types: &'a [String],
    /// Its subject's claims (W3C `credentialSubject`, or the SD-JWT VC's claims).
    pub subject: &'a Value,
}

impl Query {
    /// A checked query.
    pub fn new(
        credentials: Vec<CredentialQuery>,
        credential_sets: Option<Vec<CredentialSetQuery>>,
    ) -> Result<Query, DcqlError> {
        if credentials.is_empty() {
            return Err(DcqlError::NoCredentialQueries);
        }
        for (position, credential) in credentials.iter().enumerate() {
            if credentials
                .iter()
                .take(position)
                .any(|earlier| earlier.id == credential.id)
            {
                return Err(DcqlError::DuplicateCredentialId(credential.id.to_string()));
            }
            credential.check()?;
        }
        for set in credential_sets.iter().flatten() {
            if set.options.is_empty() || set.options.iter().any(Vec::is_empty) {
                return Err(DcqlError::EmptyCredentialSet);
            }
            for id in set.options.iter().flatten() {
                if !credentials.iter().any(|credential| &credential.id == id) {
                    return Err(DcqlError::UnknownCredentialId(id.to_string()));
                }
            }
        }
        if credential_sets.as_ref().is_some_and(Vec::is_empty) {
            return Err(DcqlError::EmptyCredentialSet);
        }
        Ok(Query {
            credentials,
            credential_sets,
        })
    }

    /// Reads and checks a query from JSON (the `dcql_query` of a request).
    pub fn from_value(value: &Value) -> Result<Query, DcqlError> {
        let wire = wire::raw::Query::deserialize(value).map_err(|e| DcqlError::Malformed(e.to_string()))?;
        Query::try_from(wire)
    }

    /// Reads and checks a query from JSON text, within [`crate::json`]'s bounds.
    pub fn parse(text: &str) -> Result<Query, DcqlError> {
        let value = crate::json::parse(text).map_err(|e| DcqlError::Malformed(e.to_string()))?;
        Query::from_value(&value)
    }

    /// The credential queries, in the verifier's order.
    pub fn credentials(&self) -> &[CredentialQuery] {
        &self.credentials
    }

    pub fn credential_sets(&self) -> Option<&[CredentialSetQuery]> {
        self.credential_sets.as_deref()
    }

    /// The credential query called `id`.
    pub fn credential(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials
            .iter()
            .find(|credential| credential.id.as_str() == id)
    }
}

impl CredentialQuery {
    /// A query for one credential of `format` and `meta`, no claims named, with the
    /// specification's defaults (one credential, holder binding required).
    pub fn new(id: QueryId, format: CredentialFormat, meta: Meta) -> CredentialQuery {
        CredentialQuery {
            id,
            format,
            multiple: false,
            meta,
            claims: None,
            claim_sets: None,
            require_cryptographic_holder_binding: true,
        }
    }

    /// What [`Query::new`] requires of one credential query.
    fn check(&self) -> Result<(), DcqlError> {
        let query = || self.id.to_string();
        let member = match (&self.meta, self.format) {
            (Meta::VctValues(_), CredentialFormat::SdJwt) => None,
            (Meta::TypeValues(_), CredentialFormat::LdpVc | CredentialFormat::VcJwt) => None,
            (_, format) => Some(Meta::member_for(format)),
        };
        if let Some(member) = member {
            return Err(DcqlError::MissingMeta {
                query: query(),
                member,
            });
        }
        let empty_meta = match &self.meta {
            Meta::TypeValues(sets) => sets.is_empty() || sets.iter().any(Vec::is_empty),
            Meta::VctValues(values) => values.is_empty(),
        };
        if empty_meta {
            return Err(DcqlError::EmptyMeta {
                query: query(),
                member: Meta::member_for(self.format),
            });
        }
        let claims = self.claims.as_deref().unwrap_or_default();
        if self.claims.as_ref().is_some_and(Vec::is_empty) {
            return Err(DcqlError::EmptyList {
                query: query(),
                member: "claims",
            });
        }
        for (position, claim) in claims.iter().enumerate() {
            if claim.path.0.is_empty() {
                return Err(DcqlError::EmptyPath { query: query() });
            }
            let scalar = |v: &Value| v.is_string() || v.is_boolean() || v.is_i64() || v.is_u64();
            if claim
                .values
                .as_ref()
                .is_some_and(|values| values.is_empty() || !values.iter().all(scalar))
            {
                return Err(DcqlError::BadValues { query: query() });
            }
            if let Some(id) = &claim.id {
                if claims
                    .iter()
                    .take(position)
                    .any(|earlier| earlier.id.as_ref() == Some(id))
                {
                    return Err(DcqlError::DuplicateClaimId {
                        query: query(),
                        claim: id.to_string(),
                    });
                }
            }
        }
        if let Some(sets) = &self.claim_sets {
            if claims.iter().any(|claim| claim.id.is_none()) {
                return Err(DcqlError::MissingClaimId { query: query() });
            }
            if sets.is_empty() || sets.iter().any(Vec::is_empty) {
                return Err(DcqlError::EmptyList {
                    query: query(),
                    member: "claim_sets",
                });
            }
            for id in sets.iter().flatten() {
                if !claims.iter().any(|claim| claim.id.as_ref() == Some(id)) {
                    return Err(DcqlError::UnknownClaimId {
                        query: query(),
                        claim: id.to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Whether `candidate` answers this query (§6.4): its format, a type the query accepts,
    /// and the claims asked for (all of them, or the first claim set it can answer, §6.4.1).
    /// `Some` lists the claims queries it answers (empty when the query names no claims);
    /// `None` means it does not answer.
    pub fn matches(&self, candidate: &Candidate<'_>) -> Option<Vec<&ClaimsQuery>> {
        self.check_candidate(candidate).ok()
    }

    /// [`CredentialQuery::matches`], saying why a candidate does not answer: what a verifier
    /// tells the relying party about a presented credential.
    pub fn check_candidate(&self, candidate: &Candidate<'_>) -> Result<Vec<&ClaimsQuery>, Mismatch> {
        if candidate.format != self.format {
            return Err(Mismatch::Format {
                wanted: self.format,
                found: candidate.format,
            });
        }
        if !self.meta.accepts(candidate.types) {
            return Err(Mismatch::Type {
                wanted: self.type_values().join(" or "),
                found: candidate.types.join(", "),
            });
        }
        let Some(claims) = &self.claims else {
            return Ok(vec![]);
        };
        let answered = |claim: &ClaimsQuery| claim.answered_by(self.format, candidate.subject);
        let missing = |chosen: &[&ClaimsQuery]| -> Vec<String> {
            chosen
                .iter()
                .filter(|claim| !answered(claim))
                .map(|claim| claim.describe(self.format))
                .collect()
        };
        let chosen_sets: Vec<Vec<&ClaimsQuery>> = match &self.claim_sets {
            None => vec![claims.iter().collect()],
            Some(sets) => sets
                .iter()
                .map(|set| {
                    set.iter()
                        .filter_map(|id| claims.iter().find(|claim| claim.id.as_ref() == Some(id)))
                        .collect()
                })
                .collect(),
        };
        if let Some(chosen) = chosen_sets.iter().find(|chosen| missing(chosen).is_empty()) {
            return Ok(chosen.clone());
        }
        // Every set falls short: name what the most preferred one lacks.
        Err(Mismatch::Claims {
            missing: chosen_sets
                .first()
                .map(|chosen| missing(chosen))
                .unwrap_or_default(),
            claim_sets: self.claim_sets.is_some(),
        })
    }

    /// Every type or `vct` the query accepts, in its order.
    pub fn type_values(&self) -> Vec<&str> {
        match &self.meta {
            Meta::TypeValues(sets) => sets.iter().flatten().map(String::as_str).collect(),
            Meta::VctValues(values) => values.iter().map(String::as_str).collect(),
        }
    }
}

impl Meta {
    /// The `meta` member a format requires.
    fn member_for(format: CredentialFormat) -> &'static str {
        match format {
            CredentialFormat::LdpVc | CredentialFormat::VcJwt => "type_values",
            CredentialFormat::SdJwt => "vct_values",
        }
    }

    /// Whether a credential with `types` is of an accepted type.
    fn accepts(&self, types: &[String]) -> bool {
        match self {
            Meta::VctValues(values) => types.iter().any(|have| values.contains(have)),
            Meta::TypeValues(sets) => sets.iter().any(|set| {
                set.iter()
                    .all(|wanted| types.iter().any(|have| same_type(have, wanted)))
            }),
        }
    }
}

/// Whether a credential's type `have` is the expanded type IRI `wanted`. A JSON-LD term (no
/// colon), as wallets keep W3C types, stands for the IRI its context maps it to, which ends
/// in the term (`…/vocab#UniversityDegreeCredential`, `…/credentials#VerifiableCredential`).
fn same_type(have: &str, wanted: &str) -> bool {
    have == wanted || (!have.contains(':') && wanted.rsplit(['#', '/']).next() == Some(have))
}

impl ClaimsQuery {
    /// A query for the claim at `path`, any value.
    pub fn new(path: ClaimPath) -> ClaimsQuery {
        ClaimsQuery {
            id: None,
            path,
            values: None,
        }
    }

    /// Whether the subject claims of a credential of `format` hold this claim (with one of
    /// the requested values, if any, §6.4.1).
    fn answered_by(&self, format: CredentialFormat, subject: &Value) -> bool {
        let Some(path) = self.path.subject_relative(format) else {
            return false;
        };
        let selected = select(path, subject);
        match &self.values {
            None => !selected.is_empty(),
            Some(values) => selected
                .iter()
                .any(|value| values.iter().any(|wanted| same_value(value, wanted))),
        }
    }

    /// The claim in words: its subject-relative dotted name (else its path as JSON), and the
    /// values it must have.
    pub fn describe(&self, format: CredentialFormat) -> String {
        let name = self
            .path
            .subject_dotted(format)
            .unwrap_or_else(|| serde_json::to_string(&self.path).unwrap_or_default());
        match &self.values {
            None => name,
            Some(values) => {
                let values: Vec<String> = values.iter().map(Value::to_string).collect();
                format!("{name} (one of {})", values.join(", "))
            }
        }
    }
}

impl QueryId {
    /// Checks `text` against the id alphabet.
    pub fn new(text: &str) -> Result<QueryId, DcqlError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if text.is_empty() || !text.chars().all(allowed) {
            return Err(DcqlError::BadId(text.to_owned()));
        }
        Ok(QueryId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for QueryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a claim's value is a requested one: equal JSON, or equal numbers however written
/// (`2` and `2.0`), since credentials do not agree on how they write a number.
fn same_value(have: &Value, wanted: &Value) -> bool {
    match (have, wanted) {
        // Integers compare exactly; a number written with a fraction compares by its value.
        (Value::Number(have), Value::Number(wanted)) if have.is_f64() || wanted.is_f64() => {
            have.as_f64() == wanted.as_f64()
        }
        _ => have == wanted,
    }
}

/// Why a held or presented credential does not answer a credential query (§6.4.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// It is in another format than the query's.
    #[error("it is {found}, and {wanted} was asked for", found = .found.protocol_name(), wanted = .wanted.protocol_name())]
    Format {
        wanted: CredentialFormat,
        found: CredentialFormat,
    },
    /// None of its types is one the query accepts.
    #[error("it is a {found}, and a {wanted} was asked for")]
    Type { wanted: String, found: String },
    /// It lacks claims asked for, or has other values than those asked for: with claim sets,
    /// no set is answered, and `missing` is what the most preferred set lacks.
    #[error("it does not disclose {}{}", .missing.join(", "), if *.claim_sets { " (nor any other claim set asked for)" } else { "" })]
    Claims { missing: Vec<String>, claim_sets: bool },
}

/// Whether a member that defaults to true has its default (and need not be written).
fn is_true(value: &bool) -> bool {
    *value
}

fn protocol_name<S: Serializer>(format: &CredentialFormat, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(format.protocol_name())
}

mod path;
mod selection;
mod wire;

pub use path::select;
pub use selection::Unsatisfied;

#[cfg(test)]
mod tests;
