//! The registry explorer's pages: one struct per page with plain fields, filled by the
//! registry. Everything shown comes from the chain, that is from strangers, so nothing is
//! marked safe: askama escapes it all.

use askama::Template;

use crate::lang::Lang;
use crate::party::PartyView;
use crate::text::catalog;

catalog! {
    /// The explorer's words.
    RegistryText {
        brand: "Sigil registry explorer", "Sigil 注册链浏览器";
        site: "Sigil registry", "Sigil 注册链";
        latest_blocks: "Latest blocks", "最新区块";
        chain: "Chain", "链";
        height: "height", "高度";
        nodes: "Nodes", "节点";
        nodes_intro: "Each validator's node, as it describes itself. A block is final once more than half of them have signed its header.", "各验证者节点自述的状态。超过半数的验证者签署区块头后，该区块即为最终确定。";
        node: "Node", "节点";
        role: "Role", "角色";
        term: "Term", "任期";
        applied_height: "Applied height", "已应用高度";
        final_height: "Final height", "最终确定高度";
        this_node: "(this node)", "（本节点）";
        leader: "Leader", "领导者";
        follower: "Follower", "跟随者";
        candidate: "Candidate", "候选者";
        learner: "Learner", "学习节点";
        unreachable: "unreachable", "无法连接";
        equivocation: "Equivocation evidence", "双重签名证据";
        equivocation_intro: "These validators signed two different blocks at one height. Each pair of signatures is proof that anyone holding the chain's genesis can check", "以下验证者在同一高度签署了两个不同的区块。每一对签名都是证据，任何持有本链创世配置的人都可以核验";
        as_json: "as JSON", "JSON 格式";
        validator: "Validator", "验证者";
        two_hashes: "Two block hashes", "两个区块哈希";
        recorded: "Recorded", "记录时间";
        no_blocks: "No blocks yet.", "尚无区块。";
        time: "Time", "时间";
        transactions: "Transactions", "交易";
        hash: "Hash", "哈希";
        search_label: "Find a DID, a transaction or a block", "查找 DID、交易或区块";
        search_placeholder: "did:sigil:z…, a transaction hash, or a block height", "did:sigil:z…、交易哈希或区块高度";
        find: "Find", "查找";
        block: "Block", "区块";
        previous: "Previous", "前一区块";
        genesis: "(genesis)", "（创世）";
        transaction_root: "Transaction root", "交易根";
        state_root: "State root", "状态根";
        signed_by: "Signed by validator", "签署的验证者";
        what_happened: "What happened", "发生了什么";
        kind: "Kind", "类型";
        transaction: "Transaction", "交易";
        its_history: "Its history", "查看其历史";
        position: "position", "位置";
        inclusion_proof: "Inclusion proof", "包含证明";
        proof_hashes: "hashes up to the block's transaction root", "个哈希，直至区块的交易根";
        as_signed: "As signed", "签名原文";
        kind_did_create: "DID created", "创建 DID";
        kind_did_update: "DID updated", "更新 DID";
        kind_did_rotate: "DID key rotated", "轮换 DID 密钥";
        kind_did_deactivate: "DID deactivated", "停用 DID";
        kind_status_list: "Status list", "状态列表";
        kind_anchor: "Issuance anchor", "签发锚定";
        kind_issuer_accreditation: "Issuer accreditation", "签发机构认可";
        kind_verifier_accreditation: "Verifier accreditation", "验证方认可";
        kind_accreditation_withdrawn: "Accreditation withdrawn", "撤回认可";
        kind_governance: "Governance", "治理";
        legal_name_note: "Legal name as its accreditation records it.", "其认可记录中登记的法定名称。";
        deactivated: "deactivated", "已停用";
        keys: "Keys", "密钥";
        key: "Key", "密钥";
        purposes: "Purposes", "用途";
        added: "Added", "添加时间";
        retired: "Retired", "停用时间";
        compromised_since: "Compromised since", "泄露起始时间";
        timeline: "Timeline", "时间线";
        earlier_events: "Earlier status list publications and anchors not shown:", "未显示的更早的状态列表发布和锚定：";
        version: "Version", "版本";
        not_on_ledger: "This DID is not kept on the ledger; the registry holds only its accreditations.", "此 DID 不保存在账本上；注册链只保存它的认可记录。";
        accreditations: "Accreditations", "认可";
        accredited_as: "As", "身份";
        credential_types: "Credential types", "凭证类型";
        granted_by: "Granted by", "授予机构";
        from: "From", "起始";
        until: "Until", "截止";
        revoked: "revoked", "已撤回于";
        issuer: "Issuer", "签发机构";
        verifier: "Verifier", "验证方";
        services: "Services", "服务";
        no_such_block: "There is no such block.", "没有这个区块。";
        no_such_transaction: "There is no such transaction.", "没有这笔交易。";
        no_such_did: "This registry has no such DID.", "本注册链上没有这个 DID。";
        not_a_did: "That is not a DID.", "这不是一个 DID。";
        nothing_matches: "Nothing on this chain matches: give a DID, a transaction hash or a block height.", "本链上没有匹配的内容：请输入 DID、交易哈希或区块高度。";
    }
}

impl RegistryText {
    /// The words for a transaction kind as `Transaction::describe` names it.
    pub fn kind(&self, kind: &str) -> &'static str {
        match kind {
            "DID create" => self.kind_did_create,
            "DID update" => self.kind_did_update,
            "DID rotate" => self.kind_did_rotate,
            "DID deactivate" => self.kind_did_deactivate,
            "status list" => self.kind_status_list,
            "issuance anchor" => self.kind_anchor,
            "issuer accreditation" => self.kind_issuer_accreditation,
            "verifier accreditation" => self.kind_verifier_accreditation,
            "accreditation revoked" => self.kind_accreditation_withdrawn,
            _ => self.kind_governance,
        }
    }

    /// The words for a node's role as its status names it (`Leader`, …, or `unreachable`).
    pub fn node_role(&self, role: &str) -> &'static str {
        match role {
            "Leader" => self.leader,
            "Follower" => self.follower,
            "Candidate" => self.candidate,
            "Learner" => self.learner,
            _ => self.unreachable,
        }
    }
}

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
    pub lang: Lang,
    pub t: &'static RegistryText,
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
    pub lang: Lang,
    pub t: &'static RegistryText,
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
    pub lang: Lang,
    pub t: &'static RegistryText,
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

/// A moment in a DID's timeline: a version its own operation made, or an accreditation granted
/// to it or withdrawn.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub time: String,
    /// What happened, in words.
    pub story: String,
    /// The version it made, for a DID operation.
    pub version: Option<u64>,
    /// The transaction behind it, for the link.
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

/// `/explorer/dids/{did}`: a DID's keys, its timeline, and its accreditations.
#[derive(Debug, Template)]
#[template(path = "registry/did.html")]
pub struct DidPage {
    pub lang: Lang,
    pub t: &'static RegistryText,
    pub did: String,
    /// The legal name its latest accreditation in force records.
    pub name: Option<String>,
    /// Whether the ledger keeps the DID itself (a `did:sigil`); a `did:key` has only
    /// accreditations here.
    pub on_ledger: bool,
    pub deactivated: bool,
    pub keys: Vec<KeyRow>,
    /// Its versions, accreditations, and latest publications and anchors, oldest first.
    pub timeline: Vec<TimelineRow>,
    /// How many earlier status list publications and anchors the timeline leaves out.
    pub earlier_events: usize,
    /// The current services, pretty-printed JSON (empty when there are none).
    pub services: String,
    pub accreditations: Vec<AccreditationRow>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{assert_page_in, assert_translated};

    #[test]
    fn the_explorer_speaks_both_languages() {
        assert_translated(&RegistryText::all(), &[]);
        let zh = RegistryText::for_lang(Lang::ZhCn);
        assert_eq!(zh.kind("DID rotate"), "轮换 DID 密钥");
        assert_eq!(zh.node_role("Leader"), "领导者");
        assert_eq!(zh.node_role("anything else"), "无法连接");
    }

    #[test]
    fn every_explorer_page_renders_in_both_languages() {
        for lang in Lang::ALL {
            let t = RegistryText::for_lang(lang);
            let pages = [
                BlocksPage {
                    lang,
                    t,
                    chain_id: "sigil-test".into(),
                    height: 1,
                    blocks: vec![BlockRow {
                        height: 1,
                        time: "2026-11-28T12:00:00Z".into(),
                        transactions: 1,
                        hash: "zQmA".into(),
                    }],
                    nodes: vec![NodeRow {
                        id: 1,
                        url: "http://127.0.0.1:7400".into(),
                        role: "Leader".into(),
                        term: Some(1),
                        height: Some(1),
                        final_height: Some(1),
                        this_node: true,
                    }],
                    equivocations: vec![],
                }
                .render()
                .unwrap(),
                BlockPage {
                    lang,
                    t,
                    height: 1,
                    hash: "zQmA".into(),
                    prev_hash: "zQm0".into(),
                    time: "2026-11-28T12:00:00Z".into(),
                    tx_root: "zQmT".into(),
                    state_root: "zQmS".into(),
                    proposer: "z6MkV".into(),
                    transactions: vec![TransactionRow {
                        story: "did:sigil:zU".into(),
                        kind: "DID create".into(),
                        subject: "did:sigil:zU".into(),
                        hash: "zQmX".into(),
                    }],
                }
                .render()
                .unwrap(),
                TransactionPage {
                    lang,
                    t,
                    story: "did:sigil:zU".into(),
                    kind: "DID create".into(),
                    hash: "zQmX".into(),
                    height: 1,
                    index: 0,
                    proof_length: 0,
                    body: "{}".into(),
                }
                .render()
                .unwrap(),
                DidPage {
                    lang,
                    t,
                    did: "did:sigil:zU".into(),
                    name: None,
                    on_ledger: true,
                    deactivated: true,
                    keys: vec![KeyRow {
                        fragment: "key-1".into(),
                        purposes: "assertionMethod".into(),
                        added: "2026-11-28T12:00:00Z".into(),
                        retired: None,
                        compromised_since: None,
                    }],
                    earlier_events: 3,
                    timeline: vec![TimelineRow {
                        time: "2026-11-28T12:00:00Z".into(),
                        story: "did:sigil:zU".into(),
                        version: Some(1),
                        transaction: "zQmX".into(),
                    }],
                    services: String::new(),
                    accreditations: vec![],
                }
                .render()
                .unwrap(),
            ];
            for html in pages {
                assert_page_in(lang, &html, true);
            }
        }
    }

    #[test]
    fn a_script_in_a_service_is_escaped() {
        let page = DidPage {
            lang: Lang::En,
            t: RegistryText::for_lang(Lang::En),
            did: "did:sigil:zQmX".into(),
            name: None,
            on_ledger: true,
            deactivated: false,
            keys: vec![],
            timeline: vec![],
            earlier_events: 0,
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
                lang: Lang::En,
            },
            valid_from: "2026-01-01T00:00:00Z".into(),
            valid_until: None,
            revoked_at: Some("2026-02-01T00:00:00Z".into()),
            transaction: "zQmT".into(),
        };
        let page = DidPage {
            lang: Lang::En,
            t: RegistryText::for_lang(Lang::En),
            did: "did:key:z6MkEmployer".into(),
            name: Some("Example Employer".into()),
            on_ledger: false,
            deactivated: false,
            keys: vec![],
            timeline: vec![],
            earlier_events: 0,
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
            lang: Lang::En,
            t: RegistryText::for_lang(Lang::En),
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
