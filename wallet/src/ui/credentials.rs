//! The credentials as cards, one credential's details, and deleting one; each shows its status
//! as checked afresh.

use axum::Form;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sigil_core::verify::{Expectations, Outcome};
use sigil_templates::party::PartyView;
use sigil_templates::wallet::{Card, CardsPage, CheckLine, CredentialPage, PrintPage};

use super::{
    CsrfForm, LANGUAGE, Session, Ui, Unlocked, forbidden, held_type_label, labelled_claims, page, time, title,
};
use crate::store::Held;

/// The status of a fresh check, in words and as a CSS class.
async fn status_of(session: &Session, held: &Held) -> (String, String, Vec<CheckLine>) {
    match crate::verification::verify(&session.holder, &held.record.credential, &Expectations::default())
        .await
    {
        Err(e) => (
            "Could not check now".into(),
            "unknown".into(),
            vec![CheckLine {
                outcome: "not_applicable".into(),
                label: "Check".into(),
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
                    label: sigil_templates::verifier::check_label(c.id, LANGUAGE).to_owned(),
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
                ("Revoked", "revoked")
            } else if failed.iter().any(|m| m.starts_with("Suspended")) {
                ("Suspended", "suspended")
            } else if failed.is_empty() {
                ("Valid", "valid")
            } else {
                ("Not valid", "invalid")
            };
            (status.into(), class.into(), checks)
        }
    }
}

/// The issuer's name to show: the legal name its accreditation recorded, else the one its
/// metadata gave (self-asserted).
fn issuer_name(held: &Held) -> String {
    held.record.issuer_legal_name.as_ref().map_or_else(
        || held.row.issuer_name.clone(),
        |name| name.in_language(LANGUAGE.tag()).to_owned(),
    )
}

pub(super) async fn cards(Unlocked(session): Unlocked) -> Response {
    let held = match session.store.all(&session.holder.vault).await {
        Ok(held) => held,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let mut cards = Vec::new();
    for credential in &held {
        let (status, status_class, _) = status_of(&session, credential).await;
        cards.push(Card {
            id: credential.row.id.clone(),
            title: title(credential),
            type_label: held_type_label(credential),
            issuer_name: issuer_name(credential),
            issuer_vouched: credential.record.issuer_legal_name.is_some(),
            accreditation: match (
                &credential.record.accreditation,
                &credential.record.accreditor_name,
            ) {
                (Some(_), Some(root)) => format!("Accredited by {}", root.in_language(LANGUAGE.tag())),
                (Some(_), None) => "Accredited by a root of trust".into(),
                (None, _) => "Not accredited by a root of trust".into(),
            },
            status,
            status_class,
            validity: credential
                .row
                .valid_until
                .map_or_else(|| "No expiry".into(), |t| format!("Valid until {}", time(t))),
        });
    }
    page(
        StatusCode::OK,
        &CardsPage {
            frame: session.frame("cards"),
            cards,
        },
    )
}

pub(super) async fn credential(Unlocked(session): Unlocked, Path(id): Path<String>) -> Response {
    let held = match session.store.get(&session.holder.vault, &id).await {
        Ok(Some(held)) => held,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such credential").into_response(),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let (_, _, checks) = status_of(&session, &held).await;
    page(
        StatusCode::OK,
        &CredentialPage {
            frame: session.frame("cards"),
            id: held.row.id.clone(),
            title: title(&held),
            type_label: held_type_label(&held),
            format: held.row.format.clone(),
            issuer: PartyView {
                did: held.row.issuer.clone(),
                name: Some(issuer_name(&held)),
                vouched: held.record.issuer_legal_name.is_some(),
                lang: LANGUAGE,
            },
            accreditation: held
                .record
                .accreditation
                .clone()
                .unwrap_or_else(|| "Not accredited by a root of trust".into()),
            received: time(held.row.received_at),
            claims: labelled_claims(&held),
            checks,
        },
    )
}

/// `GET /credentials/{id}/print`: the credential as a page to print, its QR code leading to
/// the configured verifier's page for credentials on paper.
pub(super) async fn print(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Path(id): Path<String>,
) -> Response {
    let held = match session.store.get(&session.holder.vault, &id).await {
        Ok(Some(held)) => held,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such credential").into_response(),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let (qr_data_uri, verifier_host, problem) = match &ui.paper_verifier {
        None => (
            None,
            String::new(),
            Some("This wallet prints no QR code: it has not been told which verifier a scan should open (the paper_verifier setting, or --paper-verifier).".to_owned()),
        ),
        Some(verifier) => {
            let address = format!(
                "{}/P/{}",
                verifier.as_str().trim_end_matches('/'),
                sigil_core::paper::encode(&held.record.credential)
            );
            let qr = sigil_templates::qr::paper_data_uri(&address);
            let problem = qr
                .is_none()
                .then(|| "This credential is too long for a QR code; print it without one, or present it from the wallet.".to_owned());
            (qr, verifier.host_str().unwrap_or_default().to_owned(), problem)
        }
    };
    page(
        StatusCode::OK,
        &PrintPage {
            id: held.row.id.clone(),
            title: title(&held),
            type_label: held_type_label(&held),
            issuer: PartyView {
                did: held.row.issuer.clone(),
                name: Some(issuer_name(&held)),
                vouched: held.record.issuer_legal_name.is_some(),
                lang: LANGUAGE,
            },
            claims: labelled_claims(&held),
            qr_data_uri,
            verifier_host,
            problem,
            printed: time(sigil_core::time::now().timestamp()),
        },
    )
}

pub(super) async fn delete(
    Unlocked(session): Unlocked,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden();
    }
    match session.store.delete(&id).await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
