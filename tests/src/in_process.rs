//! A registry node in the test's own process, for the services' in-process handler tests
//! (`issuer/tests/http.rs`, `verifier/tests/http.rs`): a real chain on a loopback port, with no
//! binary to spawn.

#![allow(clippy::unwrap_used, reason = "a test helper fails the test by panicking")]

use std::path::Path;

use sigil_registry::node::BlockPolicy;
use sigil_registry::service::{self, DataDir, GenesisTemplate};

use crate::TEST_PASSPHRASE;

/// Creates a chain in `dir/registry`, serves it on a free loopback port for as long as the
/// test's runtime runs, and returns its URL.
pub async fn registry(dir: &Path) -> url::Url {
    let data = DataDir(dir.join("registry"));
    service::init(&data, GenesisTemplate::default(), None, TEST_PASSPHRASE).unwrap();
    let node = service::start_node(&data, TEST_PASSPHRASE, BlockPolicy::default())
        .await
        .unwrap();
    let (bound, address) = tokio::sync::oneshot::channel();
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    tokio::spawn(service::serve(node, listen, 0, move |address| {
        let _ = bound.send(address);
    }));
    let address = address.await.unwrap();
    url::Url::parse(&format!("http://{address}/")).unwrap()
}
