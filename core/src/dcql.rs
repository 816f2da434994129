//! The Digital Credentials Query Language of OpenID for Verifiable Presentations 1.0 (§6), typed:
//! the verifier builds its request as a [`Query`], the wallet reads the request into one and
//! asks each [`CredentialQuery`] whether a held credential answers it, and both address
//! claims with the same [`ClaimPath`] (§7).
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
    /// A credential set is empty, has no options, or an option names no credential query.
    #[error("credential_sets must hold sets with options, each option naming credential queries")]
    EmptyCredentialSet,
    /// A credential set names a credential query that is not in `credentials`.
    #[error("credential_sets names {0:?}, which no credential query is called")]
    UnknownCredentialId(String),
}

/// A DCQL query (§6.1): what credentials the verifier asks for, and which combinations answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "wire::Query")]
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
        let wire = wire::Query::deserialize(value).map_err(|e| DcqlError::Malformed(e.to_string()))?;
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
        if candidate.format != self.format || !self.meta.accepts(candidate.types) {
            return None;
        }
        let Some(claims) = &self.claims else {
            return Some(vec![]);
        };
        let answered = |claim: &ClaimsQuery| claim.answered_by(self.format, candidate.subject);
        match &self.claim_sets {
            None => claims.iter().all(answered).then(|| claims.iter().collect()),
            Some(sets) => sets.iter().find_map(|set| {
                let chosen: Option<Vec<&ClaimsQuery>> = set
                    .iter()
                    .map(|id| claims.iter().find(|claim| claim.id.as_ref() == Some(id)))
                    .collect();
                chosen.filter(|chosen| chosen.iter().all(|claim| answered(claim)))
            }),
        }
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
    /// the requested values, if any).
    fn answered_by(&self, format: CredentialFormat, subject: &Value) -> bool {
        let Some(path) = self.path.subject_relative(format) else {
            return false;
        };
        let selected = select(path, subject);
        match &self.values {
            None => !selected.is_empty(),
            Some(values) => selected.iter().any(|value| values.contains(value)),
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

impl ClaimPath {
    /// A path from its elements; an empty path is refused.
    pub fn new(elements: Vec<PathElement>) -> Option<ClaimPath> {
        (!elements.is_empty()).then_some(ClaimPath(elements))
    }

    /// The subject-relative path of a dotted claim name (`degree.name`), one key per part.
    pub fn from_dotted(dotted: &str) -> ClaimPath {
        ClaimPath(
            dotted
                .split('.')
                .map(|key| PathElement::Key(key.to_owned()))
                .collect(),
        )
    }

    /// The path of the subject claim `dotted` in a credential of `format`: under
    /// `credentialSubject` for the W3C formats, at the top for SD-JWT VC.
    pub fn subject_claim(format: CredentialFormat, dotted: &str) -> ClaimPath {
        let ClaimPath(relative) = ClaimPath::from_dotted(dotted);
        match format {
            CredentialFormat::SdJwt => ClaimPath(relative),
            CredentialFormat::LdpVc | CredentialFormat::VcJwt => {
                let mut path = vec![PathElement::Key(SUBJECT.to_owned())];
                path.extend(relative);
                ClaimPath(path)
            }
        }
    }

    pub fn elements(&self) -> &[PathElement] {
        &self.0
    }

    /// The part of the path inside the subject claims of a credential of `format`; `None` when
    /// a W3C path points outside `credentialSubject` or at the subject as a whole.
    pub fn subject_relative(&self, format: CredentialFormat) -> Option<&[PathElement]> {
        match format {
            CredentialFormat::SdJwt => Some(&self.0),
            CredentialFormat::LdpVc | CredentialFormat::VcJwt => match self.0.split_first() {
                Some((PathElement::Key(first), rest)) if first == SUBJECT && !rest.is_empty() => Some(rest),
                _ => None,
            },
        }
    }

    /// The subject-relative path as a dotted name, when every step is a key.
    pub fn subject_dotted(&self, format: CredentialFormat) -> Option<String> {
        let keys: Option<Vec<&str>> = self
            .subject_relative(format)?
            .iter()
            .map(|element| match element {
                PathElement::Key(key) => Some(key.as_str()),
                PathElement::Index(_) | PathElement::All => None,
            })
            .collect();
        keys.map(|keys| keys.join("."))
    }

    /// The values this path selects in `root` (§7.1).
    pub fn select<'v>(&self, root: &'v Value) -> Vec<&'v Value> {
        select(&self.0, root)
    }
}

/// The values `path` selects in `root` (§7.1): a key steps into objects, an index into arrays,
/// `null` into every element of arrays; a step that does not fit the value selects nothing
/// there. `null` values count as absent.
pub fn select<'v>(path: &[PathElement], root: &'v Value) -> Vec<&'v Value> {
    let mut selected = vec![root];
    for element in path {
        selected = selected
            .into_iter()
            .flat_map(|value| element.step(value))
            .collect();
        if selected.is_empty() {
            break;
        }
    }
    selected.retain(|value| !value.is_null());
    selected
}

impl PathElement {
    fn step<'v>(&self, value: &'v Value) -> Vec<&'v Value> {
        match (self, value) {
            (PathElement::Key(key), Value::Object(object)) => object.get(key).into_iter().collect(),
            (PathElement::Index(index), Value::Array(items)) => usize::try_from(*index)
                .ok()
                .and_then(|index| items.get(index))
                .into_iter()
                .collect(),
            (PathElement::All, Value::Array(items)) => items.iter().collect(),
            _ => vec![],
        }
    }

    /// Reads one element of a path as JSON gives it.
    fn from_json(value: &Value) -> Option<PathElement> {
        match value {
            Value::String(key) => Some(PathElement::Key(key.clone())),
            Value::Null => Some(PathElement::All),
            Value::Number(number) => number.as_u64().map(PathElement::Index),
            _ => None,
        }
    }
}

impl Serialize for PathElement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PathElement::Key(key) => serializer.serialize_str(key),
            PathElement::Index(index) => serializer.serialize_u64(*index),
            PathElement::All => serializer.serialize_unit(),
        }
    }
}

/// Whether a member that defaults to true has its default (and need not be written).
fn is_true(value: &bool) -> bool {
    *value
}

fn protocol_name<S: Serializer>(format: &CredentialFormat, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(format.protocol_name())
}

/// The query as JSON has it, before its checks: ids, formats and paths still untyped.
mod wire {
    use serde::Deserialize;
    use serde_json::Value;

    fn yes() -> bool {
        true
    }

    #[derive(Debug, Deserialize)]
    pub struct Query {
        pub credentials: Vec<CredentialQuery>,
        pub credential_sets: Option<Vec<CredentialSet>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct CredentialQuery {
        pub id: String,
        pub format: String,
        #[serde(default)]
        pub multiple: bool,
        pub meta: Option<Meta>,
        pub claims: Option<Vec<ClaimsQuery>>,
        pub claim_sets: Option<Vec<Vec<String>>>,
        #[serde(default = "yes")]
        pub require_cryptographic_holder_binding: bool,
    }

    #[derive(Debug, Deserialize)]
    pub struct Meta {
        pub type_values: Option<Vec<Vec<String>>>,
        pub vct_values: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct ClaimsQuery {
        pub id: Option<String>,
        pub path: Vec<Value>,
        pub values: Option<Vec<Value>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct CredentialSet {
        pub options: Vec<Vec<String>>,
        #[serde(default = "yes")]
        pub required: bool,
    }
}

impl TryFrom<wire::Query> for Query {
    type Error = DcqlError;

    fn try_from(wire: wire::Query) -> Result<Query, DcqlError> {
        let ids = |list: Vec<String>| {
            list.iter()
                .map(|id| QueryId::new(id))
                .collect::<Result<Vec<_>, _>>()
        };
        let credentials = wire
            .credentials
            .into_iter()
            .map(CredentialQuery::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let credential_sets = wire
            .credential_sets
            .map(|sets| {
                sets.into_iter()
                    .map(|set| {
                        Ok(CredentialSetQuery {
                            options: set.options.into_iter().map(ids).collect::<Result<_, _>>()?,
                            required: set.required,
                        })
                    })
                    .collect::<Result<Vec<_>, DcqlError>>()
            })
            .transpose()?;
        Query::new(credentials, credential_sets)
    }
}

impl TryFrom<wire::CredentialQuery> for CredentialQuery {
    type Error = DcqlError;

    fn try_from(wire: wire::CredentialQuery) -> Result<CredentialQuery, DcqlError> {
        let id = QueryId::new(&wire.id)?;
        let query = || wire.id.clone();
        let format = CredentialFormat::parse(&wire.format).ok_or_else(|| DcqlError::UnknownFormat {
            query: query(),
            format: wire.format.clone(),
        })?;
        let member = Meta::member_for(format);
        let missing = || DcqlError::MissingMeta {
            query: query(),
            member,
        };
        let meta = wire.meta.ok_or_else(missing)?;
        let meta = match format {
            CredentialFormat::SdJwt => Meta::VctValues(meta.vct_values.ok_or_else(missing)?),
            CredentialFormat::LdpVc | CredentialFormat::VcJwt => {
                Meta::TypeValues(meta.type_values.ok_or_else(missing)?)
            }
        };
        let claims = wire
            .claims
            .map(|claims| {
                claims
                    .into_iter()
                    .map(|claim| {
                        let path = claim
                            .path
                            .iter()
                            .map(|element| {
                                PathElement::from_json(element).ok_or_else(|| DcqlError::BadPathElement {
                                    query: query(),
                                    element: element.to_string(),
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok(ClaimsQuery {
                            id: claim.id.as_deref().map(QueryId::new).transpose()?,
                            path: ClaimPath(path),
                            values: claim.values,
                        })
                    })
                    .collect::<Result<Vec<_>, DcqlError>>()
            })
            .transpose()?;
        let claim_sets = wire
            .claim_sets
            .map(|sets| {
                sets.iter()
                    .map(|set| set.iter().map(|id| QueryId::new(id)).collect())
                    .collect::<Result<Vec<Vec<_>>, _>>()
            })
            .transpose()?;
        Ok(CredentialQuery {
            id,
            format,
            multiple: wire.multiple,
            meta,
            claims,
            claim_sets,
            require_cryptographic_holder_binding: wire.require_cryptographic_holder_binding,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The query Sigil's verifier sends for its diploma policy.
    fn diploma_query() -> Value {
        let degree = "https://w3id.org/sigil/vocab#UniversityDegreeCredential";
        json!({
            "credentials": [
                {"id": "ldp", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
                 "claims": [{"path": ["credentialSubject", "name"]}, {"path": ["credentialSubject", "degree", "name"]}]},
                {"id": "jwt", "format": "jwt_vc_json", "meta": {"type_values": [[degree]]},
                 "claims": [{"path": ["credentialSubject", "name"]}, {"path": ["credentialSubject", "degree", "name"]}]},
                {"id": "sd", "format": "dc+sd-jwt",
                 "meta": {"vct_values": ["https://w3id.org/sigil/types/UniversityDegreeCredential"]},
                 "claims": [{"path": ["name"]}, {"path": ["degree", "name"]}]}
            ],
            "credential_sets": [{"options": [["ldp"], ["jwt"], ["sd"]]}]
        })
    }

    fn refusal(query: &Value) -> DcqlError {
        match Query::from_value(query) {
            Err(error) => error,
            Ok(parsed) => DcqlError::Malformed(format!("accepted: {parsed:?}")),
        }
    }

    #[test]
    fn the_verifiers_query_reads_and_writes_back_unchanged() {
        let text = diploma_query();
        let query = Query::from_value(&text).unwrap();
        assert_eq!(query.credentials().len(), 3);
        assert_eq!(query.credential("jwt").unwrap().format, CredentialFormat::VcJwt);
        assert_eq!(serde_json::to_value(&query).unwrap(), text);
        let typed: Query = serde_json::from_value(text).unwrap();
        assert_eq!(typed, query);
    }

    #[test]
    fn defaults_are_read_and_not_written() {
        let query = Query::from_value(&json!({"credentials": [
            {"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}, "multiple": true,
             "require_cryptographic_holder_binding": false}
        ]}))
        .unwrap();
        let credential = &query.credentials()[0];
        assert!(credential.multiple);
        assert!(!credential.require_cryptographic_holder_binding);
        let written = serde_json::to_value(&query).unwrap();
        assert_eq!(written["credentials"][0]["multiple"], true);
        assert_eq!(
            written["credentials"][0]["require_cryptographic_holder_binding"],
            false
        );
        let plain = CredentialQuery::new(
            QueryId::new("b").unwrap(),
            CredentialFormat::VcJwt,
            Meta::TypeValues(vec![vec!["T".into()]]),
        );
        assert_eq!(
            serde_json::to_value(Query::new(vec![plain], None).unwrap()).unwrap(),
            json!({"credentials": [{"id": "b", "format": "jwt_vc_json", "meta": {"type_values": [["T"]]}}]})
        );
    }

    #[test]
    fn each_fault_is_named() {
        let sd = |extra: Value| {
            let mut query = json!({"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}});
            if let (Some(object), Some(extra)) = (query.as_object_mut(), extra.as_object()) {
                object.extend(extra.clone());
            }
            json!({ "credentials": [query] })
        };
        assert_eq!(
            refusal(&json!({"credentials": []})),
            DcqlError::NoCredentialQueries
        );
        assert_eq!(refusal(&sd(json!({"id": "a b"}))), DcqlError::BadId("a b".into()));
        assert_eq!(refusal(&sd(json!({"id": ""}))), DcqlError::BadId(String::new()));
        assert_eq!(
            refusal(&sd(json!({"format": "mso_mdoc"}))),
            DcqlError::UnknownFormat {
                query: "q".into(),
                format: "mso_mdoc".into()
            }
        );
        assert_eq!(
            refusal(&sd(json!({"meta": {"type_values": [["T"]]}}))),
            DcqlError::MissingMeta {
                query: "q".into(),
                member: "vct_values"
            }
        );
        assert_eq!(
            refusal(&json!({"credentials": [{"id": "q", "format": "ldp_vc"}]})),
            DcqlError::MissingMeta {
                query: "q".into(),
                member: "type_values"
            }
        );
        assert_eq!(
            refusal(
                &json!({"credentials": [{"id": "q", "format": "ldp_vc", "meta": {"type_values": [[]]}}]})
            ),
            DcqlError::EmptyMeta {
                query: "q".into(),
                member: "type_values"
            }
        );
        assert_eq!(
            refusal(&sd(json!({"claims": [{"path": []}]}))),
            DcqlError::EmptyPath { query: "q".into() }
        );
        assert_eq!(
            refusal(&sd(json!({"claims": []}))),
            DcqlError::EmptyList {
                query: "q".into(),
                member: "claims"
            }
        );
        assert_eq!(
            refusal(&sd(json!({"claims": [{"path": ["a", -1]}]}))),
            DcqlError::BadPathElement {
                query: "q".into(),
                element: "-1".into()
            }
        );
        assert_eq!(
            refusal(&sd(json!({"claims": [{"path": [1.5]}]}))),
            DcqlError::BadPathElement {
                query: "q".into(),
                element: "1.5".into()
            }
        );
        assert_eq!(
            refusal(&sd(json!({"claims": [{"path": ["a"], "values": [{"x": 1}]}]}))),
            DcqlError::BadValues { query: "q".into() }
        );
        assert_eq!(
            refusal(&sd(
                json!({"claims": [{"id": "c", "path": ["a"]}, {"id": "c", "path": ["b"]}]})
            )),
            DcqlError::DuplicateClaimId {
                query: "q".into(),
                claim: "c".into()
            }
        );
        assert_eq!(
            refusal(&sd(
                json!({"claims": [{"id": "c", "path": ["a"]}], "claim_sets": [["d"]]})
            )),
            DcqlError::UnknownClaimId {
                query: "q".into(),
                claim: "d".into()
            }
        );
        let twice = json!({"credentials": [
            {"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}},
            {"id": "q", "format": "ldp_vc", "meta": {"type_values": [["T"]]}}
        ]});
        assert_eq!(refusal(&twice), DcqlError::DuplicateCredentialId("q".into()));
        let mut unknown_set = sd(json!({}));
        unknown_set["credential_sets"] = json!([{"options": [["other"]]}]);
        assert_eq!(
            refusal(&unknown_set),
            DcqlError::UnknownCredentialId("other".into())
        );
        let mut empty_set = sd(json!({}));
        empty_set["credential_sets"] = json!([{"options": []}]);
        assert_eq!(refusal(&empty_set), DcqlError::EmptyCredentialSet);
    }

    #[test]
    fn hostile_shapes_are_refused_without_panicking() {
        for hostile in [
            json!(null),
            json!([]),
            json!("credentials"),
            json!({}),
            json!({"credentials": {}}),
            json!({"credentials": [null]}),
            json!({"credentials": [{"id": 7, "format": "ldp_vc", "meta": {"type_values": [["T"]]}}]}),
            json!({"credentials": [{"id": "q", "format": ["ldp_vc"], "meta": {}}]}),
            json!({"credentials": [{"id": "q", "format": "ldp_vc", "meta": {"type_values": ["T"]}}]}),
            json!({"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": "v"}}]}),
            json!({"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}, "claims": [{"path": "a"}]}]}),
            json!({"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}, "claims": [{"path": [1e300]}]}]}),
        ] {
            assert!(Query::from_value(&hostile).is_err(), "{hostile}");
        }
        assert!(matches!(
            Query::parse("{\"credentials\": ["),
            Err(DcqlError::Malformed(_))
        ));
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(matches!(Query::parse(&deep), Err(DcqlError::Malformed(_))));
    }

    #[test]
    fn paths_select_keys_indices_and_every_element() {
        let claims = json!({"name": "Ada", "degrees": [{"name": "BSc"}, {"name": "MSc"}], "gap": null});
        let path = |elements: Value| {
            let elements: Vec<PathElement> = elements
                .as_array()
                .unwrap()
                .iter()
                .map(|e| PathElement::from_json(e).unwrap())
                .collect();
            ClaimPath::new(elements).unwrap()
        };
        assert_eq!(path(json!(["name"])).select(&claims), vec![&json!("Ada")]);
        assert_eq!(
            path(json!(["degrees", null, "name"])).select(&claims),
            vec![&json!("BSc"), &json!("MSc")]
        );
        assert_eq!(
            path(json!(["degrees", 1, "name"])).select(&claims),
            vec![&json!("MSc")]
        );
        assert!(
            path(json!(["degrees", u64::MAX, "name"]))
                .select(&claims)
                .is_empty()
        );
        assert!(path(json!(["name", 0])).select(&claims).is_empty());
        assert!(path(json!(["name", null])).select(&claims).is_empty());
        assert!(path(json!(["gap"])).select(&claims).is_empty());
        assert!(path(json!(["degrees", "name"])).select(&claims).is_empty());
        assert_eq!(ClaimPath::new(vec![]), None);
    }

    #[test]
    fn subject_claims_are_addressed_per_format() {
        let w3c = ClaimPath::subject_claim(CredentialFormat::LdpVc, "degree.name");
        assert_eq!(
            serde_json::to_value(&w3c).unwrap(),
            json!(["credentialSubject", "degree", "name"])
        );
        assert_eq!(
            w3c.subject_dotted(CredentialFormat::LdpVc).as_deref(),
            Some("degree.name")
        );
        let sd = ClaimPath::subject_claim(CredentialFormat::SdJwt, "degree.name");
        assert_eq!(serde_json::to_value(&sd).unwrap(), json!(["degree", "name"]));
        assert_eq!(
            sd.subject_dotted(CredentialFormat::SdJwt).as_deref(),
            Some("degree.name")
        );
        let outside = ClaimPath::from_dotted("issuer");
        assert_eq!(outside.subject_relative(CredentialFormat::VcJwt), None);
        assert_eq!(
            ClaimPath::from_dotted("credentialSubject").subject_relative(CredentialFormat::LdpVc),
            None
        );
        let indexed = ClaimPath::new(vec![PathElement::Key("degrees".into()), PathElement::All]).unwrap();
        assert_eq!(indexed.subject_dotted(CredentialFormat::SdJwt), None);
    }

    #[test]
    fn a_held_credential_answers_by_format_type_and_claims() {
        let query = Query::from_value(&diploma_query()).unwrap();
        let answers = |id: &str, candidate: Candidate<'_>| {
            query
                .credential(id)
                .is_some_and(|q| q.matches(&candidate).is_some())
        };
        let subject = json!({"name": "Ada", "degree": {"name": "BSc"}});
        let term = vec!["UniversityDegreeCredential".to_owned()];
        let ldp = Candidate {
            format: CredentialFormat::LdpVc,
            types: &term,
            subject: &subject,
        };
        assert_eq!(query.credential("ldp").unwrap().matches(&ldp).unwrap().len(), 2);
        assert!(!answers("jwt", ldp), "another format");
        assert!(!answers("sd", ldp));

        let vct = vec!["https://w3id.org/sigil/types/UniversityDegreeCredential".to_owned()];
        let sd = Candidate {
            format: CredentialFormat::SdJwt,
            types: &vct,
            subject: &subject,
        };
        assert!(answers("sd", sd));
        let other_vct = vec!["https://example.com/types/UniversityDegreeCredential".to_owned()];
        assert!(!answers(
            "sd",
            Candidate {
                types: &other_vct,
                ..sd
            }
        ));

        let other_type = vec!["ProductInspectionCertificate".to_owned()];
        assert!(!answers(
            "ldp",
            Candidate {
                types: &other_type,
                ..ldp
            }
        ));
        let other_iri = vec!["https://example.com/vocab#UniversityDegreeCredential".to_owned()];
        assert!(!answers(
            "ldp",
            Candidate {
                types: &other_iri,
                ..ldp
            }
        ));
        let no_degree = json!({"name": "Ada"});
        assert!(!answers(
            "ldp",
            Candidate {
                subject: &no_degree,
                ..ldp
            }
        ));
    }

    #[test]
    fn claim_sets_and_values_choose_what_answers() {
        let query = Query::from_value(&json!({"credentials": [{
            "id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]},
            "claims": [
                {"id": "honours", "path": ["honours"], "values": ["cum laude", "magna cum laude"]},
                {"id": "name", "path": ["name"]},
                {"id": "student", "path": ["studentId"]}
            ],
            "claim_sets": [["name", "honours"], ["student"]]
        }]}))
        .unwrap();
        let credential = &query.credentials()[0];
        let types = vec!["v".to_owned()];
        let ask = |subject: Value| {
            credential
                .matches(&Candidate {
                    format: CredentialFormat::SdJwt,
                    types: &types,
                    subject: &subject,
                })
                .map(|claims| {
                    claims
                        .iter()
                        .filter_map(|c| c.id.as_ref().map(|id| id.to_string()))
                        .collect::<Vec<_>>()
                })
        };
        assert_eq!(
            ask(json!({"name": "Ada", "honours": "cum laude", "studentId": "1"})),
            Some(vec!["name".to_owned(), "honours".to_owned()])
        );
        assert_eq!(
            ask(json!({"name": "Ada", "honours": "none", "studentId": "1"})),
            Some(vec!["student".to_owned()])
        );
        assert_eq!(ask(json!({"name": "Ada", "honours": "none"})), None);
    }

    #[test]
    fn a_query_without_claims_asks_for_the_credential_only() {
        let query = Query::from_value(&json!({"credentials": [
            {"id": "q", "format": "ldp_vc", "meta": {"type_values": [["https://www.w3.org/2018/credentials#VerifiableCredential", "https://w3id.org/sigil/vocab#UniversityDegreeCredential"]]}}
        ]}))
        .unwrap();
        let types = vec![
            "VerifiableCredential".to_owned(),
            "UniversityDegreeCredential".to_owned(),
        ];
        let subject = json!({});
        let candidate = Candidate {
            format: CredentialFormat::LdpVc,
            types: &types,
            subject: &subject,
        };
        assert_eq!(query.credentials()[0].matches(&candidate), Some(vec![]));
        let only_one = vec!["UniversityDegreeCredential".to_owned()];
        assert_eq!(
            query.credentials()[0].matches(&Candidate {
                types: &only_one,
                ..candidate
            }),
            None
        );
    }
}
