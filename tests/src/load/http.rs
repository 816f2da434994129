//! The load programs' HTTP client: every request it sends is counted, and an answer with
//! another status than the one the protocol promises is an error naming the request and the
//! body — the soak's error count is made of these and of wrong verification outcomes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context as _, bail};
use serde_json::Value;

/// A shared client that counts what it sends.
#[derive(Debug, Clone)]
pub struct Http {
    pub client: reqwest::Client,
    sent: Arc<AtomicU64>,
}

impl Http {
    /// A client that follows no redirects (a redirect is an answer the programs check).
    pub fn new() -> anyhow::Result<Self> {
        Ok(Http {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            sent: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many requests have been sent so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends `request`, and reads the body as text unless the status is not `expected`.
    pub async fn send(&self, request: reqwest::RequestBuilder, expected: u16) -> anyhow::Result<Answer> {
        let request = request.build()?;
        let what = format!("{} {}", request.method(), request.url().path());
        self.sent.fetch_add(1, Ordering::Relaxed);
        let response = self.client.execute(request).await.with_context(|| what.clone())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.with_context(|| what.clone())?;
        if status != expected {
            let mut shown: String = body.chars().take(300).collect();
            if shown.len() < body.len() {
                shown.push('…');
            }
            bail!("{what}: HTTP {status}, expected {expected}: {shown}");
        }
        Ok(Answer { headers, body, what })
    }

    /// Sends `request` and reads a JSON body, expecting `expected`.
    pub async fn json(&self, request: reqwest::RequestBuilder, expected: u16) -> anyhow::Result<Value> {
        self.send(request, expected).await?.json()
    }
}

/// A response with the expected status.
#[derive(Debug)]
pub struct Answer {
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    what: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> anyhow::Result<Value> {
        serde_json::from_str(&self.body).with_context(|| format!("{}: not JSON", self.what))
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> anyhow::Result<String> {
        Ok(self
            .headers
            .get(name)
            .with_context(|| format!("{}: no {name} header", self.what))?
            .to_str()?
            .to_owned())
    }
}

/// A string member of a JSON value, found by a JSON pointer (`/a/0/b`).
pub fn text(value: &Value, pointer: &str) -> anyhow::Result<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("no string at {pointer} in {value}"))
}
