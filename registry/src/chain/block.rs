//! Blocks and receipts: producing a block from pending transactions, checking a block as
//! every node (and `verify-chain`) does, and the receipt that acknowledges a transaction.

use std::collections::BTreeSet;

use chrono::SubsecRound as _;
use serde::{Deserialize, Serialize};
use sigil_core::key::{PublicKey, SigningKey};
use sigil_core::time::{Timestamp, format_datetime, parse_datetime};

use super::genesis::Genesis;
use super::merkle::{self, Hash};
use crate::ledger::prepared::prepare_block;
use crate::ledger::{BlockContext, LedgerError, LedgerState, Transaction, apply_prepared, records};

pub use sigil_core::transaction::{BlockHeader, Receipt};

/// A block: its header and its transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Block {
    pub header: BlockHeader,
    pub transactions: Vec<Transaction>,
}

/// Why a block is not a valid successor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("block {found} follows block {previous}: heights must go up by one")]
    Height { previous: u64, found: u64 },
    #[error("block {height} names prev hash {found}, but the previous block is {expected}")]
    PrevHash {
        height: u64,
        expected: String,
        found: String,
    },
    #[error("block {height} belongs to chain {found}, not {expected}")]
    ChainId {
        height: u64,
        expected: String,
        found: String,
    },
    #[error("block {height}: time {found} is before the previous block's {previous}")]
    Time {
        height: u64,
        previous: String,
        found: String,
    },
    #[error("block {height}: the transaction root does not match its transactions")]
    TxRoot { height: u64 },
    #[error("block {height}: the state root does not match the state its transactions produce")]
    StateRoot { height: u64 },
    #[error("block {height}: proposer {proposer} is not a validator of this chain")]
    UnknownValidator { height: u64, proposer: String },
    #[error("block {height}: the validator's signature does not verify")]
    Signature { height: u64 },
    #[error("block {height}, transaction {index}: {error}")]
    Transaction {
        height: u64,
        index: usize,
        error: LedgerError,
    },
    #[error("block {height} is malformed: {reason}")]
    Malformed { height: u64, reason: String },
    /// A header, genesis or transaction could not be encoded canonically, so it has no hash
    /// to check or sign. Only a bug causes this; it stops the block rather than hash a
    /// stand-in.
    #[error("block {height}: cannot be encoded canonically: {reason}")]
    Encoding { height: u64, reason: String },
}

impl ChainError {
    fn encoding(height: u64, error: impl std::fmt::Display) -> ChainError {
        ChainError::Encoding {
            height,
            reason: error.to_string(),
        }
    }
}

/// The tip a new block builds on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    pub height: u64,
    pub hash: String,
    pub time: Timestamp,
    pub state_root: String,
    /// The header of the tip's block (none before block 1): what proven answers are
    /// proven against.
    pub header: Option<BlockHeader>,
}

impl Tip {
    /// The tip before block 1.
    pub fn genesis(genesis: &Genesis) -> Result<Tip, ChainError> {
        let hash = genesis.hash().map_err(|e| ChainError::encoding(0, e))?;
        Ok(Tip {
            height: 0,
            state_root: hash.clone(),
            hash,
            header: None,
            time: parse_datetime(&genesis.time).ok_or_else(|| ChainError::Malformed {
                height: 0,
                reason: "the genesis time is not RFC 3339".into(),
            })?,
        })
    }

    /// The tip after `header`.
    pub fn after(header: &BlockHeader) -> Result<Tip, ChainError> {
        let height = header.height;
        Ok(Tip {
            height,
            hash: header.hash().map_err(|e| ChainError::encoding(height, e))?,
            time: parse_datetime(&header.time).ok_or_else(|| ChainError::Malformed {
                height,
                reason: "time is not RFC 3339".into(),
            })?,
            state_root: header.state_root.clone(),
            header: Some(header.clone()),
        })
    }
}

/// What producing a block gives: the block, the state after it, and the transactions the
/// ledger refused (with why), which are not in the block.
#[derive(Debug)]
pub struct Produced {
    pub block: Block,
    /// The hash of each of the block's transactions, in block order.
    pub transaction_hashes: Vec<String>,
    pub state: LedgerState,
    pub refused: Vec<(Transaction, LedgerError)>,
}

/// Produces the next block from `pending`, in order, at `time` (not before the tip's, and to
/// the second, as the header writes it). The ledger judges each transaction by that time, the
/// one every node replaying the block reads from its header.
pub fn produce(
    chain_id: &str,
    state: &LedgerState,
    tip: &Tip,
    pending: Vec<Transaction>,
    time: Timestamp,
    validator: &SigningKey,
) -> Result<Produced, ChainError> {
    if !state.validators.contains(&validator.public_key()) {
        return Err(ChainError::UnknownValidator {
            height: tip.height + 1,
            proposer: validator.public_key().to_multikey(),
        });
    }
    let time = time.max(tip.time).trunc_subsecs(0);
    let block = BlockContext {
        height: tip.height + 1,
        time,
    };
    let mut state = state.clone();
    let mut verdicts = Vec::with_capacity(pending.len());
    let mut transaction_hashes = Vec::with_capacity(pending.len());
    let mut touched = BTreeSet::new();
    for prepared in prepare_block(&pending) {
        match apply_prepared(&state, &prepared, &block) {
            Ok(next) => {
                touched.extend(records::touched(&state, &next, &prepared));
                state = next;
                // An applied transaction was hashed: `apply` reads the hash first.
                transaction_hashes.push(prepared.hash().unwrap_or_default().to_owned());
                verdicts.push(None);
            }
            Err(error) => verdicts.push(Some(error)),
        }
    }
    let mut included = Vec::with_capacity(transaction_hashes.len());
    let mut refused = Vec::new();
    for (transaction, verdict) in pending.into_iter().zip(verdicts) {
        match verdict {
            None => included.push(transaction),
            Some(error) => refused.push((transaction, error)),
        }
    }
    let height = tip.height + 1;
    // Only a record that cannot be encoded fails here: a bug, never the transactions' fault.
    records::commit(&mut state, &touched).map_err(|e| ChainError::encoding(height, e))?;
    let leaves: Vec<Hash> = transaction_hashes
        .iter()
        .map(|hash| merkle::leaf_hash(hash.as_bytes()))
        .collect();
    let tx_root = merkle::hex(&merkle::root(&leaves));
    let mut header = BlockHeader {
        chain_id: chain_id.to_owned(),
        height,
        prev_hash: tip.hash.clone(),
        time: format_datetime(time),
        state_root: state_root(&tip.state_root, &tx_root),
        state_tree_root: Some(merkle::hex(&state.tree.root())),
        tx_root,
        proposer: validator.public_key().to_multikey(),
        signature: None,
    };
    let signing_bytes = header
        .signing_bytes()
        .map_err(|e| ChainError::encoding(height, e))?;
    let signature = validator.sign(&signing_bytes);
    header.signature = Some(format!("z{}", bs58::encode(signature).into_string()));
    Ok(Produced {
        block: Block {
            header,
            transactions: included,
        },
        transaction_hashes,
        state,
        refused,
    })
}

/// Checks `block` as the successor of `tip` on the chain of `genesis`, applying its
/// transactions to `state`; returns the state after it. Its proposer must be a validator in
/// force in `state`: genesis's, as governance changed them before this block.
pub fn verify_block(
    genesis: &Genesis,
    state: &LedgerState,
    tip: &Tip,
    block: &Block,
) -> Result<LedgerState, ChainError> {
    let header = &block.header;
    let height = header.height;
    if header.chain_id != genesis.chain_id {
        return Err(ChainError::ChainId {
            height,
            expected: genesis.chain_id.clone(),
            found: header.chain_id.clone(),
        });
    }
    if height != tip.height + 1 {
        return Err(ChainError::Height {
            previous: tip.height,
            found: height,
        });
    }
    if header.prev_hash != tip.hash {
        return Err(ChainError::PrevHash {
            height,
            expected: tip.hash.clone(),
            found: header.prev_hash.clone(),
        });
    }
    let time = parse_datetime(&header.time).ok_or_else(|| ChainError::Malformed {
        height,
        reason: "time is not RFC 3339".into(),
    })?;
    if time < tip.time {
        return Err(ChainError::Time {
            height,
            previous: format_datetime(tip.time),
            found: header.time.clone(),
        });
    }
    let proposer = PublicKey::from_multikey(&header.proposer)
        .ok()
        .filter(|key| state.validators.contains(key))
        .ok_or_else(|| ChainError::UnknownValidator {
            height,
            proposer: header.proposer.clone(),
        })?;
    let signature = header
        .signature
        .as_deref()
        .and_then(|text| text.strip_prefix('z'))
        .and_then(|text| bs58::decode(text).into_vec().ok())
        .ok_or(ChainError::Signature { height })?;
    let signing_bytes = header
        .signing_bytes()
        .map_err(|e| ChainError::encoding(height, e))?;
    proposer
        .verify(&signing_bytes, &signature)
        .map_err(|_| ChainError::Signature { height })?;
    let prepared = prepare_block(&block.transactions);
    let leaves = prepared
        .iter()
        .map(|prepared| match prepared.hash() {
            Some(hash) => Ok(merkle::leaf_hash(hash.as_bytes())),
            // Refused before it was hashed (over a size limit): hashed here, so that the
            // block is judged on its transaction root first, as any other.
            None => leaf(prepared.transaction()),
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ChainError::encoding(height, e))?;
    if header.tx_root != merkle::hex(&merkle::root(&leaves)) {
        return Err(ChainError::TxRoot { height });
    }
    if header.state_root != state_root(&tip.state_root, &header.tx_root) {
        return Err(ChainError::StateRoot { height });
    }
    let context = BlockContext { height, time };
    let mut state = state.clone();
    let mut touched = BTreeSet::new();
    for (index, prepared) in prepared.iter().enumerate() {
        let next = apply_prepared(&state, prepared, &context).map_err(|error| ChainError::Transaction {
            height,
            index,
            error,
        })?;
        touched.extend(records::touched(&state, &next, prepared));
        state = next;
    }
    records::commit(&mut state, &touched).map_err(|e| ChainError::encoding(height, e))?;
    // Blocks written before the state was Merkleized carry no tree root; every block
    // produced since does, and it must be the root of the state its transactions produce.
    if let Some(root) = &header.state_tree_root {
        if *root != merkle::hex(&state.tree.root()) {
            return Err(ChainError::StateRoot { height });
        }
    }
    Ok(state)
}

/// The Merkle leaves of transactions: the leaf hash of each transaction hash.
fn leaves(transactions: &[Transaction]) -> Result<Vec<Hash>, serde_json::Error> {
    transactions.iter().map(leaf).collect()
}

/// The Merkle leaf of one transaction.
fn leaf(transaction: &Transaction) -> Result<Hash, serde_json::Error> {
    Ok(merkle::leaf_hash(transaction.hash()?.as_bytes()))
}

fn state_root(previous: &str, tx_root: &str) -> String {
    crate::ledger::hash::digest(format!("{previous}{tx_root}").as_bytes())
}

/// The receipt of transaction `index` of `block`.
pub fn receipt(block: &Block, index: usize) -> Option<Receipt> {
    let transaction = block.transactions.get(index)?;
    let leaves = leaves(&block.transactions).ok()?;
    Some(Receipt {
        tx_hash: transaction.hash().ok()?,
        height: block.header.height,
        index,
        block_size: block.transactions.len(),
        inclusion_proof: merkle::audit_path(&leaves, index)
            .iter()
            .map(merkle::hex)
            .collect(),
        header: block.header.clone(),
    })
}
