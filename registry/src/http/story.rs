//! The explorer's transactions in words, in the page's language: "Example University rotated
//! its controller key and declared key-1 compromised since 2026-03-01T00:00:00Z", "教育部认可
//! 示例大学为 UniversityDegreeCredential 的签发机构". Parties are named by the legal names the
//! chain records (an accreditation in force, a root's), else by their DIDs.
//!
//! A transaction is first read into an [`Event`] — who did what, with the names picked — and
//! the event is then written in English or Chinese, whose word orders differ too much for one
//! template with blanks.

use sigil_core::did::Did;
use sigil_core::model::status_list::StatusList;
use sigil_core::names::LegalName;
use sigil_core::transaction::Transaction;
use sigil_core::transaction::accreditation::AccreditedRole;
use sigil_core::transaction::governance::GovernanceChange;
use sigil_templates::lang::Lang;

use sigil_core::time::format_datetime;

use crate::ledger::LedgerState;
use crate::ledger::operation::{DidOperation, OperationKind};
use crate::ledger::state::{AccreditationRecord, AnchorRecord, StatusListVersion};

/// What `transaction` did, in one sentence in `lang`, naming parties as `state` records them.
pub(super) fn sentence(transaction: &Transaction, state: &LedgerState, lang: Lang) -> String {
    Event::of(transaction, state, lang).tell(lang)
}

/// An accreditation `state` holds, told as its grant ("… accredited … as an issuer of …").
pub(super) fn granted(record: &AccreditationRecord, state: &LedgerState, lang: Lang) -> String {
    Event::Accredited {
        root: granting_root(record, state, lang),
        name: record.legal_name.as_ref().map_or_else(
            || record.accredited.to_string(),
            |legal| legal.in_language(lang.tag()).to_owned(),
        ),
        role: record.role,
        types: record.credential_types.join(", "),
        from: format_datetime(record.valid_from),
        until: record.valid_until.map(format_datetime),
    }
    .tell(lang)
}

/// An accreditation's withdrawal, once it is withdrawn.
pub(super) fn withdrawn(
    record: &AccreditationRecord,
    grant: &str,
    state: &LedgerState,
    lang: Lang,
) -> Option<String> {
    let time = record.revoked_at?;
    Some(
        Event::AccreditationWithdrawn {
            root: granting_root(record, state, lang),
            grant: grant.to_owned(),
            time: format_datetime(time),
        }
        .tell(lang),
    )
}

/// A status list version `state` holds, told as its publication ("… published its revocation
/// list …: 3 credentials revoked").
pub(super) fn published(version: &StatusListVersion, state: &LedgerState, lang: Lang) -> String {
    Event::status_list(&version.credential, |did| name_of(state, did, lang)).tell(lang)
}

/// An issuance anchor `state` holds, told ("… anchored 120 credentials …").
pub(super) fn anchored(record: &AnchorRecord, state: &LedgerState, lang: Lang) -> String {
    Event::Anchored {
        who: name_of(state, record.issuer.as_str(), lang),
        count: record.credential_hashes.len() as u64,
    }
    .tell(lang)
}

/// The root that granted an accreditation, by the name it had then, else as the chain names it.
fn granting_root(record: &AccreditationRecord, state: &LedgerState, lang: Lang) -> String {
    record.root_name.as_ref().map_or_else(
        || name_of(state, record.root.as_str(), lang),
        |name| name.in_language(lang.tag()).to_owned(),
    )
}

/// The legal name the chain records for `did`: its latest accreditation in force's, else a
/// root of trust's.
pub(super) fn recorded_name<'a>(state: &'a LedgerState, did: &Did) -> Option<&'a LegalName> {
    state
        .accreditations
        .values()
        .filter(|record| &record.accredited == did && record.revoked_at.is_none())
        .filter_map(|record| record.legal_name.as_ref())
        .next_back()
        .or_else(|| state.root_names.get(did))
}

/// A party as the chain names it, in `lang`: its recorded legal name, else its DID.
pub(super) fn name_of(state: &LedgerState, did: &str, lang: Lang) -> String {
    Did::parse(did)
        .ok()
        .and_then(|parsed| recorded_name(state, &parsed))
        .map_or_else(|| did.to_owned(), |name| name.in_language(lang.tag()).to_owned())
}

/// What a DID operation changed besides its controller key.
#[derive(Debug, Default)]
struct KeyChanges {
    added: Vec<String>,
    retired: Vec<String>,
    /// (key, since when)
    compromised: Vec<(String, String)>,
    services: bool,
}

/// A status list's purpose, as the story tells it.
#[derive(Debug, Clone, Copy)]
enum Purpose {
    Revocation,
    Suspension,
    Other,
}

/// A transaction as the story tells it, with every party already named.
#[derive(Debug)]
enum Event {
    Created {
        who: String,
        changes: KeyChanges,
    },
    Updated {
        who: String,
        changes: KeyChanges,
    },
    Rotated {
        who: String,
        changes: KeyChanges,
    },
    Deactivated {
        who: String,
    },
    StatusList {
        who: String,
        id: String,
        purpose: Purpose,
        set: u64,
    },
    UnreadableStatusList {
        who: String,
        id: String,
    },
    Anchored {
        who: String,
        count: u64,
    },
    Accredited {
        root: String,
        name: String,
        role: AccreditedRole,
        types: String,
        from: String,
        until: Option<String>,
    },
    AccreditationWithdrawn {
        root: String,
        grant: String,
        time: String,
    },
    Governance {
        sequence: u64,
        change: GovernanceChange,
        root_name: Option<String>,
    },
}

impl Event {
    fn tell(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.english(),
            Lang::ZhCn => self.chinese(),
        }
    }

    fn of(transaction: &Transaction, state: &LedgerState, lang: Lang) -> Event {
        let name = |did: &str| name_of(state, did, lang);
        match transaction {
            Transaction::Did(operation) => did_event(operation, name),
            Transaction::StatusList(publication) => Event::status_list(&publication.credential, name),
            Transaction::Anchor(anchor) => Event::Anchored {
                who: name(&anchor.issuer),
                count: anchor.credential_hashes.len() as u64,
            },
            Transaction::Accreditation(grant) => Event::Accredited {
                root: name(&grant.root),
                name: grant.legal_name.as_ref().map_or_else(
                    || grant.issuer.clone(),
                    |legal| legal.in_language(lang.tag()).to_owned(),
                ),
                role: grant.role,
                types: grant.credential_types.join(", "),
                from: grant.valid_from.clone(),
                until: grant.valid_until.clone(),
            },
            Transaction::RevokeAccreditation(revocation) => Event::AccreditationWithdrawn {
                root: name(&revocation.root),
                grant: revocation.accreditation.clone(),
                time: revocation.time.clone(),
            },
            Transaction::Governance(governance) => Event::Governance {
                sequence: governance.sequence,
                root_name: match &governance.change {
                    GovernanceChange::AddRootOfTrust {
                        legal_name: Some(legal),
                        ..
                    } => Some(legal.in_language(lang.tag()).to_owned()),
                    _ => None,
                },
                change: governance.change.clone(),
            },
        }
    }

    /// A status list credential's publication.
    fn status_list(credential: &serde_json::Value, name: impl Fn(&str) -> String) -> Event {
        let issuer = credential
            .get("issuer")
            .and_then(|issuer| issuer.as_str().or_else(|| issuer.get("id")?.as_str()))
            .unwrap_or_default();
        let who = name(issuer);
        let id = credential
            .get("id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        match StatusList::from_credential(credential) {
            Ok(list) => Event::StatusList {
                who,
                id,
                purpose: match list.purposes.first().map(String::as_str) {
                    Some("revocation") => Purpose::Revocation,
                    Some("suspension") => Purpose::Suspension,
                    _ => Purpose::Other,
                },
                set: list.bits.count_nonzero(list.status_size.unwrap_or(1)),
            },
            Err(_) => Event::UnreadableStatusList { who, id },
        }
    }

    fn english(&self) -> String {
        match self {
            Event::Created { who, changes } => match changes.english() {
                None => format!("{who} was created."),
                Some(changes) => format!("{who} was created and {changes}."),
            },
            Event::Updated { who, changes } => {
                format!(
                    "{who} {}.",
                    changes.english().unwrap_or_else(|| "was updated".into())
                )
            }
            Event::Rotated { who, changes } => match changes.english() {
                None => format!("{who} rotated its controller key."),
                Some(changes) => format!("{who} rotated its controller key and {changes}."),
            },
            Event::Deactivated { who } => {
                format!("{who} was deactivated: none of its keys signs anything from now on.")
            }
            Event::StatusList {
                who,
                id,
                purpose,
                set,
            } => {
                let (list, done) = match purpose {
                    Purpose::Revocation => ("revocation", "revoked"),
                    Purpose::Suspension => ("suspension", "suspended"),
                    Purpose::Other => ("status", "marked"),
                };
                format!(
                    "{who} published its {list} list {id}: {} {done}.",
                    credentials(*set)
                )
            }
            Event::UnreadableStatusList { who, id } => format!("{who} published the status list {id}."),
            Event::Anchored { who, count } => format!(
                "{who} anchored {}: proof that they were issued by this block's time.",
                credentials(*count)
            ),
            Event::Accredited {
                root,
                name,
                role,
                types,
                from,
                until,
            } => {
                let role = match role {
                    AccreditedRole::Issuer => "an issuer of",
                    AccreditedRole::Verifier => "a verifier that may request",
                };
                let until = until
                    .as_ref()
                    .map(|until| format!(" until {until}"))
                    .unwrap_or_default();
                format!("{root} accredited {name} as {role} {types} from {from}{until}.")
            }
            Event::AccreditationWithdrawn { root, grant, time } => {
                format!("{root} withdrew the accreditation granted by transaction {grant} from {time}.")
            }
            Event::Governance { sequence, change, .. } => format!(
                "The validators changed the chain's governance (change {sequence}): {}.",
                change.describe()
            ),
        }
    }

    fn chinese(&self) -> String {
        match self {
            Event::Created { who, changes } => match changes.chinese() {
                None => zh(&[who, "已创建。"]),
                Some(changes) => zh(&[who, "已创建，并", &changes, "。"]),
            },
            Event::Updated { who, changes } => {
                zh(&[who, &changes.chinese().unwrap_or_else(|| "已更新".into()), "。"])
            }
            Event::Rotated { who, changes } => match changes.chinese() {
                None => zh(&[who, "轮换了控制密钥。"]),
                Some(changes) => zh(&[who, "轮换了控制密钥，并", &changes, "。"]),
            },
            Event::Deactivated { who } => zh(&[who, "已停用：从此它的任何密钥都不再签署任何内容。"]),
            Event::StatusList {
                who,
                id,
                purpose,
                set,
            } => {
                let (list, done) = match purpose {
                    Purpose::Revocation => ("撤销列表", "已撤销"),
                    Purpose::Suspension => ("暂停列表", "已暂停"),
                    Purpose::Other => ("状态列表", "已标记"),
                };
                zh(&[who, "发布了", list, id, "：", done, &set.to_string(), "份凭证。"])
            }
            Event::UnreadableStatusList { who, id } => zh(&[who, "发布了状态列表", id, "。"]),
            Event::Anchored { who, count } => zh(&[
                who,
                "锚定了",
                &count.to_string(),
                "份凭证：证明它们在本区块的时间之前已签发。",
            ]),
            Event::Accredited {
                root,
                name,
                role,
                types,
                from,
                until,
            } => {
                let role = match role {
                    AccreditedRole::Issuer => zh(&[types, "的签发机构"]),
                    AccreditedRole::Verifier => zh(&["可以请求", types, "的验证方"]),
                };
                let until = until
                    .as_ref()
                    .map(|until| zh(&["，至", until, "止"]))
                    .unwrap_or_default();
                zh(&[root, "认可", name, "为", &role, "，自", from, "起", &until, "。"])
            }
            Event::AccreditationWithdrawn { root, grant, time } => {
                zh(&[root, "自", time, "起撤回了交易", grant, "授予的认可。"])
            }
            Event::Governance {
                sequence,
                change,
                root_name,
            } => {
                let change = match change {
                    GovernanceChange::AddValidator { validator, .. } => zh(&["添加验证者", validator]),
                    GovernanceChange::RemoveValidator { validator } => zh(&["移除验证者", validator]),
                    GovernanceChange::AddRootOfTrust { root, .. } => match root_name {
                        Some(name) => zh(&["添加信任根", name, "（", root, "）"]),
                        None => zh(&["添加信任根", root]),
                    },
                    GovernanceChange::RemoveRootOfTrust { root } => zh(&["移除信任根", root]),
                    GovernanceChange::AddLearner { learner, .. } => zh(&["添加学习节点", learner]),
                    GovernanceChange::RemoveLearner { learner } => zh(&["移除学习节点", learner]),
                };
                zh(&[
                    "验证者更改了本链的治理规则（第",
                    &sequence.to_string(),
                    "号变更）：",
                    &change,
                    "。",
                ])
            }
        }
    }
}

/// Joins the pieces of a Chinese sentence, with a space where a Chinese character meets a
/// Latin letter, digit or symbol (`示例大学` + `已创建` runs on; `did:sigil:z…` + `已创建` and
/// `3` + `份` are spaced), as Chinese typesetting does around embedded Latin text.
fn zh(pieces: &[&str]) -> String {
    fn ideograph(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
    }
    let mut sentence = String::new();
    for piece in pieces.iter().filter(|piece| !piece.is_empty()) {
        let (Some(before), Some(after)) = (sentence.chars().next_back(), piece.chars().next()) else {
            sentence.push_str(piece);
            continue;
        };
        let meets = (ideograph(before) && after.is_ascii_graphic())
            || (before.is_ascii_graphic() && ideograph(after));
        if meets {
            sentence.push(' ');
        }
        sentence.push_str(piece);
    }
    sentence
}

/// A DID operation as an event: what it added, retired and declared compromised.
fn did_event(operation: &DidOperation, name: impl Fn(&str) -> String) -> Event {
    let did = match &operation.did {
        Some(did) => did.clone(),
        None => operation
            .created_did()
            .map(|did| did.to_string())
            .unwrap_or_default(),
    };
    let who = name(&did);
    let changes = KeyChanges {
        added: operation.add_methods.iter().map(|m| m.id.clone()).collect(),
        retired: operation.retire_methods.clone(),
        compromised: operation
            .compromised_methods
            .iter()
            .map(|c| (c.id.clone(), c.since.clone()))
            .collect(),
        services: operation.services.is_some(),
    };
    match operation.kind {
        OperationKind::Create => Event::Created { who, changes },
        OperationKind::Update => Event::Updated { who, changes },
        OperationKind::Rotate => Event::Rotated { who, changes },
        OperationKind::Deactivate => Event::Deactivated { who },
    }
}

impl KeyChanges {
    /// "added key key-2, retired key key-1, declared key-1 compromised since …", if anything.
    fn english(&self) -> Option<String> {
        let keys = |keys: &[String]| match keys {
            [one] => format!("key {one}"),
            several => format!("keys {}", several.join(", ")),
        };
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!("added {}", keys(&self.added)));
        }
        if !self.retired.is_empty() {
            parts.push(format!("retired {}", keys(&self.retired)));
        }
        for (key, since) in &self.compromised {
            parts.push(format!("declared {key} compromised since {since}"));
        }
        if self.services {
            parts.push("set its services".to_owned());
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// "添加了密钥 key-2，停用了密钥 key-1，声明密钥 key-1 自 … 起已泄露", if anything.
    fn chinese(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!("添加了密钥 {}", self.added.join("、")));
        }
        if !self.retired.is_empty() {
            parts.push(format!("停用了密钥 {}", self.retired.join("、")));
        }
        for (key, since) in &self.compromised {
            parts.push(format!("声明密钥 {key} 自 {since} 起已泄露"));
        }
        if self.services {
            parts.push("设置了服务".to_owned());
        }
        (!parts.is_empty()).then(|| parts.join("，"))
    }
}

fn credentials(count: u64) -> String {
    if count == 1 {
        "1 credential".to_owned()
    } else {
        format!("{count} credentials")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use sigil_core::model::status_list::Bitstring;
    use sigil_core::names::LegalName;
    use sigil_core::time::parse_datetime;
    use sigil_core::transaction::anchor::IssuanceAnchor;
    use sigil_core::transaction::status_list::StatusListPublication;

    use super::*;
    use crate::ledger::operation::Compromise;

    const UNIVERSITY: &str = "did:sigil:zUniversity";

    fn ministry() -> LegalName {
        serde_json::from_value(json!({"en": "Ministry of Education", "zh-CN": "教育部"})).unwrap()
    }

    fn state() -> LedgerState {
        let mut state = LedgerState::default();
        let root = Did::parse("did:key:z6MkRoot").unwrap();
        state.root_names.insert(root, ministry());
        state
    }

    #[test]
    fn a_rotation_that_declares_a_key_compromised_says_since_when() {
        let mut rotate = DidOperation::new(
            OperationKind::Rotate,
            parse_datetime("2026-03-02T00:00:00Z").unwrap(),
        );
        rotate.did = Some(UNIVERSITY.into());
        rotate.retire_methods = vec!["key-1".into()];
        rotate.compromised_methods = vec![Compromise {
            id: "key-1".into(),
            since: "2026-03-01T00:00:00Z".into(),
        }];
        assert_eq!(
            sentence(&Transaction::Did(rotate.clone()), &state(), Lang::En),
            "did:sigil:zUniversity rotated its controller key and retired key key-1, declared key-1 compromised since 2026-03-01T00:00:00Z."
        );
        assert_eq!(
            sentence(&Transaction::Did(rotate), &state(), Lang::ZhCn),
            "did:sigil:zUniversity 轮换了控制密钥，并停用了密钥 key-1，声明密钥 key-1 自 2026-03-01T00:00:00Z 起已泄露。"
        );
    }

    #[test]
    fn a_status_list_says_how_many_credentials_it_revokes_and_an_anchor_how_many_it_covers() {
        let mut bits = Bitstring::new();
        for index in [3, 70, 5000] {
            bits.set(index, 1, 1).unwrap();
        }
        let list = json!({
            "id": "https://uni.example/status/revocation/1",
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": UNIVERSITY,
            "credentialSubject": {"type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": bits.encode().unwrap()}
        });
        let publication = Transaction::StatusList(StatusListPublication { credential: list });
        assert_eq!(
            sentence(&publication, &state(), Lang::En),
            "did:sigil:zUniversity published its revocation list https://uni.example/status/revocation/1: 3 credentials revoked."
        );
        assert_eq!(
            sentence(&publication, &state(), Lang::ZhCn),
            "did:sigil:zUniversity 发布了撤销列表 https://uni.example/status/revocation/1：已撤销 3 份凭证。"
        );
        let anchor = Transaction::Anchor(IssuanceAnchor {
            issuer: "did:key:z6MkRoot".into(),
            credential_hashes: vec!["00".repeat(32)],
            merkle_root: "00".repeat(32),
            time: "2026-06-30T00:00:00Z".into(),
            proof: None,
        });
        assert!(
            sentence(&anchor, &state(), Lang::En).starts_with("Ministry of Education anchored 1 credential:"),
            "a root's recorded name names it"
        );
        assert!(
            sentence(&anchor, &state(), Lang::ZhCn).starts_with("教育部锚定了 1 份凭证："),
            "in the reader's language: {}",
            sentence(&anchor, &state(), Lang::ZhCn)
        );
    }

    #[test]
    fn chinese_runs_on_between_chinese_words_and_spaces_latin_ones() {
        assert_eq!(zh(&["示例大学", "已创建。"]), "示例大学已创建。");
        assert_eq!(zh(&["did:sigil:zQm", "已创建", ""]), "did:sigil:zQm 已创建");
        assert_eq!(zh(&["锚定了", "3", "份凭证："]), "锚定了 3 份凭证：");
        assert_eq!(zh(&["（", "did:key:z", "）"]), "（did:key:z）");
    }
}
