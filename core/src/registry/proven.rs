//! Reading the registry without trusting it (docs/registry-proofs.md): every record the
//! client uses comes with a final header and a Merkle proof, checked against the validators
//! of a genesis the client trusts — one whose hash it was given ([`RegistryClient::pinned`]),
//! one it was handed whole ([`RegistryClient::with_trust`]), or, when neither, the genesis the
//! registry serves the first time it is asked, kept for the life of the client.
//!
//! The client also remembers the final headers it has seen: an answer proven against a
//! header older than one already seen is refused (a node cannot roll the client back to hide
//! a revocation or a compromise), and two different final headers at one height are kept as
//! [`Equivocation`] evidence — every validator that signed both is named — and refused.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::RegistryClient;
use crate::state::commit::{ChainTrust, Commit, GovernanceStep, ProofError, Proven};
use crate::state::evidence::{Equivocation, SignedHeader};
use crate::state::genesis::Genesis;
use crate::state::records::RecordName;
use crate::verify::sources::Unavailable;

/// How many final headers the client remembers, by height, to notice equivocation.
const HEADERS_KEPT: usize = 1024;
/// Most proven records kept before the cache is cleared.
const MAX_CACHED: usize = 10_000;

/// What the client knows of the chain it reads.
#[derive(Debug, Default)]
pub(super) struct ChainKnowledge {
    /// The hash of the genesis to trust, when the client was given one.
    pub(super) pinned: Option<String>,
    pub(super) trust: tokio::sync::OnceCell<ChainTrust>,
    /// The trust after the governance changes followed since (none followed yet: `None`).
    followed: Mutex<Option<ChainTrust>>,
    /// Final headers seen, by height (the most recent [`HEADERS_KEPT`]).
    headers: Mutex<BTreeMap<u64, Commit>>,
    /// Equivocations met.
    evidence: Mutex<Vec<Equivocation>>,
    /// Proven records by name, with the chain height they were read at. Shared, not copied,
    /// on every reuse: a status list record holds the whole list.
    records: Mutex<HashMap<String, CachedRecord>>,
    /// Answers kept from one moment of the chain (an offline bundle), by record name: when
    /// set, the client answers from these only and never asks the network.
    pub(super) fixed: Option<HashMap<String, Proven>>,
}

/// A proven record (`None`: the state holds nothing under its name) and the chain height it
/// was read at.
type CachedRecord = (u64, Option<Arc<Value>>);

impl RegistryClient {
    /// The same client, trusting only the genesis whose hash is `genesis_hash` (as
    /// `sigil-registry` prints it and `GET /genesis` serves it): the registry's genesis is
    /// fetched once and refused if its hash differs.
    pub fn pinned(mut self, genesis_hash: impl Into<String>) -> Self {
        self.chain.pinned = Some(genesis_hash.into());
        self
    }

    /// The same client, trusting `trust` (for example from a genesis file or an offline bundle).
    pub fn with_trust(mut self, trust: ChainTrust) -> Self {
        self.chain.trust = tokio::sync::OnceCell::new_with(Some(trust));
        self
    }

    /// The equivocations this client has met: pairs of final headers at one height.
    pub fn equivocations(&self) -> Vec<Equivocation> {
        self.chain
            .evidence
            .lock()
            .map(|evidence| evidence.clone())
            .unwrap_or_default()
    }

    /// The chain trust: given, or read from the registry's genesis and checked against the
    /// pinned hash; then moved along the governance changes followed since.
    pub async fn trust(&self) -> Result<ChainTrust, Unavailable> {
        let genesis = self.genesis_trust().await?;
        let followed = self
            .chain
            .followed
            .lock()
            .ok()
            .and_then(|followed| followed.clone());
        Ok(followed.unwrap_or_else(|| genesis.clone()))
    }

    /// Follows the chain's governance changes not yet followed (`GET /governance`), each
    /// checked as signed by a quorum of the validators before it: for an answer signed by a
    /// validator set this client does not know yet.
    async fn follow_governance(&self, trust: &mut ChainTrust) -> Result<(), Unavailable> {
        let after = trust.changes().to_string();
        let answer = self
            .fetch("governance", &[("after", &after)])
            .await?
            .ok_or_else(|| Unavailable("the registry serves no governance changes".into()))?;
        let steps: Vec<GovernanceStep> = serde_json::from_value(answer)
            .map_err(|e| Unavailable(format!("the registry's governance changes are unreadable: {e}")))?;
        trust
            .follow_all(&steps)
            .map_err(|e| Unavailable(format!("the registry's governance change does not hold: {e}")))?;
        if let Ok(mut followed) = self.chain.followed.lock() {
            let newer = followed
                .as_ref()
                .is_none_or(|known| known.changes() < trust.changes());
            if newer {
                *followed = Some(trust.clone());
            }
        }
        Ok(())
    }

    /// The trust in genesis's validators.
    async fn genesis_trust(&self) -> Result<&ChainTrust, Unavailable> {
        self.chain
            .trust
            .get_or_try_init(|| async {
                let answer = self
                    .fetch("genesis", &[])
                    .await?
                    .ok_or_else(|| Unavailable("the registry serves no genesis".into()))?;
                let genesis: Genesis = serde_json::from_value(answer)
                    .map_err(|e| Unavailable(format!("the registry's genesis is unreadable: {e}")))?;
                let trust =
                    ChainTrust::new(&genesis).map_err(|e| Unavailable(format!("the registry's {e}")))?;
                if let Some(pinned) = &self.chain.pinned {
                    if pinned != trust.genesis_hash() {
                        return Err(Unavailable(format!(
                            "the registry's genesis is {}, not the trusted {pinned}",
                            trust.genesis_hash()
                        )));
                    }
                } else {
                    tracing::info!(
                        genesis = trust.genesis_hash(),
                        registry = %self.endpoints.current(),
                        "trusting the registry's genesis as first served (pin it to refuse another)"
                    );
                }
                Ok(trust)
            })
            .await
    }

    /// The record named `name`, read as `T` — `None` when the state holds nothing under the
    /// name — proven against a final header. Reused while the chain has not grown.
    pub async fn proven<T: DeserializeOwned + Serialize>(
        &self,
        name: &RecordName,
    ) -> Result<Option<T>, Unavailable> {
        if self.chain.fixed.is_some() {
            return self.proven_now(name).await;
        }
        let height = self.current_height().await?;
        let cached = self
            .chain
            .records
            .lock()
            .ok()
            .and_then(|records| records.get(&name.text()).cloned());
        if let Some((at, record)) = cached {
            if at == height {
                return read(record.as_deref());
            }
        }
        self.proven_now(name).await
    }

    /// The record named `name` as the chain holds it now, proven, never from the cache: for
    /// a writer that must build on the latest version.
    pub async fn proven_now<T: DeserializeOwned + Serialize>(
        &self,
        name: &RecordName,
    ) -> Result<Option<T>, Unavailable> {
        let text = name.text();
        let mut trust = self.trust().await?;
        let proven = self.fetch_proven(&text).await?;
        let mut checked = trust.check(name, &proven);
        if matches!(checked, Err(ProofError::NoQuorum { .. })) && self.chain.fixed.is_none() {
            // Signed by validators this client does not know yet: a governance change it has
            // not followed, or a forgery — following the changes tells which.
            match self.follow_governance(&mut trust).await {
                Ok(()) => checked = trust.check(name, &proven),
                // The refusal stands: no change explains the signatures.
                Err(error) => tracing::warn!(%error, "could not follow the chain's governance"),
            }
        }
        let record: Option<T> = checked.map_err(|e| {
            Unavailable(format!(
                "the registry's answer about {text} does not prove itself: {e}"
            ))
        })?;
        if let Err(refused) = self.observe(&trust, proven.commit.as_ref()) {
            self.report_equivocations().await;
            return Err(refused);
        }
        if let Ok(mut records) = self.chain.records.lock() {
            if records.len() >= MAX_CACHED {
                records.clear();
            }
            records.insert(text, (proven.height(), proven.record.map(Arc::new)));
        }
        Ok(record)
    }

    /// The proven answer about the record named `text`: from the fixed answers when the client
    /// has them, otherwise from the registry's `GET /proofs`.
    async fn fetch_proven(&self, text: &str) -> Result<Proven, Unavailable> {
        if let Some(fixed) = &self.chain.fixed {
            return fixed
                .get(text)
                .cloned()
                .ok_or_else(|| Unavailable(format!("the offline bundle holds no proof about {text}")));
        }
        let answer = self
            .fetch("proofs", &[("name", text)])
            .await?
            .ok_or_else(|| Unavailable("the registry answers no proofs".into()))?;
        serde_json::from_value(answer)
            .map_err(|e| Unavailable(format!("the registry's proof about {text} is unreadable: {e}")))
    }

    /// Sends the equivocations met to the registry (`POST /evidence`), so that its operators
    /// and everyone reading its explorer see them too. Best effort: the client refuses the
    /// answer whether or not the report gets through.
    async fn report_equivocations(&self) {
        if self.chain.fixed.is_some() {
            return;
        }
        let Ok(url) = self.endpoints.current().join("evidence") else {
            return;
        };
        for evidence in self.equivocations() {
            if let Err(error) = self.http.post(url.clone()).json(&evidence).send().await {
                tracing::warn!(%error, "could not report equivocation evidence to the registry");
            }
        }
    }

    /// Remembers a final header: refuses one older than the newest seen, and one that differs
    /// from another seen at its height (keeping the evidence).
    fn observe(&self, trust: &ChainTrust, commit: Option<&Commit>) -> Result<(), Unavailable> {
        let Ok(mut headers) = self.chain.headers.lock() else {
            return Ok(());
        };
        let height = commit.map_or(0, |commit| commit.header.height);
        if let Some((&newest, _)) = headers.last_key_value() {
            if height < newest {
                return Err(Unavailable(format!(
                    "the registry answered from block {height}, older than block {newest} it answered from before"
                )));
            }
        }
        let Some(commit) = commit else {
            return Ok(());
        };
        if let Some(seen) = headers.get(&height) {
            if seen.header.unsigned() != commit.header.unsigned() {
                let found = equivocations(trust, seen, commit);
                let validators: Vec<String> = found.iter().map(|e| e.validator.clone()).collect();
                if let Ok(mut evidence) = self.chain.evidence.lock() {
                    evidence.extend(found);
                }
                tracing::error!(
                    height,
                    ?validators,
                    "two final headers at one height: equivocation"
                );
                return Err(Unavailable(format!(
                    "the registry's validators signed two different blocks at height {height} ({})",
                    validators.join(", ")
                )));
            }
            return Ok(());
        }
        headers.insert(height, commit.clone());
        while headers.len() > HEADERS_KEPT {
            headers.pop_first();
        }
        Ok(())
    }
}

/// The evidence two different final headers at one height give: one [`Equivocation`] per
/// validator whose valid signature is on both.
fn equivocations(trust: &ChainTrust, first: &Commit, second: &Commit) -> Vec<Equivocation> {
    let mut found = Vec::new();
    for a in &first.signatures {
        for b in second.signatures.iter().filter(|b| b.validator == a.validator) {
            let evidence = Equivocation {
                validator: a.validator.clone(),
                first: SignedHeader {
                    header: first.header.clone(),
                    signature: a.clone(),
                },
                second: SignedHeader {
                    header: second.header.clone(),
                    signature: b.clone(),
                },
            };
            if evidence.check(trust).is_ok()
                && !found.iter().any(|e: &Equivocation| e.validator == a.validator)
            {
                found.push(evidence);
            }
        }
    }
    found
}

fn read<T: DeserializeOwned>(record: Option<&Value>) -> Result<Option<T>, Unavailable> {
    record
        .map(T::deserialize)
        .transpose()
        .map_err(|e| Unavailable(format!("a cached record is unreadable: {e}")))
}
