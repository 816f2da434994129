//! Governance (docs/governance.md): a change of the validators or the roots of trust, signed
//! by a quorum of the validators in force. The rules a change must meet are `sigil-core`'s
//! ([`Governance::check`], [`GovernanceChange::next_validators`]), which clients following
//! the chain's validator set apply too; here they change the state.

use std::collections::BTreeMap;
use std::sync::Arc;

use sigil_core::did::Did;
use sigil_core::state::validators::ValidatorSet;
use sigil_core::time::parse_datetime;
use sigil_core::transaction::governance::{Governance, GovernanceChange, GovernanceError};

use super::BlockContext;
use super::error::LedgerError;
use super::state::{GovernanceEntry, LedgerState};

pub(super) fn apply(
    state: &LedgerState,
    governance: &Governance,
    block: &BlockContext,
    transaction: String,
) -> Result<LedgerState, LedgerError> {
    governance.check(&state.chain_id, state.governance.len() as u64, &state.validators)?;
    let time = parse_datetime(&governance.time)
        .ok_or_else(|| LedgerError::Malformed("governance: time is not RFC 3339".into()))?;
    block.check_dated(time)?;
    let mut next = state.clone();
    let change = &governance.change;
    let current: Vec<String> = state.validators.multikeys().cloned().collect();
    let validators = change.next_validators(&current)?;
    if validators != current {
        next.validators =
            Arc::new(ValidatorSet::new(&validators).map_err(|e| GovernanceError::Invalid(e.to_string()))?);
    }
    let learners: BTreeMap<String, String> = state
        .learners
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    next.learners = change.next_learners(&learners)?.into_iter().collect();
    let roots: Vec<Did> = state.roots_of_trust.iter().cloned().collect();
    next.roots_of_trust = change.next_roots(&roots)?.into_iter().collect();
    match change {
        GovernanceChange::AddValidator { validator, node } => {
            next.nodes.insert(validator.clone(), node.clone());
        }
        GovernanceChange::RemoveValidator { validator } => {
            next.nodes.remove(validator);
        }
        GovernanceChange::AddRootOfTrust {
            root,
            legal_name: Some(name),
        } => {
            let root = Did::parse(root).map_err(|e| GovernanceError::Invalid(e.to_string()))?;
            next.root_names.insert(root, name.clone());
        }
        GovernanceChange::RemoveRootOfTrust { root } => {
            if let Ok(root) = Did::parse(root) {
                next.root_names.remove(&root);
            }
        }
        _ => {}
    }
    next.governance.push_back(GovernanceEntry {
        change: change.clone(),
        transaction,
        height: block.height,
    });
    Ok(next)
}
