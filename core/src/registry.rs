//! The Sigil registry as the source of outside facts for verification: status lists,
//! accreditations, key history and issuance anchors, read over its HTTP API. DIDs themselves
//! resolve through [`crate::did::universal::UniversalResolverClient`].
//!
//! Status lists are always read from the registry, whatever host a credential's
//! `statusListCredential` URL names: the registry keeps every version the issuer signed, and
//! a verifier that fetched arbitrary URLs would be an SSRF gadget.
//!
//! Answers are cached by block height: every answer is tagged with the chain's height when it
//! was read, and reused while the chain has not grown. The height itself is asked for at most
//! once per [`HEIGHT_TTL`], so a busy verifier makes one small request per second instead of
//! four per credential, and sees a revocation within a second of its block.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;

use crate::did::Did;
use crate::http_client::{self, FetchError};
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
    base: url::Url,
    http: reqwest::Client,
    /// The chain's height and when it was read.
    height: Mutex<Option<(u64, Instant)>>,
    /// How long a height read is taken as current ([`HEIGHT_TTL`] unless set).
    height_freshness: Duration,
    /// Answers by path and query, with the height they were read at (`None`: not found).
    answers: Mutex<HashMap<String, (u64, Option<Value>)>>,
}

impl RegistryClient {
    /// A client for the registry at `base` (for example `http://127.0.0.1:7400`).
    pub fn new(mut base: url::Url) -> Self {
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        RegistryClient {
            base,
            http: http_client::client(),
            height: Mutex::new(None),
            height_freshness: HEIGHT_TTL,
            answers: Mutex::new(HashMap::new()),
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
        let mut url = self.base.join(path).map_err(|e| Unavailable(e.to_string()))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let height = self.current_height().await?;
        let key = url.to_string();
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
        let answer = self.fetch(url).await?;
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
        let url = self.base.join("height").map_err(|e| Unavailable(e.to_string()))?;
        // The height is as fresh as the moment it was asked for, not the moment the answer
        // arrived: a slow answer must not stretch how stale a cached height may be.
        let asked = Instant::now();
        let height = self
            .fetch(url)
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
        let history = self
            .fetch(
                self.base
                    .join(&format!("dids/{did}/history"))
                    .map_err(|e| Unavailable(e.to_string()))?,
            )
            .await?;
        let latest = history
            .as_ref()
            .and_then(|h| h.get("versions"))
            .and_then(Value::as_array)
            .and_then(|versions| versions.last());
        let field = |name: &str| latest.and_then(|v| v.get(name)).and_then(Value::as_str);
        Ok(
            match (field("operation"), field("time").and_then(parse_datetime)) {
                (Some(hash), Some(time)) => Some(LatestOperation {
                    hash: hash.to_owned(),
                    time,
                }),
                _ => None,
            },
        )
    }

    /// The registry's record of the anchor covering `credential_hash` (lowercase hex; see
    /// [`crate::verify::credential_hash`]), with the hash's inclusion proof in the batch and the
    /// block receipt; `None` if no anchor covers it yet.
    pub async fn anchor(&self, credential_hash: &str) -> Result<Option<Value>, Unavailable> {
        self.get("anchors", &[("credentialHash", credential_hash)]).await
    }

    /// Submits a transaction and returns the registry's receipt once the block holding it is
    /// durable — checked here to prove the transaction's inclusion in that block's header.
    pub async fn submit(&self, transaction: &Transaction) -> Result<Receipt, SubmitError> {
        let url = self
            .base
            .join("transactions")
            .map_err(|e| SubmitError::Unavailable(e.to_string()))?;
        let response = self
            .http
            .post(url)
            .json(transaction)
            .send()
            .await
            .map_err(|e| SubmitError::Unavailable(format!("registry {}: {e}", self.base)))?;
        let status = response.status();
        let body = http_client::read_limited(response, http_client::MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| SubmitError::Unavailable(e.to_string()))?;
        let answer = std::str::from_utf8(&body)
            .ok()
            .and_then(|text| crate::json::parse(text).ok())
            .unwrap_or(Value::Null);
        match status.as_u16() {
            201 => checked_receipt(transaction, answer),
            code if status.is_client_error() => Err(SubmitError::Refused {
                code: answer
                    .pointer("/error/code")
                    .and_then(Value::as_str)
                    .unwrap_or("refused")
                    .to_owned(),
                message: answer
                    .pointer("/error/message")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("HTTP {code}"), str::to_owned),
            }),
            _ => Err(SubmitError::Unavailable(format!(
                "registry answered HTTP {status}"
            ))),
        }
    }

    async fn fetch(&self, url: url::Url) -> Result<Option<Value>, Unavailable> {
        http_client::get_json(&self.http, url).await.map_err(|e| match e {
            FetchError::Unavailable(reason) => Unavailable(format!("registry unavailable: {reason}")),
            FetchError::Invalid(reason) => Unavailable(format!("registry sent an invalid answer: {reason}")),
        })
    }
}

#[async_trait]
impl StatusListSource for RegistryClient {
    async fn status_list(&self, url: &str) -> Result<Option<String>, Unavailable> {
        Ok(self
            .get("status-lists", &[("id", url)])
            .await?
            .map(|list| list.to_string()))
    }
}

/// One row of `GET /accreditations`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccreditationRow {
    root: String,
    /// Absent from registries older than verifier accreditation, which accredit only issuers.
    #[serde(default)]
    role: AccreditedRole,
    credential_types: Vec<String>,
    valid_from: String,
    valid_until: Option<String>,
    revoked_at: Option<String>,
}

impl AccreditationRow {
    /// The accreditation of `did` this row grants, asked about `credential_type`; its
    /// validity ends at the revocation's time, if revoked.
    fn accreditation(self, did: &Did, credential_type: &str) -> Accreditation {
        let revoked_at = self.revoked_at.as_deref().and_then(parse_datetime);
        Accreditation {
            issuer: did.clone(),
            credential_type: credential_type.to_owned(),
            accredited_by: self.root,
            valid_from: parse_datetime(&self.valid_from),
            valid_until: match (self.valid_until.as_deref().and_then(parse_datetime), revoked_at) {
                (Some(until), Some(revoked)) => Some(until.min(revoked)),
                (until, revoked) => until.or(revoked),
            },
            credential_types: self.credential_types,
        }
    }
}

impl RegistryClient {
    /// The accreditation rows of `did` in `role`: `GET /accreditations?issuer=DID` or
    /// `?verifier=DID`. Rows of another role are dropped here too, so that nothing but an
    /// issuer accreditation ever counts for an issuer, whatever the registry answers.
    async fn accreditation_rows(
        &self,
        did: &Did,
        role: AccreditedRole,
    ) -> Result<Vec<AccreditationRow>, Unavailable> {
        let Some(answer) = self
            .get("accreditations", &[(role.as_str(), did.as_str())])
            .await?
        else {
            return Ok(vec![]);
        };
        let rows: Vec<AccreditationRow> = answer
            .get("accreditations")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| Unavailable(format!("registry sent invalid accreditations: {e}")))?
            .unwrap_or_default();
        Ok(rows.into_iter().filter(|row| row.role == role).collect())
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
        let rows = self
            .accreditation_rows(verifier, AccreditedRole::Verifier)
            .await?;
        Ok(rows.into_iter().find_map(|row| {
            let first = row.credential_types.first().cloned().unwrap_or_default();
            let accreditation = row.accreditation(verifier, &first);
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
        let rows = self.accreditation_rows(issuer, AccreditedRole::Issuer).await?;
        Ok(rows.into_iter().find_map(|row| {
            let names_type = row.credential_types.iter().any(|t| t == credential_type);
            let accreditation = row.accreditation(issuer, credential_type);
            (names_type && accreditation.covers(at)).then_some(accreditation)
        }))
    }
}

#[async_trait]
impl KeyHistory for RegistryClient {
    async fn key_events(&self, did: &Did, method_id: &str) -> Result<KeyEvents, Unavailable> {
        let Some(history) = self.get(&format!("dids/{did}/history"), &[]).await? else {
            return Ok(KeyEvents::default());
        };
        let time_of = |value: Option<&Value>| value.and_then(Value::as_str).and_then(parse_datetime);
        let compromised_since = history
            .get("keys")
            .and_then(Value::as_array)
            .and_then(|keys| {
                keys.iter()
                    .find(|key| key.get("id").and_then(Value::as_str) == Some(method_id))
            })
            .and_then(|key| time_of(key.get("compromisedSince")));
        Ok(KeyEvents {
            compromised_since,
            deactivated_at: time_of(history.get("deactivated")),
        })
    }

    async fn anchored_before(
        &self,
        issuer: &Did,
        credential_hash: &str,
        before: Timestamp,
    ) -> Result<Option<AnchorEvidence>, Unavailable> {
        let Some(anchor) = self.anchor(credential_hash).await? else {
            return Ok(None);
        };
        if anchor.get("issuer").and_then(Value::as_str) != Some(issuer.as_str()) {
            return Ok(None);
        }
        let block = anchor.get("block");
        let height = block.and_then(|b| b.get("height")).and_then(Value::as_u64);
        let time = block
            .and_then(|b| b.get("time"))
            .and_then(Value::as_str)
            .and_then(parse_datetime);
        Ok(match (height, time) {
            (Some(block_height), Some(block_time)) if block_time < before => Some(AnchorEvidence {
                block_height,
                block_time,
            }),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use serde_json::json;

    use super::*;
    use crate::test_support::{block_on, http_server};

    /// A one-transaction block's receipt for `tx_hash`, as the registry would answer.
    fn receipt_for(tx_hash: &str) -> Value {
        let root = crate::merkle::hex(&crate::merkle::leaf_hash(tx_hash.as_bytes()));
        json!({"txHash": tx_hash, "height": 3, "index": 0, "blockSize": 1, "inclusionProof": [],
               "header": {"chainId": "c", "height": 3, "prevHash": "p", "time": "2026-01-01T00:00:00Z",
                          "txRoot": root, "stateRoot": "s", "proposer": "z6Mk"}})
    }

    #[test]
    fn a_receipt_is_believed_only_when_it_proves_the_transaction_was_recorded() {
        let key = crate::key::SigningKey::from_seed(&[3; 32]);
        let op = crate::did::sigil::operation::create(&key, &key.public_key(), vec![], crate::time::now())
            .unwrap();
        let transaction = Transaction::Did(op);
        let hash = transaction.hash().unwrap();
        let good = receipt_for(&hash);
        let receipt = checked_receipt(&transaction, good.clone()).unwrap();
        assert_eq!((receipt.height, receipt.tx_hash.as_str()), (3, hash.as_str()));

        let other = checked_receipt(&transaction, receipt_for("someone-else's"));
        assert!(
            matches!(other, Err(SubmitError::BadReceipt(ref m)) if m.contains("names transaction")),
            "{other:?}"
        );
        let mut forged_root = good;
        forged_root["header"]["txRoot"] = json!(crate::merkle::hex(&crate::merkle::leaf_hash(b"x")));
        assert!(matches!(
            checked_receipt(&transaction, forged_root),
            Err(SubmitError::BadReceipt(_))
        ));
        assert!(matches!(
            checked_receipt(&transaction, json!({"ok": true})),
            Err(SubmitError::BadReceipt(_))
        ));

        // Through the client, against a registry that answers 201 with someone else's receipt.
        block_on(async {
            let (base, _) = http_server(|_| ("201 Created", receipt_for("someone-else's"))).await;
            let answer = RegistryClient::new(base).submit(&transaction).await;
            assert!(matches!(answer, Err(SubmitError::BadReceipt(_))), "{answer:?}");
        });
    }

    /// A registry answering every accreditation query with `rows`.
    async fn registry_with(rows: Value) -> url::Url {
        let (base, _) = http_server(move |line| {
            if line.starts_with("GET /height") {
                ("200 OK", json!({"height": 7}))
            } else {
                ("200 OK", json!({"accreditations": rows.clone()}))
            }
        })
        .await;
        base
    }

    fn row(role: &str, revoked_at: Option<&str>) -> Value {
        json!({"transaction": "t", "root": "did:key:z6MkRoot", "issuer": "did:key:z6MkV",
               "role": role, "credentialTypes": ["UniversityDegreeCredential", "DiplomaSupplement"],
               "validFrom": "2026-01-01T00:00:00Z", "validUntil": null, "revokedAt": revoked_at})
    }

    #[test]
    fn a_verifier_accreditation_never_makes_its_did_an_accredited_issuer() {
        block_on(async {
            // Even a registry that answers the issuer query with a verifier's row.
            let client = RegistryClient::new(registry_with(json!([row("verifier", None)])).await);
            let did = Did::parse("did:key:z6MkV").unwrap();
            let at = parse_datetime("2026-06-01T00:00:00Z").unwrap();
            let as_issuer = client.accreditation(&did, "UniversityDegreeCredential", at).await;
            assert_eq!(as_issuer, Ok(None));
            let as_verifier = client.verifier_accreditation(&did, at).await.unwrap().unwrap();
            assert_eq!(as_verifier.accredited_by, "did:key:z6MkRoot");
            assert_eq!(
                as_verifier.credential_types,
                ["UniversityDegreeCredential", "DiplomaSupplement"]
            );
        });
    }

    #[test]
    fn an_issuer_accreditation_is_not_a_verifier_accreditation() {
        block_on(async {
            let client = RegistryClient::new(registry_with(json!([row("issuer", None)])).await);
            let did = Did::parse("did:key:z6MkV").unwrap();
            let at = parse_datetime("2026-06-01T00:00:00Z").unwrap();
            assert_eq!(client.verifier_accreditation(&did, at).await, Ok(None));
            let as_issuer = client.accreditation(&did, "DiplomaSupplement", at).await.unwrap();
            assert_eq!(
                as_issuer.map(|a| a.credential_type).as_deref(),
                Some("DiplomaSupplement")
            );
        });
    }

    #[test]
    fn a_verifier_accreditation_revoked_before_the_time_asked_about_does_not_count() {
        block_on(async {
            let revoked = row("verifier", Some("2026-03-01T00:00:00Z"));
            let client = RegistryClient::new(registry_with(json!([revoked])).await);
            let did = Did::parse("did:key:z6MkV").unwrap();
            let before = parse_datetime("2026-02-01T00:00:00Z").unwrap();
            let after = parse_datetime("2026-04-01T00:00:00Z").unwrap();
            assert!(
                client
                    .verifier_accreditation(&did, before)
                    .await
                    .unwrap()
                    .is_some()
            );
            assert_eq!(client.verifier_accreditation(&did, after).await, Ok(None));
        });
    }

    /// Requests whose line contains `path`.
    fn requests_to(seen: &Arc<Mutex<Vec<String>>>, path: &str) -> usize {
        seen.lock().unwrap().iter().filter(|l| l.contains(path)).count()
    }

    #[test]
    fn the_height_is_asked_at_most_once_per_freshness_period() {
        block_on(async {
            let (base, seen) = http_server(|line| {
                if line.starts_with("GET /height") {
                    ("200 OK", json!({"height": 7}))
                } else {
                    ("200 OK", json!({"accreditations": []}))
                }
            })
            .await;
            let client = RegistryClient::new(base);
            let at = crate::time::now();
            for issuer in ["did:sigil:zQmA", "did:sigil:zQmB", "did:sigil:zQmC"] {
                let issuer = Did::parse(issuer).unwrap();
                client.accreditation(&issuer, "T", at).await.unwrap();
            }
            assert_eq!(requests_to(&seen, "/accreditations"), 3);
            assert_eq!(
                requests_to(&seen, "/height"),
                1,
                "one height for a second's answers"
            );
        });
    }

    #[test]
    fn answers_are_reused_while_the_chain_does_not_grow() {
        block_on(async {
            let height = Arc::new(AtomicU64::new(7));
            let chain = height.clone();
            let (base, seen) = http_server(move |line| {
                if line.starts_with("GET /height") {
                    ("200 OK", json!({"height": chain.load(Ordering::SeqCst)}))
                } else {
                    ("200 OK", json!({"accreditations": []}))
                }
            })
            .await;
            // Asking the height every time shows the cache by height without waiting for it.
            let client = RegistryClient::new(base).with_height_freshness(Duration::ZERO);
            let issuer = Did::parse("did:sigil:zQmIssuer").unwrap();
            let at = crate::time::now();
            client.accreditation(&issuer, "T", at).await.unwrap();
            client.accreditation(&issuer, "T", at).await.unwrap();
            assert_eq!(
                requests_to(&seen, "/accreditations"),
                1,
                "the second lookup comes from the cache"
            );

            height.store(8, Ordering::SeqCst);
            client.accreditation(&issuer, "T", at).await.unwrap();
            assert_eq!(
                requests_to(&seen, "/accreditations"),
                2,
                "a new block invalidates the cache"
            );
        });
    }
}
