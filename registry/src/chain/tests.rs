//! Producing and checking blocks: a valid chain checks out, and every way a block can be
//! wrong is named.

use sigil_core::time::parse_datetime;

use super::block::{Block, ChainError, Receipt, Tip, produce, verify_block};
use super::genesis::Genesis;
use crate::fixtures::{VALIDATOR, create, forge_block, genesis, key};
use crate::ledger::{LedgerError, LedgerState};

/// Block 1 with three DIDs, produced by the validator.
fn first_block() -> (Block, LedgerState) {
    let genesis = genesis();
    let state = LedgerState::from_genesis(&genesis).unwrap();
    let time = parse_datetime("2026-01-02T00:00:01Z").unwrap();
    let produced = produce(
        &genesis.chain_id,
        &state,
        &Tip::genesis(&genesis).unwrap(),
        vec![create(1), create(11), create(21)],
        time,
        &key(VALIDATOR),
    )
    .unwrap();
    assert!(produced.refused.is_empty());
    (produced.block, produced.state)
}

fn check(block: &Block) -> Result<LedgerState, ChainError> {
    let genesis = genesis();
    verify_block(
        &genesis,
        &LedgerState::from_genesis(&genesis).unwrap(),
        &Tip::genesis(&genesis).unwrap(),
        block,
    )
}

#[test]
fn a_produced_block_checks_out_and_reaches_the_same_state() {
    let (block, state) = first_block();
    assert_eq!(block.header.height, 1);
    assert_eq!(check(&block).unwrap(), state);
}

#[test]
fn refused_transactions_stay_out_of_the_block() {
    let genesis = genesis();
    let produced = produce(
        &genesis.chain_id,
        &LedgerState::from_genesis(&genesis).unwrap(),
        &Tip::genesis(&genesis).unwrap(),
        vec![create(1), create(1)],
        parse_datetime("2026-01-02T00:00:01Z").unwrap(),
        &key(VALIDATOR),
    )
    .unwrap();
    assert_eq!(produced.block.transactions.len(), 1);
    assert!(matches!(produced.refused[0].1, LedgerError::Replay(_)));
}

#[test]
fn a_receipt_proves_inclusion_in_the_signed_header() {
    let (block, _) = first_block();
    for index in 0..3 {
        let receipt = super::block::receipt(&block, index).unwrap();
        assert!(receipt.verify());
        let moved = Receipt {
            index: (index + 1) % 3,
            ..receipt
        };
        assert!(!moved.verify());
    }
}

#[test]
fn a_changed_transaction_list_breaks_the_transaction_root() {
    let (mut block, _) = first_block();
    block.transactions.swap(0, 1);
    assert_eq!(check(&block), Err(ChainError::TxRoot { height: 1 }));
}

#[test]
fn a_changed_header_breaks_the_signature() {
    let (mut block, _) = first_block();
    block.header.state_root = "zQmForged".into();
    assert_eq!(check(&block), Err(ChainError::Signature { height: 1 }));
}

#[test]
fn the_header_commits_to_the_state_tree_and_a_wrong_root_is_refused() {
    let (block, state) = first_block();
    let root = block.header.state_tree_root.clone().unwrap();
    assert_eq!(root, super::merkle::hex(&state.tree.root()));
    assert_eq!(state.tree.len(), 3, "one record per DID");

    // A validator that signs a header with another state tree root is caught on replay.
    let mut forged = block;
    forged.header.state_tree_root = Some("00".repeat(32));
    forged.header.signature = None;
    let bytes = forged.header.signing_bytes().unwrap();
    forged.header.signature = Some(format!(
        "z{}",
        bs58::encode(key(VALIDATOR).sign(&bytes)).into_string()
    ));
    assert_eq!(check(&forged), Err(ChainError::StateRoot { height: 1 }));
}

#[test]
fn a_block_from_an_unknown_validator_is_refused() {
    let genesis = genesis();
    let state = LedgerState::from_genesis(&genesis).unwrap();
    let produce_as = |state: &LedgerState| {
        produce(
            &genesis.chain_id,
            state,
            &Tip::genesis(&genesis).unwrap(),
            vec![create(1)],
            parse_datetime("2026-01-02T00:00:01Z").unwrap(),
            &key(91),
        )
    };
    // A node whose key is not a validator in force produces nothing,
    assert!(matches!(
        produce_as(&state),
        Err(ChainError::UnknownValidator { height: 1, .. })
    ));
    // and a block it signed anyway (on a state of its own making) is refused.
    let stranger =
        sigil_core::state::validators::ValidatorSet::new(&[key(91).public_key().to_multikey()]).unwrap();
    let its_own = LedgerState {
        validators: std::sync::Arc::new(stranger),
        ..state
    };
    let produced = produce_as(&its_own).unwrap();
    assert!(matches!(
        check(&produced.block),
        Err(ChainError::UnknownValidator { height: 1, .. })
    ));
}

#[test]
fn a_block_that_does_not_follow_the_tip_is_refused() {
    let (block, state) = first_block();
    let genesis = genesis();
    let tip = Tip::after(&block.header).unwrap();
    // Block 1 again, on top of itself.
    assert!(matches!(
        verify_block(&genesis, &state, &tip, &block),
        Err(ChainError::Height {
            previous: 1,
            found: 1
        })
    ));
    // A block 2 that names another predecessor.
    let mut forged_tip = tip.clone();
    forged_tip.hash = "zQmSomethingElse".into();
    let next = produce(
        &genesis.chain_id,
        &state,
        &forged_tip,
        vec![create(31)],
        tip.time,
        &key(VALIDATOR),
    )
    .unwrap();
    assert!(matches!(
        verify_block(&genesis, &state, &tip, &next.block),
        Err(ChainError::PrevHash { height: 2, .. })
    ));
}

#[test]
fn a_block_with_a_transaction_the_ledger_refuses_is_refused() {
    let genesis = genesis();
    let tip = Tip::genesis(&genesis).unwrap();
    // A dishonest validator includes a replayed transaction, with correct roots and a valid
    // signature, so that only the ledger can tell.
    let time = parse_datetime("2026-01-02T00:00:01Z").unwrap();
    let forged = forge_block(&genesis, &tip, vec![create(1), create(1)], time);
    assert!(matches!(
        check(&forged),
        Err(ChainError::Transaction {
            height: 1,
            index: 1,
            error: LedgerError::Replay(_)
        })
    ));
}

#[test]
fn a_block_older_than_its_predecessor_is_refused() {
    let genesis = genesis();
    let tip = Tip::genesis(&genesis).unwrap();
    let block = forge_block(
        &genesis,
        &tip,
        vec![create(1)],
        parse_datetime("2025-12-31T00:00:00Z").unwrap(),
    );
    assert!(matches!(check(&block), Err(ChainError::Time { height: 1, .. })));
}

#[test]
fn a_genesis_without_validators_is_refused() {
    let genesis = Genesis {
        validators: vec![],
        ..genesis()
    };
    assert!(LedgerState::from_genesis(&genesis).is_err());
}

#[test]
fn a_transaction_dated_past_the_block_and_the_clock_skew_stays_out_of_it() {
    // `create` is dated 2026-01-02T00:00:00Z: 301 s after this block, then 300 s.
    let genesis = genesis();
    let produce_at = |at: &str| {
        produce(
            &genesis.chain_id,
            &LedgerState::from_genesis(&genesis).unwrap(),
            &Tip::genesis(&genesis).unwrap(),
            vec![create(1)],
            parse_datetime(at).unwrap(),
            &key(VALIDATOR),
        )
        .unwrap()
    };
    let too_early = produce_at("2026-01-01T23:54:59Z");
    assert!(too_early.block.transactions.is_empty());
    assert_eq!(
        too_early.refused[0].1,
        LedgerError::DatedInTheFuture {
            at: "2026-01-02T00:00:00Z".into(),
            block_time: "2026-01-01T23:54:59Z".into(),
        }
    );
    let in_time = produce_at("2026-01-01T23:55:00Z");
    assert_eq!(in_time.block.transactions.len(), 1);
    assert_eq!(check(&in_time.block).unwrap(), in_time.state);
}

#[test]
fn a_block_holding_a_transaction_dated_past_its_time_and_the_clock_skew_is_refused() {
    // A dishonest or badly set validator includes it anyway; every node replaying the block
    // judges it by the time in the header.
    let genesis = genesis();
    let forged = forge_block(
        &genesis,
        &Tip::genesis(&genesis).unwrap(),
        vec![create(1)],
        parse_datetime("2026-01-01T23:54:59Z").unwrap(),
    );
    assert_eq!(
        check(&forged),
        Err(ChainError::Transaction {
            height: 1,
            index: 0,
            error: LedgerError::DatedInTheFuture {
                at: "2026-01-02T00:00:00Z".into(),
                block_time: "2026-01-01T23:54:59Z".into(),
            },
        })
    );
}
