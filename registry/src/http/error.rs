//! One error type for every handler: client mistakes are answered with a stable code and a
//! sentence; internal failures are logged and answered with a bare "internal error".

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::ledger::LedgerError;
use crate::node::SubmitError;
use crate::store::StoreError;

/// An error answer.
#[derive(Debug)]
pub enum AppError {
    /// The request is malformed (400).
    BadRequest(String),
    /// The request body is over the API's limit (413), named in the message.
    BodyTooLarge(String),
    /// Nothing is there (404).
    NotFound(String),
    /// The ledger refused the transaction, with the rule that refused it: 413 for a size
    /// limit, 422 for every other rule.
    Refused(LedgerError),
    /// The request is not from someone allowed to make it (403): a consensus request not
    /// signed by a validator of this chain.
    Forbidden(String),
    /// The registry cannot answer now (503).
    Unavailable(String),
    /// A bug or a broken store (500); the detail goes to the log only.
    Internal(String),
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            AppError::BadRequest(message) => (StatusCode::BAD_REQUEST, "bad_request", message.clone()),
            AppError::NotFound(message) => (StatusCode::NOT_FOUND, "not_found", message.clone()),
            AppError::BodyTooLarge(message) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", message.clone()),
            AppError::Refused(error @ LedgerError::TooLarge(_)) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ledger_code(error),
                error.to_string(),
            ),
            AppError::Refused(error) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ledger_code(error),
                error.to_string(),
            ),
            AppError::Forbidden(message) => (StatusCode::FORBIDDEN, "forbidden", message.clone()),
            AppError::Unavailable(message) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", message.clone())
            }
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error".into(),
            ),
        }
    }
}

/// The stable code of each ledger refusal.
fn ledger_code(error: &LedgerError) -> &'static str {
    match error {
        LedgerError::Malformed(_) => "malformed",
        LedgerError::MissingSignature => "missing_signature",
        LedgerError::BadSignature => "bad_signature",
        LedgerError::WrongSigner { .. } => "wrong_signer",
        LedgerError::WrongPreRotationKey => "wrong_pre_rotation_key",
        LedgerError::UnknownDid(_) => "unknown_did",
        LedgerError::DidExists(_) => "did_exists",
        LedgerError::Deactivated(_) => "deactivated",
        LedgerError::Replay(_) => "replay",
        LedgerError::Governance(_) => "governance",
        LedgerError::Fork { .. } => "fork",
        LedgerError::PrevMismatch { .. } => "prev_mismatch",
        LedgerError::TimeWentBackwards { .. } => "time_went_backwards",
        LedgerError::DatedInTheFuture { .. } => "dated_in_the_future",
        LedgerError::Method(_) => "verification_method",
        LedgerError::UnauthorisedKey(_) => "unauthorised_key",
        LedgerError::NotTheListIssuer { .. } => "not_the_list_issuer",
        LedgerError::NotARootOfTrust(_) => "not_a_root_of_trust",
        LedgerError::Accreditation(_) => "accreditation",
        LedgerError::AnchorExists(_) => "anchor_exists",
        LedgerError::TooLarge(_) => "too_large",
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let (status, code, message) = self.parts();
        (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
    }
}

impl From<SubmitError> for AppError {
    fn from(error: SubmitError) -> Self {
        match error {
            SubmitError::Refused(error) => AppError::Refused(error),
            SubmitError::Unavailable(message) => AppError::Unavailable(message),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        AppError::Internal(error.to_string())
    }
}
