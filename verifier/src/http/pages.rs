//! The verifier's web pages (no JavaScript needed): pick what to ask for, show the request as
//! a QR code and link while the page reloads itself, then the result — one card per
//! presentation, every check in plain words; and a page to check a credential or
//! presentation one was handed. In the same-device flow the wallet sends the browser to the
//! result page with the `response_code` the verifier gave it; a wrong code is refused.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use sigil_core::model::credential_type::claim_label;
use sigil_core::names::{LegalName, ShownName};
use sigil_core::presentation_request::RequestState;
use sigil_core::verify::Expectations;
use sigil_service::language::{Lang, PageLang, localized};
use sigil_templates::verifier::{
    CheckView, HomePage, PaperPage, PartyView, PolicyView, RequestPage, ResultView, VerifierText, VerifyPage,
    check_label, check_summary,
};

use super::api::verdict_status;
use crate::oid4vp::{CreateError, ResponseError, ResponseForm, outcome_json, response_code_matches};
use crate::service::VerifierService;
use crate::store::request;

/// Renders a page in `lang`.
fn page(lang: Lang, status: StatusCode, template: &impl askama::Template) -> Response {
    localized(lang, sigil_service::pages::page(status, template))
}

fn plain(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_owned(),
    )
        .into_response()
}

/// `GET /`
pub async fn home(State(service): State<Arc<VerifierService>>, PageLang(lang): PageLang) -> Response {
    let t = VerifierText::for_lang(lang);
    page(
        lang,
        StatusCode::OK,
        &HomePage {
            lang,
            t,
            name: service.name.clone(),
            policies: service
                .policies
                .iter()
                .map(|p| PolicyView {
                    id: p.id.clone(),
                    label: p.label.clone(),
                    claims: if p.claims.is_empty() {
                        t.whole_credential.into()
                    } else {
                        p.claims.join(", ")
                    },
                })
                .collect(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    policy: String,
}

/// `POST /requests`
pub async fn start(State(service): State<Arc<VerifierService>>, Form(form): Form<StartForm>) -> Response {
    let Some(policy) = service.policy(&form.policy) else {
        return plain(StatusCode::BAD_REQUEST, "no such policy");
    };
    let query = match policy.dcql_query() {
        Ok(query) => query,
        Err(e) => {
            tracing::error!(error = %e, policy = %policy.id, "a configured policy makes no DCQL query");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
        }
    };
    match service.create_request(policy, &query).await {
        Ok(created) => Redirect::to(&format!("/requests/{}", created.id)).into_response(),
        Err(full @ CreateError::TooManyOpen) => plain(StatusCode::SERVICE_UNAVAILABLE, &full.to_string()),
        Err(CreateError::Internal(e)) => {
            tracing::error!(error = %e, "creating a request failed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// The query of the result page: the response code the wallet was given (same-device flow),
/// and whether the visitor asked the page to reload itself while it waits (`watch=1`; off
/// unless asked, as a page that reloads itself unasked cannot be read with a screen reader).
#[derive(Debug, Deserialize)]
pub struct ResultQuery {
    response_code: Option<String>,
    watch: Option<String>,
}

/// `GET /requests/{id}[?response_code=…]`
pub async fn request(
    State(service): State<Arc<VerifierService>>,
    Path(id): Path<String>,
    Query(query): Query<ResultQuery>,
    PageLang(lang): PageLang,
) -> Response {
    let (row, state) = match service.current(&id).await.and_then(with_state) {
        Ok(Some(found)) => found,
        Ok(None) => return plain(StatusCode::NOT_FOUND, "no such request"),
        Err(e) => {
            tracing::error!(error = %e, "reading a request failed");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
        }
    };
    if let Some(code) = &query.response_code {
        if !response_code_matches(&row, code) {
            return plain(
                StatusCode::FORBIDDEN,
                "this result link is not the one the verifier gave the wallet",
            );
        }
    }
    let label = serde_json::from_str::<Value>(&row.policy)
        .ok()
        .and_then(|p| p.get("label").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let request_uri = service.authorization_uri(&row.id);
    let outcome = row
        .outcome
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    let reason = outcome
        .as_ref()
        .and_then(|o| o.get("reason"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let results = outcome
        .as_ref()
        .map(|outcome| result_views(outcome, lang))
        .unwrap_or_default();
    page(
        lang,
        StatusCode::OK,
        &RequestPage {
            lang,
            t: VerifierText::for_lang(lang),
            name: service.name.clone(),
            watching: query.watch.as_deref() == Some("1"),
            label,
            status: state.as_str().to_owned(),
            qr_data_uri: sigil_templates::qr::data_uri(&request_uri),
            request_uri,
            expires: chrono::DateTime::from_timestamp(row.expires_at, 0)
                .map(|t| t.format("%H:%M:%S UTC").to_string())
                .unwrap_or_default(),
            reason,
            results,
        },
    )
}

/// A stored request with its state read.
fn with_state(row: Option<request::Model>) -> anyhow::Result<Option<(request::Model, RequestState)>> {
    row.map(|row| {
        let state = row.state()?;
        Ok((row, state))
    })
    .transpose()
}

/// `GET /requests/{id}/request.jwt`: the signed request object.
pub async fn request_object(State(service): State<Arc<VerifierService>>, Path(id): Path<String>) -> Response {
    let row = match service.current(&id).await.and_then(with_state) {
        Ok(Some((row, state))) if state.open().is_ok() => row,
        Ok(Some(_)) => return plain(StatusCode::GONE, "this request is no longer open"),
        Ok(None) => return plain(StatusCode::NOT_FOUND, "no such request"),
        Err(e) => {
            tracing::error!(error = %e, "reading a request failed");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
        }
    };
    match service.request_object(&row) {
        Ok(jwt) => ([(header::CONTENT_TYPE, "application/oauth-authz-req+jwt")], jwt).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "signing a request object failed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// `POST /requests/{id}/response`: the wallet's `direct_post`.
pub async fn response(
    State(service): State<Arc<VerifierService>>,
    Path(id): Path<String>,
    form: Result<Form<ResponseForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let oauth = |status: StatusCode, code: &str, description: String| {
        (
            status,
            axum::Json(serde_json::json!({"error": code, "error_description": description})),
        )
            .into_response()
    };
    let Ok(Form(form)) = form else {
        return oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the response must be application/x-www-form-urlencoded".into(),
        );
    };
    match service.take_response(&id, form).await {
        // OpenID4VP 1.0 §8.2: where the wallet sends the browser next.
        Ok(taken) => axum::Json(serde_json::json!({"redirect_uri": taken.redirect_uri})).into_response(),
        Err(ResponseError::NotFound) => {
            oauth(StatusCode::NOT_FOUND, "invalid_request", "no such request".into())
        }
        Err(ResponseError::Refused(reason)) => oauth(StatusCode::BAD_REQUEST, "invalid_request", reason),
        Err(ResponseError::CouldNotCheck(reason)) => {
            oauth(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", reason)
        }
        Err(ResponseError::Internal(e)) => {
            tracing::error!(error = %e, "taking a response failed");
            oauth(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "internal error".into(),
            )
        }
    }
}

/// `GET /verify`
pub async fn verify_form(State(service): State<Arc<VerifierService>>, PageLang(lang): PageLang) -> Response {
    page(
        lang,
        StatusCode::OK,
        &VerifyPage {
            lang,
            t: VerifierText::for_lang(lang),
            name: service.name.clone(),
            input: String::new(),
            result: None,
            error: None,
        },
    )
}

/// `POST /verify`: pasted text or an uploaded file.
pub async fn verify(
    State(service): State<Arc<VerifierService>>,
    PageLang(lang): PageLang,
    mut multipart: Multipart,
) -> Response {
    let t = VerifierText::for_lang(lang);
    let mut input = String::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let Ok(text) = field.text().await else {
                    return plain(StatusCode::BAD_REQUEST, "the upload could not be read");
                };
                if (name == "file" && !text.trim().is_empty()) || (name == "input" && input.is_empty()) {
                    input = text;
                }
            }
            Ok(None) => break,
            Err(e) => return plain(StatusCode::BAD_REQUEST, &e.body_text()),
        }
    }
    let input = input.trim().to_owned();
    if input.is_empty() {
        return page(
            lang,
            StatusCode::BAD_REQUEST,
            &VerifyPage {
                lang,
                t,
                name: service.name.clone(),
                input,
                result: None,
                error: Some(t.nothing_given.into()),
            },
        );
    }
    let (status, result) = checked(&service, &input, lang).await;
    page(
        lang,
        status,
        &VerifyPage {
            lang,
            t,
            name: service.name.clone(),
            input,
            result: Some(result),
            error: None,
        },
    )
}

/// `GET /P/{payload}` (and `/p/…`): the credential a printed QR code holds
/// (`sigil_core::paper`), checked now — the status list is read at every scan, so a photocopy
/// of a revoked credential says "revoked".
pub async fn paper(
    State(service): State<Arc<VerifierService>>,
    Path(payload): Path<String>,
    PageLang(lang): PageLang,
) -> Response {
    let t = VerifierText::for_lang(lang);
    let name = service.name.clone();
    match sigil_core::paper::decode(&payload) {
        Ok(credential) => {
            let (status, result) = checked(&service, &credential, lang).await;
            let page_of = PaperPage {
                lang,
                t,
                name,
                result: Some(result),
                error: None,
            };
            page(lang, status, &page_of)
        }
        Err(e) => {
            let page_of = PaperPage {
                lang,
                t,
                name,
                result: None,
                error: Some(e.to_string()),
            };
            page(lang, StatusCode::BAD_REQUEST, &page_of)
        }
    }
}

/// Verifies `input` as the `/verify` form does (no challenge, accreditation a note): the
/// status to answer with and the result for people reading `lang`.
async fn checked(service: &VerifierService, input: &str, lang: Lang) -> (StatusCode, ResultView) {
    let verdict = service
        .verify(input, &Expectations::default(), &[], sigil_core::time::now())
        .await;
    let accepted = matches!(verdict, crate::check::Verdict::Valid(_));
    let result = result_view(&outcome_json(&verdict, None, accepted), lang);
    (verdict_status(&verdict), result)
}

/// A result with no report to show: the wallet declined or failed, or nothing could be checked.
fn without_report(verdict: &str, headline: String, detail: Option<String>) -> ResultView {
    ResultView {
        verdict: verdict.into(),
        headline,
        claims: vec![],
        issuer: None,
        accredited_by: None,
        detail,
        checks: vec![],
        warnings: vec![],
        answers: None,
    }
}

/// A report's checks (a JSON array of `{id, outcome, message}`), for people reading `lang`.
fn check_views(checks: Option<&Value>, lang: Lang) -> Vec<CheckView> {
    let text = |check: &Value, name: &str| {
        check
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    checks
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|check| {
            let (id, outcome) = (text(check, "id"), text(check, "outcome"));
            CheckView {
                label: check_label(&id, lang).to_owned(),
                summary: check_summary(&id, &outcome, lang),
                sentence: text(check, "message"),
                outcome,
            }
        })
        .collect()
}

/// A stored outcome of a wallet's response, for people: one view per presentation (each
/// naming the credential query it answers), or the one view of a wallet's error or an
/// outcome recorded before responses carried several.
fn result_views(outcome: &Value, lang: Lang) -> Vec<ResultView> {
    let Some(presentations) = outcome
        .get("presentations")
        .and_then(Value::as_array)
        .filter(|p| !p.is_empty())
    else {
        return vec![result_view(outcome, lang)];
    };
    presentations
        .iter()
        .map(|presentation| {
            let mut view = result_view(presentation, lang);
            view.answers = presentation
                .get("query_id")
                .and_then(Value::as_str)
                .map(str::to_owned);
            view
        })
        .collect()
}

/// A credential report's claims as (label, value): each labelled as its type names it, when
/// it is a type Sigil knows, in `lang`; else by its dotted path.
fn labelled_claims(credential: &Value, lang: Lang) -> Vec<(String, String)> {
    let types: Vec<&str> = credential
        .get("types")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    credential
        .get("claims")
        .map(sigil_core::model::claims::flatten)
        .unwrap_or_default()
        .into_iter()
        .map(|(path, value)| {
            let label = types
                .iter()
                .find_map(|type_name| claim_label(type_name, &path, lang.tag()))
                .map_or(path, str::to_owned);
            (label, value)
        })
        .collect()
}

/// The issuer a credential's report names, with the name it shows for it.
fn issuer_view(credential: &Value, lang: Lang) -> Option<PartyView> {
    let did = credential.get("issuer").and_then(Value::as_str)?;
    let shown: Option<ShownName> = credential
        .get("issuer_name")
        .and_then(|name| serde_json::from_value(name.clone()).ok());
    Some(PartyView {
        did: did.to_owned(),
        vouched: shown.as_ref().is_some_and(ShownName::is_vouched),
        name: shown.map(|shown| shown.name.in_language(lang.tag()).to_owned()),
        lang,
    })
}

/// The root of trust whose accreditation a credential's report found.
fn accreditor_view(credential: &Value, lang: Lang) -> Option<PartyView> {
    let accreditor = credential.get("accredited_by")?;
    let name: Option<LegalName> = accreditor
        .get("name")
        .and_then(|name| serde_json::from_value(name.clone()).ok());
    Some(PartyView {
        did: accreditor.get("did").and_then(Value::as_str)?.to_owned(),
        name: name.map(|name| name.in_language(lang.tag()).to_owned()),
        // Genesis or a governance change recorded it: the chain vouches for it.
        vouched: true,
        lang,
    })
}

/// A stored or fresh outcome of one verification, for people.
fn result_view(outcome: &Value, lang: Lang) -> ResultView {
    let t = VerifierText::for_lang(lang);
    let accepted = outcome.get("accepted").and_then(Value::as_bool).unwrap_or(false);
    let report = outcome.get("report").cloned().unwrap_or(Value::Null);
    if let Some(error) = outcome.get("wallet_error").and_then(Value::as_str) {
        let headline = if error == "access_denied" {
            t.declined.into()
        } else {
            format!("{} {error}", t.wallet_error)
        };
        return without_report("rejected", headline, None);
    }
    if let Some(error) = report.get("error").and_then(Value::as_str) {
        return without_report(
            "could_not_check",
            t.could_not_check.into(),
            Some(error.to_owned()),
        );
    }
    let credential = report
        .get("credentials")
        .and_then(|c| c.get(0))
        .unwrap_or(&report);
    let mut checks = check_views(report.get("checks"), lang);
    if !std::ptr::eq(credential, &report) {
        checks.extend(check_views(credential.get("checks"), lang));
    }
    checks.extend(check_views(outcome.get("policy_checks"), lang));
    let claims = labelled_claims(credential, lang);
    ResultView {
        verdict: if accepted { "verified" } else { "rejected" }.into(),
        headline: if accepted { t.verified } else { t.not_accepted }.into(),
        claims,
        issuer: issuer_view(credential, lang),
        accredited_by: accreditor_view(credential, lang),
        detail: None,
        checks,
        warnings: outcome
            .get("warnings")
            .and_then(Value::as_array)
            .map(|w| w.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default(),
        answers: None,
    }
}
