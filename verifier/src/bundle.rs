//! The offline bundle as the command line uses it (docs/offline-bundle.md): which registry
//! records a set of issuers, status lists and diplomas need (`bundle export`), writing and
//! reading the file, and the line that tells a reader which chain and block the facts come
//! from and how old they are (`verify --bundle`).

use std::path::Path;

use serde_json::Value;
use sigil_core::did::Did;
use sigil_core::registry::bundle::{Bundle, BundleSummary};
use sigil_core::state::records::RecordName;
use sigil_core::time::{Timestamp, format_datetime};
use sigil_core::transaction::accreditation::AccreditedRole;
use sigil_core::verify::{IssuedForm, credential_hash};

/// The largest bundle file read: far more than thousands of issuers' records.
pub const MAX_BUNDLE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a bundle could not be made, written or read.
#[derive(Debug, thiserror::Error)]
pub enum BundleFileError {
    /// A credential given to export from names no issuer that can be read.
    #[error("{0}")]
    Credential(String),
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a bundle.
    #[error("{path} is not a registry bundle: {reason}")]
    Unreadable { path: String, reason: String },
}

/// The records an issuer's credentials are checked against: its `did:sigil` document and key
/// history (for a `did:sigil` issuer) and its issuer accreditations.
pub fn issuer_records(issuer: &Did) -> Vec<RecordName> {
    let mut names = Vec::new();
    if issuer.method() == "sigil" {
        names.push(RecordName::Did(issuer.to_string()));
    }
    names.push(RecordName::Accreditations {
        role: AccreditedRole::Issuer,
        did: issuer.to_string(),
    });
    names
}

/// The records verifying `text` (a Data Integrity credential, a vc+jwt or an SD-JWT VC) needs:
/// its issuer's ([`issuer_records`]), the status lists its `credentialStatus` names, and the
/// anchor record of its hash.
pub fn credential_records(text: &str) -> Result<Vec<RecordName>, BundleFileError> {
    let text = text.trim();
    let (credential, issued) = if text.starts_with('{') {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| BundleFileError::Credential(format!("not a JSON credential: {e}")))?;
        let hash = credential_hash(&IssuedForm::Json(&value)).ok();
        (value, hash)
    } else {
        let jws = text.split('~').next().unwrap_or(text);
        let decoded = sigil_core::jose::decode_unverified(jws)
            .map_err(|e| BundleFileError::Credential(format!("neither JSON nor a readable JWT: {e}")))?;
        let form = if text.contains('~') {
            IssuedForm::SdJwt(text)
        } else {
            IssuedForm::Jws(text)
        };
        let hash = credential_hash(&form).ok();
        // A VCDM 1.1 JWT carries the credential in its `vc` claim.
        let payload = match decoded.payload.get("vc") {
            Some(vc @ Value::Object(_)) => vc.clone(),
            _ => decoded.payload,
        };
        (payload, hash)
    };
    let issuer = credential
        .get("issuer")
        .and_then(|issuer| {
            issuer
                .as_str()
                .or_else(|| issuer.get("id").and_then(Value::as_str))
        })
        .or_else(|| credential.get("iss").and_then(Value::as_str))
        .ok_or_else(|| BundleFileError::Credential("the credential names no issuer".into()))?;
    let issuer = Did::parse(issuer)
        .map_err(|e| BundleFileError::Credential(format!("the credential's issuer {issuer:?}: {e}")))?;
    let mut names = issuer_records(&issuer);
    let entries = match credential.get("credentialStatus") {
        Some(Value::Array(entries)) => entries.clone(),
        Some(entry) => vec![entry.clone()],
        None => Vec::new(),
    };
    names.extend(
        entries
            .iter()
            .filter_map(|entry| entry.get("statusListCredential").and_then(Value::as_str))
            .map(|url| RecordName::StatusList(url.to_owned())),
    );
    names.extend(issued.map(RecordName::Anchored));
    Ok(names)
}

/// Writes `bundle` to `path` whole or not at all: into a temporary file beside it, then
/// renamed over it.
pub fn write(path: &Path, bundle: &Bundle) -> Result<(), BundleFileError> {
    let io = |source| BundleFileError::Io {
        path: path.display().to_string(),
        source,
    };
    let text = serde_json::to_string_pretty(bundle).map_err(|e| io(std::io::Error::other(e)))?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temporary, text + "\n").and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(io)
}

/// Reads the bundle at `path` (unchecked: see [`Bundle::check`]).
pub fn read(path: &Path) -> Result<Bundle, BundleFileError> {
    use std::io::Read as _;
    let shown = path.display().to_string();
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_BUNDLE_BYTES + 1).read_to_string(&mut text))
        .map_err(|source| BundleFileError::Io {
            path: shown.clone(),
            source,
        })?;
    if text.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(BundleFileError::Unreadable {
            path: shown,
            reason: format!("larger than the {MAX_BUNDLE_BYTES}-byte limit"),
        });
    }
    serde_json::from_str(&text).map_err(|e| BundleFileError::Unreadable {
        path: shown,
        reason: e.to_string(),
    })
}

/// The line a verification from a bundle starts with: "registry facts from a bundle of chain
/// sigil-…: block 12 of 2026-12-01T10:00:00Z, 3 days old".
pub fn describe(summary: &BundleSummary, now: Timestamp) -> String {
    format!(
        "registry facts from a bundle of chain {}: block {} of {}, {}",
        summary.chain_id,
        summary.height,
        format_datetime(summary.header_time),
        age_in_words(summary.age(now)),
    )
}

/// An age in the largest unit that keeps it readable: "40 seconds old", "3 days old".
pub fn age_in_words(age: chrono::TimeDelta) -> String {
    let seconds = age.num_seconds();
    if seconds < 0 {
        return format!(
            "dated {} ahead of this computer's clock",
            amount(seconds.unsigned_abs())
        );
    }
    format!("{} old", amount(seconds.unsigned_abs()))
}

fn amount(seconds: u64) -> String {
    let (count, unit) = match seconds {
        0..120 => (seconds, "second"),
        120..7_200 => (seconds / 60, "minute"),
        7_200..172_800 => (seconds / 3_600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn an_age_is_said_in_the_unit_a_reader_would_use() {
        let said = |seconds| age_in_words(chrono::TimeDelta::seconds(seconds));
        assert_eq!(said(1), "1 second old");
        assert_eq!(said(90), "90 seconds old");
        assert_eq!(said(3 * 60), "3 minutes old");
        assert_eq!(said(5 * 3_600), "5 hours old");
        assert_eq!(said(3 * 86_400 + 5), "3 days old");
        assert_eq!(said(-30), "dated 30 seconds ahead of this computer's clock");
    }

    #[test]
    fn a_credential_names_its_issuer_its_status_lists_and_its_anchor() {
        let credential = serde_json::json!({
            "issuer": {"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
            "credentialStatus": [
                {"statusListCredential": "https://registry.example/lists/1"},
                {"statusListCredential": "https://registry.example/lists/2"}
            ],
            "proof": {}
        });
        let names: Vec<String> = credential_records(&credential.to_string())
            .unwrap()
            .iter()
            .map(RecordName::text)
            .collect();
        assert_eq!(
            names[..3],
            [
                "accreditations/issuer/did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK".to_owned(),
                "status-list/https://registry.example/lists/1".to_owned(),
                "status-list/https://registry.example/lists/2".to_owned(),
            ]
        );
        assert!(names[3].starts_with("anchored/"), "{names:?}");
        assert!(credential_records("{\"credentialStatus\": []}").is_err());
    }
}
