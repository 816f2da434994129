//! Reading JSON from Sigil's own services (the registry) over HTTP: bounded bodies, and the
//! distinction verification needs — "there is no such thing" (404) is an answer, while a
//! network error, a timeout or a 5xx is "could not check".
//!
//! Every client Sigil builds comes from [`builder`]: timeouts, and no redirects followed. A
//! redirect would let whoever answers send the caller somewhere its own URL checks refuse
//! (a service on the caller's machine or network); a 3xx is therefore an answer the caller
//! sees, and an error where an answer was expected.

use std::time::Duration;

use serde_json::Value;

/// Largest answer read from a service.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Why a request gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The service could not be reached or failed (network, timeout, 5xx).
    #[error("{0}")]
    Unavailable(String),
    /// The service answered with something unusable.
    #[error("invalid answer: {0}")]
    Invalid(String),
}

/// A client builder with Sigil's timeouts that follows no redirects, for callers that add to
/// it (the wallet adds a resolver that refuses private addresses).
pub fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
}

/// An HTTP client with Sigil's timeouts that follows no redirects.
pub fn client() -> reqwest::Client {
    builder().build().unwrap_or_else(|_| {
        // Only a TLS backend that cannot start fails here; keep the rule that matters.
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

/// GETs `url` as JSON: `Ok(None)` on 404, `Ok(Some(json))` on 2xx.
pub async fn get_json(client: &reqwest::Client, url: url::Url) -> Result<Option<Value>, FetchError> {
    let response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| FetchError::Unavailable(format!("{url}: {e}")))?;
    let status = response.status();
    if status.as_u16() == 404 {
        return Ok(None);
    }
    if status.is_server_error() {
        return Err(FetchError::Unavailable(format!("{url} answered HTTP {status}")));
    }
    if status.is_redirection() {
        return Err(FetchError::Invalid(format!(
            "{url} answered HTTP {status}, a redirect, which is not followed"
        )));
    }
    let body = read_limited(response, MAX_RESPONSE_BYTES).await?;
    if !status.is_success() {
        return Err(FetchError::Invalid(format!("{url} answered HTTP {status}")));
    }
    let text = std::str::from_utf8(&body).map_err(|_| FetchError::Invalid("not UTF-8".into()))?;
    crate::json::parse(text)
        .map(Some)
        .map_err(|e| FetchError::Invalid(e.to_string()))
}

/// Reads a response body, giving up as soon as it passes `limit` bytes, so a hostile or
/// broken service cannot make the caller buffer gigabytes.
pub async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, FetchError> {
    let too_large = || FetchError::Invalid(format!("answer larger than {limit} bytes"));
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::Unavailable(e.to_string()))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    use super::*;

    /// A loopback server that answers every request with `answer`, and counts connections.
    async fn server(answer: String) -> (url::Url, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        (url, hits)
    }

    #[tokio::test]
    async fn a_redirect_is_an_error_naming_its_status_and_is_not_followed() {
        let (elsewhere, hits) =
            server("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}".into()).await;
        let (redirecting, _) = server(format!(
            "HTTP/1.1 302 Found\r\nlocation: {elsewhere}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        ))
        .await;
        let error = get_json(&client(), redirecting).await.unwrap_err();
        assert!(
            matches!(&error, FetchError::Invalid(reason) if reason.contains("302")),
            "{error}"
        );
        assert_eq!(
            hits.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "the redirect was followed"
        );
    }
}
