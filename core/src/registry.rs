//! The Sigil registry as the source of outside facts for verification: `did:sigil`
//! documents, status lists, accreditations, key history and issuance anchors, read over its
//! HTTP API. Every one of them is a record of the chain's state proven against a final header
//! ([`proven`]), so the client trusts the validators of its genesis, not the node it asks.
//!
//! Status lists are always read from the registry, whatever host a credential's
//! `statusListCredential` URL names: the registry keeps every version the issuer signed, and
//! a verifier that fetched arbitrary URLs would be an SSRF gadget.
//!
//! Answers are cached by block height: every answer is tagged with the chain's height when it
//! was read, and reused while the chain has not grown. The height itself is asked for at most
//! once per [`HEIGHT_TTL`], so a busy verifier makes one small request per second instead of
//! four per credential, and sees a revocation within a second of its block.

pub mod bundle;
mod endpoints;
mod proven;

pub use endpoints::RegistryNodes;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::Value;

use crate::did::{Did, Resolution, ResolutionError, ResolutionOptions};
use crate::http_client::{self, FetchError};
use crate::state::records::{
    AccreditationEntry, AccreditationsRecord, AnchoredRecord, DidRecord, RecordName, StatusListRecord,
};
use crate::time::{Timestamp, parse_datetime};
use crate::transaction::accreditation::AccreditedRole;
use crate::transaction::{Receipt, Transaction};
use crate::verify::sources::{
    Accreditation, AnchorEvidence, KeyEvents, KeyHistory, StatusListSource, TrustRegistry, Unavailable,
};

/// Why a submission was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// The registry refused the transaction, naming the rule (`wrong_signer`, …).
    #[error("the registry refused it ({code}): {message}")]
    Refused { code: String, message: String },
    /// The registry could not be reached or failed; nothing was recorded.
    #[error("{0}")]
    Unavailable(String),
    /// The registry said it recorded the transaction, but its receipt does not prove that:
    /// unreadable, for another transaction, or with an audit path that does not lead to the
    /// header's transaction root.
    #[error("the registry's receipt does not prove the transaction was recorded: {0}")]
    BadReceipt(String),
}

/// Reads the registry's receipt for `transaction` and checks that it proves its inclusion:
/// the receipt names this transaction's hash, and its audit path leads to the header's root.
fn checked_receipt(transaction: &Transaction, answer: Value) -> Result<Receipt, SubmitError> {
    let receipt: Receipt =
        serde_json::from_value(answer).map_err(|e| SubmitError::BadReceipt(e.to_string()))?;
    let hash = transaction
        .hash()
        .map_err(|e| SubmitError::BadReceipt(e.to_string()))?;
    if receipt.tx_hash != hash {
        return Err(SubmitError::BadReceipt(format!(
            "it names transaction {}, not {hash}",
            receipt.tx_hash
        )));
    }
    if !receipt.verify() {
        return Err(SubmitError::BadReceipt(
            "its audit path does not lead to the block's transaction root".into(),
        ));
    }
    Ok(receipt)
}

/// How long a submission is made again while the registry answers that it cannot record it
/// now (503: a registry of several nodes electing a leader).
pub const SUBMIT_PATIENCE: Duration = Duration::from_secs(10);

/// What offering a transaction once gave.
enum Submitted {
    /// The registry answered 503: it could not record the transaction now.
    NotNow(String),
    /// Anything else (boxed: a receipt carries a whole header).
    Answered(Box<Result<Receipt, SubmitError>>),
}

impl Submitted {
    fn answered(answer: Result<Receipt, SubmitError>) -> Submitted {
        Submitted::Answered(Box::new(answer))
    }
}

/// How long the chain's height is taken as current before it is asked for again.
pub const HEIGHT_TTL: Duration = Duration::from_secs(1);
/// Most cached answers kept before the cache is cleared.
const MAX_CACHED: usize = 10_000;

/// A DID's latest operation on the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestOperation {
    /// Its hash, which the next operation names as `prev`.
    pub hash: String,
    /// Its date. The ledger accepts operations dated up to the clock skew past their block,
    /// so a thief holding the hot key can date an update a few minutes ahead: whoever follows
    /// it dates the next operation at `max(now, time)` so that recovery is never held back.
    pub time: Timestamp,
}

impl LatestOperation {
    /// The date for the operation that follows this one at `now`.
    pub fn next_date(&self, now: Timestamp) -> Timestamp {
        now.max(self.time)
    }
}

/// A client of a registry's API.
#[derive(Debug)]
pub struct RegistryClient {
    endpoints: endpoints::Endpoints,
    http: reqwest::Client,
    /// The chain's height and when it was read.
    height: Mutex<Option<(u64, Instant)>>,
    /// How long a height read is taken as current ([`HEIGHT_TTL`] unless set).
    height_freshness: Duration,
    /// Answers by path and query, with the height they were read at (`None`: not found).
    answers: Mutex<HashMap<String, (u64, Option<Value>)>>,
    /// The trusted genesis, the final headers seen and the proven records.
    chain: proven::ChainKnowledge,
}

impl RegistryClient {
    /// A client for the registry at `base` (for example `http://127.0.0.1:7400`) — and, when
    /// that node is one of several, for its peers too, asked when it cannot be reached.
    pub fn new(base: url::Url) -> Self {
        Self::for_nodes(&RegistryNodes::from(base))
    }

    /// A client for a registry of several nodes: the first is asked first, the others (and
    /// the peers the first names) when it cannot be reached.
    pub fn for_nodes(nodes: &RegistryNodes) -> Self {
        let endpoints = endpoints::Endpoints::new(nodes.first().clone());
        endpoints.learn(nodes.all().map(url::Url::to_string));
        RegistryClient {
            endpoints,
            http: http_client::client(),
            height: Mutex::new(None),
            height_freshness: HEIGHT_TTL,
            answers: Mutex::new(HashMap::new()),
            chain: proven::ChainKnowledge::default(),
        }
    }

    /// The same client, taking a height it read as current for `freshness` instead of
    /// [`HEIGHT_TTL`] (zero: ask the height before every answer, and reuse answers only while
    /// it has not moved).
    pub fn with_height_freshness(mut self, freshness: Duration) -> Self {
        self.height_freshness = freshness;
        self
    }

    /// GETs `path` with `query`, reusing an answer read at the current height.
    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Option<Value>, Unavailable> {
        let height = self.current_height().await?;
        let key = cache_key(path, query);
        if let Some((at, answer)) = self
            .answers
            .lock()
            .ok()
            .and_then(|cache| cache.get(&key).cloned())
        {
            if at == height {
                return Ok(answer);
            }
        }
        let answer = self.fetch(path, query).await?;
        if let Ok(mut cache) = self.answers.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(key, (height, answer.clone()));
        }
        Ok(answer)
    }

    /// The chain's height, read at most once per [`HEIGHT_TTL`] (or the client's freshness).
    async fn current_height(&self) -> Result<u64, Unavailable> {
        if let Some((height, read)) = self.height.lock().ok().and_then(|h| *h) {
            if read.elapsed() < self.height_freshness {
                return Ok(height);
            }
        }
        // The height is as fresh as the moment it was asked for, not the moment the answer
        // arrived: a slow answer must not stretch how stale a cached height may be.
        let asked = Instant::now();
        let height = self
            .fetch("height", &[])
            .await?
            .and_then(|answer| answer.get("height").and_then(Value::as_u64))
            .ok_or_else(|| Unavailable("the registry did not say its height".into()))?;
        if let Ok(mut current) = self.height.lock() {
            *current = Some((height, asked));
        }
        Ok(height)
    }

    /// The DID's latest operation: the hash the next one names as `prev`, and its time,
    /// which the next one may not be dated before (`did:sigil` validation). `None` when the
    /// registry does not know the DID.
    pub async fn latest_operation(&self, did: &Did) -> Result<Option<LatestOperation>, Unavailable> {
        let record: Option<DidRecord> = self.proven_now(&RecordName::Did(did.to_string())).await?;
        Ok(record.as_ref().and_then(DidRecord::latest).and_then(|latest| {
            Some(LatestOperation {
                hash: latest.operation.clone(),
                time: parse_datetime(&latest.time)?,
            })
        }))
    }

    /// Resolves a `did:sigil` from its proven record: the document as of a version or a time.
    pub async fn resolve(
        &self,
        did: &Did,
        options: &ResolutionOptions,
    ) -> Result<Resolution, ResolutionError> {
        let record: Option<DidRecord> = self
            .proven(&RecordName::Did(did.to_string()))
            .await
            .map_err(|Unavailable(reason)| ResolutionError::Unavailable(reason))?;
        record
            .ok_or_else(|| ResolutionError::NotFound(did.to_string()))?
            .resolve(options)
    }

    /// The registry's record of the anchor covering `credential_hash` (lowercase hex; see
    /// [`crate::verify::credential_hash`]), with the hash's inclusion proof in the batch and the
    /// block receipt; `None` if no anchor covers it yet.
    pub async fn anchor(&self, credential_hash: &str) -> Result<Option<Value>, Unavailable> {
        self.get("anchors", &[("credentialHash", credential_hash)]).await
    }

    /// Submits a transaction and returns the registry's receipt once the block holding it is
    /// durable — checked here to prove the transaction's inclusion in that block's header.
    ///
    /// A registry of several nodes answers 503 while it elects a leader: the submission is
    /// made again, for up to [`SUBMIT_PATIENCE`]. Submitting twice is harmless: a transaction
    /// already on the chain is refused as a replay, and then its receipt is read from the
    /// chain — an answer lost with a leader is not taken for a refusal.
    pub async fn submit(&self, transaction: &Transaction) -> Result<Receipt, SubmitError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(50);
        loop {
            match self.submit_once(transaction).await {
                Submitted::NotNow(reason) if started.elapsed() + pause < SUBMIT_PATIENCE => {
                    tracing::debug!(%reason, "the registry cannot record the transaction yet; submitting it again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
                Submitted::NotNow(reason) => return Err(SubmitError::Unavailable(reason)),
                Submitted::Answered(answer) => {
                    return match *answer {
                        Err(SubmitError::Refused { code, message }) if code == "replay" => {
                            match self.recorded(transaction).await {
                                Some(receipt) => receipt,
                                None => Err(SubmitError::Refused { code, message }),
                            }
                        }
                        answer => answer,
                    };
                }
            }
        }
    }

    /// The receipt of `transaction` as the chain holds it, if it is on the chain.
    async fn recorded(&self, transaction: &Transaction) -> Option<Result<Receipt, SubmitError>> {
        let hash = transaction.hash().ok()?;
        let answer = self.fetch(&format!("transactions/{hash}"), &[]).await.ok()??;
        Some(checked_receipt(transaction, answer.get("receipt")?.clone()))
    }

    /// Offers `transaction` to the node used now — or, when it cannot be reached or drops
    /// the request, to the next one. If the first recorded it after all, the ledger refuses
    /// the second offer as a replay and [`RegistryClient::submit`] reads the receipt from the
    /// chain: it is never recorded twice.
    async fn submit_once(&self, transaction: &Transaction) -> Submitted {
        self.discover_peers().await;
        let mut unreachable = Vec::new();
        let mut answered = None;
        for node in self.endpoints.in_turn() {
            let Ok(url) = node.join("transactions") else {
                continue;
            };
            match self.http.post(url).json(transaction).send().await {
                Ok(response) => {
                    self.endpoints.settle(&node);
                    answered = Some(response);
                    break;
                }
                Err(error) => unreachable.push(format!("registry {node}: {error}")),
            }
        }
        let Some(response) = answered else {
            return Submitted::answered(Err(SubmitError::Unavailable(unreachable.join("; "))));
        };
        let status = response.status();
        let body = match http_client::read_limited(response, http_client::MAX_RESPONSE_BYTES).await {
            Ok(body) => body,
            Err(error) => return Submitted::answered(Err(SubmitError::Unavailable(error.to_string()))),
        };
        let answer = std::str::from_utf8(&body)
            .ok()
            .and_then(|text| crate::json::parse(text).ok())
            .unwrap_or(Value::Null);
        let message = |fallback: String| {
            answer
                .pointer("/error/message")
                .and_then(Value::as_str)
                .map_or(fallback, str::to_owned)
        };
        Submitted::answered(match status.as_u16() {
            201 => checked_receipt(transaction, answer.clone()),
            503 => return Submitted::NotNow(message(format!("registry answered HTTP {status}"))),
            code if status.is_client_error() => Err(SubmitError::Refused {
                code: answer
                    .pointer("/error/code")
                    .and_then(Value::as_str)
                    .unwrap_or("refused")
                    .to_owned(),
                message: message(format!("HTTP {code}")),
            }),
            _ => Err(SubmitError::Unavailable(format!(
                "registry answered HTTP {status}"
            ))),
        })
    }

    /// GETs `path` with `query` as JSON from the node used now, or — when it cannot answer —
    /// from the next node that can.
    async fn fetch(&self, path: &str, query: &[(&str, &str)]) -> Result<Option<Value>, Unavailable> {
        self.discover_peers().await;
        let mut failures = Vec::new();
        for node in self.endpoints.in_turn() {
            let mut url = node.join(path).map_err(|e| Unavailable(e.to_string()))?;
            if !query.is_empty() {
                url.query_pairs_mut().extend_pairs(query);
            }
            match http_client::get_json(&self.http, url).await {
                Ok(answer) => {
                    self.endpoints.settle(&node);
                    return Ok(answer);
                }
                Err(FetchError::Unavailable(reason)) => failures.push(format!("{node}: {reason}")),
                Err(FetchError::Invalid(reason)) => {
                    return Err(Unavailable(format!("registry sent an invalid answer: {reason}")));
                }
            }
        }
        Err(Unavailable(format!(
            "registry unavailable: {}",
            failures.join("; ")
        )))
    }
}

impl RegistryClient {
    /// Learns, once, the peers of the configured node when it is one of several — not for a
    /// client answering from an offline bundle.
    async fn discover_peers(&self) {
        if self.chain.fixed.is_none() {
            self.endpoints.discover(&self.http).await;
        }
    }
}

/// The cache key of an answer: the same whichever node gave it.
fn cache_key(path: &str, query: &[(&str, &str)]) -> String {
    let mut key = path.to_owned();
    for (name, value) in query {
        key.push_str(&format!("\n{name}={value}"));
    }
    key
}

#[async_trait]
impl StatusListSource for RegistryClient {
    async fn status_list(&self, url: &str) -> Result<Option<String>, Unavailable> {
        let record: Option<StatusListRecord> = self.proven(&RecordName::StatusList(url.to_owned())).await?;
        Ok(record.map(|list| list.credential.to_string()))
    }
}

/// The accreditation `entry` grants `did`, asked about `credential_type`; its validity ends
/// at the revocation's time, if revoked.
fn accreditation_of(entry: AccreditationEntry, did: &Did, credential_type: &str) -> Accreditation {
    let revoked_at = entry.revoked_at.as_deref().and_then(parse_datetime);
    Accreditation {
        issuer: did.clone(),
        credential_type: credential_type.to_owned(),
        legal_name: entry.legal_name,
        accredited_by: entry.root,
        accredited_by_name: entry.root_name,
        valid_from: parse_datetime(&entry.valid_from),
        valid_until: match (entry.valid_until.as_deref().and_then(parse_datetime), revoked_at) {
            (Some(until), Some(revoked)) => Some(until.min(revoked)),
            (until, revoked) => until.or(revoked),
        },
        credential_types: entry.credential_types,
    }
}

impl RegistryClient {
    /// The accreditations of `did` in `role`, proven. Entries of another role or DID are
    /// dropped here too, so that nothing but an issuer accreditation ever counts for an
    /// issuer, whatever the record says.
    async fn accreditation_entries(
        &self,
        did: &Did,
        role: AccreditedRole,
    ) -> Result<Vec<AccreditationEntry>, Unavailable> {
        let name = RecordName::Accreditations {
            role,
            did: did.to_string(),
        };
        let record: Option<AccreditationsRecord> = self.proven(&name).await?;
        Ok(record
            .map(|record| record.accreditations)
            .unwrap_or_default()
            .into_iter()
            .filter(|entry| entry.role == role && entry.accredited == did.as_str())
            .collect())
    }

    /// The registry's accreditation of `verifier` as a verifier (granted by a root of trust
    /// named in the registry's genesis) in force at `at` — neither expired nor revoked before
    /// it — or `None`. Its `credential_types` are the types the verifier may request (its
    /// `credential_type` is the first of them). A wallet shows it on its consent screen;
    /// issuer accreditations never count here, nor verifier ones for issuers.
    pub async fn verifier_accreditation(
        &self,
        verifier: &Did,
        at: Timestamp,
    ) -> Result<Option<Accreditation>, Unavailable> {
        let entries = self
            .accreditation_entries(verifier, AccreditedRole::Verifier)
            .await?;
        Ok(entries.into_iter().find_map(|entry| {
            let first = entry.credential_types.first().cloned().unwrap_or_default();
            let accreditation = accreditation_of(entry, verifier, &first);
            accreditation.covers(at).then_some(accreditation)
        }))
    }
}

#[async_trait]
impl TrustRegistry for RegistryClient {
    /// Only issuer accreditations count: a verifier accreditation never makes its DID an
    /// accredited issuer.
    async fn accreditation(
        &self,
        issuer: &Did,
        credential_type: &str,
        at: Timestamp,
    ) -> Result<Option<Accreditation>, Unavailable> {
        let entries = self.accreditation_entries(issuer, AccreditedRole::Issuer).await?;
        Ok(entries.into_iter().find_map(|entry| {
            let names_type = entry.credential_types.iter().any(|t| t == credential_type);
            let accreditation = accreditation_of(entry, issuer, credential_type);
            (names_type && accreditation.covers(at)).then_some(accreditation)
        }))
    }
}

#[async_trait]
impl KeyHistory for RegistryClient {
    async fn key_events(&self, did: &Did, method_id: &str) -> Result<KeyEvents, Unavailable> {
        let record: Option<DidRecord> = self.proven(&RecordName::Did(did.to_string())).await?;
        Ok(record
            .map(|record| record.key_events(method_id))
            .unwrap_or_default())
    }

    async fn anchored_before(
        &self,
        issuer: &Did,
        credential_hash: &str,
        before: Timestamp,
    ) -> Result<Option<AnchorEvidence>, Unavailable> {
        let record: Option<AnchoredRecord> = self
            .proven(&RecordName::Anchored(credential_hash.to_owned()))
            .await?;
        Ok(record
            .filter(|anchor| anchor.issuer == issuer.as_str())
            .and_then(|anchor| {
                let block_time = parse_datetime(&anchor.time)?;
                (block_time < before).then_some(AnchorEvidence {
                    block_height: anchor.height,
                    block_time,
                })
            }))
    }
}

#[cfg(test)]
mod tests;
