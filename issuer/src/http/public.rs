//! Public documents: the JSON Schemas credentials name in `credentialSchema`, the latest
//! signed status lists (verifiers read them from the registry; these are a convenience and
//! the URLs credentials name), and the shared stylesheet.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::error::ApiError;
use crate::service::Issuer;
use crate::status::list_url;

/// `GET /schemas/{Type}.json`
pub async fn schema(
    State(issuer): State<Arc<Issuer>>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let definition = file
        .strip_suffix(".json")
        .and_then(|name| issuer.types.get(name))
        .ok_or_else(|| ApiError::NotFound(format!("no schema {file}")))?;
    let mut schema = definition.schema.clone();
    if let Value::Object(object) = &mut schema {
        object.insert("$id".into(), issuer.schema_url(definition.name()).into());
    }
    Ok(([(header::CONTENT_TYPE, "application/schema+json")], Json(schema)).into_response())
}

/// `GET /status/{purpose}/{number}`
pub async fn status_list(
    State(issuer): State<Arc<Issuer>>,
    Path((purpose, number)): Path<(String, i32)>,
) -> Result<Response, ApiError> {
    let id = list_url(&issuer.public_url, &purpose, number);
    let list = issuer
        .store
        .status_list(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no status list {id}")))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/vc+ld+json")],
        list.credential,
    )
        .into_response())
}

/// `GET /static/sigil.css`
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        sigil_templates::STYLESHEET,
    )
        .into_response()
}
