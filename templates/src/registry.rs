//! The registry explorer's pages: one struct per page with plain fields, filled by the
//! registry. Everything shown comes from the chain, that is from strangers, so nothing is
//! marked safe: askama escapes it all.

use askama::Template;

/// A row of the latest-blocks table.
#[derive(Debug, Clone)]
pub struct BlockRow {
    pub height: u64,
    pub time: String,
    pub transactions: usize,
    pub hash: String,
}

/// `/explorer`: the latest blocks.
#[derive(Debug, Template)]
#[template(path = "registry/blocks.html")]
pub struct BlocksPage {
    pub chain_id: String,
    pub height: u64,
    pub blocks: Vec<BlockRow>,
}

/// A transaction as a block lists it.
#[derive(Debug, Clone)]
pub struct TransactionRow {
    pub kind: String,
    /// The DID or list it is about.
    pub subject: String,
    pub hash: String,
}

/// `/explorer/blocks/{height}`: one block.
#[derive(Debug, Template)]
#[template(path = "registry/block.html")]
pub struct BlockPage {
    pub height: u64,
    pub hash: String,
    pub prev_hash: String,
    pub time: String,
    pub tx_root: String,
    pub state_root: String,
    pub proposer: String,
    pub transactions: Vec<TransactionRow>,
}

/// `/explorer/transactions/{hash}`: one transaction, as signed.
#[derive(Debug, Template)]
#[template(path = "registry/transaction.html")]
pub struct TransactionPage {
    pub kind: String,
    pub hash: String,
    pub height: u64,
    pub index: usize,
    pub proof_length: usize,
    /// The transaction, pretty-printed JSON.
    pub body: String,
}

/// A key in a DID's timeline.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub fragment: String,
    pub purposes: String,
    pub added: String,
    pub retired: Option<String>,
    pub compromised_since: Option<String>,
}

/// A version in a DID's history.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub id: u64,
    pub time: String,
    pub operation: String,
    /// The transaction hash of the operation, for the link.
    pub transaction: String,
}

/// `/explorer/dids/{did}`: a DID's version history and key timeline.
#[derive(Debug, Template)]
#[template(path = "registry/did.html")]
pub struct DidPage {
    pub did: String,
    pub deactivated: bool,
    pub keys: Vec<KeyRow>,
    pub versions: Vec<VersionRow>,
    /// The current services, pretty-printed JSON (empty when there are none).
    pub services: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_in_a_service_is_escaped() {
        let page = DidPage {
            did: "did:sigil:zQmX".into(),
            deactivated: false,
            keys: vec![],
            versions: vec![],
            services: r#"[{"serviceEndpoint": "<script>alert(1)</script>"}]"#.into(),
        };
        let html = page.render().unwrap();
        assert!(!html.contains("<script>alert(1)</script>"), "{html}");
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn the_blocks_page_links_every_block() {
        let page = BlocksPage {
            chain_id: "sigil-test".into(),
            height: 2,
            blocks: vec![BlockRow {
                height: 2,
                time: "2026-11-28T12:00:00Z".into(),
                transactions: 3,
                hash: "zQmA".into(),
            }],
        };
        let html = page.render().unwrap();
        assert!(html.contains(r#"<a href="/explorer/blocks/2">2</a>"#), "{html}");
        assert!(html.contains("/static/sigil.css"));
    }
}
