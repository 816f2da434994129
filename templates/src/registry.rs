//! The registry explorer's pages: one struct per page with plain fields, filled by the
//! registry. Everything shown comes from the chain, that is from strangers, so nothing is
//! marked safe: askama escapes it all.

use askama::Template;

use crate::party::PartyView;

/// A row of the latest-blocks table.
#[derive(Debug, Clone)]
pub struct BlockRow {
    pub height: u64,
    pub time: String,
    pub transactions: usize,
    pub hash: String,
}

/// Evidence that a validator signed two blocks at one height.
#[derive(Debug, Clone)]
pub struct EquivocationRow {
    pub validator: String,
    pub height: u64,
    pub first_hash: String,
    pub second_hash: String,
    pub recorded_at: String,
}

/// One node of a chain of several, as it describes itself (or as unreachable).
#[derive(Debug, Clone)]
pub struct NodeRow {
    pub id: u64,
    pub url: String,
    /// `Leader`, `Follower`, `Candidate`, `Learner`, or `unreachable`.
    pub role: String,
    pub term: Option<u64>,
    pub height: Option<u64>,
    pub final_height: Option<u64>,
    /// Whether this row is the node serving the page.
    pub this_node: bool,
}

/// `/explorer`: the latest blocks, each node's view when there are several, and any
/// equivocation evidence this node keeps.
#[derive(Debug, Template)]
#[template(path = "registry/blocks.html")]
pub struct BlocksPage {
    pub chain_id: String,
    pub height: u64,
    pub blocks: Vec<BlockRow>,
    pub nodes: Vec<NodeRow>,
    pub equivocations: Vec<EquivocationRow>,
}

/// A transaction as a block lists it.
#[derive(Debug, Clone)]
pub struct TransactionRow {
    /// What it did, in words.
    pub story: String,
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
    /// What it did, in words.
    pub story: String,
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
    /// What the operation did, in words.
    pub story: String,
    pub id: u64,
    pub time: String,
    pub operation: String,
    /// The transaction hash of the operation, for the link.
    pub transaction: String,
}

/// An accreditation a DID holds, as an issuer or as a verifier.
#[derive(Debug, Clone)]
pub struct AccreditationRow {
    /// `Issuer` or `Verifier`.
    pub role: String,
    /// The types it may issue, or as a verifier request, comma-separated.
    pub credential_types: String,
    /// The root of trust that granted it.
    pub root: PartyView,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub revoked_at: Option<String>,
    /// The granting transaction's hash, for the link.
    pub transaction: String,
}

/// `/explorer/dids/{did}`: a DID's version history and key timeline, and its accreditations.
#[derive(Debug, Template)]
#[template(path = "registry/did.html")]
pub struct DidPage {
    pub did: String,
    /// The legal name its latest accreditation in force records.
    pub name: Option<String>,
    /// Whether the ledger keeps the DID itself (a `did:sigil`); a `did:key` has only
    /// accreditations here.
    pub on_ledger: bool,
    pub deactivated: bool,
    pub keys: Vec<KeyRow>,
    pub versions: Vec<VersionRow>,
    /// The current services, pretty-printed JSON (empty when there are none).
    pub services: String,
    pub accreditations: Vec<AccreditationRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_in_a_service_is_escaped() {
        let page = DidPage {
            did: "did:sigil:zQmX".into(),
            name: None,
            on_ledger: true,
            deactivated: false,
            keys: vec![],
            versions: vec![],
            services: r#"[{"serviceEndpoint": "<script>alert(1)</script>"}]"#.into(),
            accreditations: vec![],
        };
        let html = page.render().unwrap();
        assert!(!html.contains("<script>alert(1)</script>"), "{html}");
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn the_did_page_says_whether_each_accreditation_is_for_an_issuer_or_a_verifier() {
        let row = |role: &str, types: &str| AccreditationRow {
            role: role.into(),
            credential_types: types.into(),
            root: PartyView {
                did: "did:key:z6MkRoot".into(),
                name: Some("Ministry of <b>Education</b>".into()),
                vouched: true,
                lang: crate::lang::Lang::En,
            },
            valid_from: "2026-01-01T00:00:00Z".into(),
            valid_until: None,
            revoked_at: Some("2026-02-01T00:00:00Z".into()),
            transaction: "zQmT".into(),
        };
        let page = DidPage {
            did: "did:key:z6MkEmployer".into(),
            name: Some("Example Employer".into()),
            on_ledger: false,
            deactivated: false,
            keys: vec![],
            versions: vec![],
            services: String::new(),
            accreditations: vec![row("Verifier", "<script>x</script>")],
        };
        let html = page.render().unwrap();
        assert!(html.contains("<td>Verifier</td>"), "{html}");
        assert!(
            html.contains("<h1>Example Employer</h1>"),
            "the name first: {html}"
        );
        assert!(!html.contains("<b>Education"), "{html}");
        assert!(
            html.contains("did:key:z6MkRoot"),
            "the root's DID a click away: {html}"
        );
        assert!(!html.contains("<script>x"), "{html}");
        assert!(
            !html.contains("<h2>Keys</h2>"),
            "a did:key has no keys on the ledger: {html}"
        );
        assert!(html.contains("revoked 2026-02-01T00:00:00Z"), "{html}");
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
            nodes: vec![],
            equivocations: vec![],
        };
        let html = page.render().unwrap();
        assert!(html.contains(r#"<a href="/explorer/blocks/2">2</a>"#), "{html}");
        assert!(html.contains("/static/sigil.css"));
        assert!(!html.contains("Equivocation"), "no evidence, no alarm");
    }
}
