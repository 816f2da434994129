//! A stored class: its progress page, then its offers as QR codes and as a CSV for mail merge.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sigil_service::language::{Lang, PageLang};
use sigil_templates::issuer::{BatchPage, IssuerText};

use super::Portal;
use super::offers::offers_page;
use super::pages::{error_page, frame, internal, page};
use super::session::Registrar;
use crate::issuance::OfferHandout;

/// A batch of the last hour that this registrar uploaded, or the page saying there is none.
fn own_batch(
    portal: &Portal,
    registrar: &Registrar,
    lang: Lang,
    batch: &str,
) -> Result<Arc<super::batches::BatchJob>, Box<Response>> {
    portal
        .batches
        .get(batch)
        .filter(|job| job.owner == registrar.username)
        .ok_or_else(|| {
            let t = IssuerText::for_lang(lang);
            Box::new(error_page(
                portal,
                lang,
                StatusCode::NOT_FOUND,
                t.no_such_batch_title,
                t.no_such_batch,
            ))
        })
}

/// The finished offers of a batch the registrar owns, or the page to show instead.
fn finished_batch(
    portal: &Portal,
    registrar: &Registrar,
    lang: Lang,
    batch: &str,
) -> Result<Vec<OfferHandout>, Box<Response>> {
    let job = own_batch(portal, registrar, lang, batch)?;
    let outcome = job.outcome.lock().ok().and_then(|o| o.clone());
    match outcome {
        Some(Ok(offers)) => Ok(offers),
        _ => Err(Box::new(
            Redirect::to(&format!("/portal/batches/{batch}")).into_response(),
        )),
    }
}

/// The progress page's query: `watch=1` when the registrar asked it to reload itself (it does
/// not unasked: a page that reloads itself cannot be read with a screen reader).
#[derive(Debug, serde::Deserialize)]
pub struct BatchQuery {
    watch: Option<String>,
}

/// `GET /portal/batches/{batch}`: progress, then the outcome.
pub async fn batch(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    Path(batch): Path<String>,
    Query(query): Query<BatchQuery>,
) -> Response {
    let job = match own_batch(&portal, &registrar, lang, &batch) {
        Ok(job) => job,
        Err(page) => return *page,
    };
    let outcome = job.outcome.lock().ok().and_then(|o| o.clone());
    let (done, failed) = match outcome {
        None => (false, false),
        Some(Ok(_)) => (true, false),
        Some(Err(_)) => (true, true),
    };
    page(
        lang,
        StatusCode::OK,
        &BatchPage {
            lang,
            t: IssuerText::for_lang(lang),
            frame: frame(&portal, &registrar, "upload"),
            batch,
            total: job.total,
            stored: job.stored.load(Ordering::Relaxed),
            done,
            failed,
            watching: query.watch.as_deref() == Some("1"),
        },
    )
}

/// `GET /portal/batches/{batch}/offers`: every offer with its QR code.
pub async fn batch_offers(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    Path(batch): Path<String>,
) -> Response {
    match finished_batch(&portal, &registrar, lang, &batch) {
        Ok(offers) => offers_page(&portal, &registrar, lang, &offers, Some(batch)),
        Err(response) => *response,
    }
}

/// `GET /portal/batches/{batch}/offers.csv`: the offers and PINs, for mail merge.
pub async fn batch_csv(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    Path(batch): Path<String>,
) -> Response {
    let offers = match finished_batch(&portal, &registrar, lang, &batch) {
        Ok(offers) => offers,
        Err(response) => return *response,
    };
    match offers_csv(&offers) {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{batch}-offers.csv\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        None => internal(&portal, lang, "could not write the offers CSV"),
    }
}

/// The offers as CSV: one row each, with the summary made safe for spreadsheets.
fn offers_csv(offers: &[OfferHandout]) -> Option<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["summary", "credential_id", "offer_uri", "tx_code", "expires_at"];
    let mut written = writer.write_record(header);
    for offer in offers {
        let expires = sigil_core::time::format_datetime(offer.expires_at);
        let summary = spreadsheet_text(&offer.summary);
        let row = [
            summary.as_ref(),
            &offer.credential_id,
            &offer.offer_uri,
            &offer.tx_code,
            &expires,
        ];
        written = written.and_then(|()| writer.write_record(row));
    }
    written.ok()?;
    writer.into_inner().ok()
}

/// A cell a spreadsheet shows as text: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return would be read as a formula (the names come from an uploaded class list,
/// and the file also holds every offer's link and PIN), so it gets a leading `'`.
fn spreadsheet_text(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handout(summary: &str) -> OfferHandout {
        OfferHandout {
            credential_id: "c-1".into(),
            offer_uri: "openid-credential-offer://?credential_offer_uri=x".into(),
            tx_code: "123456".into(),
            expires_at: sigil_core::time::now(),
            summary: summary.into(),
        }
    }

    #[test]
    fn a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text() {
        for hostile in [
            "=HYPERLINK(\"https://evil.example\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            let csv = String::from_utf8(offers_csv(&[handout(hostile)]).unwrap()).unwrap();
            let row = csv.lines().nth(1).unwrap_or_default();
            let cell = row.trim_start_matches('"');
            assert!(cell.starts_with('\''), "{hostile:?} became {row:?}");
        }
        let csv = String::from_utf8(offers_csv(&[handout("Ada Lovelace — BSc")]).unwrap()).unwrap();
        assert!(
            csv.lines().nth(1).unwrap_or_default().starts_with("Ada Lovelace"),
            "{csv}"
        );
    }
}
