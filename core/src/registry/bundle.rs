//! The offline verifier bundle (docs/offline-bundle.md): a final header with its signatures,
//! the proven answers about a chosen set of records — all against that one header — and the
//! digests of the JSON-LD contexts, written to a file by a verifier that can reach the
//! registry and read by one that cannot.
//!
//! A bundle proves itself the way a live answer does: every record is checked against the
//! validators of the genesis it carries (or refused when that genesis is not the one pinned),
//! so a bundle passed around by hand is no easier to forge than the registry's answers. What
//! it cannot prove is freshness: it is exactly as old as its header, and a revocation
//! recorded after that header is not in it.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::RegistryClient;
use crate::http_client::{self, FetchError};
use crate::state::commit::{ChainTrust, FollowError, GovernanceStep, ProofError, Proven};
use crate::state::genesis::{Genesis, GenesisError};
use crate::state::records::{
    AccreditationsRecord, AnchoredRecord, DidRecord, GovernanceRecord, RecordName, StatusListRecord,
};
use crate::time::{Timestamp, format_datetime, parse_datetime};
use crate::transaction::BlockHeader;

/// The `format` every bundle of this layout names.
pub const FORMAT: &str = "sigil-registry-bundle/1";

/// How many times an export reads every answer again when the chain grew while it read them.
pub const EXPORT_ROUNDS: usize = 5;

/// Where a client made from a bundle would send a request if anything ever asked it to: a
/// host under `.invalid`, which never resolves.
const INERT_BASE: &str = "http://offline-bundle.invalid/";

/// Registry facts for a verifier with no network: answers proven against one final header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bundle {
    /// Always [`FORMAT`].
    pub format: String,
    /// The genesis whose validators sign the header.
    pub genesis: Genesis,
    /// When the bundle was written (RFC 3339).
    pub exported_at: String,
    /// The governance changes since genesis, which name the validators that sign the header
    /// when they are no longer genesis's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub governance: Vec<GovernanceStep>,
    /// The proven answers, every one against the same header.
    pub answers: Vec<Proven>,
    /// The JSON-LD contexts of the build that wrote the bundle.
    pub contexts: Vec<ContextDigest>,
}

/// One bundled JSON-LD context and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContextDigest {
    /// The URL credentials name in `@context`.
    pub url: String,
    /// Lowercase hex of the SHA-256 of the document.
    pub sha256: String,
}

/// What a checked bundle vouches for: which chain, which block, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleSummary {
    /// The chain's id, from its genesis.
    pub chain_id: String,
    /// The hash of the genesis the answers are proven against.
    pub genesis_hash: String,
    /// The height of the header every answer is proven against (0: before the first block).
    pub height: u64,
    /// The header's time (genesis's time before the first block): the facts are as of then.
    pub header_time: Timestamp,
    /// When the bundle was written.
    pub exported_at: Timestamp,
    /// How many records the bundle proves.
    pub records: usize,
}

impl BundleSummary {
    /// How old the facts are at `now`: the time since the header, not since the export.
    pub fn age(&self, now: Timestamp) -> chrono::TimeDelta {
        now - self.header_time
    }
}

/// Why a bundle is refused, or could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The file is not a bundle of this layout.
    #[error("not a registry bundle of format {FORMAT}: {0}")]
    Format(String),
    /// The genesis in the bundle is unusable.
    #[error("the bundle's {0}")]
    Genesis(#[from] GenesisError),
    /// A governance change in the bundle is not signed by the validators it should be.
    #[error("the bundle's governance changes do not follow from genesis: {0}")]
    Governance(#[from] FollowError),
    /// The genesis in the bundle is not the one the verifier was told to trust.
    #[error("the bundle is for the chain of genesis {found}, not the trusted {pinned}")]
    NotPinned { pinned: String, found: String },
    /// The bundle holds no answer at all.
    #[error("the bundle holds no proven record")]
    Empty,
    /// An answer names no record of the state.
    #[error("the bundle holds an answer about {0:?}, which is not a record name")]
    BadName(String),
    /// Two answers about one record.
    #[error("the bundle holds two answers about {0}")]
    Duplicate(String),
    /// An answer does not prove itself against the genesis's validators.
    #[error("the bundle's answer about {name} does not prove itself: {source}")]
    Proof {
        name: String,
        #[source]
        source: ProofError,
    },
    /// The answers are not all proven against one header.
    #[error(
        "the bundle's answers are not all from one block: {first_name} is from block {first}, {other_name} from block {other}"
    )]
    MixedHeaders {
        first_name: String,
        first: u64,
        other_name: String,
        other: u64,
    },
    /// The bundle was made for JSON-LD context documents other than this build's.
    #[error("the bundle was written for other JSON-LD contexts than this verifier's: {0}")]
    Contexts(String),
    /// `exportedAt` is not an RFC 3339 date.
    #[error("the bundle's exportedAt {0:?} is not an RFC 3339 date")]
    ExportedAt(String),
    /// The registry could not be read while exporting.
    #[error("{0}")]
    Unavailable(String),
    /// The chain kept growing while the answers were read, so no set of them shared a header.
    #[error("the chain grew while the answers were read, {0} times in a row; try again")]
    ChainKeptMoving(usize),
}

/// The contexts this build bundles, with the SHA-256 of each document, sorted by URL.
pub fn context_digests() -> Vec<ContextDigest> {
    let mut digests: Vec<ContextDigest> = crate::contexts::BUNDLED
        .iter()
        .map(|context| ContextDigest {
            url: context.url.to_owned(),
            sha256: Sha256::digest(context.document.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        })
        .collect();
    digests.sort();
    digests
}

/// `base` with a trailing `/`, so that joining a path keeps its own path.
fn directory(base: &url::Url) -> url::Url {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base
}

/// GETs `path` of the registry at `base` as JSON.
async fn get(
    http: &reqwest::Client,
    base: &url::Url,
    path: &str,
    query: &[(&str, &str)],
) -> Result<serde_json::Value, BundleError> {
    let mut url = directory(base)
        .join(path)
        .map_err(|e| BundleError::Unavailable(e.to_string()))?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    match http_client::get_json(http, url).await {
        Ok(Some(answer)) => Ok(answer),
        Ok(None) => Err(BundleError::Unavailable(format!(
            "the registry at {base} has no /{path}"
        ))),
        Err(FetchError::Unavailable(reason)) => Err(BundleError::Unavailable(format!(
            "registry unavailable: {reason}"
        ))),
        Err(FetchError::Invalid(reason)) => Err(BundleError::Unavailable(format!(
            "the registry sent an invalid answer: {reason}"
        ))),
    }
}

/// The genesis the registry at `base` serves, refused unless its hash is `pinned` (when given).
pub async fn fetch_genesis(base: &url::Url, pinned: Option<&str>) -> Result<Genesis, BundleError> {
    let answer = get(&http_client::client(), base, "genesis", &[]).await?;
    let genesis: Genesis = serde_json::from_value(answer)
        .map_err(|e| BundleError::Unavailable(format!("the registry's genesis is unreadable: {e}")))?;
    let found = genesis.hash()?;
    if let Some(pinned) = pinned {
        if pinned != found {
            return Err(BundleError::NotPinned {
                pinned: pinned.to_owned(),
                found,
            });
        }
    }
    Ok(genesis)
}

/// Checks `answer` as the proven answer about `name`, reading the record as the type the name
/// holds, so that a record of the wrong shape is refused at export as it would be at use.
fn check_answer(trust: &ChainTrust, name: &RecordName, answer: &Proven) -> Result<(), BundleError> {
    let checked = match name {
        RecordName::Did(_) => trust.check::<DidRecord>(name, answer).map(drop),
        RecordName::StatusList(_) => trust.check::<StatusListRecord>(name, answer).map(drop),
        RecordName::Accreditations { .. } => trust.check::<AccreditationsRecord>(name, answer).map(drop),
        RecordName::Anchored(_) => trust.check::<AnchoredRecord>(name, answer).map(drop),
        RecordName::Governance => trust.check::<GovernanceRecord>(name, answer).map(drop),
    };
    checked.map_err(|source| BundleError::Proof {
        name: name.text(),
        source,
    })
}

/// The header `answer` is proven against, without its signatures (`None`: before block 1).
fn header_of(answer: &Proven) -> Option<BlockHeader> {
    answer.commit.as_ref().map(|commit| commit.header.unsigned())
}

/// The first two answers proven against different headers, if any.
fn first_mismatch(answers: &[Proven]) -> Option<(&Proven, &Proven)> {
    let (first, rest) = answers.split_first()?;
    let header = header_of(first);
    let height = first.height();
    rest.iter()
        .find(|other| other.height() != height || header_of(other) != header)
        .map(|other| (first, other))
}

impl Bundle {
    /// Reads the proven answers about `names` from the registry at `base`, checks each against
    /// the validators of `genesis` (which the caller trusts), and returns them as a bundle
    /// when they all share one header. If the chain grew between two answers, every answer is
    /// read again, at most [`EXPORT_ROUNDS`] times.
    pub async fn export(
        base: &url::Url,
        genesis: &Genesis,
        names: &[RecordName],
    ) -> Result<Bundle, BundleError> {
        let http = http_client::client();
        let governance = get(&http, base, "governance", &[]).await?;
        let governance: Vec<GovernanceStep> = serde_json::from_value(governance).map_err(|e| {
            BundleError::Unavailable(format!("the registry's governance changes are unreadable: {e}"))
        })?;
        let mut trust = ChainTrust::new(genesis)?;
        trust.follow_all(&governance)?;
        let mut seen = HashSet::new();
        let names: Vec<&RecordName> = names.iter().filter(|name| seen.insert(name.text())).collect();
        if names.is_empty() {
            return Err(BundleError::Empty);
        }
        for _ in 0..EXPORT_ROUNDS {
            let mut answers = Vec::with_capacity(names.len());
            for name in &names {
                let text = name.text();
                let answer = get(&http, base, "proofs", &[("name", &text)]).await?;
                let answer: Proven = serde_json::from_value(answer).map_err(|e| {
                    BundleError::Unavailable(format!("the registry's proof about {text} is unreadable: {e}"))
                })?;
                check_answer(&trust, name, &answer)?;
                answers.push(answer);
            }
            if first_mismatch(&answers).is_some() {
                continue;
            }
            let bundle = Bundle {
                format: FORMAT.to_owned(),
                genesis: genesis.clone(),
                governance: governance.clone(),
                exported_at: format_datetime(crate::time::now()),
                answers,
                contexts: context_digests(),
            };
            bundle.check(Some(trust.genesis_hash()))?;
            return Ok(bundle);
        }
        Err(BundleError::ChainKeptMoving(EXPORT_ROUNDS))
    }

    /// Checks the bundle: its format; its genesis (and that genesis's hash is `pinned`, when
    /// given); every answer proven against a quorum of that genesis's validators; all answers
    /// against one header; and its contexts the same documents as this build's. Returns what
    /// it vouches for.
    pub fn check(&self, pinned: Option<&str>) -> Result<BundleSummary, BundleError> {
        if self.format != FORMAT {
            return Err(BundleError::Format(format!("it says {:?}", self.format)));
        }
        let trust = self.trust()?;
        if let Some(pinned) = pinned {
            if pinned != trust.genesis_hash() {
                return Err(BundleError::NotPinned {
                    pinned: pinned.to_owned(),
                    found: trust.genesis_hash().to_owned(),
                });
            }
        }
        let exported_at = parse_datetime(&self.exported_at)
            .ok_or_else(|| BundleError::ExportedAt(self.exported_at.clone()))?;
        self.check_contexts()?;
        let mut names = HashSet::new();
        for answer in &self.answers {
            let name =
                RecordName::parse(&answer.name).ok_or_else(|| BundleError::BadName(answer.name.clone()))?;
            if !names.insert(name.text()) {
                return Err(BundleError::Duplicate(name.text()));
            }
            check_answer(&trust, &name, answer)?;
        }
        if let Some((first, other)) = first_mismatch(&self.answers) {
            return Err(BundleError::MixedHeaders {
                first_name: first.name.clone(),
                first: first.height(),
                other_name: other.name.clone(),
                other: other.height(),
            });
        }
        let first = self.answers.first().ok_or(BundleError::Empty)?;
        let header_time = match &first.commit {
            Some(commit) => &commit.header.time,
            None => &self.genesis.time,
        };
        Ok(BundleSummary {
            chain_id: trust.chain_id().to_owned(),
            genesis_hash: trust.genesis_hash().to_owned(),
            height: first.height(),
            header_time: parse_datetime(header_time).ok_or_else(|| BundleError::Proof {
                name: first.name.clone(),
                source: ProofError::BadRecord(format!("the header's time {header_time:?} is not RFC 3339")),
            })?,
            exported_at,
            records: self.answers.len(),
        })
    }

    /// The validators the bundle's genesis names, followed through its governance changes.
    fn trust(&self) -> Result<ChainTrust, BundleError> {
        let mut trust = ChainTrust::new(&self.genesis)?;
        trust.follow_all(&self.governance)?;
        Ok(trust)
    }

    /// Whether the bundle's contexts are exactly this build's, naming the first difference.
    fn check_contexts(&self) -> Result<(), BundleError> {
        let mut theirs = self.contexts.clone();
        theirs.sort();
        let ours = context_digests();
        if theirs == ours {
            return Ok(());
        }
        let differs = ours
            .iter()
            .find(|context| !theirs.contains(context))
            .map(|context| format!("{} differs or is missing", context.url))
            .or_else(|| {
                theirs
                    .iter()
                    .find(|context| !ours.contains(context))
                    .map(|context| format!("{} is not bundled here", context.url))
            })
            .unwrap_or_else(|| "the lists differ".to_owned());
        Err(BundleError::Contexts(differs))
    }
}

impl RegistryClient {
    /// A client that answers only from `bundle`'s proven records, trusting its genesis's
    /// validators, and never touches the network. The bundle is checked first (without a
    /// pinned genesis: check it with [`Bundle::check`] to pin one). A record the bundle lacks
    /// is unavailable, so a verification that needs it reaches no verdict.
    pub fn from_bundle(bundle: &Bundle) -> Result<RegistryClient, BundleError> {
        bundle.check(None)?;
        let trust = bundle.trust()?;
        let base = url::Url::parse(INERT_BASE).map_err(|e| BundleError::Format(e.to_string()))?;
        let fixed: HashMap<String, Proven> = bundle
            .answers
            .iter()
            .map(|answer| (answer.name.clone(), answer.clone()))
            .collect();
        let mut client = RegistryClient::new(base).with_trust(trust);
        client.chain.fixed = Some(fixed);
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use serde_json::json;

    use super::*;
    use crate::key::SigningKey;
    use crate::state::commit::{Commit, ValidatorSignature};
    use crate::state::records::digest;
    use crate::state::tree::StateTree;
    use crate::test_support::block_on;

    const ISSUER: &str = "did:sigil:z4university";

    /// A one-validator chain whose state holds one unrelated record.
    fn genesis_and_key() -> (Genesis, SigningKey) {
        let key = SigningKey::from_seed(&[7; 32]);
        let genesis = Genesis {
            chain_id: "sigil-bundle-test".into(),
            time: "2026-01-01T00:00:00Z".into(),
            validators: vec![key.public_key().to_multikey()],
            roots_of_trust: vec![],
            root_names: Default::default(),
        };
        (genesis, key)
    }

    fn tree() -> StateTree {
        [(
            StateTree::key("status-list/elsewhere"),
            digest(&json!({"other": 1})).unwrap(),
        )]
        .into_iter()
        .collect()
    }

    /// The answers about `names` (all absent from the state) at `height`, signed.
    fn answers(key: &SigningKey, genesis: &Genesis, height: u64, names: &[RecordName]) -> Vec<Proven> {
        let header = BlockHeader {
            chain_id: genesis.chain_id.clone(),
            height,
            prev_hash: "zPrev".into(),
            time: "2026-11-28T10:00:00Z".into(),
            tx_root: "00".repeat(32),
            state_root: "zState".into(),
            state_tree_root: Some(crate::merkle::hex(&tree().root())),
            proposer: genesis.validators[0].clone(),
            signature: None,
        };
        let commit = Commit {
            signatures: vec![ValidatorSignature::sign(&header, key).unwrap()],
            header,
        };
        names
            .iter()
            .map(|name| Proven {
                name: name.text(),
                record: None,
                proof: tree().prove(&name.key()),
                commit: Some(commit.clone()),
            })
            .collect()
    }

    fn names() -> Vec<RecordName> {
        vec![
            RecordName::Did(ISSUER.into()),
            RecordName::Accreditations {
                role: crate::transaction::accreditation::AccreditedRole::Issuer,
                did: ISSUER.into(),
            },
        ]
    }

    fn bundle() -> Bundle {
        let (genesis, key) = genesis_and_key();
        Bundle {
            format: FORMAT.into(),
            answers: answers(&key, &genesis, 12, &names()),
            governance: vec![],
            genesis,
            exported_at: "2026-12-01T10:00:00Z".into(),
            contexts: context_digests(),
        }
    }

    #[test]
    fn a_bundle_of_one_block_proves_itself_and_says_which_block_and_how_old() {
        let bundle = bundle();
        let summary = bundle.check(None).unwrap();
        assert_eq!(
            (summary.chain_id.as_str(), summary.height, summary.records),
            ("sigil-bundle-test", 12, 2)
        );
        assert_eq!(format_datetime(summary.header_time), "2026-11-28T10:00:00Z");
        let now = parse_datetime("2026-12-01T10:00:00Z").unwrap();
        assert_eq!(summary.age(now).num_days(), 3);
        let hash = bundle.genesis.hash().unwrap();
        assert_eq!(bundle.check(Some(&hash)).unwrap().genesis_hash, hash);
        assert!(matches!(
            bundle.check(Some("zOther")),
            Err(BundleError::NotPinned { .. })
        ));

        // Written and read back, it is the same bundle; a field it does not know is refused.
        let text = serde_json::to_string(&bundle).unwrap();
        assert_eq!(serde_json::from_str::<Bundle>(&text).unwrap(), bundle);
        let mut extra: serde_json::Value = serde_json::from_str(&text).unwrap();
        extra["freshUntil"] = json!("2030-01-01T00:00:00Z");
        assert!(serde_json::from_value::<Bundle>(extra).is_err());
    }

    #[test]
    fn a_client_from_a_bundle_answers_what_it_holds_and_nothing_else() {
        let client = RegistryClient::from_bundle(&bundle()).unwrap();
        block_on(async {
            let held: Option<DidRecord> = client.proven(&names()[0]).await.unwrap();
            assert_eq!(held, None, "proven absent");
            let missing = client
                .proven::<DidRecord>(&RecordName::Did("did:sigil:z4stranger".into()))
                .await
                .unwrap_err();
            assert!(missing.0.contains("offline bundle holds no proof"), "{missing:?}");
        });
    }

    #[test]
    fn a_tampered_or_mixed_bundle_is_refused_naming_the_fault() {
        let mut forged_record = bundle();
        forged_record.answers[0].record = Some(json!({"forged": true}));
        assert!(
            matches!(forged_record.check(None), Err(BundleError::Proof { .. })),
            "{:?}",
            forged_record.check(None)
        );

        let mut forged_signature = bundle();
        let commit = forged_signature.answers[1].commit.as_mut().unwrap();
        commit.signatures[0].signature = format!("z{}", bs58::encode([1u8; 64]).into_string());
        let refused = forged_signature.check(None).unwrap_err();
        assert!(
            matches!(
                refused,
                BundleError::Proof {
                    source: ProofError::NoQuorum { .. },
                    ..
                }
            ),
            "{refused:?}"
        );

        let mut mixed = bundle();
        let (genesis, key) = genesis_and_key();
        mixed.answers[1] = answers(&key, &genesis, 13, &names()).remove(1);
        let refused = mixed.check(None).unwrap_err();
        assert!(
            matches!(
                refused,
                BundleError::MixedHeaders {
                    first: 12,
                    other: 13,
                    ..
                }
            ),
            "{refused:?}"
        );
        assert!(
            refused.to_string().contains("not all from one block"),
            "{refused}"
        );

        let mut other_contexts = bundle();
        other_contexts.contexts[0].sha256 = "00".repeat(32);
        assert!(matches!(
            other_contexts.check(None),
            Err(BundleError::Contexts(_))
        ));

        let mut other_format = bundle();
        other_format.format = "sigil-registry-bundle/2".into();
        assert!(matches!(other_format.check(None), Err(BundleError::Format(_))));

        let mut twice = bundle();
        twice.answers[1] = twice.answers[0].clone();
        assert!(matches!(twice.check(None), Err(BundleError::Duplicate(_))));

        let mut empty = bundle();
        empty.answers.clear();
        assert_eq!(empty.check(None), Err(BundleError::Empty));
    }
}
