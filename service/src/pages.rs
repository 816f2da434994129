//! Pages and the headers every response carries. [`page`] renders an askama template into a
//! response: a rendering failure is logged and answered with a bare "internal error", never
//! with its detail. [`security_headers`] is the layer every service's router gets.
//!
//! The Content-Security-Policy fits Sigil's pages as they are: no scripts at all, no inline
//! styles (one stylesheet served by the service itself), images only from the service or as
//! `data:` URIs (the QR codes are SVG `data:` URIs in `<img>`), forms that post only back to
//! the service, and no framing. Meta refresh (the pages that reload themselves) is not
//! governed by CSP.

use askama::Template;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse as _, Response};
use tower::util::MapResponseLayer;

/// The Content-Security-Policy of every Sigil page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Renders `template` with `status`, or answers "internal error" (500) and logs why.
pub fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The value of the cookie `name`, from any of the request's `Cookie` headers (a session's id).
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The headers [`security_headers`] sets on every response.
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
];

/// The layer that sets `X-Content-Type-Options`, `X-Frame-Options`, `Referrer-Policy` and
/// [`CONTENT_SECURITY_POLICY`] on every response of a router (`router.layer(security_headers())`).
pub fn security_headers() -> MapResponseLayer<fn(Response) -> Response> {
    MapResponseLayer::new(with_security_headers as fn(Response) -> Response)
}

fn with_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt as _;

    use super::*;

    #[derive(Template)]
    #[template(source = "<p>{{ claim }}</p>", ext = "html")]
    struct ClaimPage {
        claim: String,
    }

    #[tokio::test]
    async fn every_response_carries_the_security_headers() {
        let app = Router::new()
            .route("/", get(|| async { "hello" }))
            .layer(security_headers());
        for path in ["/", "/not-a-route"] {
            let response = app
                .clone()
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let headers = response.headers();
            assert_eq!(headers["x-content-type-options"], "nosniff");
            assert_eq!(headers["x-frame-options"], "DENY");
            assert_eq!(headers["referrer-policy"], "no-referrer");
            let policy = headers["content-security-policy"].to_str().unwrap();
            assert!(policy.contains("default-src 'none'"));
            assert!(policy.contains("img-src 'self' data:"));
        }
    }

    #[test]
    fn a_cookie_is_read_from_any_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("theme=dark"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=b; sigil_portal=abc123"),
        );
        assert_eq!(cookie(&headers, "sigil_portal"), Some("abc123"));
        assert_eq!(cookie(&headers, "theme"), Some("dark"));
        assert_eq!(cookie(&headers, "sigil"), None);
    }

    #[tokio::test]
    async fn a_page_is_rendered_with_its_status_and_escaped() {
        let response = page(
            StatusCode::NOT_FOUND,
            &ClaimPage {
                claim: "<script>".into(),
            },
        );
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], b"<p>&#60;script&#62;</p>");
    }
}
