//! The credentials as cards, one credential's details, and deleting one; each shows its status
//! as checked afresh.

use axum::Form;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sigil_core::verify::{Expectations, Outcome};
use sigil_service::language::{Lang, PageLang};
use sigil_templates::party::PartyView;
use sigil_templates::wallet::{Card, CardsPage, CheckLine, CredentialPage, PrintPage, WalletText};

use super::{
    CsrfForm, Session, Ui, Unlocked, forbidden, held_type_label, issuer_name, labelled_claims, page, plain,
    time, title,
};
use crate::store::Held;

/// The status of a fresh check, in words in `lang` and as a CSS class, and its checks.
async fn status_of(session: &Session, held: &Held, lang: Lang) -> (String, String, Vec<CheckLine>) {
    let t = WalletText::for_lang(lang);
    match crate::verification::verify(&session.holder, &held.record.credential, &Expectations::default())
        .await
    {
        Err(e) => (
            t.status_unknown.into(),
            "unknown".into(),
            vec![CheckLine {
                outcome: "not_applicable".into(),
                label: t.check.into(),
                sentence: e.to_string(),
            }],
        ),
        Ok(report) => {
            let checks = report
                .checks
                .iter()
                .map(|c| CheckLine {
                    outcome: serde_json::to_value(c.outcome)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    label: sigil_templates::verifier::check_label(c.id, lang).to_owned(),
                    sentence: c.message.clone(),
                })
                .collect();
            let failed: Vec<&String> = report
                .checks
                .iter()
                .filter(|c| c.outcome == Outcome::Failed && c.id != "trust")
                .map(|c| &c.message)
                .collect();
            let (status, class) = if failed.iter().any(|m| m.starts_with("Revoked")) {
                (t.status_revoked, "revoked")
            } else if failed.iter().any(|m| m.starts_with("Suspended")) {
                (t.status_suspended, "suspended")
            } else if failed.is_empty() {
                (t.status_valid, "valid")
            } else {
                (t.status_invalid, "invalid")
            };
            (status.into(), class.into(), checks)
        }
    }
}

/// Who accredits the credential's issuer, in a few words in `lang`, as recorded when it was
/// received.
fn accreditation(held: &Held, lang: Lang) -> String {
    let t = WalletText::for_lang(lang);
    match (&held.record.accreditation, &held.record.accreditor_name) {
        (Some(_), Some(root)) => t.accredited_by(root.in_language(lang.tag())),
        (Some(_), None) => t.accredited_by_a_root.into(),
        (None, _) => t.not_accredited.into(),
    }
}

pub(super) async fn cards(PageLang(lang): PageLang, Unlocked(session): Unlocked) -> Response {
    let t = WalletText::for_lang(lang);
    let held = match session.store.all(&session.holder.vault).await {
        Ok(held) => held,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let mut cards = Vec::new();
    for credential in &held {
        let (status, status_class, _) = status_of(&session, credential, lang).await;
        cards.push(Card {
            id: credential.row.id.clone(),
            title: title(credential, lang),
            type_label: held_type_label(credential, lang),
            issuer_name: issuer_name(credential, lang),
            issuer_vouched: credential.record.issuer_legal_name.is_some(),
            accreditation: accreditation(credential, lang),
            status,
            status_class,
            validity: credential
                .row
                .valid_until
                .map_or_else(|| t.no_expiry.into(), |until| t.valid_until(&time(until))),
        });
    }
    page(
        lang,
        StatusCode::OK,
        &CardsPage {
            lang,
            t,
            frame: session.frame("cards"),
            cards,
        },
    )
}

pub(super) async fn credential(
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    Path(id): Path<String>,
) -> Response {
    let t = WalletText::for_lang(lang);
    let held = match session.store.get(&session.holder.vault, &id).await {
        Ok(Some(held)) => held,
        Ok(None) => return plain(lang, StatusCode::NOT_FOUND, t.no_such_credential),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let (_, _, checks) = status_of(&session, &held, lang).await;
    page(
        lang,
        StatusCode::OK,
        &CredentialPage {
            lang,
            t,
            frame: session.frame("cards"),
            id: held.row.id.clone(),
            title: title(&held, lang),
            type_label: held_type_label(&held, lang),
            format: held.row.format.clone(),
            issuer: PartyView {
                did: held.row.issuer.clone(),
                name: Some(issuer_name(&held, lang)),
                vouched: held.record.issuer_legal_name.is_some(),
                lang,
            },
            accreditation: accreditation(&held, lang),
            received: time(held.row.received_at),
            claims: labelled_claims(&held, lang),
            checks,
        },
    )
}

/// `GET /credentials/{id}/print`: the credential as a page to print, its QR code leading to
/// the configured verifier's page for credentials on paper.
pub(super) async fn print(
    State(ui): State<Arc<Ui>>,
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    Path(id): Path<String>,
) -> Response {
    let t = WalletText::for_lang(lang);
    let held = match session.store.get(&session.holder.vault, &id).await {
        Ok(Some(held)) => held,
        Ok(None) => return plain(lang, StatusCode::NOT_FOUND, t.no_such_credential),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let (qr_data_uri, verifier_host, problem) = match &ui.paper_verifier {
        None => (None, String::new(), Some(t.no_paper_verifier.to_owned())),
        Some(verifier) => {
            let address = format!(
                "{}/P/{}",
                verifier.as_str().trim_end_matches('/'),
                sigil_core::paper::encode(&held.record.credential)
            );
            let qr = sigil_templates::qr::paper_data_uri(&address);
            let problem = qr.is_none().then(|| t.too_long_for_qr.to_owned());
            (qr, verifier.host_str().unwrap_or_default().to_owned(), problem)
        }
    };
    page(
        lang,
        StatusCode::OK,
        &PrintPage {
            lang,
            t,
            id: held.row.id.clone(),
            title: title(&held, lang),
            type_label: held_type_label(&held, lang),
            issuer: PartyView {
                did: held.row.issuer.clone(),
                name: Some(issuer_name(&held, lang)),
                vouched: held.record.issuer_legal_name.is_some(),
                lang,
            },
            claims: labelled_claims(&held, lang),
            qr_data_uri,
            verifier_host,
            problem,
            printed: time(sigil_core::time::now().timestamp()),
        },
    )
}

pub(super) async fn delete(
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden(lang);
    }
    match session.store.delete(&id).await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
