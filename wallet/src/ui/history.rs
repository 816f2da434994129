//! The history page: what was received, presented or refused, to whom — names, never values.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sigil_service::language::PageLang;
use sigil_templates::wallet::{HistoryLine, HistoryPage, WalletText};

use super::{Unlocked, claim_label, page, time};
use crate::store::HistoryEvent;

/// What happened, in the words of `t`.
fn event_words(event: HistoryEvent, t: &WalletText) -> &'static str {
    match event {
        HistoryEvent::Received => t.event_received,
        HistoryEvent::Presented => t.event_presented,
        HistoryEvent::Refused => t.event_refused,
        HistoryEvent::Deleted => t.event_deleted,
    }
}

pub(super) async fn history(PageLang(lang): PageLang, Unlocked(session): Unlocked) -> Response {
    let t = WalletText::for_lang(lang);
    // The credentials still held, to label each entry's claims as their issuers name them (a
    // deleted credential's claims keep their paths).
    let held = match session.store.all(&session.holder.vault).await {
        Ok(held) => held,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let labels = |credential: Option<&str>, claims: &[String]| -> Vec<String> {
        let held = held.iter().find(|h| Some(h.row.id.as_str()) == credential);
        claims
            .iter()
            .map(|path| held.map_or_else(|| path.clone(), |held| claim_label(held, path, lang)))
            .collect()
    };
    match session.store.history(&session.holder.vault).await {
        Ok(entries) => page(
            lang,
            StatusCode::OK,
            &HistoryPage {
                lang,
                t,
                frame: session.frame("history"),
                entries: entries
                    .into_iter()
                    .map(|e| HistoryLine {
                        at: time(e.at),
                        event: event_words(e.event, t).to_owned(),
                        party: e.party,
                        claims: t.list(&labels(e.credential_id.as_deref(), &e.claims)),
                    })
                    .collect(),
            },
        ),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
