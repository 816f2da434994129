//! Offline issuance: sign one credential of a known type with a key the caller hands over,
//! in any of Sigil's three formats, without a server or a registry.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sigil_core::did::document::Relationship;
use sigil_core::did::{Did, DidResolver, ResolutionOptions, StandardResolver};
use sigil_core::issue::{CredentialFormat, CredentialRequest, IssueError};
use sigil_core::key::{PublicKey, SigningKey};
use sigil_core::keystore::{self, KeystoreError};
use sigil_core::model::CredentialType;
use sigil_core::time::Timestamp;

/// Why `sigil-issuer issue` could not issue.
#[derive(Debug, thiserror::Error)]
pub enum OfflineIssueError {
    /// The key file is unusable.
    #[error("key file: {0}")]
    Key(#[from] KeystoreError),
    /// The claims file is unreadable or not a JSON object.
    #[error("claims file {path}: {reason}")]
    Claims { path: String, reason: String },
    /// The credential type is not one Sigil knows.
    #[error("unknown credential type {0:?}; known types: {1}")]
    UnknownType(String, String),
    /// The subject is not a DID.
    #[error("subject: {0}")]
    Subject(String),
    /// Issuing failed.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// The institution's data directory is unusable.
    #[error("{0}")]
    Institution(String),
}

/// Who signs: a plain JWK file (the issuer is its `did:key`), or an institution set up with
/// `sigil-issuer init` (its `did:sigil` and signing key, unlocked with the passphrase).
#[derive(Debug, Clone)]
pub enum Signer {
    PlainJwk(PathBuf),
    Institution { data_dir: PathBuf, passphrase: String },
}

/// What `sigil-issuer issue` was asked to do.
#[derive(Debug, Clone)]
pub struct OfflineIssue {
    pub signer: Signer,
    pub credential_type: String,
    pub subject: String,
    pub claims_file: PathBuf,
    pub format: CredentialFormat,
    pub valid_until: Option<Timestamp>,
}

/// Issues the credential and returns it as it would be sent: JSON, a JWS, or an SD-JWT.
pub async fn issue(request: &OfflineIssue, now: Timestamp) -> Result<String, OfflineIssueError> {
    let (issuer, key, method) = match &request.signer {
        Signer::PlainJwk(path) => {
            let key = keystore::read_plain_jwk(path)?;
            (key.did_key(), key.clone(), key.did_key_method())
        }
        Signer::Institution { data_dir, passphrase } => crate::institution::Institution {
            data_dir: data_dir.clone(),
        }
        .signer(passphrase)
        .map_err(|e| OfflineIssueError::Institution(format!("{e:#}")))?,
    };
    let credential_type = CredentialType::find_builtin(&request.credential_type).ok_or_else(|| {
        let known: Vec<String> = CredentialType::builtin().into_iter().map(|t| t.name).collect();
        OfflineIssueError::UnknownType(request.credential_type.clone(), known.join(", "))
    })?;
    let subject = Did::parse(&request.subject).map_err(|e| OfflineIssueError::Subject(e.to_string()))?;
    let claims = read_claims(&request.claims_file)?;
    let holder_key = match request.format {
        CredentialFormat::SdJwt => Some(holder_key(&subject).await?),
        _ => None,
    };
    let credential = CredentialRequest {
        credential_type,
        issuer,
        subject: Some(subject),
        claims,
        valid_from: now,
        valid_until: request.valid_until,
        status: None,
        schema: None,
        holder_key,
    };
    Ok(credential.issue(request.format, &key, &method, now).await?)
}

/// The subject's authentication key, which an SD-JWT VC is bound to (`cnf`).
async fn holder_key(subject: &Did) -> Result<PublicKey, OfflineIssueError> {
    let resolution = StandardResolver::offline()
        .resolve(subject, &ResolutionOptions::latest())
        .await
        .map_err(|e| OfflineIssueError::Subject(format!("cannot find the holder key of {subject}: {e}")))?;
    let document = resolution.document;
    document
        .authentication
        .iter()
        .find_map(|reference| {
            let id = match reference {
                sigil_core::did::document::MethodReference::Reference(id) => id.clone(),
                sigil_core::did::document::MethodReference::Embedded(method) => method.id.clone(),
            };
            document
                .method_for(&id, Relationship::Authentication)?
                .public_key()
                .ok()
        })
        .ok_or_else(|| OfflineIssueError::Subject(format!("{subject} has no usable authentication key")))
}

fn read_claims(path: &Path) -> Result<Map<String, Value>, OfflineIssueError> {
    let fail = |reason: String| OfflineIssueError::Claims {
        path: path.display().to_string(),
        reason,
    };
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin()).map_err(|e| fail(e.to_string()))?
    } else {
        std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?
    };
    sigil_core::json::parse_object(&text).map_err(|e| fail(e.to_string()))
}

/// Generates an Ed25519 key and writes it as a plain private JWK file (owner-only
/// permissions), for `--key`. Returns the key so the caller can print its DID.
pub fn generate_plain_jwk(path: &Path) -> Result<SigningKey, std::io::Error> {
    use std::io::Write as _;
    let key = SigningKey::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let jwk = serde_json::to_string_pretty(&key.to_private_jwk()).map_err(std::io::Error::other)?;
    file.write_all(jwk.as_bytes())?;
    file.write_all(b"\n")?;
    Ok(key)
}
