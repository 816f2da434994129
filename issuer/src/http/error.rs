//! Error answers. OpenID4VCI endpoints answer with OAuth 2.0 errors (`{error,
//! error_description}`, RFC 6749 §5.2 and OpenID4VCI §8.3.1); the API with a stable code and
//! a sentence, as the registry does. Internal failures are logged and answered with a bare
//! "internal error": a stranger learns nothing about the database.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An OAuth error answer.
#[derive(Debug)]
pub struct OAuthError {
    status: StatusCode,
    code: &'static str,
    description: String,
}

impl OAuthError {
    /// 400 with `code`.
    pub fn bad(code: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            code,
            description: description.into(),
        }
    }

    /// 401 `invalid_token` (RFC 6750 §3.1), with its `WWW-Authenticate` challenge.
    pub fn invalid_token(description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            code: "invalid_token",
            description: description.into(),
        }
    }

    /// 503: something the issuer depends on is down; try again later.
    pub fn unavailable(description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "temporarily_unavailable",
            description: description.into(),
        }
    }

    /// 500, logged.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        OAuthError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "server_error",
            description: "internal error".into(),
        }
    }
}

impl From<sea_orm::DbErr> for OAuthError {
    fn from(error: sea_orm::DbErr) -> Self {
        OAuthError::internal(error)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "error_description": self.description});
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = format!("Bearer error=\"{}\"", self.code);
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

/// An API error answer.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request is malformed.
    BadRequest(String),
    /// 401: no valid API token.
    Unauthorized,
    /// 404.
    NotFound(String),
    /// 409: the request conflicts with the current state (e.g. reinstating a revoked credential).
    Conflict(String),
    /// 422: the claims are invalid; each entry is (position in the request, reasons).
    Invalid(Vec<(usize, Vec<String>)>),
    /// 502: the registry refused what the issuer submitted.
    Refused(String),
    /// 503: the registry cannot be reached; nothing was changed.
    Unavailable(String),
    /// 500, logged.
    Internal(String),
}

impl ApiError {
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        ApiError::Internal(detail.to_string())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        ApiError::internal(error)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        ApiError::internal(format!("{error:#}"))
    }
}

impl From<crate::status::StatusError> for ApiError {
    fn from(error: crate::status::StatusError) -> Self {
        use crate::status::StatusError;
        match error {
            StatusError::NotFound(_) => ApiError::NotFound(error.to_string()),
            StatusError::NotIssued(_) | StatusError::NotAllowed(_) | StatusError::NoStatusEntry { .. } => {
                ApiError::Conflict(error.to_string())
            }
            StatusError::Refused { .. } => ApiError::Refused(error.to_string()),
            StatusError::Unavailable(_) => ApiError::Unavailable(error.to_string()),
            StatusError::Internal(e) => ApiError::internal(format!("{e:#}")),
        }
    }
}

impl From<crate::issuance::OfferError> for ApiError {
    fn from(error: crate::issuance::OfferError) -> Self {
        match error {
            crate::issuance::OfferError::Invalid(problems) => ApiError::Invalid(problems),
            crate::issuance::OfferError::Internal(e) => ApiError::internal(format!("{e:#}")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, details) = match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m, None),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send an API token from `sigil-issuer token create` as `Authorization: Bearer TOKEN`"
                    .to_owned(),
                None,
            ),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m, None),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m, None),
            ApiError::Invalid(problems) => {
                let details: Vec<_> = problems
                    .iter()
                    .map(|(index, errors)| json!({"index": index, "errors": errors}))
                    .collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_claims",
                    "the claims do not match the credential type; nothing was issued".to_owned(),
                    Some(details),
                )
            }
            ApiError::Refused(m) => (StatusCode::BAD_GATEWAY, "registry_refused", m, None),
            ApiError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", m, None),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".to_owned(),
                    None,
                )
            }
        };
        let mut error = json!({"code": code, "message": message});
        if let Some(details) = details {
            super::set_member(&mut error, "details", details.into());
        }
        let mut response = (status, Json(json!({ "error": error }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
