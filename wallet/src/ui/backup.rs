//! Backing the wallet up: export it sealed under a passphrase, import a backup into it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sigil_templates::wallet::BackupPage;

use super::{Ui, Unlocked, forbidden, page};

pub(super) async fn backup_page(Unlocked(session): Unlocked) -> Response {
    page(
        StatusCode::OK,
        &BackupPage {
            frame: session.frame("backup"),
        },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ExportForm {
    csrf: String,
    passphrase: String,
}

pub(super) async fn export(
    State(ui): State<Arc<Ui>>,
    Unlocked(session): Unlocked,
    Form(form): Form<ExportForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden();
    }
    match crate::backup::export_text(&ui.dir, &form.passphrase).await {
        Ok((sealed, _)) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"sigil-wallet.backup\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            sealed,
        )
            .into_response(),
        Err(e) => {
            let mut frame = session.frame("backup");
            frame.error = Some(format!("{e:#}"));
            page(StatusCode::UNPROCESSABLE_ENTITY, &BackupPage { frame })
        }
    }
}

pub(super) async fn import(Unlocked(session): Unlocked, mut multipart: Multipart) -> Response {
    let mut parts: HashMap<String, String> = HashMap::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if let Ok(text) = field.text().await {
            parts.insert(name, text);
        }
    }
    if !session.csrf_ok(parts.get("csrf").map_or("", String::as_str)) {
        return forbidden();
    }
    let mut frame = session.frame("backup");
    let text = parts.get("file").map_or("", String::as_str);
    let passphrase = parts.get("passphrase").map_or("", String::as_str);
    match crate::backup::merge(&session.holder, &session.store, text, passphrase).await {
        Ok(added) => frame.message = Some(format!("Imported {added} credential(s).")),
        Err(e) => frame.error = Some(format!("{e:#}")),
    }
    page(StatusCode::OK, &BackupPage { frame })
}
