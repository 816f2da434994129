//! Certificates for the TLS tests: a fresh self-signed one per test, so that a test trusting
//! one certificate can show another is refused.

#![allow(clippy::unwrap_used, reason = "a test helper fails the test by panicking")]

use std::path::Path;

/// A self-signed certificate and its private key, both PEM.
#[derive(Debug)]
pub struct TestCertificate {
    pub certificate_pem: String,
    pub key_pem: String,
}

impl TestCertificate {
    /// A new key pair and a certificate for `localhost` and `127.0.0.1`.
    pub fn for_localhost() -> TestCertificate {
        let generated =
            rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        TestCertificate {
            certificate_pem: generated.cert.pem(),
            key_pem: generated.key_pair.serialize_pem(),
        }
    }
}

/// Writes `contents` to `path`, readable by its owner only, as a private key must be.
pub fn write_private(path: &Path, contents: &str) {
    std::fs::write(path, contents).unwrap();
    crate::files::private_file(path).unwrap();
}
