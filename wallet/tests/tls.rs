//! The wallet's UI over HTTPS: `sigil-wallet serve` with `tls_certificate` and `tls_key` set,
//! started in this process on a loopback port, and a browser-like client trusting the test's
//! certificate. The UI's own checks (the `Host` it answers to) hold over TLS as over HTTP.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::time::Duration;

use sigil_core::keystore::KdfParams;
use sigil_wallet::config::ServiceSettings;
use sigil_wallet::holder::{self, DidMethod, WalletDir};

const PASSPHRASE: &str = "in-process test passphrase";

#[tokio::test]
async fn the_ui_is_served_over_https_on_loopback() {
    let scratch = tempfile::tempdir().unwrap();
    let wallet = WalletDir(scratch.path().join("wallet"));
    holder::init(&wallet, None, DidMethod::Key, PASSPHRASE, KdfParams::default())
        .await
        .unwrap();
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    std::fs::write(wallet.0.join("ui.pem"), generated.cert.pem()).unwrap();
    std::fs::write(wallet.0.join("ui-key.pem"), generated.key_pair.serialize_pem()).unwrap();
    sigil_service::files::private_file(&wallet.0.join("ui-key.pem")).unwrap();

    let settings = ServiceSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls_certificate: Some("ui.pem".into()),
        tls_key: Some("ui-key.pem".into()),
        ..ServiceSettings::default()
    };
    let (ready, url) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        sigil_wallet::ui::serve(wallet, &settings, move |url| {
            ready.send(url.to_owned()).unwrap();
        })
        .await
    });
    let url = url.await.unwrap();
    let port = url.strip_prefix("https://127.0.0.1:").unwrap();

    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(generated.cert.pem().as_bytes()).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let page = client
        .get(format!("https://localhost:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<form"), "the unlock page");

    // A name other than the UI's own is still refused (DNS rebinding), over TLS too.
    let elsewhere = client
        .get(format!("https://localhost:{port}/"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 421);
}
