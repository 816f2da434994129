//! The status check (W3C Bitstring Status List v1.0 §3.2, "Validate Algorithm", and its
//! predecessor StatusList2021, which VCDM 1.1 issuers still use): fetch the
//! issuer-signed status list credential — from the registry for a `did:sigil` issuer, from
//! the registry or at its own URL for any other (see [`super::sources::StatusListsByIssuer`])
//! — verify it like any credential (same issuer, signature, key history, validity), then
//! read the entry's value with [`status_list::validate`]. Entries of more than one bit carry
//! a `statusMessage` for each value; the report quotes the one that applies, and the entry's
//! `statusReference`.

use std::sync::Arc;

use serde_json::Value;

use super::report::{Check, check_id};
use super::status_memo::{self, VerifiedStatusLists};
use super::{Expectations, Role, VerificationError, Verifier};
use crate::did::Did;
use crate::model::StatusEntry;
use crate::model::status_list::{self, EntryStatus, ListKind, StatusList};

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
        let Some(kind) = ListKind::of_entry(&entry.type_) else {
            return Err(VerificationError::Unsupported(format!(
                "status entry type {:?}; Sigil reads {}",
                entry.type_,
                ListKind::ENTRY_TYPES
            )));
        };
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
        if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
            // Refused before anything is fetched for it.
            return Ok(Check::failed(
                id,
                format!(
                    "The status index {:?} is not a non-negative decimal number.",
                    index.chars().take(40).collect::<String>()
                ),
            ));
        }
        let Some(source) = self.status else {
            return Err(VerificationError::CouldNotCheck {
                check: id,
                reason: format!("no status list source is configured to read {url} (pass --registry)"),
            });
        };
        let text = match source.status_list_of(issuer, url).await {
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
        let list = match self.verified_status_list_once(issuer, url, &text).await? {
            Ok(list) => list,
            Err(reason) => return Ok(Check::failed(id, reason)),
        };
        if list.kind != kind {
            // A list of the other specification may encode its bits differently; reading it
            // would be a guess.
            return Ok(Check::failed(
                id,
                format!(
                    "The status list {url} is a {:?} list, but the entry is a {}.",
                    list.kind, entry.type_
                ),
            ));
        }
        let status = match status_list::validate(entry, &list) {
            Ok(status) => status,
            Err(e) => return Ok(Check::failed(id, format!("The status list {url}: {e}."))),
        };
        let place = place(url, index, &status, entry);
        Ok(match (purpose, status.value) {
            ("revocation", 0) => Check::passed(id, format!("Not revoked ({place}).")),
            ("revocation", _) => Check::failed(id, format!("Revoked by the issuer ({place}).")),
            ("suspension", 0) => Check::passed(id, format!("Not suspended ({place}).")),
            ("suspension", _) => Check::failed(id, format!("Suspended by the issuer ({place}).")),
            (other, _) => Check::not_applicable(id, format!("Status {other:?} is informational ({place}).")),
        })
    }

    /// [`Self::verified_status_list`], or its outcome from earlier in this second when the
    /// verifier keeps them ([`super::status_memo`]).
    async fn verified_status_list_once(
        &self,
        issuer: &Did,
        url: &str,
        text: &str,
    ) -> Result<status_memo::Outcome, VerificationError> {
        let Some(memo) = self.status_lists_seen else {
            return Ok(self.verified_status_list(issuer, url, text).await?.map(Arc::new));
        };
        let key = VerifiedStatusLists::key(issuer.as_str(), url, text);
        if let Some(outcome) = memo.get(&key, self.now) {
            return Ok(outcome);
        }
        let outcome = self.verified_status_list(issuer, url, text).await?.map(Arc::new);
        memo.keep(key, self.now, &outcome);
        Ok(outcome)
    }

    /// Verifies a status list credential and decodes it; `Err` holds a sentence for the report.
    async fn verified_status_list(
        &self,
        issuer: &Did,
        url: &str,
        text: &str,
    ) -> Result<Result<StatusList, String>, VerificationError> {
        let text = text.trim();
        // A status list's outcome is kept (`status_lists_seen`), so its signature is checked
        // now, never set aside for a presentation's batch.
        let this = &Verifier {
            deferred_signatures: None,
            ..*self
        };
        let (report, payload) = if text.starts_with('{') {
            let value = match crate::json::parse(text) {
                Ok(value) => value,
                Err(e) => return Ok(Err(format!("The status list {url} is unreadable: {e}."))),
            };
            let report =
                Box::pin(this.verify_di_credential(&value, &Expectations::default(), Role::StatusList)).await;
            (report, value)
        } else {
            let payload = match crate::jose::decode_unverified(text) {
                Ok(jws) => jws.payload,
                Err(e) => return Ok(Err(format!("The status list {url} is unreadable: {e}."))),
            };
            let report = Box::pin(this.verify_jws(text, &Expectations::default(), Role::StatusList)).await;
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
        // A VC-JWT 1.1 list carries its credential under `vc`; a `vc+jwt` one is the payload.
        let credential = match payload.get("vc") {
            Some(inner @ Value::Object(_)) => inner,
            _ => &payload,
        };
        Ok(StatusList::from_credential(credential)
            .map_err(|reason| format!("The status list {url} is malformed: {reason}.")))
    }
}

/// Where the value was read and what it means: the list, the entry, and — for entries with
/// messages — the value, its message and the entry's references.
fn place(url: &str, index: &str, status: &EntryStatus, entry: &StatusEntry) -> String {
    let mut text = format!("list {url}, entry {index}");
    if let Some(message) = &status.message {
        text.push_str(&format!(", status {:#x}: {message:?}", status.value));
    }
    let references: Vec<&str> = entry
        .status_reference
        .iter()
        .flat_map(|references| references.iter().map(String::as_str))
        .collect();
    if !references.is_empty() {
        text.push_str(&format!("; see {}", references.join(", ")));
    }
    text
}
