//! Presenting: the holder pastes an OpenID4VP request, sees on a consent page what would go to
//! whom — each credential query, what it asks and which held credential answers it (and, for
//! SD-JWT VC, picks the claims) — then shares or declines. Opening a request makes the wallet
//! fetch a URL, so it is a POST with the session's CSRF token; a GET only shows the form
//! (filled in when a link gives `?request=`). When the verifier answers with a `redirect_uri`
//! (its result page, the same-device flow), the page that follows sends the browser there at
//! once (OpenID4VP 1.0 §8.2) — by a refresh of no delay, since the pages' `form-action 'self'`
//! would stop a redirect of the form's answer to another site.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use sigil_core::format::CredentialFormat;
use sigil_service::language::{Lang, PageLang};
use sigil_templates::party::PartyView;
use sigil_templates::wallet::{ConsentCredential, ConsentPage, Frame, PresentPage, WalletText};

use super::{Ui, Unlocked, claim_label, forbidden, held_type_label, issuer_name, page, plain, time, title};
use crate::present;
use crate::present::{CredentialAnswer, Match, Request, Shared};
use crate::standing::{self, Accredited, Standing};

#[derive(Debug, Deserialize)]
pub(super) struct PresentQuery {
    request: Option<String>,
}

/// The present page in `lang`: `frame`, the form filled in with `request`, and where the
/// browser goes next, if anywhere.
fn present_page(
    lang: Lang,
    status: StatusCode,
    frame: Frame,
    request: String,
    redirect: Option<String>,
) -> Response {
    page(
        lang,
        status,
        &PresentPage {
            lang,
            t: WalletText::for_lang(lang),
            frame,
            request,
            redirect,
        },
    )
}

/// The form, filled in with `?request=` if given; nothing is fetched.
pub(super) async fn present_form(
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    Query(query): Query<PresentQuery>,
) -> Response {
    present_page(
        lang,
        StatusCode::OK,
        session.frame("present"),
        query.request.unwrap_or_default(),
        None,
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct PresentForm {
    csrf: String,
    request: String,
}

/// Opens the request the form names and shows the consent page.
pub(super) async fn present_request(
    State(ui): State<Arc<Ui>>,
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    Form(form): Form<PresentForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden(lang);
    }
    let t = WalletText::for_lang(lang);
    let uri = form.request;
    let mut frame = session.frame("present");
    let request = match present::open_request(&ui.targets, &session.holder, &uri).await {
        Ok(request) => request,
        Err(e) => {
            frame.error = Some(t.could_not_open_request.to_owned());
            frame.error_detail = Some(e.to_string());
            return present_page(lang, StatusCode::UNPROCESSABLE_ENTITY, frame, uri, None);
        }
    };
    let found = match present::match_query(&session.holder, &session.store, &request).await {
        Ok(found) => found,
        Err(e) => {
            frame.error = Some(t.cannot_answer.to_owned());
            frame.error_detail = Some(e.to_string());
            return present_page(lang, StatusCode::UNPROCESSABLE_ENTITY, frame, uri, None);
        }
    };
    let standing = match standing::for_request(&session.holder, &session.store, &request, &found).await {
        Ok(standing) => standing,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let pending = sigil_service::tokens::random_secret();
    let consent = consent_page(lang, frame, pending.clone(), &request, &found, &standing);
    if let Ok(mut waiting) = ui.pending.lock() {
        waiting.add(pending, (request, found));
    }
    page(lang, StatusCode::OK, &consent)
}

/// The consent page in `lang` for `request`, answered by `found`, from a verifier of
/// `standing`.
fn consent_page(
    lang: Lang,
    frame: Frame,
    pending: String,
    request: &Request,
    found: &Match,
    standing: &Standing,
) -> ConsentPage {
    let t = WalletText::for_lang(lang);
    let (accredited_by, accredited_types, accreditation_unchecked) = match &standing.accredited {
        Accredited::Yes {
            by, by_name, types, ..
        } => {
            let by = PartyView {
                did: by.clone(),
                name: by_name
                    .as_ref()
                    .map(|name| name.in_language(lang.tag()).to_owned()),
                vouched: true,
                lang,
            };
            (Some(by), t.list(types), None)
        }
        Accredited::No => (None, String::new(), None),
        Accredited::CouldNotCheck(reason) => (None, String::new(), Some(reason.clone())),
    };
    let legal_name = match &standing.accredited {
        Accredited::Yes {
            legal_name: Some(name),
            ..
        } => Some(name.in_language(lang.tag()).to_owned()),
        _ => None,
    };
    let type_warning = match &standing.accredited {
        Accredited::Yes { types, .. } if !standing.beyond_accreditation.is_empty() => {
            Some(t.asks_beyond(&t.list_all(&standing.beyond_accreditation), &t.list(types)))
        }
        _ => None,
    };
    let presented_before = standing.seen.as_ref().map_or_else(
        || t.presented_never.to_owned(),
        |seen| t.presented_before(seen.presentations, &time(seen.last_at)),
    );
    ConsentPage {
        lang,
        t,
        frame,
        pending,
        verifier_vouched: legal_name.is_some(),
        verifier: legal_name.unwrap_or_else(|| {
            request
                .verifier_name
                .clone()
                .unwrap_or_else(|| request.verifier.to_string())
        }),
        verifier_name: standing.claimed_name.clone(),
        verifier_did: request.verifier.to_string(),
        accredited_by,
        accredited_types,
        accreditation_unchecked,
        type_warning,
        presented_before,
        credentials: found
            .answers
            .iter()
            .map(|answer| consent_credential(answer, lang))
            .collect(),
    }
}

/// One answer on the consent page, in `lang`: what its query asks, the credential, and its
/// claims.
fn consent_credential(answer: &CredentialAnswer, lang: Lang) -> ConsentCredential {
    let selectable = answer.held.row.format == CredentialFormat::SdJwt.name();
    let held = &answer.held;
    let claims: Vec<(String, String, bool)> = if selectable {
        // Every disclosable top-level claim, ticked if the verifier asked for it.
        top_level(&held.record.claims)
            .into_iter()
            .map(|name| {
                let asked = answer.sd_claims.contains(&name);
                (claim_label(held, &name, lang), name, asked)
            })
            .collect()
    } else {
        answer
            .disclosed
            .iter()
            .map(|name| (claim_label(held, name, lang), name.clone(), true))
            .collect()
    };
    ConsentCredential {
        query_id: answer.query_id.clone(),
        asks: answer.asks.clone(),
        type_label: held_type_label(held, lang),
        credential_title: title(held, lang),
        issuer_name: issuer_name(held, lang),
        selectable,
        claims,
    }
}

fn top_level(claims: &Value) -> Vec<String> {
    claims
        .as_object()
        .map(|o| o.keys().filter(|k| *k != "id").cloned().collect())
        .unwrap_or_default()
}

pub(super) async fn present_decision(
    State(ui): State<Arc<Ui>>,
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    Path(pending): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let t = WalletText::for_lang(lang);
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if !session.csrf_ok(field("csrf").unwrap_or_default()) {
        return forbidden(lang);
    }
    let Some((request, mut found)) = ui.pending.lock().ok().and_then(|mut p| p.take(&pending)) else {
        return plain(lang, StatusCode::NOT_FOUND, t.already_answered);
    };
    let mut frame = session.frame("present");
    let verifier = request
        .verifier_name
        .clone()
        .unwrap_or_else(|| request.verifier.to_string());
    let outcome = if field("decision") == Some("share") {
        // Each ticked claim comes as `{query_id}:{claim}` (query ids have no colon).
        let chosen: Vec<(&str, &str)> = fields
            .iter()
            .filter(|(k, _)| k == "claim")
            .filter_map(|(_, v)| v.split_once(':'))
            .collect();
        for answer in &mut found.answers {
            if answer.held.row.format == CredentialFormat::SdJwt.name() {
                choose_claims(answer, &chosen);
            }
        }
        present::respond(&ui.targets, &session.holder, &session.store, &request, &found)
            .await
            .map(|shared| (t.shared_with(&verifier), shared))
    } else {
        present::decline(&ui.targets, &session.holder, &session.store, &request)
            .await
            .map(|shared| (t.declined(&verifier), shared))
    };
    let mut redirect = None;
    match outcome {
        Ok((
            message,
            Shared {
                redirect_uri,
                redirect_refused,
            },
        )) => {
            frame.message = Some(message);
            if let Some(refused) = redirect_refused {
                frame.error = Some(t.result_page_not_opened.to_owned());
                frame.error_detail = Some(refused);
            }
            redirect = redirect_uri.map(String::from);
        }
        Err(e) => {
            frame.error = Some(t.could_not_send.to_owned());
            frame.error_detail = Some(e.to_string());
        }
    }
    present_page(lang, StatusCode::OK, frame, String::new(), redirect)
}

/// Keeps, of an SD-JWT answer, the claims the holder ticked for its query: only their
/// disclosures are sent, and only they are recorded as disclosed.
fn choose_claims(answer: &mut CredentialAnswer, chosen: &[(&str, &str)]) {
    let names: Vec<String> = chosen
        .iter()
        .filter(|(query_id, _)| *query_id == answer.query_id)
        .map(|(_, claim)| (*claim).to_owned())
        .collect();
    answer.choose_sd_claims(names);
}

/// Consent pages opened and not yet answered.
const MAX_PENDING: usize = 16;

/// The consent pages waiting for an answer, by their random id: only the newest
/// [`MAX_PENDING`], so pages opened and left alone do not pile up in memory.
#[derive(Debug)]
pub(super) struct PendingConsents<T>(VecDeque<(String, T)>);

impl<T> Default for PendingConsents<T> {
    fn default() -> Self {
        PendingConsents(VecDeque::new())
    }
}

impl<T> PendingConsents<T> {
    /// Keeps `waiting` under `id`, forgetting the oldest page if there are too many.
    pub(super) fn add(&mut self, id: String, waiting: T) {
        while self.0.len() >= MAX_PENDING {
            self.0.pop_front();
        }
        self.0.push_back((id, waiting));
    }

    /// Forgets every page (the wallet was locked).
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }

    /// Takes what waits under `id`, once.
    pub(super) fn take(&mut self, id: &str) -> Option<T> {
        let at = self.0.iter().position(|(key, _)| key == id)?;
        self.0.remove(at).map(|(_, waiting)| waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticked_claims_apply_to_their_own_credential_query() {
        let held = crate::store::Held {
            row: crate::store::credential::Model {
                id: "c1".into(),
                format: "dc+sd-jwt".into(),
                type_name: "UniversityDegreeCredential".into(),
                issuer: "did:key:z6Mk".into(),
                issuer_name: "University".into(),
                received_at: 0,
                valid_until: None,
                sealed: String::new(),
            },
            record: crate::store::CredentialRecord {
                credential: String::new(),
                claims: serde_json::json!({"name": "Ada", "degree": {"name": "BSc"}, "studentId": "1"}),
                accreditation: None,
                issuer_legal_name: None,
                accreditor_name: None,
                claim_labels: [(
                    "studentId".to_owned(),
                    [("en".to_owned(), "Student ID".to_owned())].into(),
                )]
                .into(),
                type_names: Default::default(),
                checks: vec![],
            },
        };
        let mut answer = CredentialAnswer {
            query_id: "sd".into(),
            asks: String::new(),
            held,
            disclosed: vec!["name".into(), "degree.name".into()],
            sd_claims: vec!["name".into(), "degree".into()],
        };
        choose_claims(
            &mut answer,
            &[("sd", "degree"), ("other", "name"), ("sd", "studentId")],
        );
        assert_eq!(answer.sd_claims, vec!["degree", "studentId"]);
        assert_eq!(answer.disclosed, vec!["degree.name", "studentId"]);
        let view = consent_credential(&answer, Lang::En);
        assert!(view.selectable);
        assert_eq!(view.query_id, "sd");
        // Labelled as the issuer names them, sent by name.
        assert!(
            view.claims
                .contains(&("Student ID".to_owned(), "studentId".to_owned(), true))
        );
        assert!(
            view.claims
                .contains(&("name".to_owned(), "name".to_owned(), false))
        );
    }

    #[test]
    fn only_the_newest_consent_pages_wait_and_each_is_answered_once() {
        let mut pending = PendingConsents::default();
        for n in 0..MAX_PENDING + 4 {
            pending.add(format!("page-{n}"), n);
        }
        assert_eq!(pending.0.len(), MAX_PENDING);
        assert_eq!(pending.take("page-0"), None, "the oldest were forgotten");
        assert_eq!(pending.take("page-5"), Some(5));
        assert_eq!(pending.take("page-5"), None, "answered once");
    }
}
