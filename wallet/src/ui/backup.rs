//! Backing the wallet up: export it sealed under a passphrase, import a backup into it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sigil_service::language::{Lang, PageLang};
use sigil_templates::wallet::{BackupPage, Frame, WalletText};

use super::{Ui, Unlocked, forbidden, page};
use crate::backup::WrongBackupPassphrase;
use crate::holder::WrongPassphrase;

/// The backup page in `lang`, with `frame`.
fn backup_page_with(lang: Lang, status: StatusCode, frame: Frame) -> Response {
    page(
        lang,
        status,
        &BackupPage {
            lang,
            t: WalletText::for_lang(lang),
            frame,
        },
    )
}

pub(super) async fn backup_page(PageLang(lang): PageLang, Unlocked(session): Unlocked) -> Response {
    backup_page_with(lang, StatusCode::OK, session.frame("backup"))
}

#[derive(Debug, Deserialize)]
pub(super) struct ExportForm {
    csrf: String,
    passphrase: String,
}

pub(super) async fn export(
    State(ui): State<Arc<Ui>>,
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    Form(form): Form<ExportForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return forbidden(lang);
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
            let t = WalletText::for_lang(lang);
            let mut frame = session.frame("backup");
            if e.downcast_ref::<WrongPassphrase>().is_some() {
                frame.error = Some(t.export_wrong_passphrase.to_owned());
            } else {
                frame.error = Some(t.could_not_export.to_owned());
                frame.error_detail = Some(format!("{e:#}"));
            }
            backup_page_with(lang, StatusCode::UNPROCESSABLE_ENTITY, frame)
        }
    }
}

pub(super) async fn import(
    PageLang(lang): PageLang,
    Unlocked(session): Unlocked,
    mut multipart: Multipart,
) -> Response {
    let mut parts: HashMap<String, String> = HashMap::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if let Ok(text) = field.text().await {
            parts.insert(name, text);
        }
    }
    if !session.csrf_ok(parts.get("csrf").map_or("", String::as_str)) {
        return forbidden(lang);
    }
    let t = WalletText::for_lang(lang);
    let mut frame = session.frame("backup");
    let text = parts.get("file").map_or("", String::as_str);
    let passphrase = parts.get("passphrase").map_or("", String::as_str);
    match crate::backup::merge(&session.holder, &session.store, text, passphrase).await {
        Ok(added) => frame.message = Some(t.imported(added)),
        Err(e) if e.downcast_ref::<WrongBackupPassphrase>().is_some() => {
            frame.error = Some(t.backup_wrong_passphrase.to_owned());
        }
        Err(e) => {
            frame.error = Some(t.could_not_import.to_owned());
            frame.error_detail = Some(format!("{e:#}"));
        }
    }
    backup_page_with(lang, StatusCode::OK, frame)
}
