//! Reading JSON from Sigil's own services (the registry) over HTTP: bounded bodies, and the
//! distinction verification needs — "there is no such thing" (404) is an answer, while a
//! network error, a timeout or a 5xx is "could not check".

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

/// An HTTP client with Sigil's timeouts.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
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
