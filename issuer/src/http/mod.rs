//! The issuer's HTTP service: OpenID4VCI ([`oid4vci`]), the token-authenticated JSON API
//! ([`api`]), the W3C VC API ([`vc_api`]) and the public documents wallets and verifiers
//! fetch ([`public`]), with the registrar portal ([`crate::portal`]) merged in.

pub mod api;
pub mod endorse;
pub mod error;
pub mod oid4vci;
pub mod public;
pub mod vc_api;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{MethodRouter, get, post};
use sigil_service::rate_limit::{self, RateLimit};
use sigil_service::serve::Listener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::service::Issuer;

/// Largest request body: a CSV of a few thousand graduates fits.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The whole service. The OpenID4VCI writes anyone may send (token and nonce requests) are
/// rate-limited per client address; sign-ins have their own throttle.
pub fn app(issuer: Arc<Issuer>) -> Router {
    let limit = RateLimit::per_minute(issuer.settings.writes_per_minute);
    let limited = |route: MethodRouter<Arc<Issuer>>| {
        route.layer(axum::middleware::from_fn_with_state(
            limit.clone(),
            rate_limit::enforce,
        ))
    };
    Router::new()
        .route(
            "/.well-known/openid-credential-issuer",
            get(oid4vci::issuer_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(oid4vci::authorization_server_metadata),
        )
        .route("/offers/{code}", get(oid4vci::credential_offer))
        .route("/token", limited(post(oid4vci::token)))
        .route("/nonce", limited(post(oid4vci::nonce)))
        .route("/credential", post(oid4vci::credential))
        .route("/credentials/issue", post(vc_api::issue))
        .route(
            "/profiles/{name}/credentials/issue",
            post(vc_api::issue_as_profile),
        )
        .route("/api/offers", post(api::create_offer))
        .route("/api/offers/batch", post(api::create_batch))
        .route("/api/credentials", get(api::search))
        .route("/api/credentials/endorse", post(endorse::endorse))
        .route("/api/credentials/{id}", get(api::show))
        .route("/api/credentials/{id}/{action}", post(api::change_status))
        .route("/api/keys/rotate", post(api::rotate))
        .route("/api/anchors", post(api::anchor_now))
        .route("/api/audit", get(api::audit_log))
        .route("/schemas/{file}", get(public::schema))
        .route("/status/{purpose}/{number}", get(public::status_list))
        .route(sigil_templates::STYLESHEET_PATH, get(public::stylesheet))
        .route("/", get(|| async { axum::response::Redirect::to("/portal") }))
        .with_state(issuer.clone())
        .merge(crate::portal::router(issuer))
        .layer(axum::middleware::from_fn(sigil_service::language::switch))
        .layer(sigil_service::pages::security_headers())
        // Multipart uploads have their own default limit of 2 MiB; the layer below is the one.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
}

/// Publishes missing status lists, starts anchoring, and serves on `listener` (HTTP or
/// HTTPS) until Ctrl-C or SIGTERM; calls `ready` with its URL once everything is up.
pub async fn serve(issuer: Arc<Issuer>, listener: Listener, ready: impl FnOnce(&str)) -> anyhow::Result<()> {
    issuer
        .publish_missing_lists()
        .await
        .map_err(|e| anyhow::anyhow!("cannot publish the status lists: {e}"))?;
    issuer
        .republish_stale_lists()
        .await
        .map_err(|e| anyhow::anyhow!("cannot re-sign the status lists with the current key: {e}"))?;
    ready(&listener.url());
    let anchoring = {
        let issuer = issuer.clone();
        tokio::spawn(async move { issuer.anchor_periodically().await })
    };
    let served = sigil_service::serve::serve(listener, app(issuer), sigil_service::shutdown::signal()).await;
    anchoring.abort();
    Ok(served?)
}

/// Sets a member of a JSON object (one built by `json!`; anything else is left alone).
pub(crate) fn set_member(object: &mut serde_json::Value, key: &str, value: serde_json::Value) {
    if let Some(object) = object.as_object_mut() {
        object.insert(key.to_owned(), value);
    }
}
