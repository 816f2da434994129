//! A small HTTPS server on loopback, for what Sigil fetches from strangers over TLS: a
//! `did:web` document, a status list credential at its own URL. Each test sets the answers
//! it needs per path (status, headers, body) and counts the requests each path received.
//!
//! It is served the way the services serve HTTPS (`sigil_service::serve`), with a certificate
//! self-signed for `localhost` (by `rcgen`) that the client trusts as an extra root
//! ([`LoopbackHttps::policy`]), never by turning verification off. rustls is given the `ring`
//! provider explicitly: both providers are in the dependency tree, so rustls has no
//! process-wide default to fall back on.

#![allow(clippy::unwrap_used, reason = "a test helper: a failure fails the test")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use sigil_core::fetch::NetPolicy;
use sigil_service::serve::{Listener, serve};
use tokio::net::TcpListener;

/// What the server answers on a path.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// `200 OK` with a JSON body.
    pub fn json(body: impl Into<String>) -> Answer {
        Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into().into_bytes(),
        }
    }

    /// An answer with `status` and no body.
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// This answer with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Routes = Arc<Mutex<HashMap<String, Answer>>>;
type Hits = Arc<Mutex<HashMap<String, usize>>>;

/// The server; it stops when dropped.
#[derive(Debug)]
pub struct LoopbackHttps {
    port: u16,
    root_pem: String,
    routes: Routes,
    hits: Hits,
    task: tokio::task::JoinHandle<()>,
}

impl LoopbackHttps {
    /// Starts a server on `127.0.0.1` with a fresh certificate for `localhost`. Paths with
    /// no answer set get 404.
    pub async fn start() -> LoopbackHttps {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .unwrap();
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = tcp.local_addr().unwrap().port();
        let listener = Listener::new(tcp, Some(Arc::new(config))).unwrap();
        let routes = Routes::default();
        let hits = Hits::default();
        let app = Router::new()
            .fallback(answer)
            .with_state((routes.clone(), hits.clone()));
        // Runs until the test drops the server (the task is aborted then).
        let task = tokio::spawn(async move {
            let _ = serve(listener, app, std::future::pending()).await;
        });
        LoopbackHttps {
            port,
            root_pem: certified.cert.pem(),
            routes,
            hits,
            task,
        }
    }

    /// Answers `path` (with its leading `/`) with `answer` from now on.
    pub fn set(&self, path: &str, answer: Answer) {
        self.routes.lock().unwrap().insert(path.to_owned(), answer);
    }

    /// How many requests `path` has received.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://localhost:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }

    /// The `did:web` whose document is at `path_segments` (none: `/.well-known/did.json`).
    pub fn did_web(&self, path_segments: &[&str]) -> String {
        let mut did = format!("did:web:localhost%3A{}", self.port);
        for segment in path_segments {
            did.push(':');
            did.push_str(segment);
        }
        did
    }

    /// The server's certificate (PEM), to trust as a root.
    pub fn root_pem(&self) -> &str {
        &self.root_pem
    }

    /// The strict policy, relaxed just enough to reach this server: loopback allowed, its
    /// certificate trusted. Plain http stays refused.
    pub fn policy(&self) -> NetPolicy {
        NetPolicy::strict()
            .allowing_private()
            .trusting_root(self.root_pem.clone())
    }
}

impl Drop for LoopbackHttps {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answers a request with what the test set for its path (and query), counting it.
async fn answer(State((routes, hits)): State<(Routes, Hits)>, uri: Uri) -> Response {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let answer = routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or_else(|| Answer::status(404));
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap();
    for (name, value) in &answer.headers {
        response.headers_mut().append(
            HeaderName::try_from(name.as_str()).unwrap(),
            HeaderValue::try_from(value.as_str()).unwrap(),
        );
    }
    response
}
