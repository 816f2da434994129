//! The verifier's JSON API as a relying party's back end uses it.

#![allow(clippy::unwrap_used, reason = "a test helper fails the test by panicking")]

use serde_json::Value;

/// Opens a presentation request (`POST /api/requests` with `body`, e.g.
/// `{"policy": "diploma"}`) on the verifier whose base URL is `verifier`; the API's answer
/// (`request_id`, `request_uri`, `expires_at`), which must be `201 Created`.
pub async fn open_request(http: &reqwest::Client, verifier: &str, body: &Value) -> Value {
    let url = format!("{}/api/requests", verifier.trim_end_matches('/'));
    let response = http.post(url).json(body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 201, "opening a presentation request");
    response.json().await.unwrap()
}
