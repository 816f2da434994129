//! Governance: who may change the validators and the roots of trust, and what the change does
//! to the state and its tree.

use sigil_core::state::records::{GovernanceRecord, RecordName};
use sigil_core::transaction::governance::{Governance, GovernanceChange, GovernanceError};

use super::statements::{MINISTRY, accreditation, ledger};
use super::*;
use crate::chain::Genesis;
use crate::ledger::records;

/// Validators 60, 61 and 62; the ministry (50) the root of trust.
fn chain() -> LedgerState {
    let genesis = Genesis {
        chain_id: "sigil-governance".into(),
        time: "2026-01-01T00:00:00Z".into(),
        validators: (60..63)
            .map(|seed| key(seed).public_key().to_multikey())
            .collect(),
        roots_of_trust: vec![key(MINISTRY).did_key().to_string()],
        root_names: Default::default(),
    };
    let (university, _) = ledger();
    LedgerState {
        dids: university.dids,
        ..LedgerState::from_genesis(&genesis).unwrap()
    }
}

fn change(sequence: u64, change: GovernanceChange, signers: &[u8]) -> Transaction {
    let mut proposal = Governance::propose(
        "sigil-governance",
        sequence,
        change,
        "2026-06-01T00:00:00Z".into(),
    );
    for seed in signers {
        proposal.sign(&key(*seed)).unwrap();
    }
    Transaction::Governance(proposal)
}

fn add_validator(seed: u8) -> GovernanceChange {
    GovernanceChange::AddValidator {
        validator: key(seed).public_key().to_multikey(),
        node: "https://registry-4.example.org/".into(),
    }
}

#[test]
fn a_quorum_of_the_validators_in_force_adds_a_validator_and_the_tree_records_it() {
    let state = chain();
    assert_refused(
        &state,
        &change(1, add_validator(63), &[60]),
        &LedgerError::Governance(GovernanceError::NoQuorum { signed: 1, quorum: 2 }),
    );
    let grown = apply(&state, &change(1, add_validator(63), &[60, 62]), &block()).unwrap();
    assert_eq!(grown.validators.len(), 4);
    assert!(grown.validators.contains(&key(63).public_key()));
    let record: GovernanceRecord =
        serde_json::from_value(records::record(&grown, &RecordName::Governance).unwrap().unwrap()).unwrap();
    assert_eq!((record.sequence, record.validators.len()), (1, 4));
    assert_eq!(
        record
            .nodes
            .get(&key(63).public_key().to_multikey())
            .map(String::as_str),
        Some("https://registry-4.example.org/")
    );
    assert!(
        records::record(&state, &RecordName::Governance)
            .unwrap()
            .is_none()
    );

    // Now three of four are needed, and the change after is number 2.
    assert_refused(
        &grown,
        &change(2, add_validator(64), &[60, 61]),
        &LedgerError::Governance(GovernanceError::NoQuorum { signed: 2, quorum: 3 }),
    );
    assert_refused(
        &grown,
        &change(1, add_validator(64), &[60, 61, 63]),
        &LedgerError::Governance(GovernanceError::Sequence {
            expected: 2,
            found: 1,
        }),
    );
    let removed = GovernanceChange::RemoveValidator {
        validator: key(60).public_key().to_multikey(),
    };
    let shrunk = apply(&grown, &change(2, removed, &[61, 62, 63]), &block()).unwrap();
    assert!(!shrunk.validators.contains(&key(60).public_key()));
}

#[test]
fn a_change_for_another_chain_twice_or_dated_ahead_is_refused() {
    let state = chain();
    let mut elsewhere =
        Governance::propose("other-chain", 1, add_validator(63), "2026-06-01T00:00:00Z".into());
    elsewhere.sign(&key(60)).unwrap();
    elsewhere.sign(&key(61)).unwrap();
    assert!(matches!(
        apply(&state, &Transaction::Governance(elsewhere), &block()),
        Err(LedgerError::Governance(GovernanceError::WrongChain { .. }))
    ));
    let twice = change(1, add_validator(60), &[60, 61]);
    assert!(matches!(
        apply(&state, &twice, &block()),
        Err(LedgerError::Governance(GovernanceError::Invalid(_)))
    ));
    let ahead = |at: &str| {
        let mut proposal = Governance::propose("sigil-governance", 1, add_validator(63), at.into());
        proposal.sign(&key(60)).unwrap();
        proposal.sign(&key(61)).unwrap();
        Transaction::Governance(proposal)
    };
    assert_bounded_by_the_block(&state, ahead);
}

#[test]
fn a_root_of_trust_governance_removes_may_no_longer_accredit_and_one_it_adds_may() {
    let state = chain();
    let university = state.dids.keys().next().unwrap().clone();
    let ministry = key(MINISTRY).did_key().to_string();
    let removed = apply(
        &state,
        &change(
            1,
            GovernanceChange::RemoveRootOfTrust {
                root: ministry.clone(),
            },
            &[61, 62],
        ),
        &block(),
    )
    .unwrap();
    assert_refused(
        &removed,
        &Transaction::Accreditation(accreditation(&key(MINISTRY), &university)),
        &LedgerError::NotARootOfTrust(ministry),
    );
    let agency = key(51);
    let added = apply(
        &removed,
        &change(
            2,
            GovernanceChange::AddRootOfTrust {
                root: agency.did_key().to_string(),
                legal_name: Some(sigil_core::names::LegalName::new("en", "Quality Agency").unwrap()),
            },
            &[60, 61],
        ),
        &block(),
    )
    .unwrap();
    let accredited = apply(
        &added,
        &Transaction::Accreditation(accreditation(&agency, &university)),
        &block(),
    )
    .unwrap();
    // The root's name, recorded by the change, goes with what it grants; the granted party's
    // is the one the root signed.
    let record = records::accreditations(
        &accredited,
        sigil_core::transaction::accreditation::AccreditedRole::Issuer,
        university.as_str(),
    )
    .unwrap();
    let granted = record.accreditations.last().unwrap();
    assert_eq!(
        granted.root_name.as_ref().unwrap().in_language("en"),
        "Quality Agency"
    );
    assert_eq!(
        granted.legal_name.as_ref().unwrap().in_language("en"),
        "Example University"
    );
    let governance = records::governance(&accredited).unwrap();
    assert_eq!(
        governance.root_names.keys().collect::<Vec<_>>(),
        [&agency.did_key().to_string()]
    );
}

#[test]
fn a_learner_joins_without_voting_and_becomes_a_validator_only_by_another_change() {
    let state = chain();
    let learner = key(64).public_key().to_multikey();
    let add = GovernanceChange::AddLearner {
        learner: learner.clone(),
        node: "https://replica.example.org/".into(),
    };
    let followed = apply(&state, &change(1, add.clone(), &[60, 61]), &block()).unwrap();
    assert_eq!(followed.validators.len(), 3);
    assert!(followed.learners.contains_key(&learner));
    assert!(matches!(
        apply(&followed, &change(2, add, &[60, 61]), &block()),
        Err(LedgerError::Governance(GovernanceError::Invalid(_)))
    ));
    let promoted = apply(&followed, &change(2, add_validator(64), &[60, 61]), &block()).unwrap();
    assert!(promoted.validators.contains(&key(64).public_key()));
    assert!(promoted.learners.is_empty());
    let not_a_learner = GovernanceChange::RemoveLearner { learner };
    assert!(apply(&promoted, &change(3, not_a_learner, &[60, 61, 64]), &block()).is_err());
    let a_validator = GovernanceChange::AddLearner {
        learner: key(60).public_key().to_multikey(),
        node: "https://replica.example.org/".into(),
    };
    assert!(apply(&state, &change(1, a_validator, &[60, 61]), &block()).is_err());
}
