//! Presenting over OpenID for Verifiable Presentations 1.0 (`direct_post`, cross-device and
//! same-device):
//!
//! 1. [`open_request`]: from `openid4vp://?client_id=decentralized_identifier:DID&request_uri=…`
//!    fetch the request object and check it is signed by a key of that DID — a request that
//!    another party signed is refused.
//! 2. [`match_query`]: choose the credential queries to answer so that every required
//!    credential set is answered (DCQL, §6.4.2), a held credential for each, and work out
//!    exactly which claims would go to the verifier (for SD-JWT VC, only the requested ones).
//!    A required set nothing held answers is refused, naming what is missing.
//! 3. After the holder's consent, [`respond`] posts one presentation per answered credential
//!    query, each bound to the verifier's nonce and client id; [`decline`] posts
//!    `access_denied`. The verifier's answer may carry a `redirect_uri` (§8.2), which the
//!    wallet hands back for the browser to follow.

use serde::Deserialize as _;
use serde_json::{Map, Value};
use sigil_core::dcql::{Candidate, CredentialQuery, PathElement, Query, Unsatisfied};
use sigil_core::did::document::Relationship;
use sigil_core::did::resolver::DidResolver as _;
use sigil_core::did::{Did, DidUrl, ResolutionOptions, StandardResolver};
use sigil_core::format::CredentialFormat;
use sigil_core::http_client::{self, FetchError, MAX_RESPONSE_BYTES};
use sigil_core::issue;
use sigil_core::jose;
use sigil_core::presentation_request::RequestObject;
use sigil_core::sd_jwt;

use crate::holder::Holder;
use crate::store::{Held, HistoryEntry, HistoryEvent, Store};
use crate::targets::{Refused, SendError, Targets};

/// The only client identifier prefix the wallet accepts: a verifier known by its DID.
const DID_PREFIX: &str = "decentralized_identifier:";

/// Why a presentation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PresentError {
    /// The request is malformed, unsigned, or signed by someone else.
    #[error("the request was refused: {0}")]
    BadRequest(String),
    /// Nothing in the wallet answers the request.
    #[error("no credential in this wallet matches the request: {0}")]
    NoMatch(String),
    /// The verifier could not be reached, or refused the response.
    #[error("{0}")]
    Verifier(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<Refused> for PresentError {
    fn from(error: Refused) -> Self {
        PresentError::BadRequest(error.to_string())
    }
}

impl From<SendError> for PresentError {
    fn from(error: SendError) -> Self {
        match error {
            SendError::Refused(refused) => refused.into(),
            other => PresentError::Verifier(other.to_string()),
        }
    }
}

/// A checked presentation request.
#[derive(Debug, Clone)]
pub struct Request {
    pub client_id: String,
    /// The verifier's DID.
    pub verifier: Did,
    /// The name the verifier gives itself (unverified; the DID is what was checked).
    pub verifier_name: Option<String>,
    pub nonce: String,
    pub state: Option<String>,
    pub response_uri: url::Url,
    pub dcql: Query,
}

/// What the wallet would send for a request: a held credential for each credential query it
/// answers, chosen so that every required credential set is answered (OpenID4VP 1.0 §6.4.2).
#[derive(Debug, Clone)]
pub struct Match {
    /// In the query's order; never empty.
    pub answers: Vec<CredentialAnswer>,
}

/// A held credential that answers one credential query, and what presenting it would disclose.
#[derive(Debug, Clone)]
pub struct CredentialAnswer {
    pub query_id: String,
    /// What the credential query asks for, in words (type, format, claims).
    pub asks: String,
    pub held: Held,
    /// Claim paths the verifier would see (dotted, subject-relative).
    pub disclosed: Vec<String>,
    /// SD-JWT only: the top-level claims whose disclosures are sent.
    pub sd_claims: Vec<String>,
}

/// What a shared presentation led to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shared {
    /// Where the verifier asks the browser to go next (its result page, §8.2).
    pub redirect_uri: Option<url::Url>,
    /// A `redirect_uri` the wallet would not follow, and why.
    pub redirect_refused: Option<String>,
}

fn bad(reason: impl Into<String>) -> PresentError {
    PresentError::BadRequest(reason.into())
}

/// What an `openid4vp://` URI says, before anything is fetched: the verifier's client id and
/// DID, and where its signed request object is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestUri {
    pub client_id: String,
    pub verifier: Did,
    /// The `request_uri`, as written (checked against the wallet's rule before it is fetched).
    pub request_uri: String,
}

/// Reads an `openid4vp://?client_id=decentralized_identifier:DID&request_uri=…` URI.
pub fn parse_request_uri(uri: &str) -> Result<RequestUri, PresentError> {
    let uri = url::Url::parse(uri.trim()).map_err(|e| bad(format!("not a presentation request URI: {e}")))?;
    if uri.scheme() != "openid4vp" {
        return Err(bad(format!(
            "a presentation request starts with openid4vp://, not {}://",
            uri.scheme()
        )));
    }
    let pair = |name: &str| {
        uri.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let client_id = pair("client_id").ok_or_else(|| bad("the URI has no client_id"))?;
    let did_text = client_id.strip_prefix(DID_PREFIX).ok_or_else(|| {
        bad(format!(
            "client_id {client_id:?}: the wallet accepts verifiers known by their DID ({DID_PREFIX}…) only"
        ))
    })?;
    let verifier = Did::parse(did_text).map_err(|e| bad(format!("client_id: {e}")))?;
    let request_uri = pair("request_uri").ok_or_else(|| bad("the URI has no request_uri"))?;
    Ok(RequestUri {
        client_id,
        verifier,
        request_uri,
    })
}

/// Fetches and checks the request an `openid4vp://` URI points to.
pub async fn open_request(targets: &Targets, holder: &Holder, uri: &str) -> Result<Request, PresentError> {
    let RequestUri {
        client_id,
        verifier,
        request_uri,
    } = parse_request_uri(uri)?;
    let request_uri = targets.url(&request_uri)?;
    let response = targets.send(targets.http().get(request_uri)).await?;
    if !response.status().is_success() {
        return Err(PresentError::Verifier(format!(
            "the verifier answered HTTP {} for the request",
            response.status()
        )));
    }
    let body = http_client::read_limited(response, MAX_RESPONSE_BYTES)
        .await
        .map_err(|e: FetchError| PresentError::Verifier(e.to_string()))?;
    let jwt = String::from_utf8_lossy(&body).trim().to_owned();
    let unverified = jose::decode_unverified(&jwt).map_err(|e| bad(format!("request object: {e}")))?;
    if unverified.header_str("typ") != Some("oauth-authz-req+jwt") {
        return Err(bad("the request object's typ is not oauth-authz-req+jwt"));
    }
    let kid = unverified
        .header_str("kid")
        .ok_or_else(|| bad("the request object names no key (kid)"))?;
    let kid_url = DidUrl::parse(kid).map_err(|e| bad(format!("kid: {e}")))?;
    if kid_url.did() != &verifier {
        return Err(bad(format!(
            "the request is signed by {}, not by the verifier {verifier} it claims to come from",
            kid_url.did()
        )));
    }
    let resolver = match holder.config.registry_client()? {
        Some(registry) => StandardResolver::with_registry(registry),
        None => StandardResolver::offline(),
    };
    let document = resolver
        .resolve(&verifier, &ResolutionOptions::latest())
        .await
        .map_err(|e| PresentError::Verifier(format!("the verifier's DID {verifier}: {e}")))?
        .document;
    let key = document
        .method_for(kid, Relationship::Authentication)
        .or_else(|| document.method_for(kid, Relationship::AssertionMethod))
        .and_then(|m| m.public_key().ok())
        .ok_or_else(|| bad(format!("{kid} is not a key of {verifier}")))?;
    let checked =
        jose::verify_compact(&jwt, &key).map_err(|e| bad(format!("the request's signature: {e}")))?;
    read_request_object(targets, &checked.payload, client_id, verifier)
}

/// The request a verified request object makes, if it is one the wallet answers: the same
/// client id as the URI's, `vp_token` by `direct_post`, not expired, with a nonce, a response
/// URI and a DCQL query.
pub fn read_request_object(
    targets: &Targets,
    payload: &Value,
    client_id: String,
    verifier: Did,
) -> Result<Request, PresentError> {
    let object = RequestObject::deserialize(payload).map_err(|e| bad(format!("the request object: {e}")))?;
    if object.client_id.as_deref() != Some(client_id.as_str()) {
        return Err(bad("the request object's client_id is not the URI's"));
    }
    if object.response_type.as_deref() != Some("vp_token")
        || object.response_mode.as_deref() != Some("direct_post")
    {
        return Err(bad(
            "the wallet answers response_type=vp_token with response_mode=direct_post only",
        ));
    }
    if object
        .exp
        .is_some_and(|exp| exp < sigil_core::time::now().timestamp())
    {
        return Err(bad("the request has expired"));
    }
    Ok(Request {
        verifier_name: object.client_metadata.and_then(|metadata| metadata.client_name),
        nonce: object.nonce.ok_or_else(|| bad("the request has no nonce"))?,
        state: object.state,
        response_uri: targets.url(
            &object
                .response_uri
                .ok_or_else(|| bad("the request has no response_uri"))?,
        )?,
        dcql: object
            .dcql_query
            .ok_or_else(|| bad("the request has no dcql_query"))?,
        client_id,
        verifier,
    })
}

/// Chooses what to send for the request's DCQL query: the credential queries that answer every
/// required credential set (each set's first option the wallet can answer, §6.4.2), and for
/// each a held credential — one not already chosen for another query when there is one.
pub async fn match_query(holder: &Holder, store: &Store, request: &Request) -> Result<Match, PresentError> {
    let held = store.all(&holder.vault).await.map_err(anyhow::Error::from)?;
    match_held(&request.dcql, &held)
}

/// [`match_query`] over the credentials `held`.
fn match_held(query: &Query, held: &[Held]) -> Result<Match, PresentError> {
    let chosen = query
        .select(|credential_query| held.iter().any(|c| answer(credential_query, c).is_some()))
        .map_err(|unsatisfied| {
            PresentError::NoMatch(format!(
                "{}; {}",
                describe_query(query),
                describe_unsatisfied(query, &unsatisfied)
            ))
        })?;
    let mut answers: Vec<CredentialAnswer> = Vec::new();
    for credential_query in chosen {
        let unused = held
            .iter()
            .filter(|c| !answers.iter().any(|a| a.held.row.id == c.row.id));
        let found = unused
            .chain(held.iter())
            .find_map(|credential| answer(credential_query, credential))
            .ok_or_else(|| PresentError::NoMatch(describe_query(query)))?;
        answers.push(found);
    }
    if answers.is_empty() {
        return Err(PresentError::NoMatch(describe_query(query)));
    }
    Ok(Match { answers })
}

fn describe_query(query: &Query) -> String {
    let mut types: Vec<String> = Vec::new();
    for name in query.credentials().iter().flat_map(CredentialQuery::type_values) {
        let name = short_type(name);
        if !types.contains(&name) {
            types.push(name);
        }
    }
    format!("the verifier asks for a {}", types.join(" or "))
}

/// Which credentials the wallet would need, in words.
fn describe_unsatisfied(query: &Query, unsatisfied: &Unsatisfied) -> String {
    let credential = |id: &String| {
        query
            .credential(id)
            .map(|q| {
                let types: Vec<String> = q.type_values().into_iter().map(short_type).collect();
                format!("a {} ({})", types.join(" or "), q.format.protocol_name())
            })
            .unwrap_or_else(|| id.clone())
    };
    match unsatisfied {
        Unsatisfied::MissingCredentials(ids) => format!(
            "it needs every credential it names, and nothing in this wallet is {}",
            ids.iter().map(credential).collect::<Vec<_>>().join(", nor ")
        ),
        Unsatisfied::RequiredSet { options, .. } => format!(
            "it needs {}, and this wallet cannot answer that",
            options
                .iter()
                .map(|option| option
                    .iter()
                    .map(credential)
                    .collect::<Vec<_>>()
                    .join(" together with "))
                .collect::<Vec<_>>()
                .join(", or ")
        ),
    }
}

/// What a credential query asks for, in words: its types, format and claims.
fn describe_credential_query(query: &CredentialQuery) -> String {
    let types: Vec<String> = query.type_values().into_iter().map(short_type).collect();
    let mut words = format!("a {} ({})", types.join(" or "), query.format.protocol_name());
    let claims: Vec<String> = query
        .claims
        .iter()
        .flatten()
        .map(|claim| claim.describe(query.format))
        .collect();
    if !claims.is_empty() {
        let joiner = if query.claim_sets.is_some() { " or " } else { ", " };
        words.push_str(&format!(" with {}", claims.join(joiner)));
    }
    words
}

/// The last segment of a type IRI or `vct` (`…#UniversityDegreeCredential`, `…/UniversityDegreeCredential`).
fn short_type(text: &str) -> String {
    text.rsplit(['#', '/']).next().unwrap_or(text).to_owned()
}

/// Whether `credential` answers `query`, and what it would disclose.
fn answer(query: &CredentialQuery, credential: &Held) -> Option<CredentialAnswer> {
    let format = CredentialFormat::parse(&credential.row.format)?;
    // The wallet keeps a W3C credential's own type as a term; VerifiableCredential is implied.
    let types = match format {
        CredentialFormat::SdJwt => vec![credential.row.type_name.clone()],
        CredentialFormat::LdpVc | CredentialFormat::VcJwt => {
            vec![
                credential.row.type_name.clone(),
                "VerifiableCredential".to_owned(),
            ]
        }
    };
    let candidate = Candidate {
        format,
        types: &types,
        subject: &credential.record.claims,
    };
    let requested = query.matches(&candidate)?;
    let all_claims: Vec<String> = sigil_core::model::claims::flatten(&credential.record.claims)
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    let (disclosed, sd_claims) = if format == CredentialFormat::SdJwt {
        // The disclosures of the requested claims' top-level names are sent; claims the
        // issuer did not make disclosable are always visible.
        let mut sd: Vec<String> = Vec::new();
        for claim in requested {
            if let Some([PathElement::Key(top), ..]) = claim.path.subject_relative(format) {
                if !sd.contains(top) {
                    sd.push(top.clone());
                }
            }
        }
        (sd_disclosed(credential, &sd), sd)
    } else {
        (all_claims, vec![])
    };
    Some(CredentialAnswer {
        query_id: query.id.to_string(),
        asks: describe_credential_query(query),
        held: credential.clone(),
        disclosed,
        sd_claims,
    })
}

/// What the verifier sees of the SD-JWT VC `credential` when the disclosures of the top-level
/// claims `sd` are sent: those claims, and the ones the issuer did not make disclosable.
fn sd_disclosed(credential: &Held, sd: &[String]) -> Vec<String> {
    let always = always_visible(&credential.record.credential);
    sigil_core::model::claims::flatten(&credential.record.claims)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| {
            let top = path.split('.').next().unwrap_or_default();
            sd.iter().any(|s| s == top) || always.iter().any(|a| a == top)
        })
        .collect()
}

impl CredentialAnswer {
    /// For an SD-JWT VC answer: sends the disclosures of the top-level claims `names` (the
    /// holder's choice) instead of those the verifier asked for, and says so in `disclosed`.
    pub fn choose_sd_claims(&mut self, names: Vec<String>) {
        self.disclosed = sd_disclosed(&self.held, &names);
        self.sd_claims = names;
    }
}

/// The subject claims of an SD-JWT VC that are not selectively disclosable (visible in every
/// presentation).
fn always_visible(sd_jwt_text: &str) -> Vec<String> {
    const REGISTERED: [&str; 10] = [
        "iss",
        "sub",
        "vct",
        "iat",
        "nbf",
        "exp",
        "cnf",
        "_sd",
        "_sd_alg",
        "credentialStatus",
    ];
    let Some(jws) = sd_jwt_text.split('~').next() else {
        return vec![];
    };
    jose::decode_unverified(jws)
        .ok()
        .and_then(|jws| jws.payload.as_object().cloned())
        .map(|payload: Map<String, Value>| {
            payload
                .keys()
                .filter(|k| !REGISTERED.contains(&k.as_str()))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Presents the matched credentials to the verifier — one presentation per credential query,
/// all in one `vp_token` — and records what was disclosed. The verifier may answer with where
/// the browser should go next.
pub async fn respond(
    targets: &Targets,
    holder: &Holder,
    store: &Store,
    request: &Request,
    found: &Match,
) -> Result<Shared, PresentError> {
    let now = sigil_core::time::now();
    let mut vp_token = Map::new();
    for answer in &found.answers {
        let presentation = presentation(holder, request, answer, now).await?;
        vp_token.insert(answer.query_id.clone(), Value::Array(vec![presentation]));
    }
    let vp_token = Value::Object(vp_token).to_string();
    let mut form = vec![("vp_token", vp_token.as_str())];
    if let Some(state) = &request.state {
        form.push(("state", state.as_str()));
    }
    let answer = post(targets, &request.response_uri, &form).await?;
    store
        .record_presentation(
            &holder.vault,
            request.verifier.as_str(),
            request.verifier_name.as_deref(),
            now.timestamp(),
        )
        .await
        .map_err(anyhow::Error::from)?;
    for answered in &found.answers {
        record(
            holder,
            store,
            request,
            HistoryEvent::Presented,
            Some(&answered.held.row.id),
            &answered.disclosed,
        )
        .await?;
    }
    Ok(redirect_in(targets, &answer))
}

/// The `redirect_uri` of the verifier's answer to `direct_post` (§8.2), if it is one the
/// wallet may send a browser to (the same rule as every address a stranger names).
fn redirect_in(targets: &Targets, answer: &Value) -> Shared {
    match answer.get("redirect_uri") {
        None | Some(Value::Null) => Shared::default(),
        Some(Value::String(text)) => match targets.url(text) {
            Ok(url) => Shared {
                redirect_uri: Some(url),
                redirect_refused: None,
            },
            Err(refused) => Shared {
                redirect_uri: None,
                redirect_refused: Some(format!("the verifier's redirect_uri was not followed: {refused}")),
            },
        },
        Some(_) => Shared {
            redirect_uri: None,
            redirect_refused: Some("the verifier's redirect_uri is not a string".into()),
        },
    }
}

/// The presentation of one answer, bound to the request's nonce and the verifier's client id.
async fn presentation(
    holder: &Holder,
    request: &Request,
    answer: &CredentialAnswer,
    now: sigil_core::time::Timestamp,
) -> Result<Value, PresentError> {
    let credential = &answer.held.record.credential;
    Ok(match CredentialFormat::parse(&answer.held.row.format) {
        Some(CredentialFormat::LdpVc) => {
            let vc: Value = serde_json::from_str(credential).map_err(anyhow::Error::from)?;
            issue::data_integrity_presentation(
                vec![vc],
                &holder.did,
                &holder.key,
                &holder.method,
                &request.nonce,
                &request.client_id,
                now,
            )
            .await
            .map_err(anyhow::Error::from)?
        }
        Some(CredentialFormat::VcJwt) => Value::String(
            issue::jwt_presentation(
                &[credential.as_str()],
                &holder.did,
                &holder.key,
                &holder.method,
                &request.nonce,
                &request.client_id,
                now,
            )
            .map_err(anyhow::Error::from)?,
        ),
        Some(CredentialFormat::SdJwt) => {
            let names: Vec<&str> = answer.sd_claims.iter().map(String::as_str).collect();
            Value::String(
                sd_jwt::present(
                    credential,
                    &names,
                    &holder.key,
                    &request.nonce,
                    &request.client_id,
                    now,
                )
                .map_err(anyhow::Error::from)?,
            )
        }
        None => {
            return Err(PresentError::Internal(anyhow::anyhow!(
                "stored format {:?}",
                answer.held.row.format
            )));
        }
    })
}

/// Tells the verifier the holder said no (OpenID4VP §8.5, `access_denied`).
pub async fn decline(
    targets: &Targets,
    holder: &Holder,
    store: &Store,
    request: &Request,
) -> Result<Shared, PresentError> {
    let mut form = vec![
        ("error", "access_denied"),
        ("error_description", "the holder declined to share"),
    ];
    if let Some(state) = &request.state {
        form.push(("state", state.as_str()));
    }
    let answer = post(targets, &request.response_uri, &form).await?;
    record(holder, store, request, HistoryEvent::Refused, None, &[]).await?;
    Ok(redirect_in(targets, &answer))
}

/// Posts `form` to the verifier's response URI; its JSON answer (`Null` when it sent none).
async fn post(targets: &Targets, url: &url::Url, form: &[(&str, &str)]) -> Result<Value, PresentError> {
    let response = targets.send(targets.http().post(url.clone()).form(form)).await?;
    let status = response.status();
    let body = http_client::read_limited(response, 64 * 1024)
        .await
        .unwrap_or_default();
    let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(answer);
    }
    let reason = answer
        .get("error_description")
        .or_else(|| answer.get("error"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    Err(PresentError::Verifier(format!(
        "the verifier answered HTTP {status}: {reason}"
    )))
}

async fn record(
    holder: &Holder,
    store: &Store,
    request: &Request,
    event: HistoryEvent,
    credential_id: Option<&String>,
    claims: &[String],
) -> Result<(), PresentError> {
    let party = match &request.verifier_name {
        Some(name) => format!("{name} ({})", request.verifier),
        None => request.verifier.to_string(),
    };
    store
        .add_history(
            &holder.vault,
            &HistoryEntry {
                at: sigil_core::time::now().timestamp(),
                event,
                party,
                credential_id: credential_id.cloned(),
                claims: claims.to_vec(),
            },
        )
        .await
        .map_err(anyhow::Error::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn held(format: &str, type_name: &str) -> Held {
        Held {
            row: crate::store::credential::Model {
                id: "c1".into(),
                format: format.into(),
                type_name: type_name.into(),
                issuer: "did:key:z6Mk".into(),
                issuer_name: "University".into(),
                received_at: 0,
                valid_until: None,
                sealed: String::new(),
            },
            record: crate::store::CredentialRecord {
                credential: "not a token".into(),
                claims: json!({"name": "Ada", "degree": {"name": "BSc", "type": "BachelorDegree"}, "studentId": "1"}),
                accreditation: None,
                issuer_legal_name: None,
                accreditor_name: None,
                claim_labels: Default::default(),
                type_names: Default::default(),
                checks: vec![],
            },
        }
    }

    fn diploma_query() -> Query {
        Query::from_value(&json!({"credentials": [
            {"id": "ldp", "format": "ldp_vc",
             "meta": {"type_values": [["https://w3id.org/sigil/vocab#UniversityDegreeCredential"]]},
             "claims": [{"path": ["credentialSubject", "degree", "name"]}]},
            {"id": "sd", "format": "dc+sd-jwt",
             "meta": {"vct_values": ["https://w3id.org/sigil/types/UniversityDegreeCredential"]},
             "claims": [{"path": ["name"]}, {"path": ["degree", "name"]}]}
        ]}))
        .unwrap()
    }

    #[test]
    fn an_sd_jwt_answer_sends_only_the_requested_disclosures() {
        let query = diploma_query();
        let credential = held(
            "dc+sd-jwt",
            "https://w3id.org/sigil/types/UniversityDegreeCredential",
        );
        assert!(answer(query.credential("ldp").unwrap(), &credential).is_none());
        let found = answer(query.credential("sd").unwrap(), &credential).unwrap();
        assert_eq!(found.query_id, "sd");
        assert_eq!(found.sd_claims, vec!["name".to_owned(), "degree".to_owned()]);
        assert_eq!(found.disclosed, vec!["name", "degree.name", "degree.type"]);
    }

    #[test]
    fn a_w3c_answer_discloses_every_claim_and_needs_the_requested_ones() {
        let query = diploma_query();
        let credential = held("ldp_vc", "UniversityDegreeCredential");
        let found = answer(query.credential("ldp").unwrap(), &credential).unwrap();
        assert!(found.sd_claims.is_empty());
        assert_eq!(
            found.disclosed,
            vec!["name", "degree.name", "degree.type", "studentId"]
        );
        let mut without_degree = credential;
        without_degree.record.claims = json!({"name": "Ada"});
        assert!(answer(query.credential("ldp").unwrap(), &without_degree).is_none());
        let other = held("ldp_vc", "ProductInspectionCertificate");
        assert!(answer(query.credential("ldp").unwrap(), &other).is_none());
        assert_eq!(
            describe_query(&query),
            "the verifier asks for a UniversityDegreeCredential"
        );
    }

    #[test]
    fn a_response_uri_on_this_computer_or_over_http_is_refused() {
        let verifier = sigil_core::key::SigningKey::from_seed(&[4; 32]).did_key();
        let client_id = format!("{DID_PREFIX}{verifier}");
        let object = |response_uri: &str| {
            json!({
                "client_id": client_id, "response_type": "vp_token", "response_mode": "direct_post",
                "nonce": "n", "response_uri": response_uri,
                "dcql_query": {"credentials": [{"id": "d", "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["https://w3id.org/sigil/types/UniversityDegreeCredential"]}}]},
            })
        };
        let strict = Targets::new(false).unwrap();
        for refused in [
            "http://verifier.example/response",
            "https://127.0.0.1:7402/response",
            "https://[fd00::1]/response",
        ] {
            let error = read_request_object(&strict, &object(refused), client_id.clone(), verifier.clone())
                .unwrap_err();
            assert!(matches!(error, PresentError::BadRequest(_)), "{refused}: {error}");
        }
        let request = read_request_object(
            &strict,
            &object("https://verifier.example/response"),
            client_id.clone(),
            verifier.clone(),
        )
        .unwrap();
        assert_eq!(request.response_uri.as_str(), "https://verifier.example/response");
        let insecure = Targets::new(true).unwrap();
        assert!(
            read_request_object(
                &insecure,
                &object("http://127.0.0.1:7402/response"),
                client_id,
                verifier
            )
            .is_ok()
        );
    }

    #[test]
    fn types_match_by_their_last_segment() {
        assert_eq!(
            short_type("https://w3id.org/sigil/vocab#UniversityDegreeCredential"),
            "UniversityDegreeCredential"
        );
        assert_eq!(
            short_type("https://w3id.org/sigil/types/UniversityDegreeCredential"),
            "UniversityDegreeCredential"
        );
        assert_eq!(
            short_type("UniversityDegreeCredential"),
            "UniversityDegreeCredential"
        );
    }

    /// A held credential with its own id and subject claims.
    fn held_as(id: &str, format: &str, type_name: &str, claims: Value) -> Held {
        let mut credential = held(format, type_name);
        credential.row.id = id.into();
        credential.record.claims = claims;
        credential
    }

    /// A bachelor's and a master's degree, both required (one credential set, one option of two).
    fn two_degrees_query() -> Query {
        let degree = "https://w3id.org/sigil/vocab#UniversityDegreeCredential";
        Query::from_value(&json!({
            "credentials": [
                {"id": "bachelor", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
                 "claims": [{"path": ["credentialSubject", "degree", "type"], "values": ["BachelorDegree"]}]},
                {"id": "master", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
                 "claims": [{"path": ["credentialSubject", "degree", "type"], "values": ["MasterDegree"]}]}
            ],
            "credential_sets": [{"options": [["bachelor", "master"]]}]
        }))
        .unwrap()
    }

    #[test]
    fn each_credential_query_of_a_required_set_gets_its_own_held_credential() {
        let bachelor = held_as(
            "b",
            "ldp_vc",
            "UniversityDegreeCredential",
            json!({"name": "Ada", "degree": {"type": "BachelorDegree"}}),
        );
        let master = held_as(
            "m",
            "ldp_vc",
            "UniversityDegreeCredential",
            json!({"name": "Ada", "degree": {"type": "MasterDegree"}}),
        );
        let found = match_held(&two_degrees_query(), &[master, bachelor.clone()]).unwrap();
        let chosen: Vec<(&str, &str)> = found
            .answers
            .iter()
            .map(|a| (a.query_id.as_str(), a.held.row.id.as_str()))
            .collect();
        assert_eq!(chosen, vec![("bachelor", "b"), ("master", "m")]);
        assert_eq!(
            found.answers[1].asks,
            r#"a UniversityDegreeCredential (ldp_vc) with degree.type (one of "MasterDegree")"#
        );

        let refusal = match_held(&two_degrees_query(), &[bachelor])
            .unwrap_err()
            .to_string();
        assert_eq!(
            refusal,
            "no credential in this wallet matches the request: the verifier asks for a \
             UniversityDegreeCredential; it needs a UniversityDegreeCredential (ldp_vc) together \
             with a UniversityDegreeCredential (ldp_vc), and this wallet cannot answer that"
        );
    }

    #[test]
    fn two_queries_one_credential_could_answer_get_two_credentials_when_held() {
        let query = Query::from_value(&json!({"credentials": [
            {"id": "first", "format": "ldp_vc", "meta": {"type_values": [["UniversityDegreeCredential"]]}},
            {"id": "second", "format": "ldp_vc", "meta": {"type_values": [["UniversityDegreeCredential"]]}}
        ]}))
        .unwrap();
        let one = held_as("one", "ldp_vc", "UniversityDegreeCredential", json!({}));
        let two = held_as("two", "ldp_vc", "UniversityDegreeCredential", json!({}));
        let found = match_held(&query, &[one.clone(), two]).unwrap();
        let ids: Vec<&str> = found.answers.iter().map(|a| a.held.row.id.as_str()).collect();
        assert_eq!(ids, vec!["one", "two"]);
        let alone = match_held(&query, &[one]).unwrap();
        assert_eq!(alone.answers.len(), 2, "with only one, it answers both queries");
        assert_eq!(
            match_held(&query, &[]).unwrap_err().to_string(),
            "no credential in this wallet matches the request: the verifier asks for a \
             UniversityDegreeCredential; it needs every credential it names, and nothing in this \
             wallet is a UniversityDegreeCredential (ldp_vc), nor a UniversityDegreeCredential (ldp_vc)"
        );
    }

    #[test]
    fn the_verifiers_redirect_is_followed_only_to_an_address_a_stranger_may_name() {
        let strict = Targets::new(false).unwrap();
        assert_eq!(redirect_in(&strict, &json!({})), Shared::default());
        assert_eq!(redirect_in(&strict, &Value::Null), Shared::default());
        let followed = redirect_in(
            &strict,
            &json!({"redirect_uri": "https://verifier.example/requests/1?response_code=c"}),
        );
        assert_eq!(
            followed.redirect_uri.unwrap().as_str(),
            "https://verifier.example/requests/1?response_code=c"
        );
        for refused in [
            json!({"redirect_uri": "http://127.0.0.1:7402/requests/1"}),
            json!({"redirect_uri": "javascript:alert(1)"}),
            json!({"redirect_uri": 7}),
        ] {
            let shared = redirect_in(&strict, &refused);
            assert_eq!(shared.redirect_uri, None, "{refused}");
            assert!(
                shared
                    .redirect_refused
                    .is_some_and(|reason| reason.starts_with("the verifier's redirect_uri")),
                "{refused}"
            );
        }
    }
}
