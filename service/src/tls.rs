//! HTTPS without a proxy: the certificate chain and private key a service is given
//! (`tls_certificate` and `tls_key`, PEM files) become the rustls configuration
//! [`crate::serve`] accepts connections with.
//!
//! Everything that can be wrong with the files is found at start-up, and the error names the
//! file: missing or unreadable, not PEM, no certificate or no key in it, a key rustls cannot use,
//! a key that is not the certificate's, or a key other accounts on the machine may read (refused;
//! readable by the group is only warned about, as for a key shared with an `ssl-cert` group).
//!
//! What is offered is fixed rather than configurable: TLS 1.3 and 1.2 (rustls has nothing
//! older), rustls's default cipher suites, and HTTP/1.1 by ALPN, the only protocol the services
//! speak. The crypto provider is `ring`, always passed explicitly: both rustls providers are in
//! the dependency tree, so rustls has no process-wide default to fall back on.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::{CertifiedKey, SingleCertAndKey};

/// Largest certificate or key file read: a long chain is a few tens of KiB, and a path that
/// names something endless (`/dev/zero`) is refused instead of read.
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// The two settings that switch a service to HTTPS; both are given, or neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// `tls_certificate`: the PEM certificate chain, the server's own certificate first.
    pub certificate: PathBuf,
    /// `tls_key`: the PEM private key of that certificate (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Why a service cannot serve HTTPS with the files it was given.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Only one of the two settings is set.
    #[error("{given} is set but {missing} is not: HTTPS needs the certificate chain and its private key")]
    Incomplete {
        given: &'static str,
        missing: &'static str,
    },
    /// A file is missing or cannot be read.
    #[error("{path}: cannot read: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    /// A file is larger than [`MAX_PEM_BYTES`].
    #[error("{path}: larger than {MAX_PEM_BYTES} bytes, not a PEM certificate or key")]
    TooLarge { path: PathBuf },
    /// A file is not PEM, or holds nothing of the kind expected.
    #[error("{path}: {reason}")]
    NotPem { path: PathBuf, reason: String },
    /// The private key file may be read by other accounts on the machine.
    #[error(
        "{path}: the private key may be read by other accounts (mode {mode:03o}); make it readable by its owner only (chmod 600)"
    )]
    KeyExposed { path: PathBuf, mode: u32 },
    /// The key is not the private key of the chain's first certificate.
    #[error("{key} is not the private key of the certificate in {certificate}")]
    KeyMismatch { certificate: PathBuf, key: PathBuf },
    /// rustls refused the configuration for another reason.
    #[error("{certificate}, {key}: {reason}")]
    Refused {
        certificate: PathBuf,
        key: PathBuf,
        reason: String,
    },
}

impl TlsFiles {
    /// The files of the settings `tls_certificate` and `tls_key`: `None` (plain HTTP) when
    /// neither is set, an error naming the missing one when only one is. A relative path is
    /// read from the data directory `data_dir`, as the services' other files are.
    pub fn from_settings(
        data_dir: &Path,
        certificate: Option<&Path>,
        key: Option<&Path>,
    ) -> Result<Option<TlsFiles>, TlsError> {
        match (certificate, key) {
            (None, None) => Ok(None),
            (Some(certificate), Some(key)) => Ok(Some(TlsFiles {
                certificate: data_dir.join(certificate),
                key: data_dir.join(key),
            })),
            (Some(_), None) => Err(TlsError::Incomplete {
                given: "tls_certificate",
                missing: "tls_key",
            }),
            (None, Some(_)) => Err(TlsError::Incomplete {
                given: "tls_key",
                missing: "tls_certificate",
            }),
        }
    }

    /// Reads and checks both files and builds the server's TLS configuration.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let chain = read_chain(&self.certificate)?;
        let key = read_key(&self.key)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let signing_key = provider
            .key_provider
            .load_private_key(key)
            .map_err(|e| TlsError::NotPem {
                path: self.key.clone(),
                reason: format!("not a private key rustls can use: {e}"),
            })?;
        let certified = CertifiedKey::new(chain, signing_key);
        match certified.keys_match() {
            // A key whose public half rustls cannot derive is checked by the first handshake.
            Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
            Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
                return Err(TlsError::KeyMismatch {
                    certificate: self.certificate.clone(),
                    key: self.key.clone(),
                });
            }
            Err(e) => {
                return Err(TlsError::NotPem {
                    path: self.certificate.clone(),
                    reason: format!("not a certificate rustls can use: {e}"),
                });
            }
        }
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| self.refused(&e))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    fn refused(&self, error: &rustls::Error) -> TlsError {
        TlsError::Refused {
            certificate: self.certificate.clone(),
            key: self.key.clone(),
            reason: error.to_string(),
        }
    }
}

/// The certificates of the PEM file at `path`, in order; at least one.
fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read_bounded(path)?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::NotPem {
            path: path.to_owned(),
            reason: format!("not a PEM certificate chain: {e}"),
        })?;
    if chain.is_empty() {
        return Err(TlsError::NotPem {
            path: path.to_owned(),
            reason: "no certificate in it (expected PEM blocks \"BEGIN CERTIFICATE\")".into(),
        });
    }
    Ok(chain)
}

/// The first private key of the PEM file at `path`, once its permissions are checked.
fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    check_key_permissions(path)?;
    let pem = read_bounded(path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| TlsError::NotPem {
        path: path.to_owned(),
        reason: match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "no private key in it (expected a PEM block \"BEGIN PRIVATE KEY\", \"BEGIN RSA PRIVATE KEY\" or \"BEGIN EC PRIVATE KEY\")".into()
            }
            other => format!("not a PEM private key: {other}"),
        },
    })
}

/// The file at `path`, refused when larger than [`MAX_PEM_BYTES`].
fn read_bounded(path: &Path) -> Result<Vec<u8>, TlsError> {
    let unreadable = |source| TlsError::Unreadable {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        return Err(TlsError::TooLarge {
            path: path.to_owned(),
        });
    }
    Ok(bytes)
}

/// Refuses a key file other accounts may read or write; warns when its group may read it.
#[cfg(unix)]
fn check_key_permissions(path: &Path) -> Result<(), TlsError> {
    use std::os::unix::fs::PermissionsExt as _;
    let metadata = std::fs::metadata(path).map_err(|source| TlsError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o007 != 0 {
        return Err(TlsError::KeyExposed {
            path: path.to_owned(),
            mode,
        });
    }
    if mode & 0o070 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = format!("{mode:03o}"),
            "the TLS private key may be read by the file's group"
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_key_permissions(_path: &Path) -> Result<(), TlsError> {
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;
    use crate::test_certificates::{TestCertificate, write_private};

    fn files(dir: &Path, certificate: &TestCertificate, key: &TestCertificate) -> TlsFiles {
        let files = TlsFiles {
            certificate: dir.join("chain.pem"),
            key: dir.join("key.pem"),
        };
        std::fs::write(&files.certificate, &certificate.certificate_pem).unwrap();
        write_private(&files.key, &key.key_pem);
        files
    }

    #[test]
    fn both_settings_or_neither_and_relative_paths_are_in_the_data_directory() {
        let data_dir = Path::new("/var/lib/sigil");
        let path = Path::new("x.pem");
        assert_eq!(TlsFiles::from_settings(data_dir, None, None).unwrap(), None);
        let files = TlsFiles::from_settings(data_dir, Some(path), Some(Path::new("/etc/key.pem")))
            .unwrap()
            .unwrap();
        assert_eq!(
            files.certificate,
            Path::new("/var/lib/sigil/x.pem"),
            "relative: in the data directory"
        );
        assert_eq!(files.key, Path::new("/etc/key.pem"), "absolute: as given");
        let error = TlsFiles::from_settings(data_dir, Some(path), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "tls_certificate is set but tls_key is not: HTTPS needs the certificate chain and its private key"
        );
        let error = TlsFiles::from_settings(data_dir, None, Some(path)).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("tls_key is set but tls_certificate is not")
        );
    }

    #[test]
    fn a_certificate_and_its_key_make_an_http1_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let certificate = TestCertificate::for_localhost();
        let config = files(dir.path(), &certificate, &certificate)
            .server_config()
            .unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }

    #[test]
    fn a_key_of_another_certificate_is_refused_naming_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = files(
            dir.path(),
            &TestCertificate::for_localhost(),
            &TestCertificate::for_localhost(),
        );
        let error = files.server_config().unwrap_err();
        assert!(matches!(error, TlsError::KeyMismatch { .. }), "{error}");
        let message = error.to_string();
        assert!(
            message.contains("key.pem is not the private key of the certificate in"),
            "{message}"
        );
        assert!(message.contains("chain.pem"), "{message}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let certificate = TestCertificate::for_localhost();
        let mut files = files(dir.path(), &certificate, &certificate);
        files.certificate = dir.path().join("missing.pem");
        let error = files.server_config().unwrap_err();
        assert!(matches!(error, TlsError::Unreadable { .. }), "{error}");
        assert!(error.to_string().contains("missing.pem: cannot read"), "{error}");
    }

    #[test]
    fn files_that_are_not_pem_or_hold_the_wrong_thing_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let certificate = TestCertificate::for_localhost();
        let files = files(dir.path(), &certificate, &certificate);

        std::fs::write(&files.certificate, "just some text\n").unwrap();
        let error = files.server_config().unwrap_err();
        assert!(matches!(error, TlsError::NotPem { .. }), "{error}");
        assert!(
            error.to_string().contains("chain.pem: no certificate in it"),
            "{error}"
        );

        // The key where the certificate belongs, and the certificate where the key belongs.
        std::fs::write(&files.certificate, &certificate.key_pem).unwrap();
        let error = files.server_config().unwrap_err();
        assert!(
            error.to_string().contains("chain.pem: no certificate in it"),
            "{error}"
        );
        std::fs::write(&files.certificate, &certificate.certificate_pem).unwrap();
        write_private(&files.key, &certificate.certificate_pem);
        let error = files.server_config().unwrap_err();
        assert!(
            error.to_string().contains("key.pem: no private key in it"),
            "{error}"
        );

        let broken = "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n";
        write_private(&files.key, broken);
        let error = files.server_config().unwrap_err();
        assert!(
            error.to_string().contains("key.pem: not a PEM private key"),
            "{error}"
        );

        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        write_private(&files.key, garbage);
        let error = files.server_config().unwrap_err();
        assert!(
            error
                .to_string()
                .contains("key.pem: not a private key rustls can use"),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_key_other_accounts_may_read_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let certificate = TestCertificate::for_localhost();
        let files = files(dir.path(), &certificate, &certificate);
        std::fs::set_permissions(&files.key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = files.server_config().unwrap_err();
        assert!(
            matches!(error, TlsError::KeyExposed { mode: 0o644, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("(mode 644)"), "{error}");
        // Readable by the group only: served, with a warning.
        std::fs::set_permissions(&files.key, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(files.server_config().is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_file_is_refused_unread() {
        let error = read_bounded(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(error, TlsError::TooLarge { .. }), "{error}");
    }
}
