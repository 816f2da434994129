//! How every service serves its router: [`Listener::bind`] binds the configured address,
//! as plain HTTP or — given [`TlsFiles`] — HTTPS, and [`serve`] runs the router on it until
//! the shutdown signal, then lets the requests in progress finish.
//!
//! Both transports keep what the services rely on: handlers read the client's address as
//! `ConnectInfo<SocketAddr>` (the rate limits and the sign-in throttle key on it), the bound
//! address is known before serving (port 0 in tests, and the "listening on" line scripts read),
//! and shutdown is graceful.
//!
//! TLS handshakes run beside the accept loop, not in it, each bounded by a timeout and at most
//! [`MAX_CONCURRENT_HANDSHAKES`] at once: a client that connects and stays silent, or speaks
//! plain HTTP to the HTTPS port, costs one slot for a few seconds and delays nobody else.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::serve::IncomingStream;
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tower::Layer as _;

use crate::tls::{TlsError, TlsFiles};

/// How long a client has to complete its TLS handshake before it is disconnected.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Handshakes in progress at once; further connections wait in the kernel's backlog.
pub const MAX_CONCURRENT_HANDSHAKES: usize = 256;

/// Why a service could not start listening.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound (in use, not this machine's, not an address).
    #[error("cannot listen on {address}: {source}")]
    Bind { address: String, source: io::Error },
    /// The TLS certificate or key cannot be used.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// A bound socket, and how connections to it are served.
pub struct Listener {
    tcp: TcpListener,
    address: SocketAddr,
    tls: Option<Tls>,
}

/// What accepting a TLS connection takes.
#[derive(Clone)]
struct Tls {
    acceptor: TlsAcceptor,
    handshake_timeout: Duration,
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl Listener {
    /// Reads the TLS files when given (so that a bad certificate stops the start before the
    /// port is taken), then binds `address`.
    pub async fn bind(
        address: impl ToSocketAddrs + fmt::Display,
        tls: Option<&TlsFiles>,
    ) -> Result<Listener, ServeError> {
        let config = tls.map(TlsFiles::server_config).transpose()?;
        let tcp = TcpListener::bind(&address)
            .await
            .map_err(|source| ServeError::Bind {
                address: address.to_string(),
                source,
            })?;
        Listener::new(tcp, config).map_err(|source| ServeError::Bind {
            address: address.to_string(),
            source,
        })
    }

    /// Serves on a socket already bound, over TLS with `tls` when given.
    pub fn new(tcp: TcpListener, tls: Option<Arc<ServerConfig>>) -> io::Result<Listener> {
        Ok(Listener {
            address: tcp.local_addr()?,
            tcp,
            tls: tls.map(|config| Tls {
                acceptor: TlsAcceptor::from(config),
                handshake_timeout: HANDSHAKE_TIMEOUT,
            }),
        })
    }

    /// The same listener giving clients `timeout` to complete their TLS handshake.
    #[must_use]
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> Listener {
        if let Some(tls) = &mut self.tls {
            tls.handshake_timeout = timeout;
        }
        self
    }

    /// The bound address (with port 0, the port the system chose).
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// `https` when serving TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// `scheme://address`, what a service prints once it listens.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme(), self.address)
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then waits for the requests in
/// progress. Handlers may extract `ConnectInfo<SocketAddr>`, the client's address.
pub async fn serve(
    listener: Listener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    match listener.tls {
        None => {
            axum::serve(
                listener.tcp,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown)
            .await
        }
        Some(tls) => {
            let (incoming, accepting) = TlsIncoming::start(listener.tcp, listener.address, tls);
            // What `into_make_service_with_connect_info` does for a plain TCP listener: each
            // connection's router carries the client's address.
            let make_service = tower::service_fn(move |stream: IncomingStream<'_, TlsIncoming>| {
                let peer = *stream.remote_addr();
                let service = axum::Extension(ConnectInfo(peer)).layer(app.clone());
                std::future::ready(Ok::<_, std::convert::Infallible>(service))
            });
            let served = axum::serve(incoming, make_service)
                .with_graceful_shutdown(shutdown)
                .await;
            // axum has dropped the listener, which aborts the accepting task; once that task is
            // gone, so is the socket, and the port is free when this returns.
            accepting.abort();
            let _ = accepting.await;
            served
        }
    }
}

/// TLS connections whose handshake is complete, for `axum::serve`; the accepting and the
/// handshakes run in a task of their own, stopped when this is dropped (at shutdown).
struct TlsIncoming {
    address: SocketAddr,
    connections: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    accepting: AbortHandle,
}

impl fmt::Debug for TlsIncoming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIncoming")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl TlsIncoming {
    /// Starts accepting on `tcp`; the task is returned too, for [`serve`] to wait on.
    fn start(tcp: TcpListener, address: SocketAddr, tls: Tls) -> (TlsIncoming, JoinHandle<()>) {
        let (sender, connections) = mpsc::channel(MAX_CONCURRENT_HANDSHAKES);
        let accepting = tokio::spawn(accept_and_handshake(tcp, tls, sender));
        let incoming = TlsIncoming {
            address,
            connections,
            accepting: accepting.abort_handle(),
        };
        (incoming, accepting)
    }
}

impl Drop for TlsIncoming {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl axum::serve::Listener for TlsIncoming {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.connections.recv().await {
            Some(connection) => connection,
            // The accepting task is gone (it ends only when this is dropped): nothing more comes.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.address)
    }
}

/// Accepts TCP connections and hands each to a handshake task of its own; a completed one is
/// sent to `established`. Dropping the task's `JoinSet` (when this is aborted) aborts the
/// handshakes in progress.
async fn accept_and_handshake(
    tcp: TcpListener,
    tls: Tls,
    established: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    let mut handshakes = JoinSet::new();
    loop {
        while handshakes.try_join_next().is_some() {}
        if handshakes.len() >= MAX_CONCURRENT_HANDSHAKES {
            handshakes.join_next().await;
            continue;
        }
        let (stream, peer) = match tcp.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                wait_after_accept_error(&error).await;
                continue;
            }
        };
        // Small TLS records and responses go out at once rather than waiting to be coalesced.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%peer, "cannot set TCP_NODELAY: {error}");
        }
        let tls = tls.clone();
        let established = established.clone();
        handshakes.spawn(async move {
            match tokio::time::timeout(tls.handshake_timeout, tls.acceptor.accept(stream)).await {
                Ok(Ok(stream)) => {
                    // Fails only once the server has stopped accepting; the connection closes.
                    let _ = established.send((stream, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, "TLS handshake failed: {error}"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

/// After a failed `accept`: nothing for an error about that one connection; a pause when the
/// process is out of something (file descriptors), as `axum::serve` does for plain TCP, so the
/// loop does not spin.
async fn wait_after_accept_error(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!("cannot accept a connection: {error}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use axum::routing::get;
    use tokio::io::AsyncReadExt as _;

    use super::*;
    use crate::test_certificates::{TestCertificate, write_private};

    /// Answers with the client's address as the server saw it.
    fn app() -> Router {
        Router::new().route(
            "/peer",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
        )
    }

    /// A certificate for `localhost` written to `dir`, and the files naming it.
    fn tls_files(dir: &std::path::Path) -> (TestCertificate, TlsFiles) {
        let certificate = TestCertificate::for_localhost();
        let files = TlsFiles {
            certificate: dir.join("chain.pem"),
            key: dir.join("key.pem"),
        };
        std::fs::write(&files.certificate, &certificate.certificate_pem).unwrap();
        write_private(&files.key, &certificate.key_pem);
        (certificate, files)
    }

    /// Serves `app()` on `listener` until the returned sender is dropped or sent to.
    fn spawn(listener: Listener) -> (tokio::sync::oneshot::Sender<()>, JoinHandle<io::Result<()>>) {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app(), async move {
            let _ = stopped.await;
        }));
        (stop, server)
    }

    fn client_trusting(certificate: &TestCertificate) -> reqwest::Client {
        reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(certificate.certificate_pem.as_bytes()).unwrap(),
            )
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn a_client_that_trusts_the_certificate_is_served_over_https_with_its_address() {
        let dir = tempfile::tempdir().unwrap();
        let (certificate, files) = tls_files(dir.path());
        let listener = Listener::bind("127.0.0.1:0", Some(&files)).await.unwrap();
        let port = listener.local_addr().port();
        assert_eq!(listener.url(), format!("https://127.0.0.1:{port}"));
        let (_stop, _server) = spawn(listener);

        let response = client_trusting(&certificate)
            .get(format!("https://localhost:{port}/peer"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.unwrap(), "127.0.0.1");
    }

    #[tokio::test]
    async fn a_client_limited_to_tls_1_2_is_served_too() {
        let dir = tempfile::tempdir().unwrap();
        let (certificate, files) = tls_files(dir.path());
        let listener = Listener::bind("127.0.0.1:0", Some(&files)).await.unwrap();
        let port = listener.local_addr().port();
        let (_stop, _server) = spawn(listener);

        let client = reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(certificate.certificate_pem.as_bytes()).unwrap(),
            )
            .max_tls_version(reqwest::tls::Version::TLS_1_2)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let response = client
            .get(format!("https://localhost:{port}/peer"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    #[tokio::test]
    async fn a_client_that_does_not_trust_the_certificate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (_, files) = tls_files(dir.path());
        let listener = Listener::bind("127.0.0.1:0", Some(&files)).await.unwrap();
        let port = listener.local_addr().port();
        let (_stop, _server) = spawn(listener);

        let stranger = TestCertificate::for_localhost();
        let answer = client_trusting(&stranger)
            .get(format!("https://localhost:{port}/peer"))
            .send()
            .await;
        assert!(answer.is_err(), "{answer:?}");
    }

    #[tokio::test]
    async fn plain_http_to_the_https_port_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let (_, files) = tls_files(dir.path());
        let listener = Listener::bind("127.0.0.1:0", Some(&files)).await.unwrap();
        let port = listener.local_addr().port();
        let (_stop, _server) = spawn(listener);

        // No client timeout: only the server's answer (closing) ends the request.
        let answer = tokio::time::timeout(
            Duration::from_secs(30),
            reqwest::Client::new()
                .get(format!("http://127.0.0.1:{port}/peer"))
                .send(),
        )
        .await;
        let answer = answer.unwrap();
        assert!(answer.is_err(), "{answer:?}");
    }

    #[tokio::test]
    async fn a_silent_client_is_disconnected_and_delays_nobody() {
        let dir = tempfile::tempdir().unwrap();
        let (certificate, files) = tls_files(dir.path());
        let listener = Listener::bind("127.0.0.1:0", Some(&files))
            .await
            .unwrap()
            .with_handshake_timeout(Duration::from_millis(300));
        let port = listener.local_addr().port();
        let (_stop, _server) = spawn(listener);

        let mut silent = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        // Served while the silent connection is still open.
        let response = client_trusting(&certificate)
            .get(format!("https://localhost:{port}/peer"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);

        let mut buffer = [0_u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(30), silent.read(&mut buffer))
            .await
            .unwrap();
        // Closed by the server: end of stream (or a reset), never an answer.
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    }

    #[tokio::test]
    async fn plain_http_is_served_when_no_tls_files_are_given() {
        let listener = Listener::bind("127.0.0.1:0", None).await.unwrap();
        let url = listener.url();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let (_stop, _server) = spawn(listener);
        let body = reqwest::get(format!("{url}/peer"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(body, "127.0.0.1");
    }

    #[tokio::test]
    async fn the_server_stops_on_the_shutdown_signal_and_frees_the_port() {
        let dir = tempfile::tempdir().unwrap();
        let (_, files) = tls_files(dir.path());
        let listener = Listener::bind("127.0.0.1:0", Some(&files)).await.unwrap();
        let address = listener.local_addr();
        let (stop, server) = spawn(listener);
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(30), server)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(TcpStream::connect(address).await.is_err());
    }

    #[tokio::test]
    async fn a_bad_certificate_stops_the_start_before_the_port_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let (_, mut files) = tls_files(dir.path());
        files.key = dir.path().join("absent.pem");
        let error = Listener::bind("127.0.0.1:0", Some(&files)).await.unwrap_err();
        assert!(error.to_string().contains("absent.pem: cannot read"), "{error}");

        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = taken.local_addr().unwrap();
        let error = Listener::bind(address, None).await.unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&format!("cannot listen on {address}: ")),
            "{error}"
        );
    }
}
