//! The verifier over HTTPS with no proxy: a certificate made by the test, the service started
//! in this process on a loopback port with `tls_certificate` and `tls_key` set, and a client
//! that trusts that certificate. What it publishes — the request URIs wallets follow — then
//! names `https` too.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sigil_service::serve::Listener;
use sigil_verifier::config::{DataDir, ServiceSettings};
use sigil_verifier::service::VerifierService;

const PASSPHRASE: &str = "in-process test passphrase";

/// A self-signed certificate for `localhost`, written to `dir` (the key readable by its owner
/// only); returns the certificate's PEM.
fn certificate(dir: &Path) -> String {
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    std::fs::write(dir.join("chain.pem"), generated.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), generated.key_pair.serialize_pem()).unwrap();
    sigil_service::files::private_file(&dir.join("key.pem")).unwrap();
    generated.cert.pem()
}

fn client_trusting(certificate_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(certificate_pem.as_bytes()).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_verifier_serves_https_and_publishes_https_request_uris() {
    let scratch = tempfile::tempdir().unwrap();
    let registry = sigil_tests::in_process::registry(scratch.path()).await;
    let data_dir = DataDir(scratch.path().join("verifier"));
    std::fs::create_dir_all(&data_dir.0).unwrap();
    let certificate_pem = certificate(&data_dir.0);

    // Relative paths: read from the data directory.
    let mut settings = ServiceSettings {
        listen: "127.0.0.1:0".into(),
        tls_certificate: Some("chain.pem".into()),
        tls_key: Some("key.pem".into()),
        ..ServiceSettings::default()
    };
    let tls = settings.tls_files(&data_dir.0).unwrap();
    let listener = Listener::bind(&settings.listen, tls.as_ref()).await.unwrap();
    let port = listener.local_addr().port();
    settings.listen = listener.local_addr().to_string();
    let service = VerifierService::open(
        &data_dir,
        Some(&registry.clone().into()),
        Some("Example Employer"),
        Some(settings),
        PASSPHRASE,
    )
    .await
    .unwrap();
    assert_eq!(service.public_url, format!("https://127.0.0.1:{port}"));
    let (ready, url) = tokio::sync::oneshot::channel();
    tokio::spawn(sigil_verifier::http::serve(
        Arc::new(service),
        listener,
        move |url| {
            ready.send(url.to_owned()).unwrap();
        },
    ));
    assert_eq!(url.await.unwrap(), format!("https://127.0.0.1:{port}"));

    let client = client_trusting(&certificate_pem);
    let home = client
        .get(format!("https://localhost:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200);

    let created = client
        .post(format!("https://localhost:{port}/api/requests"))
        .body("{\"policy\": \"diploma\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.unwrap();
    let request_uri = created["request_uri"].as_str().unwrap();
    let expected = format!("request_uri=https%3A%2F%2F127.0.0.1%3A{port}%2Frequests%2F");
    assert!(request_uri.contains(&expected), "{request_uri}");

    // The same port does not answer plain HTTP.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/"))
        .timeout(Duration::from_secs(30))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
}

#[tokio::test]
async fn half_a_tls_configuration_is_refused_by_name() {
    let settings = ServiceSettings {
        tls_certificate: Some("chain.pem".into()),
        ..ServiceSettings::default()
    };
    let error = settings.tls_files(Path::new("/data")).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("tls_certificate is set but tls_key is not"),
        "{error}"
    );
    assert_eq!(
        ServiceSettings::default().public_url(),
        "http://127.0.0.1:7402",
        "without TLS the default stays plain http on loopback"
    );
}
