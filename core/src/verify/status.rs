//! The status check (W3C Bitstring Status List v1.0 §3.3): fetch the issuer-signed status
//! list credential, verify it like any credential (same issuer, signature, key history,
//! validity), then read the entry's bits.

use serde_json::Value;

use super::report::{Check, check_id};
use super::{Expectations, Role, VerificationError, Verifier};
use crate::did::Did;
use crate::model::StatusEntry;
use crate::model::status_list::Bitstring;

/// The only status entry type Sigil reads.
const BITSTRING_ENTRY: &str = "BitstringStatusListEntry";

impl Verifier<'_> {
    /// One `status` check per entry.
    pub(crate) async fn status_checks(
        &self,
        issuer: &Did,
        entries: &[StatusEntry],
    ) -> Result<Vec<Check>, VerificationError> {
        if entries.is_empty() {
            return Ok(vec![Check::not_applicable(
                check_id::STATUS,
                "The credential has no status entry.",
            )]);
        }
        let mut checks = Vec::with_capacity(entries.len());
        for entry in entries {
            checks.push(self.role(issuer, entry).await?);
        }
        Ok(checks)
    }

    async fn role(&self, issuer: &Did, entry: &StatusEntry) -> Result<Check, VerificationError> {
        let id = check_id::STATUS;
        if entry.type_ != BITSTRING_ENTRY {
            return Err(VerificationError::Unsupported(format!(
                "status entry type {:?}; Sigil reads {BITSTRING_ENTRY}",
                entry.type_
            )));
        }
        let (Some(purpose), Some(index), Some(url)) = (
            entry.status_purpose.as_deref(),
            entry.status_list_index.as_deref(),
            entry.status_list_credential.as_deref(),
        ) else {
            return Ok(Check::failed(
                id,
                "The status entry lacks statusPurpose, statusListIndex or statusListCredential.",
            ));
        };
        let Ok(index) = index.parse::<u64>() else {
            return Ok(Check::failed(
                id,
                format!("The status index {index:?} is not a number."),
            ));
        };
        let Some(source) = self.status else {
            return Err(VerificationError::CouldNotCheck {
                check: id,
                reason: format!("no status list source is configured to read {url} (pass --registry)"),
            });
        };
        let text = match source.status_list(url).await {
            Ok(Some(text)) => text,
            Ok(None) => {
                return Ok(Check::failed(
                    id,
                    format!("The status list {url} does not exist."),
                ));
            }
            Err(e) => {
                return Err(VerificationError::CouldNotCheck {
                    check: id,
                    reason: e.0,
                });
            }
        };
        let list = match self.verified_status_list(issuer, url, &text).await? {
            Ok(list) => list,
            Err(reason) => return Ok(Check::failed(id, reason)),
        };
        if !list.purposes.iter().any(|p| p == purpose) {
            return Ok(Check::failed(
                id,
                format!("The status list {url} is not a {purpose} list."),
            ));
        }
        let value = match list.bits.get(index, entry.status_size.unwrap_or(1)) {
            Ok(value) => value,
            Err(e) => return Ok(Check::failed(id, format!("{url}: {e}."))),
        };
        Ok(match (purpose, value) {
            ("revocation", 0) => Check::passed(id, format!("Not revoked (list {url}, entry {index}).")),
            ("revocation", _) => {
                Check::failed(id, format!("Revoked by the issuer (list {url}, entry {index})."))
            }
            ("suspension", 0) => Check::passed(id, format!("Not suspended (list {url}, entry {index}).")),
            ("suspension", _) => Check::failed(
                id,
                format!("Suspended by the issuer (list {url}, entry {index})."),
            ),
            (other, value) => Check::not_applicable(
                id,
                format!(
                    "Status {other:?} is informational; its value is {value} (list {url}, entry {index})."
                ),
            ),
        })
    }

    /// Verifies a status list credential and decodes it; `Err` holds a sentence for the report.
    async fn verified_status_list(
        &self,
        issuer: &Did,
        url: &str,
        text: &str,
    ) -> Result<Result<StatusList, String>, VerificationError> {
        let text = text.trim();
        let (report, payload) = if text.starts_with('{') {
            let value = match crate::json::parse(text) {
                Ok(value) => value,
                Err(e) => return Ok(Err(format!("The status list {url} is unreadable: {e}."))),
            };
            let report =
                Box::pin(self.verify_di_credential(&value, &Expectations::default(), Role::StatusList)).await;
            (report, value)
        } else {
            let payload = match crate::jose::decode_unverified(text) {
                Ok(jws) => jws.payload,
                Err(e) => return Ok(Err(format!("The status list {url} is unreadable: {e}."))),
            };
            let report = Box::pin(self.verify_jws(text, &Expectations::default(), Role::StatusList)).await;
            (report, payload)
        };
        let report = match report {
            Ok(report) => report,
            Err(VerificationError::Input(e)) => {
                return Ok(Err(format!("The status list {url} is unusable: {e}.")));
            }
            Err(e) => return Err(e),
        };
        if !report.valid {
            let reasons: Vec<String> = report.failures().iter().map(|(_, c)| c.message.clone()).collect();
            return Ok(Err(format!(
                "The status list {url} does not verify: {}",
                reasons.join(" ")
            )));
        }
        if report.issuer.as_deref() != Some(issuer.as_str()) {
            return Ok(Err(format!(
                "The status list {url} was issued by {}, not by the credential's issuer {issuer}.",
                report.issuer.unwrap_or_default()
            )));
        }
        Ok(StatusList::read(&payload)
            .map_err(|reason| format!("The status list {url} is malformed: {reason}.")))
    }
}

/// The parts of a `BitstringStatusListCredential` the check reads.
struct StatusList {
    purposes: Vec<String>,
    bits: Bitstring,
}

impl StatusList {
    fn read(credential: &Value) -> Result<Self, String> {
        let subject = credential
            .get("credentialSubject")
            .ok_or("no credentialSubject")?;
        if subject.get("type").and_then(Value::as_str) != Some("BitstringStatusList") {
            return Err("credentialSubject is not a BitstringStatusList".into());
        }
        let purposes = match subject.get("statusPurpose") {
            Some(Value::String(p)) => vec![p.clone()],
            Some(Value::Array(ps)) => ps.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => return Err("no statusPurpose".into()),
        };
        let encoded = subject
            .get("encodedList")
            .and_then(Value::as_str)
            .ok_or("no encodedList")?;
        let bits = Bitstring::decode(encoded).map_err(|e| e.to_string())?;
        Ok(StatusList { purposes, bits })
    }
}
