//! The history page: what was received, presented or refused, to whom — names, never values.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sigil_templates::wallet::{HistoryLine, HistoryPage};

use super::{Unlocked, page, time};

pub(super) async fn history(Unlocked(session): Unlocked) -> Response {
    match session.store.history(&session.holder.vault).await {
        Ok(entries) => page(
            StatusCode::OK,
            &HistoryPage {
                frame: session.frame("history"),
                entries: entries
                    .into_iter()
                    .map(|e| HistoryLine {
                        at: time(e.at),
                        event: e.event.to_string(),
                        party: e.party,
                        claims: e.claims.join(", "),
                    })
                    .collect(),
            },
        ),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
