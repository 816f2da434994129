//! Preparing transactions: alone or in a block's batches, a transaction has the same hash, the
//! same DID and the same verdict, and one forged signature among many is refused alone.

use super::*;
use crate::fixtures::create;
use crate::ledger::apply_prepared;
use crate::ledger::prepared::{prepare, prepare_block};

/// Enough creates that a block is split among the cores and batched.
fn creates(count: u8) -> Vec<Transaction> {
    (1..=count).map(create).collect()
}

/// `transaction` with its proof's signature replaced by `signer`'s signature of the same
/// bytes: well formed, and wrong for the key the proof names.
fn forged(transaction: &Transaction, signer: u8) -> Transaction {
    let Transaction::Did(operation) = transaction else {
        panic!("a DID operation");
    };
    let mut operation = operation.clone();
    let signature = key(signer).sign(&operation.signing_bytes().unwrap());
    if let Some(proof) = operation.proof.as_mut() {
        proof.signature = format!("z{}", bs58::encode(signature).into_string());
    }
    Transaction::Did(operation)
}

/// Applies each prepared transaction in turn; the verdict of each.
fn verdicts(prepared: &[crate::ledger::Prepared<'_>]) -> Vec<Result<(), LedgerError>> {
    let mut state = LedgerState::default();
    prepared
        .iter()
        .map(|prepared| {
            let next = apply_prepared(&state, prepared, &block())?;
            state = next;
            Ok(())
        })
        .collect()
}

#[test]
fn a_block_prepared_together_has_the_facts_of_each_transaction_prepared_alone() {
    let transactions = creates(64);
    let together = prepare_block(&transactions);
    assert_eq!(together.len(), transactions.len());
    for (transaction, prepared) in transactions.iter().zip(&together) {
        let alone = prepare(transaction);
        let hash = transaction.hash().unwrap();
        assert_eq!(prepared.hash(), Some(hash.as_str()));
        assert_eq!(alone.hash(), Some(hash.as_str()));
        let Transaction::Did(operation) = transaction else {
            panic!("a DID operation");
        };
        let did = operation.created_did().unwrap().to_string();
        assert_eq!(prepared.did(), Some(did.clone()));
        assert_eq!(alone.did(), Some(did));
    }
    assert!(verdicts(&together).iter().all(Result::is_ok));
}

#[test]
fn one_forged_signature_among_many_is_refused_and_only_it() {
    let mut transactions = creates(64);
    transactions[5] = forged(&transactions[5], 200);
    transactions[40] = forged(&transactions[40], 201);
    let verdicts = verdicts(&prepare_block(&transactions));
    for (index, verdict) in verdicts.iter().enumerate() {
        if index == 5 || index == 40 {
            assert_eq!(verdict, &Err(LedgerError::BadSignature), "transaction {index}");
        } else {
            assert_eq!(verdict, &Ok(()), "transaction {index}");
        }
    }
    assert_eq!(
        apply(&LedgerState::default(), &transactions[5], &block()),
        Err(LedgerError::BadSignature)
    );
}

#[test]
fn a_transaction_over_a_limit_is_refused_before_it_is_hashed() {
    let Transaction::Did(mut operation) = create(1) else {
        panic!("a DID operation");
    };
    operation.time = "2026-01-02T00:00:00Z".repeat(10);
    let transaction = Transaction::Did(operation);
    let prepared = prepare(&transaction);
    assert_eq!(prepared.hash(), None);
    assert!(matches!(
        apply_prepared(&LedgerState::default(), &prepared, &block()),
        Err(LedgerError::TooLarge(_))
    ));
}
