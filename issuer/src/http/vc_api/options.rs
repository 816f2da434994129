//! The `options` of `POST /credentials/issue`, read and checked before anything is reserved
//! or signed. An option this issuer does not know is refused rather than ignored: a caller
//! who asked for something must not receive a credential that silently lacks it.
//!
//! - `cryptosuite`: `eddsa-rdfc-2022` (default) or `eddsa-jcs-2022`, for Data Integrity.
//! - `format`: `ldp_vc` (default, a Data Integrity credential) or `vc+jwt` (an
//!   `EnvelopedVerifiableCredential` whose `id` is `data:application/vc+jwt,<jwt>`). The VC
//!   API returns other media types in such an envelope; which one is the caller's choice, so
//!   it is an option of the request, named as Sigil's other APIs name formats.
//! - `credentialStatus`: an object or a list of objects `{type, statusPurpose}` asking for
//!   status entries. This issuer allocates `BitstringStatusListEntry` entries for the
//!   purposes it keeps lists for (revocation, suspension); `statusPurpose` left out means
//!   both. Without the option a credential gets both entries.

use serde_json::{Map, Value};
use sigil_core::data_integrity::Cryptosuite;
use sigil_core::format::CredentialFormat;

use crate::status::PURPOSES;

/// The only status entry type this issuer allocates.
pub const STATUS_ENTRY_TYPE: &str = "BitstringStatusListEntry";

const KNOWN: &[&str] = &["cryptosuite", "format", "credentialStatus"];

/// The checked options of one issue request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueOptions {
    /// How the credential is secured: `LdpVc` or `VcJwt`.
    pub format: CredentialFormat,
    /// The Data Integrity cryptosuite (for `LdpVc`).
    pub cryptosuite: Cryptosuite,
    /// The status purposes `options.credentialStatus` asked for, in [`PURPOSES`] order;
    /// `None` when the option was left out.
    pub requested_status: Option<Vec<&'static str>>,
}

impl IssueOptions {
    /// The purposes to give a VCDM 2.0 credential an entry for: those asked for, else all.
    pub fn status_purposes(&self) -> &[&'static str] {
        self.requested_status.as_deref().unwrap_or(&PURPOSES)
    }
}

/// Reads `options` (absent or `null`: the defaults). The error is a sentence for the caller.
pub fn read(options: Option<&Value>) -> Result<IssueOptions, String> {
    let empty = Map::new();
    let options = match options {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(options)) => options,
        Some(_) => return Err("`options` must be a JSON object".into()),
    };
    if let Some(unknown) = options.keys().find(|key| !KNOWN.contains(&key.as_str())) {
        return Err(format!(
            "this issuer does not offer the option {unknown:?}; it takes {}",
            KNOWN.join(", ")
        ));
    }
    let format = match options.get("format") {
        None => CredentialFormat::LdpVc,
        Some(Value::String(name)) => match CredentialFormat::parse(name) {
            Some(format @ (CredentialFormat::LdpVc | CredentialFormat::VcJwt)) => format,
            _ => {
                return Err(format!(
                    "options.format {name:?} is not offered here; use ldp_vc (Data Integrity) or vc+jwt (an enveloped VC-JOSE credential)"
                ));
            }
        },
        Some(_) => return Err("options.format must be a string".into()),
    };
    let cryptosuite = match options.get("cryptosuite") {
        None => Cryptosuite::EddsaRdfc2022,
        Some(_) if format != CredentialFormat::LdpVc => {
            return Err(
                "options.cryptosuite applies to Data Integrity (ldp_vc) only; a vc+jwt is signed with EdDSA"
                    .into(),
            );
        }
        Some(Value::String(name)) if name == "eddsa-rdfc-2022" => Cryptosuite::EddsaRdfc2022,
        Some(Value::String(name)) if name == "eddsa-jcs-2022" => Cryptosuite::EddsaJcs2022,
        Some(other) => {
            return Err(format!(
                "cryptosuite {other} is not offered; use eddsa-rdfc-2022 or eddsa-jcs-2022"
            ));
        }
    };
    let requested_status = options.get("credentialStatus").map(status_purposes).transpose()?;
    Ok(IssueOptions {
        format,
        cryptosuite,
        requested_status,
    })
}

/// The purposes `options.credentialStatus` asks for.
fn status_purposes(requested: &Value) -> Result<Vec<&'static str>, String> {
    let requests: Vec<&Value> = match requested {
        Value::Array(list) if !list.is_empty() => list.iter().collect(),
        Value::Object(_) => vec![requested],
        _ => {
            return Err(
                "options.credentialStatus must be an object {type, statusPurpose} or a non-empty list of them".into(),
            );
        }
    };
    let mut wanted = Vec::new();
    for request in requests {
        let request = request
            .as_object()
            .ok_or("options.credentialStatus must be an object {type, statusPurpose} or a list of them")?;
        match request.get("type").and_then(Value::as_str) {
            Some(STATUS_ENTRY_TYPE) => {}
            Some(other) => {
                return Err(format!(
                    "this issuer allocates {STATUS_ENTRY_TYPE} entries only, not {other:?}"
                ));
            }
            None => return Err("options.credentialStatus needs a `type`".into()),
        }
        if let Some(unknown) = request
            .keys()
            .find(|key| !matches!(key.as_str(), "type" | "statusPurpose"))
        {
            return Err(format!(
                "options.credentialStatus takes type and statusPurpose; the issuer chooses {unknown:?} itself"
            ));
        }
        match request.get("statusPurpose") {
            None => wanted.extend(PURPOSES),
            Some(Value::String(purpose)) => {
                let purpose = PURPOSES.iter().find(|known| *known == purpose).ok_or_else(|| {
                    format!(
                        "this issuer keeps {} lists only; it cannot serve the status purpose {purpose:?}",
                        PURPOSES.join(" and ")
                    )
                })?;
                wanted.push(*purpose);
            }
            Some(_) => return Err("options.credentialStatus.statusPurpose must be a string".into()),
        }
    }
    Ok(PURPOSES
        .iter()
        .copied()
        .filter(|purpose| wanted.contains(purpose))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::*;
    use serde_json::json;

    #[test]
    fn without_options_a_data_integrity_credential_with_both_status_entries() {
        let options = read(None).unwrap();
        assert_eq!(options.format, CredentialFormat::LdpVc);
        assert_eq!(options.cryptosuite, Cryptosuite::EddsaRdfc2022);
        assert_eq!(options.requested_status, None);
        assert_eq!(options.status_purposes(), ["revocation", "suspension"]);
    }

    #[test]
    fn credential_status_asks_for_the_purposes_named() {
        let one =
            json!({"credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"}});
        assert_eq!(read(Some(&one)).unwrap().status_purposes(), ["suspension"]);
        let both = json!({"credentialStatus": [
            {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"},
            {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
        ]});
        assert_eq!(
            read(Some(&both)).unwrap().status_purposes(),
            ["revocation", "suspension"]
        );
        let unnamed = json!({"credentialStatus": {"type": "BitstringStatusListEntry"}});
        assert_eq!(
            read(Some(&unnamed)).unwrap().requested_status,
            Some(vec!["revocation", "suspension"])
        );
    }

    #[test]
    fn a_status_type_or_purpose_the_issuer_cannot_serve_is_refused() {
        for (request, named) in [
            (json!({"type": "StatusList2021Entry"}), "StatusList2021Entry"),
            (
                json!({"type": "BitstringStatusListEntry", "statusPurpose": "message"}),
                "message",
            ),
            (json!({"statusPurpose": "revocation"}), "type"),
            (
                json!({"type": "BitstringStatusListEntry", "statusListIndex": "7"}),
                "statusListIndex",
            ),
            (json!([]), "credentialStatus"),
        ] {
            let error = read(Some(&json!({"credentialStatus": request}))).unwrap_err();
            assert!(error.contains(named), "{request}: {error}");
        }
    }

    #[test]
    fn format_and_cryptosuite_are_checked_together() {
        let jwt = read(Some(&json!({"format": "vc+jwt"}))).unwrap();
        assert_eq!(jwt.format, CredentialFormat::VcJwt);
        assert!(
            read(Some(
                &json!({"format": "vc+jwt", "cryptosuite": "eddsa-jcs-2022"})
            ))
            .is_err()
        );
        assert!(read(Some(&json!({"format": "dc+sd-jwt"}))).is_err());
        assert!(read(Some(&json!({"cryptosuite": "bbs-2023"}))).is_err());
        let jcs = read(Some(&json!({"cryptosuite": "eddsa-jcs-2022"}))).unwrap();
        assert_eq!(jcs.cryptosuite, Cryptosuite::EddsaJcs2022);
    }

    #[test]
    fn an_unknown_option_is_refused_not_ignored() {
        let error = read(Some(&json!({"mandatoryPointers": ["/issuer"]}))).unwrap_err();
        assert!(error.contains("mandatoryPointers"), "{error}");
        assert!(read(Some(&json!("fast"))).is_err());
    }
}
