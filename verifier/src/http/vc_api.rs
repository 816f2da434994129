//! The W3C CCG VC API verifier endpoints.
//!
//! ```text
//! POST /credentials/verify    {verifiableCredential, options}   -> {verified, checks, warnings, errors, notRequested}
//! POST /presentations/verify  {verifiablePresentation, options} -> the same
//! ```
//!
//! 200 means verified. A request the endpoint cannot read — not JSON, the member missing or
//! not an object, a credential sent as a JSON string, an option of the wrong shape or an
//! unknown check name — is 400 with `{error}`. A credential or presentation that does not
//! verify is 400 with the report; one Sigil cannot judge is 422 (something it does not
//! support) or 503 (a source it could not reach), with the reason under `errors`.
//!
//! The credential (or presentation) is a JSON object: Data Integrity JSON, or an enveloped
//! one (`EnvelopedVerifiableCredential` / `EnvelopedVerifiablePresentation`, VCDM 2.0 §4.13)
//! whose `id` is a `data:` URL of a JWT or SD-JWT. A bare JWT string is refused: the VC API
//! carries every credential as an object, and a string could be anything.
//!
//! `options`: `checks` ([`checks::Selection`]); `challenge` (the Data Integrity challenge, and
//! the nonce of a JWT or SD-JWT presentation) and `domain` (its domain or audience), which a
//! bare credential never answers; `expectedProofPurpose`, which must be the purpose the
//! pipeline requires (`assertionMethod` for credentials, `authentication` for presentations)
//! or nothing verifies; `requireHolderBinding` and `requireAccreditation` (booleans). Any
//! other option is refused rather than silently ignored.

mod checks;

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use sigil_core::model::Presentation;
use sigil_core::verify::Expectations;

use super::api::verdict_status;
use crate::check::Verdict;
use crate::service::VerifierService;
use checks::Selection;

/// The options both endpoints understand. A `challenge` or `domain` on a bare credential
/// makes it invalid, as on `/api/verify`: only a presentation can answer them.
const OPTIONS: &[&str] = &[
    "checks",
    "challenge",
    "domain",
    "expectedProofPurpose",
    "requireHolderBinding",
    "requireAccreditation",
];

/// The two endpoints: what they verify and how it is named in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Credential,
    Presentation,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::Credential => "/credentials/verify",
            Endpoint::Presentation => "/presentations/verify",
        }
    }

    fn member(self) -> &'static str {
        match self {
            Endpoint::Credential => "verifiableCredential",
            Endpoint::Presentation => "verifiablePresentation",
        }
    }

    fn envelope_type(self) -> &'static str {
        match self {
            Endpoint::Credential => "EnvelopedVerifiableCredential",
            Endpoint::Presentation => "EnvelopedVerifiablePresentation",
        }
    }

    /// The media types of the envelopes Sigil opens: JWTs and SD-JWTs.
    fn media_types(self) -> &'static [&'static str] {
        match self {
            Endpoint::Credential => &[
                "application/vc+jwt",
                "application/vc+sd-jwt",
                "application/dc+sd-jwt",
            ],
            Endpoint::Presentation => &[
                "application/vp+jwt",
                "application/vc+sd-jwt",
                "application/dc+sd-jwt",
            ],
        }
    }

    /// The proof purpose the pipeline requires of what this endpoint verifies (VC Data
    /// Integrity §2.1): an issuer asserts a credential, a holder authenticates a presentation.
    fn proof_purpose(self) -> &'static str {
        match self {
            Endpoint::Credential => "assertionMethod",
            Endpoint::Presentation => "authentication",
        }
    }
}

/// A request read and checked: the text the pipeline verifies, what the caller expects, and
/// which checks count.
#[derive(Debug)]
struct VerifyRequest {
    input: String,
    expect: Expectations,
    selection: Selection,
}

/// Why a request was not verified at all.
#[derive(Debug)]
enum Refusal {
    /// The request itself is malformed (400).
    BadRequest(String),
    /// An envelope of a media type Sigil does not read (422).
    Unsupported(String),
    /// The caller expects what Sigil never accepts (a proof purpose other than the one the
    /// endpoint requires): not verified, without running the pipeline (400, as a verdict).
    NeverVerified { check: &'static str, message: String },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            Refusal::BadRequest(message) => (StatusCode::BAD_REQUEST, "bad_request", message),
            Refusal::Unsupported(message) => (StatusCode::UNPROCESSABLE_ENTITY, "unsupported", message),
            Refusal::NeverVerified { check, message } => {
                let body = json!({
                    "verified": false,
                    "checks": [],
                    "warnings": [],
                    "errors": [{"check": check, "message": message}],
                });
                return (StatusCode::BAD_REQUEST, Json(body)).into_response();
            }
        };
        (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
    }
}

/// `POST /credentials/verify`
pub async fn verify_credential(
    State(service): State<Arc<VerifierService>>,
    body: axum::body::Bytes,
) -> Response {
    verify(&service, &body, Endpoint::Credential).await
}

/// `POST /presentations/verify`
pub async fn verify_presentation(
    State(service): State<Arc<VerifierService>>,
    body: axum::body::Bytes,
) -> Response {
    verify(&service, &body, Endpoint::Presentation).await
}

async fn verify(service: &VerifierService, body: &[u8], endpoint: Endpoint) -> Response {
    let request = match read_request(body, endpoint) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let verdict = service
        .verify(&request.input, &request.expect, &[], sigil_core::time::now())
        .await;
    answer(&verdict, &request.selection)
}

/// The VC API's answer for a verdict under the caller's choice of checks.
fn answer(verdict: &Verdict, selection: &Selection) -> Response {
    match verdict {
        Verdict::Valid(report) | Verdict::Invalid(report) => {
            let (verified, body) = checks::answer(report, selection);
            let status = if verified {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            (status, Json(body)).into_response()
        }
        Verdict::NoReport(error) => {
            let body = json!({
                "verified": false,
                "checks": [],
                "warnings": [],
                "errors": [{"message": error.to_string()}],
            });
            (verdict_status(verdict), Json(body)).into_response()
        }
    }
}

fn read_request(body: &[u8], endpoint: Endpoint) -> Result<VerifyRequest, Refusal> {
    let bad = |message: String| Refusal::BadRequest(message);
    let text = std::str::from_utf8(body).map_err(|_| bad("the body is not UTF-8".into()))?;
    let request = sigil_core::json::parse(text).map_err(|e| bad(e.to_string()))?;
    let request = request
        .as_object()
        .ok_or_else(|| bad("the body must be a JSON object".into()))?;
    let member = endpoint.member();
    let item = request
        .get(member)
        .ok_or_else(|| bad(format!("the body needs `{member}`")))?;
    let input = input_text(item, endpoint)?;
    let empty = Map::new();
    let options = match request.get("options") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(options)) => options,
        Some(_) => return Err(bad("`options` must be a JSON object".into())),
    };
    if let Some(unknown) = options.keys().find(|key| !OPTIONS.contains(&key.as_str())) {
        return Err(bad(format!(
            "{} does not take the option {unknown:?}; it takes {}",
            endpoint.path(),
            OPTIONS.join(", ")
        )));
    }
    let text_option = |name: &str| -> Result<Option<String>, Refusal> {
        match options.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(bad(format!("options.{name} must be a string"))),
        }
    };
    let flag = |name: &str| -> Result<bool, Refusal> {
        match options.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(flag)) => Ok(*flag),
            Some(_) => Err(bad(format!("options.{name} must be true or false"))),
        }
    };
    if let Some(purpose) = text_option("expectedProofPurpose")?
        && purpose != endpoint.proof_purpose()
    {
        return Err(Refusal::NeverVerified {
            check: sigil_core::verify::check_id::PROOF,
            message: format!(
                "options.expectedProofPurpose is {purpose:?}, but Sigil accepts only {} proofs on {}",
                endpoint.proof_purpose(),
                endpoint.path()
            ),
        });
    }
    let challenge = text_option("challenge")?;
    let domain = text_option("domain")?;
    let selection = Selection::from_option(options.get("checks")).map_err(bad)?;
    let expect = Expectations {
        nonce: challenge.clone(),
        challenge,
        audience: domain.clone(),
        domain,
        issuer: None,
        require_holder_binding: flag("requireHolderBinding")?,
        require_accreditation: flag("requireAccreditation")?,
        require_presentation: endpoint == Endpoint::Presentation,
        skip_status: !selection.counts(sigil_core::verify::check_id::STATUS),
    };
    Ok(VerifyRequest {
        input,
        expect,
        selection,
    })
}

/// The text the pipeline verifies: the JSON of a Data Integrity document, or the JWT or
/// SD-JWT inside an envelope.
fn input_text(item: &Value, endpoint: Endpoint) -> Result<String, Refusal> {
    let member = endpoint.member();
    let envelope = endpoint.envelope_type();
    let object = match item {
        Value::Object(object) => object,
        Value::String(_) => {
            return Err(Refusal::BadRequest(format!(
                "`{member}` is a string; a JWT or SD-JWT goes in an {envelope} object whose id is a data: URL (VCDM 2.0 §4.13)"
            )));
        }
        _ => return Err(Refusal::BadRequest(format!("`{member}` must be a JSON object"))),
    };
    if has_type(object, envelope) {
        let id = object
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Refusal::BadRequest(format!("an {envelope} needs an `id`: a data: URL")))?;
        let (media_type, contents) = id
            .strip_prefix("data:")
            .and_then(|data| data.split_once(','))
            .ok_or_else(|| {
                Refusal::BadRequest(format!(
                    "the id of an {envelope} must be a data: URL (data:MEDIA-TYPE,CONTENTS)"
                ))
            })?;
        if !endpoint.media_types().contains(&media_type) {
            return Err(Refusal::Unsupported(format!(
                "an {envelope} of media type {media_type:?}; Sigil opens {}",
                endpoint.media_types().join(", ")
            )));
        }
        return Ok(contents.to_owned());
    }
    let is_presentation = Presentation::is_presentation(item);
    match endpoint {
        Endpoint::Credential if is_presentation => Err(Refusal::BadRequest(
            "`verifiableCredential` is a presentation; send it to /presentations/verify".into(),
        )),
        Endpoint::Presentation if !is_presentation => Err(Refusal::BadRequest(
            "`verifiablePresentation` must have the type VerifiablePresentation (or be an EnvelopedVerifiablePresentation)"
                .into(),
        )),
        _ => Ok(item.to_string()),
    }
}

fn has_type(object: &Map<String, Value>, wanted: &str) -> bool {
    match object.get("type") {
        Some(Value::String(name)) => name == wanted,
        Some(Value::Array(names)) => names.iter().any(|name| name == wanted),
        _ => false,
    }
}
