//! The UI answers only requests addressed to it by name: `Host` must be the address it listens
//! on (`127.0.0.1:PORT`, `[::1]:PORT` or `localhost:PORT`). A web page on `evil.example`
//! whose name is made to resolve to 127.0.0.1 (DNS rebinding) is then same-origin with
//! itself, not with the wallet: its requests say `Host: evil.example` and are refused.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

/// The `Host` values the UI answers.
#[derive(Debug, Clone)]
pub struct AllowedHosts(Arc<[String]>);

impl AllowedHosts {
    /// The names of a UI listening on `address`.
    pub fn of(address: SocketAddr) -> Self {
        let port = address.port();
        let mut names = vec![
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
            format!("localhost:{port}"),
        ];
        if port == 80 {
            // Browsers leave the default port out.
            names.extend(["127.0.0.1", "[::1]", "localhost"].map(str::to_owned));
        }
        AllowedHosts(names.into())
    }

    /// Whether `host` (a `Host` header's value) names this UI.
    pub fn allows(&self, host: &str) -> bool {
        self.0.iter().any(|name| name.eq_ignore_ascii_case(host))
    }
}

/// Refuses (421) a request whose `Host` is missing or names another site.
pub async fn check_host(State(hosts): State<AllowedHosts>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    match host {
        Some(host) if hosts.allows(host) => next.run(request).await,
        _ => (
            StatusCode::MISDIRECTED_REQUEST,
            "This is a wallet on this computer; open it at its own address (http://127.0.0.1:PORT).",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listening_address_by_its_loopback_names_is_allowed() {
        let hosts = AllowedHosts::of("127.0.0.1:7403".parse().unwrap());
        for allowed in ["127.0.0.1:7403", "[::1]:7403", "localhost:7403", "LOCALHOST:7403"] {
            assert!(hosts.allows(allowed), "{allowed}");
        }
        for refused in [
            "evil.example",
            "evil.example:7403",
            "127.0.0.1",
            "127.0.0.1:7404",
            "localhost.evil.example:7403",
            "",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
    }
}
