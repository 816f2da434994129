//! The explorer: server-rendered pages (askama templates from `sigil-templates`) for people
//! to read the chain — latest blocks, a block, a transaction, a DID's history and keys, and
//! its accreditations as an issuer or a verifier.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sigil_core::did::Did;
use sigil_core::time::{Timestamp, format_datetime};
use sigil_service::language::{Lang, PageLang, localized};
use sigil_templates::party::PartyView;
use sigil_templates::registry::{
    AccreditationRow, BlockPage, BlockRow, BlocksPage, DidPage, EquivocationRow, KeyRow, NodeRow,
    RegistryText, TimelineRow, TransactionPage, TransactionRow,
};

use crate::chain::block::Block;
use crate::consensus::Cluster;
use crate::ledger::LedgerState;
use crate::ledger::accreditation::AccreditedRole;
use crate::ledger::state::DidState;
use crate::node::Node;

use super::story;

/// How many blocks the front page lists.
const LATEST_BLOCKS: u64 = 20;

/// The explorer's routes and the shared stylesheet.
pub(super) fn routes() -> Router<Node> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/explorer") }))
        .route("/explorer", get(latest_blocks))
        .route("/explorer/blocks/{height}", get(block))
        .route("/explorer/transactions/{hash}", get(transaction))
        .route("/explorer/dids", get(find_did))
        .route("/explorer/search", get(search))
        .route("/explorer/dids/{did}", get(did))
        .route(sigil_templates::STYLESHEET_PATH, get(stylesheet))
        .layer(axum::middleware::from_fn(sigil_service::language::switch))
}

/// Renders a page in `lang`.
fn page(lang: Lang, template: &impl askama::Template) -> Response {
    localized(lang, sigil_service::pages::page(StatusCode::OK, template))
}

/// A page that could not be shown: plain text, never echoing markup.
enum PageError {
    /// Nothing there: what to tell the reader, and the language it is in.
    NotFound(&'static str, Lang),
    Internal(String),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound(message, lang) => {
                localized(lang, (StatusCode::NOT_FOUND, message).into_response())
            }
            PageError::Internal(detail) => {
                tracing::error!(%detail, "explorer page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}

fn internal(error: impl std::fmt::Display) -> PageError {
    PageError::Internal(error.to_string())
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        sigil_templates::STYLESHEET,
    )
}

async fn latest_blocks(State(node): State<Node>, PageLang(lang): PageLang) -> Result<Response, PageError> {
    let tip = node.view().await.tip.height;
    let mut blocks = Vec::new();
    for height in (tip.saturating_sub(LATEST_BLOCKS - 1).max(1)..=tip).rev() {
        if let Some(block) = node.store().block(height).await.map_err(internal)? {
            blocks.push(BlockRow {
                height,
                time: block.header.time.clone(),
                transactions: block.transactions.len(),
                hash: block.header.hash().map_err(internal)?,
            });
        }
    }
    let mut equivocations = Vec::new();
    for (evidence, recorded_at) in node
        .store()
        .equivocations(LATEST_BLOCKS)
        .await
        .map_err(internal)?
    {
        equivocations.push(EquivocationRow {
            validator: evidence.validator,
            height: evidence.first.header.height,
            first_hash: evidence.first.header.hash().map_err(internal)?,
            second_hash: evidence.second.header.hash().map_err(internal)?,
            recorded_at,
        });
    }
    let nodes = match node.cluster() {
        Some(cluster) => node_rows(&node, cluster).await,
        None => Vec::new(),
    };
    Ok(page(
        lang,
        &BlocksPage {
            lang,
            t: RegistryText::for_lang(lang),
            chain_id: node.genesis().chain_id.clone(),
            height: tip,
            blocks,
            nodes,
            equivocations,
        },
    ))
}

/// Each node's view: this one's from itself, the others' from their status, asked at once
/// and briefly — a node that does not answer is shown as unreachable.
async fn node_rows(node: &Node, cluster: &Cluster) -> Vec<NodeRow> {
    const PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);
    let http = sigil_core::http_client::client();
    let asks = cluster.members().into_iter().map(|(id, peer)| {
        let http = http.clone();
        async move {
            let status = if id == cluster.id() {
                Some(super::consensus::node_status(node, cluster).await)
            } else {
                let url = format!(
                    "{}{}",
                    peer.url.trim_end_matches('/'),
                    super::consensus::STATUS_PATH
                );
                let answer = http.get(url).timeout(PATIENCE).send().await.ok();
                match answer {
                    Some(response) if response.status().is_success() => response.json().await.ok(),
                    _ => None,
                }
            };
            NodeRow {
                id,
                url: peer.url.clone(),
                role: status
                    .as_ref()
                    .map_or_else(|| "unreachable".into(), |s| s.role.clone()),
                term: status.as_ref().map(|s| s.term),
                height: status.as_ref().map(|s| s.height),
                final_height: status.as_ref().and_then(|s| s.final_height),
                this_node: id == cluster.id(),
            }
        }
    });
    futures::future::join_all(asks).await
}

async fn block(
    State(node): State<Node>,
    PageLang(lang): PageLang,
    Path(height): Path<u64>,
) -> Result<Response, PageError> {
    let t = RegistryText::for_lang(lang);
    let block = node
        .store()
        .block(height)
        .await
        .map_err(internal)?
        .ok_or(PageError::NotFound(t.no_such_block, lang))?;
    let state = node.view().await.state;
    let transactions = block
        .transactions
        .iter()
        .map(|tx| {
            let (kind, subject) = tx.describe();
            Ok(TransactionRow {
                story: story::sentence(tx, &state, lang),
                kind: kind.to_owned(),
                subject,
                hash: tx.hash().map_err(internal)?,
            })
        })
        .collect::<Result<_, PageError>>()?;
    let header = &block.header;
    Ok(page(
        lang,
        &BlockPage {
            lang,
            t,
            height,
            hash: header.hash().map_err(internal)?,
            prev_hash: header.prev_hash.clone(),
            time: header.time.clone(),
            tx_root: header.tx_root.clone(),
            state_root: header.state_root.clone(),
            proposer: header.proposer.clone(),
            transactions,
        },
    ))
}

async fn transaction(
    State(node): State<Node>,
    PageLang(lang): PageLang,
    Path(hash): Path<String>,
) -> Result<Response, PageError> {
    let t = RegistryText::for_lang(lang);
    let not_found = || PageError::NotFound(t.no_such_transaction, lang);
    let location = node
        .store()
        .locate(&hash)
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    let block = node
        .store()
        .block(location.height)
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    let transaction = block.transactions.get(location.index).ok_or_else(not_found)?;
    let receipt = node
        .store()
        .receipt_in(&block, location.index, &hash)
        .map_err(internal)?
        .ok_or_else(not_found)?;
    Ok(page(
        lang,
        &TransactionPage {
            lang,
            t,
            story: story::sentence(transaction, &node.view().await.state, lang),
            kind: transaction.describe().0.to_owned(),
            hash,
            height: location.height,
            index: location.index,
            proof_length: receipt.inclusion_proof.len(),
            body: serde_json::to_string_pretty(transaction).map_err(internal)?,
        },
    ))
}

#[derive(Deserialize)]
struct Search {
    q: String,
}

/// `GET /explorer/search?q=`: a block height, a DID or a transaction hash, to its page.
async fn search(
    State(node): State<Node>,
    PageLang(lang): PageLang,
    Query(query): Query<Search>,
) -> Result<Response, PageError> {
    let q = query.q.trim();
    if let Ok(height) = q.parse::<u64>() {
        return Ok(Redirect::to(&format!("/explorer/blocks/{height}")).into_response());
    }
    if let Ok(did) = Did::parse(q) {
        let encoded: String = url::form_urlencoded::byte_serialize(did.as_str().as_bytes()).collect();
        return Ok(Redirect::to(&format!("/explorer/dids/{encoded}")).into_response());
    }
    // A transaction hash is a multibase string: nothing else may reach the redirect.
    let hash_shaped = !q.is_empty() && q.len() <= 128 && q.bytes().all(|b| b.is_ascii_alphanumeric());
    if hash_shaped && node.store().locate(q).await.map_err(internal)?.is_some() {
        return Ok(Redirect::to(&format!("/explorer/transactions/{q}")).into_response());
    }
    Err(PageError::NotFound(
        RegistryText::for_lang(lang).nothing_matches,
        lang,
    ))
}

#[derive(Deserialize)]
struct FindDid {
    did: String,
}

async fn find_did(PageLang(lang): PageLang, Query(query): Query<FindDid>) -> Response {
    match Did::parse(query.did.trim()) {
        Ok(did) => Redirect::to(&format!(
            "/explorer/dids/{}",
            url::form_urlencoded::byte_serialize(did.as_str().as_bytes()).collect::<String>()
        ))
        .into_response(),
        Err(_) => PageError::NotFound(RegistryText::for_lang(lang).not_a_did, lang).into_response(),
    }
}

/// A DID's page: its keys and timeline if it lives on the ledger, and every accreditation it
/// holds — a `did:key` verifier has only those.
async fn did(
    State(node): State<Node>,
    PageLang(lang): PageLang,
    Path(did): Path<String>,
) -> Result<Response, PageError> {
    let t = RegistryText::for_lang(lang);
    let not_found = || PageError::NotFound(t.no_such_did, lang);
    let did = Did::parse(&did).map_err(|_| not_found())?;
    let view = node.view().await;
    let accreditations = accreditation_rows(&view.state, &did, lang);
    let state = view.state.dids.get(&did).map(std::sync::Arc::as_ref);
    if state.is_none() && accreditations.is_empty() {
        return Err(not_found());
    }
    let timeline = timeline(&node, &did, state, &view.state, lang).await?;
    let services = state
        .and_then(DidState::latest)
        .filter(|v| !v.services.is_empty())
        .map(|v| serde_json::to_string_pretty(&v.services).unwrap_or_default())
        .unwrap_or_default();
    Ok(page(
        lang,
        &DidPage {
            lang,
            t,
            did: did.to_string(),
            name: story::recorded_name(&view.state, &did).map(|name| name.in_language(lang.tag()).to_owned()),
            on_ledger: state.is_some(),
            deactivated: state.is_some_and(DidState::is_deactivated),
            keys: state.map(key_rows).unwrap_or_default(),
            timeline: timeline.rows,
            earlier_events: timeline.earlier,
            services,
            accreditations,
        },
    ))
}

fn key_rows(state: &DidState) -> Vec<KeyRow> {
    let time_of = |version: u64| {
        state
            .versions
            .iter()
            .find(|v| v.id == version)
            .map(|v| format_datetime(v.time))
            .unwrap_or_default()
    };
    state
        .methods
        .iter()
        .map(|(fragment, method)| KeyRow {
            fragment: fragment.clone(),
            purposes: method
                .purposes
                .iter()
                .map(|p| {
                    serde_json::to_value(p)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(", "),
            added: time_of(method.added),
            retired: method.retired.map(time_of),
            compromised_since: method.compromised_since.map(format_datetime),
        })
        .collect()
}

/// A DID's timeline, oldest first: its versions, each told from the operation that made it
/// (read from its block, each block once), the accreditations granted to it and withdrawn, and
/// the latest status lists it published and batches it anchored.
async fn timeline(
    node: &Node,
    did: &Did,
    did_state: Option<&DidState>,
    state: &LedgerState,
    lang: Lang,
) -> Result<Timeline, PageError> {
    let mut moments: Vec<(Timestamp, TimelineRow)> = Vec::new();
    let mut blocks: HashMap<u64, Block> = HashMap::new();
    for version in did_state.map(|d| d.versions.as_slice()).unwrap_or_default() {
        let mut story = String::new();
        if let Some(location) = node
            .store()
            .locate(&version.transaction)
            .await
            .map_err(internal)?
        {
            if let Entry::Vacant(vacant) = blocks.entry(location.height) {
                if let Some(block) = node.store().block(location.height).await.map_err(internal)? {
                    vacant.insert(block);
                }
            }
            if let Some(tx) = blocks
                .get(&location.height)
                .and_then(|block| block.transactions.get(location.index))
            {
                story = story::sentence(tx, state, lang);
            }
        }
        moments.push((
            version.time,
            TimelineRow {
                time: format_datetime(version.time),
                story,
                version: Some(version.id),
                transaction: version.transaction.clone(),
            },
        ));
    }
    for (transaction, record) in state.accreditations.iter().filter(|(_, r)| &r.accredited == did) {
        let row = |time: Timestamp, story: String| {
            (
                time,
                TimelineRow {
                    time: format_datetime(time),
                    story,
                    version: None,
                    transaction: transaction.clone(),
                },
            )
        };
        moments.push(row(record.valid_from, story::granted(record, state, lang)));
        if let (Some(time), Some(story)) = (
            record.revoked_at,
            story::withdrawn(record, transaction, state, lang),
        ) {
            moments.push(row(time, story));
        }
    }
    // What it did as an issuer: each status list it published and each batch it anchored —
    // the latest of them, since a university anchors every few seconds while it issues.
    let mut issued: Vec<(Timestamp, TimelineRow)> = Vec::new();
    let row = |time: Timestamp, story: String, transaction: &str| {
        (
            time,
            TimelineRow {
                time: format_datetime(time),
                story,
                version: None,
                transaction: transaction.to_owned(),
            },
        )
    };
    for version in state.status_lists.values().flatten().filter(|v| &v.issuer == did) {
        issued.push(row(
            version.valid_from,
            story::published(version, state, lang),
            &version.transaction,
        ));
    }
    for anchor in state.anchors.values().filter(|a| &a.issuer == did) {
        issued.push(row(
            anchor.time,
            story::anchored(anchor, state, lang),
            &anchor.transaction,
        ));
    }
    issued.sort_by_key(|(time, _)| *time);
    let earlier = issued.len().saturating_sub(LATEST_ISSUER_EVENTS);
    moments.extend(issued.into_iter().skip(earlier));
    moments.sort_by_key(|(time, _)| *time);
    Ok(Timeline {
        rows: moments.into_iter().map(|(_, row)| row).collect(),
        earlier,
    })
}

/// How many of an issuer's status list publications and anchors a timeline shows (the latest).
const LATEST_ISSUER_EVENTS: usize = 30;

/// A DID's timeline, and how many earlier publications and anchors it leaves out.
struct Timeline {
    rows: Vec<TimelineRow>,
    earlier: usize,
}

/// Every accreditation `did` holds, as issuer or as verifier.
fn accreditation_rows(state: &LedgerState, did: &Did, lang: Lang) -> Vec<AccreditationRow> {
    let t = RegistryText::for_lang(lang);
    state
        .accreditations
        .iter()
        .filter(|(_, record)| &record.accredited == did)
        .map(|(transaction, record)| AccreditationRow {
            role: match record.role {
                AccreditedRole::Issuer => t.issuer,
                AccreditedRole::Verifier => t.verifier,
            }
            .to_owned(),
            credential_types: record.credential_types.join(", "),
            root: PartyView {
                did: record.root.to_string(),
                name: record
                    .root_name
                    .as_ref()
                    .map(|name| name.in_language(lang.tag()).to_owned()),
                vouched: true,
                lang,
            },
            valid_from: format_datetime(record.valid_from),
            valid_until: record.valid_until.map(format_datetime),
            revoked_at: record.revoked_at.map(format_datetime),
            transaction: transaction.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use sigil_core::transaction::{Accreditation, Transaction};
    use tower::ServiceExt as _;

    use super::*;
    use crate::fixtures::{ROOT_OF_TRUST, key, node};
    use crate::ledger::statement;

    async fn page_text(node: &Node, path: &str) -> (StatusCode, String) {
        page_in(node, path, "en").await
    }

    /// The page at `path` for a browser that reads `accept_language`.
    async fn page_in(node: &Node, path: &str, accept_language: &str) -> (StatusCode, String) {
        let request = Request::get(path)
            .header(header::ACCEPT_LANGUAGE, accept_language)
            .body(Body::empty())
            .unwrap();
        let response = crate::http::app(node.clone(), sigil_service::rate_limit::RateLimit::per_minute(0))
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn the_explorer_shows_a_verifier_accreditation_as_a_verifiers() {
        let node = node().await;
        let (root, verifier) = (key(ROOT_OF_TRUST), key(7).did_key());
        let mut grant = Accreditation {
            root: root.did_key().to_string(),
            issuer: verifier.to_string(),
            role: AccreditedRole::Verifier,
            legal_name: None,
            credential_types: vec!["UniversityDegreeCredential".into()],
            valid_from: "2026-01-01T00:00:00Z".into(),
            valid_until: None,
            proof: None,
        };
        grant.proof = Some(statement::sign(&grant, &root, &root.did_key_method()).unwrap());
        let receipt = node.submit(Transaction::Accreditation(grant)).await.unwrap();

        let encoded: String = url::form_urlencoded::byte_serialize(verifier.as_str().as_bytes()).collect();
        let (status, html) = page_text(&node, &format!("/explorer/dids/{encoded}")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("<td>Verifier</td>"), "{html}");
        assert!(html.contains("<td>UniversityDegreeCredential</td>"), "{html}");

        let (_, html) = page_text(&node, &format!("/explorer/blocks/{}", receipt.height)).await;
        assert!(html.contains("<td>Verifier accreditation</td>"), "{html}");
        assert!(html.contains(&format!("/explorer/dids/{encoded}")), "{html}");
    }

    #[tokio::test]
    async fn the_explorer_tells_what_happened_in_words_and_finds_dids_transactions_and_blocks() {
        let node = node().await;
        let root = key(ROOT_OF_TRUST);
        let create = crate::fixtures::create(10);
        let Transaction::Did(operation) = &create else {
            unreachable!("fixtures::create makes a DID operation")
        };
        let university = operation.created_did().unwrap();
        node.submit(create.clone()).await.unwrap();
        let mut grant = Accreditation {
            root: root.did_key().to_string(),
            issuer: university.to_string(),
            role: AccreditedRole::Issuer,
            legal_name: Some(sigil_core::names::LegalName::new("en", "Example University").unwrap()),
            credential_types: vec!["UniversityDegreeCredential".into()],
            valid_from: "2026-01-01T00:00:00Z".into(),
            valid_until: None,
            proof: None,
        };
        grant.proof = Some(statement::sign(&grant, &root, &root.did_key_method()).unwrap());
        let granted = node.submit(Transaction::Accreditation(grant)).await.unwrap();

        let mut anchor = crate::ledger::anchor::unsigned(
            university.as_str(),
            vec!["ab".repeat(32), "cd".repeat(32)],
            "2026-07-01T00:00:00Z",
        );
        anchor.proof = Some(statement::sign(&anchor, &key(110), &format!("{university}#key-1")).unwrap());
        node.submit(Transaction::Anchor(anchor)).await.unwrap();

        let (_, block) = page_text(&node, &format!("/explorer/blocks/{}", granted.height)).await;
        assert!(
            block.contains("Ministry of Education accredited Example University as an issuer of UniversityDegreeCredential from 2026-01-01T00:00:00Z."),
            "{block}"
        );
        let encoded: String = url::form_urlencoded::byte_serialize(university.as_str().as_bytes()).collect();
        let (_, history) = page_text(&node, &format!("/explorer/dids/{encoded}")).await;
        assert!(history.contains("<h1>Example University</h1>"), "{history}");
        assert!(
            history.contains("Example University was created and added key key-1."),
            "{history}"
        );
        assert!(
            history.contains("Ministry of Education accredited Example University as an issuer of UniversityDegreeCredential from 2026-01-01T00:00:00Z."),
            "the timeline tells the accreditation too: {history}"
        );
        assert!(
            history.contains("Example University anchored 2 credentials"),
            "and what it did as an issuer: {history}"
        );
        let (_, chinese) = page_in(&node, &format!("/explorer/dids/{encoded}"), "zh-CN,zh;q=0.9").await;
        assert!(chinese.contains(r#"<html lang="zh-CN">"#), "{chinese}");
        assert!(chinese.contains("<h2>时间线</h2>"), "{chinese}");
        assert!(
            chinese.contains("Example University 已创建，并添加了密钥 key-1。"),
            "a name recorded only in English is shown in English: {chinese}"
        );
        for path in [
            "/explorer".to_owned(),
            format!("/explorer/blocks/{}", granted.height),
            format!("/explorer/transactions/{}", granted.tx_hash),
        ] {
            let (status, html) = page_in(&node, &path, "zh-CN").await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(html.contains(r#"<html lang="zh-CN">"#), "{path}: {html}");
            assert!(html.contains(r#"href="?lang=en""#), "{path}: the switch: {html}");
        }
        let (status, message) = page_in(&node, "/explorer/blocks/999", "zh-CN").await;
        assert_eq!(
            (status, message.as_str()),
            (StatusCode::NOT_FOUND, "没有这个区块。")
        );

        let found = |q: String| {
            let node = node.clone();
            async move {
                let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
                let request = Request::get(format!("/explorer/search?q={encoded}"))
                    .body(Body::empty())
                    .unwrap();
                let response = crate::http::app(node, sigil_service::rate_limit::RateLimit::per_minute(0))
                    .oneshot(request)
                    .await
                    .unwrap();
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .map(|l| l.to_str().unwrap().to_owned());
                (response.status(), location)
            }
        };
        let to = |path: String| (StatusCode::SEE_OTHER, Some(path));
        assert_eq!(
            found(granted.height.to_string()).await,
            to(format!("/explorer/blocks/{}", granted.height))
        );
        assert_eq!(
            found(format!(" {university} ")).await,
            to(format!("/explorer/dids/{encoded}"))
        );
        assert_eq!(
            found(granted.tx_hash.clone()).await,
            to(format!("/explorer/transactions/{}", granted.tx_hash))
        );
        assert_eq!(found("zQmNothingHere".into()).await.0, StatusCode::NOT_FOUND);
        assert_eq!(found("//evil.example/".into()).await.0, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn a_did_key_without_accreditations_has_no_page() {
        let encoded: String =
            url::form_urlencoded::byte_serialize(key(7).did_key().as_str().as_bytes()).collect();
        let (status, _) = page_text(&node().await, &format!("/explorer/dids/{encoded}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
