//! Presenting over OpenID for Verifiable Presentations 1.0 (cross-device, `direct_post`):
//!
//! 1. [`open_request`]: from `openid4vp://?client_id=decentralized_identifier:DID&request_uri=…`
//!    fetch the request object and check it is signed by a key of that DID — a request that
//!    another party signed is refused.
//! 2. [`match_query`]: find a held credential for the DCQL query, and work out exactly which
//!    claims would go to the verifier (for SD-JWT VC, only the requested ones).
//! 3. After the holder's consent, [`respond`] posts a presentation bound to the verifier's
//!    nonce and client id; [`decline`] posts `access_denied`.

use serde::Deserialize as _;
use serde_json::{Map, Value, json};
use sigil_core::dcql::{Candidate, CredentialQuery, PathElement, Query};
use sigil_core::did::document::Relationship;
use sigil_core::did::resolver::DidResolver as _;
use sigil_core::did::universal::UniversalResolverClient;
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

/// A held credential that answers a query, and what presenting it would disclose.
#[derive(Debug, Clone)]
pub struct Match {
    pub query_id: String,
    pub held: Held,
    /// Claim paths the verifier would see (dotted, subject-relative).
    pub disclosed: Vec<String>,
    /// SD-JWT only: the top-level claims whose disclosures are sent.
    pub sd_claims: Vec<String>,
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
    let resolver = match &holder.config.registry {
        Some(url) => StandardResolver::with_registry(UniversalResolverClient::new(
            url::Url::parse(url).map_err(anyhow::Error::from)?,
        )),
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

/// Finds a held credential for the request's DCQL query: the first credential query, in the
/// query's order, that a held credential answers.
pub async fn match_query(holder: &Holder, store: &Store, request: &Request) -> Result<Match, PresentError> {
    let held = store.all(&holder.vault).await.map_err(anyhow::Error::from)?;
    for query in request.dcql.credentials() {
        if let Some(found) = held.iter().find_map(|credential| answer(query, credential)) {
            return Ok(found);
        }
    }
    Err(PresentError::NoMatch(describe_query(&request.dcql)))
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

/// The last segment of a type IRI or `vct` (`…#UniversityDegreeCredential`, `…/UniversityDegreeCredential`).
fn short_type(text: &str) -> String {
    text.rsplit(['#', '/']).next().unwrap_or(text).to_owned()
}

/// Whether `credential` answers `query`, and what it would disclose.
fn answer(query: &CredentialQuery, credential: &Held) -> Option<Match> {
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
        let always = always_visible(&credential.record.credential);
        let disclosed = all_claims
            .into_iter()
            .filter(|path| {
                let top = path.split('.').next().unwrap_or_default();
                sd.iter().any(|s| s == top) || always.iter().any(|a| a == top)
            })
            .collect();
        (disclosed, sd)
    } else {
        (all_claims, vec![])
    };
    Some(Match {
        query_id: query.id.to_string(),
        held: credential.clone(),
        disclosed,
        sd_claims,
    })
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

/// Presents the matched credential to the verifier and records what was disclosed.
pub async fn respond(
    targets: &Targets,
    holder: &Holder,
    store: &Store,
    request: &Request,
    found: &Match,
) -> Result<(), PresentError> {
    let now = sigil_core::time::now();
    let credential = &found.held.record.credential;
    let presentation: Value = match CredentialFormat::parse(&found.held.row.format) {
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
            let names: Vec<&str> = found.sd_claims.iter().map(String::as_str).collect();
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
                found.held.row.format
            )));
        }
    };
    let vp_token = json!({ found.query_id.clone(): [presentation] }).to_string();
    let mut form = vec![("vp_token", vp_token.as_str())];
    if let Some(state) = &request.state {
        form.push(("state", state.as_str()));
    }
    post(targets, &request.response_uri, &form).await?;
    store
        .record_presentation(
            &holder.vault,
            request.verifier.as_str(),
            request.verifier_name.as_deref(),
            now.timestamp(),
        )
        .await
        .map_err(anyhow::Error::from)?;
    record(
        holder,
        store,
        request,
        HistoryEvent::Presented,
        Some(&found.held.row.id),
        &found.disclosed,
    )
    .await
}

/// Tells the verifier the holder said no (OpenID4VP §8.5, `access_denied`).
pub async fn decline(
    targets: &Targets,
    holder: &Holder,
    store: &Store,
    request: &Request,
) -> Result<(), PresentError> {
    let mut form = vec![
        ("error", "access_denied"),
        ("error_description", "the holder declined to share"),
    ];
    if let Some(state) = &request.state {
        form.push(("state", state.as_str()));
    }
    post(targets, &request.response_uri, &form).await?;
    record(holder, store, request, HistoryEvent::Refused, None, &[]).await
}

async fn post(targets: &Targets, url: &url::Url, form: &[(&str, &str)]) -> Result<(), PresentError> {
    let response = targets.send(targets.http().post(url.clone()).form(form)).await?;
    if response.status().is_success() {
        return Ok(());
    }
    let status = response.status();
    let body = http_client::read_limited(response, 64 * 1024)
        .await
        .unwrap_or_default();
    let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
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
}
