//! Which header is final: the newest one this node applied that a quorum (more than half) of
//! the validators in force after its block has signed — genesis's, as governance changed them. Answers are proven against it (`GET /proofs`), with the
//! state the node had right after that block — the state tree is persistent, so keeping the
//! states of the few blocks not yet final costs little.
//!
//! On one node the proposer's signature, which every header carries, is the quorum. On
//! several, each node signs each header it applied and collects the others' signatures
//! (`crate::consensus::cluster`); a signature is kept only once checked against the header
//! this node applied at that height.

use std::collections::BTreeMap;
use std::sync::Mutex;

use std::sync::Arc;

use sigil_core::state::commit::{Commit, ValidatorSignature};
use sigil_core::state::validators::ValidatorSet;

use crate::chain::BlockHeader;
use crate::ledger::LedgerState;

/// How many applied but not yet final blocks are kept; a node whose peers fall this far behind
/// answers proofs from its last final header until they catch up.
const MAX_PENDING: usize = 256;

/// A final header with its signatures, and the state after its block.
#[derive(Debug, Clone)]
pub struct Finalized {
    pub commit: Commit,
    pub state: LedgerState,
}

/// Whether a signature was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// New, and valid over the header applied at its height.
    New,
    /// Already held.
    Known,
    /// Not kept: by no validator, invalid over the applied header, or for a height this node
    /// no longer holds or has not applied.
    No,
}

struct Pending {
    header: BlockHeader,
    /// Who signs it: the validators in force after its block.
    validators: Arc<ValidatorSet>,
    state: LedgerState,
    signatures: BTreeMap<String, ValidatorSignature>,
}

#[derive(Default)]
struct Inner {
    pending: BTreeMap<u64, Pending>,
    finalized: Option<Finalized>,
}

/// The finality of the headers this node applied.
#[derive(Default)]
pub struct Finality {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Finality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finality").finish_non_exhaustive()
    }
}

impl Finality {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves maps that are still consistent: each update
        // is one insert or removal.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records that this node applied `header`, reaching `state`, with `signatures` over it
    /// (its own, and any kept from before); the proposer's signature in the header counts.
    pub fn applied(
        &self,
        header: &BlockHeader,
        state: LedgerState,
        signatures: impl IntoIterator<Item = ValidatorSignature>,
    ) {
        let mut inner = self.lock();
        let mut pending = Pending {
            header: header.clone(),
            validators: state.validators.clone(),
            state,
            signatures: BTreeMap::new(),
        };
        let proposed = Commit::proposed(header.clone()).signatures;
        for signature in proposed.into_iter().chain(signatures) {
            if pending
                .validators
                .key(&signature.validator)
                .is_some_and(|key| signature.verifies(header, key))
            {
                pending.signatures.insert(signature.validator.clone(), signature);
            }
        }
        inner.pending.insert(header.height, pending);
        while inner.pending.len() > MAX_PENDING {
            inner.pending.pop_first();
        }
        self.settle(&mut inner, header.height);
    }

    /// Adds a signature over the header applied at `height`.
    pub fn add(&self, height: u64, signature: ValidatorSignature) -> Kept {
        let mut inner = self.lock();
        let Some(pending) = inner.pending.get_mut(&height) else {
            return Kept::No;
        };
        let Some(key) = pending.validators.key(&signature.validator) else {
            return Kept::No;
        };
        if pending.signatures.contains_key(&signature.validator) {
            return Kept::Known;
        }
        if !signature.verifies(&pending.header, key) {
            return Kept::No;
        }
        pending.signatures.insert(signature.validator.clone(), signature);
        self.settle(&mut inner, height);
        Kept::New
    }

    /// Makes the block at `height` final if a quorum signed it and it is newer than the final
    /// one; drops what is older.
    fn settle(&self, inner: &mut Inner, height: u64) {
        let newer = inner
            .finalized
            .as_ref()
            .is_none_or(|finalized| finalized.commit.header.height < height);
        let Some(pending) = inner.pending.get(&height) else {
            return;
        };
        if !newer || pending.signatures.len() < pending.validators.quorum() {
            return;
        }
        inner.finalized = Some(Finalized {
            commit: Commit {
                header: pending.header.clone(),
                signatures: pending.signatures.values().cloned().collect(),
            },
            state: pending.state.clone(),
        });
        // Heights below a final one will not be asked for: answers use the newest.
        inner.pending = inner.pending.split_off(&height);
    }

    /// The newest final header and the state after it.
    pub fn finalized(&self) -> Option<Finalized> {
        self.lock().finalized.clone()
    }

    /// The newest applied height that is not final yet, if any: whose signatures to collect.
    pub fn awaiting(&self) -> Option<u64> {
        let inner = self.lock();
        let final_height = inner.finalized.as_ref().map_or(0, |f| f.commit.header.height);
        inner
            .pending
            .keys()
            .next_back()
            .copied()
            .filter(|height| *height > final_height)
    }

    /// The signatures held over the header applied at `height`, if it is still held.
    pub fn signatures(&self, height: u64) -> Option<Vec<ValidatorSignature>> {
        let inner = self.lock();
        if let Some(pending) = inner.pending.get(&height) {
            return Some(pending.signatures.values().cloned().collect());
        }
        inner
            .finalized
            .as_ref()
            .filter(|finalized| finalized.commit.header.height == height)
            .map(|finalized| finalized.commit.signatures.clone())
    }
}
