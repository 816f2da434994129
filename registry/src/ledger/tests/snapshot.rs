//! State snapshots: every part of the state survives the round trip through JSON lines, and
//! the rebuilt tree has the root the chain's header would carry.

use sigil_core::state::records::RecordName;
use sigil_core::transaction::governance::GovernanceChange;

use super::statements::{MINISTRY, accreditation, anchor, ledger, revocation, university_list};
use super::*;
use crate::ledger::prepared::prepare;
use crate::ledger::snapshot::{self, Entry};
use crate::ledger::{records, state::GovernanceEntry};

#[test]
fn a_state_with_every_kind_of_record_comes_back_whole_from_its_snapshot() {
    let (mut state, did) = ledger();
    // The fixtures apply without a block, so put the university's record in the tree as a
    // block would have.
    records::commit(&mut state, &[RecordName::Did(did.to_string())]).unwrap();
    let grant = Transaction::Accreditation(accreditation(&key(MINISTRY), &did));
    let granted = grant.hash().unwrap();
    let transactions = [
        university_list(&did, "2026-05-01T00:00:00Z", &[]),
        university_list(&did, "2026-06-01T00:00:00Z", &[3, 7]),
        Transaction::Anchor(anchor(&did)),
        grant,
        Transaction::RevokeAccreditation(revocation(&key(MINISTRY), &granted)),
    ];
    let mut state = transactions.iter().fold(state, |state, tx| {
        let next = apply(&state, tx, &block()).unwrap();
        let mut next_committed = next.clone();
        records::commit(
            &mut next_committed,
            &records::touched(&state, &next, &prepare(tx)),
        )
        .unwrap();
        next_committed
    });
    // Governance, as a chain with a validator would have applied it.
    state.governance.push_back(GovernanceEntry {
        change: GovernanceChange::AddRootOfTrust {
            root: key(51).did_key().to_string(),
            legal_name: Some(sigil_core::names::LegalName::new("zh-CN", "教育部").unwrap()),
        },
        transaction: "zGovernance".into(),
        height: 7,
    });
    records::commit(&mut state, &[RecordName::Governance]).unwrap();

    let entries = snapshot::entries(&state, 9, "zBlockNine");
    let lines: Vec<String> = entries
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let read: Vec<Entry> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let restored = snapshot::restore(read).unwrap();
    assert_eq!((restored.height, restored.block_hash.as_str()), (9, "zBlockNine"));
    assert_eq!(restored.tree_root, sigil_core::merkle::hex(&state.tree.root()));
    let without_tree = |state: &LedgerState| LedgerState {
        tree: Default::default(),
        ..state.clone()
    };
    assert_eq!(without_tree(&restored.state), without_tree(&state));
    assert_eq!(
        restored.state.status_lists.values().next().map(|v| v.len()),
        Some(2)
    );
}

#[test]
fn a_snapshot_without_its_chain_entry_or_of_another_format_is_refused() {
    let (state, _) = ledger();
    let mut entries = snapshot::entries(&state, 1, "zBlock");
    let chain = entries.remove(0);
    assert!(snapshot::restore(entries.clone()).is_err());
    let Entry::Chain(mut chain) = chain else {
        return assert!(matches!(chain, Entry::Chain(_)));
    };
    chain.format = "sigil-state-snapshot/0".into();
    entries.insert(0, Entry::Chain(chain));
    assert!(snapshot::restore(entries).is_err());
}
