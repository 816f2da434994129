//! The verifier's HTTP service: the pages ([`pages`]), the OpenID4VP endpoints wallets call,
//! and the JSON APIs ([`api`], and the VC API in [`vc_api`]).

pub mod api;
pub mod pages;
pub mod vc_api;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};
use sigil_service::rate_limit::{self, RateLimit};
use sigil_service::serve::Listener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::service::VerifierService;

/// Largest request body: a presentation is well under this.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The whole service. The writes anyone may send — a new presentation request, a wallet's
/// response — are rate-limited per client address.
pub fn app(service: Arc<VerifierService>) -> Router {
    let limit = RateLimit::per_minute(service.settings.writes_per_minute);
    let limited = |route: MethodRouter<Arc<VerifierService>>| {
        route.layer(axum::middleware::from_fn_with_state(
            limit.clone(),
            rate_limit::enforce,
        ))
    };
    Router::new()
        .route("/", get(pages::home))
        .route("/requests", limited(post(pages::start)))
        .route("/requests/{id}", get(pages::request))
        .route("/requests/{id}/request.jwt", get(pages::request_object))
        .route("/requests/{id}/response", limited(post(pages::response)))
        .route("/verify", get(pages::verify_form).post(pages::verify))
        .route("/P/{payload}", get(pages::paper))
        .route("/p/{payload}", get(pages::paper))
        .route("/api/verify", post(api::verify))
        .route("/api/requests", limited(post(api::create_request)))
        .route("/api/requests/{id}", get(api::request_state))
        .route("/credentials/verify", post(vc_api::verify_credential))
        .route("/presentations/verify", post(vc_api::verify_presentation))
        .route(
            sigil_templates::STYLESHEET_PATH,
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    sigil_templates::STYLESHEET,
                )
                    .into_response()
            }),
        )
        .layer(axum::middleware::from_fn(sigil_service::language::switch))
        .layer(sigil_service::pages::security_headers())
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .with_state(service)
}

/// Serves on `listener` (HTTP or HTTPS) until Ctrl-C or SIGTERM; calls `ready` with its URL
/// once listening.
pub async fn serve(
    service: Arc<VerifierService>,
    listener: Listener,
    ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    ready(&listener.url());
    sigil_service::serve::serve(listener, app(service), sigil_service::shutdown::signal()).await?;
    Ok(())
}
