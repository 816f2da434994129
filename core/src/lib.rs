//! `sigil-core`: identifiers, keys, credential formats and the verification pipeline that
//! every Sigil service shares.
//!
//! The crate holds no server code and no database. The verification pipeline reaches the
//! outside world — DID resolution, status lists, trust registries, key history — only through
//! the small traits in [`did`] and [`verify::sources`], so that the services plug the registry
//! in and tests use in-memory data. The crate's own IO is the registry's HTTP clients
//! ([`registry`], [`did::universal`]) and the key files [`keystore`] is asked to handle.
//!
//! Map of the crate:
//! - [`json`]: bounded parsing of untrusted JSON (size and depth limits).
//! - [`key`], [`keystore`]: Ed25519 / P-256 keys, Multikey and JWK forms, encrypted key files.
//! - [`did`]: DID syntax, DID documents, `did:key`, `did:jwk`, the resolver trait and the
//!   Universal Resolver HTTP client.
//! - [`model`]: the VCDM 2.0 data model and credential types.
//! - [`contexts`], [`jsonld`]: bundled JSON-LD contexts and RDF canonicalisation.
//! - [`data_integrity`], [`jose`], [`sd_jwt`]: the three securing formats.
//! - [`format`]: the three credential formats and their names in each protocol.
//! - [`dcql`]: the Digital Credentials Query Language of OpenID4VP, typed, with claim paths
//!   and matching; [`presentation_request`]: the states of a verifier's presentation request.
//! - [`issue`]: building credentials of a type and presentations, in any format.
//! - [`verify`]: the verification pipeline (docs/design.md §5) and its report.
//! - [`registry`], [`transaction`], [`merkle`]: the registry client and the wire format of
//!   the ledger transactions issuers sign (status lists, anchors, statements).
//! - [`paper`]: a credential compressed into the address a printed QR code holds.
//! - [`names`]: names of parties in several languages, and who vouches for them.
//! - [`benchmarks`]: where the benchmarks write their figures (`BENCHMARKS.md`).

pub mod benchmarks;
pub mod contexts;
pub mod data_integrity;
pub mod dcql;
pub mod did;
pub mod fetch;
pub mod format;
pub mod http_client;
pub mod immediate;
pub mod issue;
pub mod jose;
pub mod json;
pub mod jsonld;
pub mod key;
pub mod keystore;
pub mod lifecycle;
pub mod merkle;
pub mod model;
pub mod names;
pub mod paper;
pub mod presentation_request;
pub mod registry;
pub mod sd_jwt;
pub mod state;
pub mod time;
pub mod transaction;
pub mod verify;

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// A one-purpose HTTP server on a loopback port: `answer` maps each request line to a
    /// status line and a JSON body. Returns the base URL and the log of request lines.
    pub async fn http_server(
        answer: impl Fn(&str) -> (&'static str, serde_json::Value) + Send + Sync + 'static,
    ) -> (url::Url, Arc<Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let base = url::Url::parse(&format!("http://{}/", listener.local_addr().expect("an address")))
            .expect("a URL");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buffer = vec![0u8; 4096];
                let read = stream.read(&mut buffer).await.unwrap_or(0);
                let request = String::from_utf8_lossy(buffer.get(..read).unwrap_or_default()).to_string();
                let line = request.lines().next().unwrap_or_default().to_owned();
                log.lock().expect("the log").push(line.clone());
                let (status, body) = answer(&line);
                let body = body.to_string();
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            }
        });
        (base, seen)
    }

    /// Runs a future to completion on a fresh single-threaded runtime.
    pub fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
            .block_on(future)
    }
}
