//! Genesis: the configuration every node of a chain starts from — its identity, its
//! validators and its roots of trust. Its type lives in `sigil-core`, where clients read the
//! validators they check final headers against; the state it starts is the ledger's.

pub use sigil_core::state::genesis::{Genesis, GenesisError};

use sigil_core::did::Did;
use sigil_core::state::validators::ValidatorSet;

use crate::ledger::LedgerState;

impl LedgerState {
    /// Checks `genesis` and returns the state the chain starts from.
    pub fn from_genesis(genesis: &Genesis) -> Result<LedgerState, GenesisError> {
        genesis.check()?;
        let validators = ValidatorSet::new(&genesis.validators).map_err(|e| GenesisError(e.to_string()))?;
        Ok(LedgerState {
            chain_id: genesis.chain_id.clone(),
            validators: std::sync::Arc::new(validators),
            root_names: genesis
                .root_names
                .iter()
                .map(|(did, name)| {
                    Ok((
                        Did::parse(did).map_err(|e| GenesisError(e.to_string()))?,
                        name.clone(),
                    ))
                })
                .collect::<Result<_, GenesisError>>()?,
            ..LedgerState::genesis(genesis.roots()?)
        })
    }
}
