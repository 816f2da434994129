//! Answers that prove themselves (docs/registry-proofs.md): `GET /proofs?name=…` answers one
//! record of the state — or its absence — with the latest final header and the Merkle proof
//! from that header's state tree root to the record, so a client checks the answer against
//! the validators it trusts instead of trusting this node. `GET /genesis` gives the genesis a
//! client pins by its hash, and `GET /governance` the changes since, each signed by a quorum
//! of the validators before it, with which a client follows the validators that sign now.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use sigil_core::state::commit::{GovernanceStep, Proven};
use sigil_core::state::genesis::Genesis;
use sigil_core::state::records::RecordName;

use super::AppError;
use crate::ledger::records;
use crate::node::Node;

#[derive(Debug, Deserialize)]
pub(super) struct ProofQuery {
    /// The record's name: `did/<did>`, `status-list/<id>`, `accreditations/<role>/<did>`,
    /// `anchored/<credential hash>` or `governance/current`.
    name: String,
}

/// `GET /proofs?name=…`: the record named, or its absence, proven against the latest final
/// header — before the first block, against genesis's empty state, with no header.
pub(super) async fn get_proof(
    State(node): State<Node>,
    Query(query): Query<ProofQuery>,
) -> Result<Json<Proven>, AppError> {
    let name = RecordName::parse(&query.name).ok_or_else(|| {
        AppError::BadRequest(format!(
            "{:?} is not a record name: did/<did>, status-list/<id>, accreditations/<issuer|verifier>/<did>, anchored/<credential hash> or governance/current",
            query.name
        ))
    })?;
    let (state, commit) = match node.finalized() {
        Some(finalized) => (finalized.state, Some(finalized.commit)),
        None => {
            let view = node.view().await;
            if view.tip.height > 0 {
                return Err(AppError::Unavailable(
                    "no header of this node is final yet: a quorum of validators has not signed one; ask again shortly"
                        .into(),
                ));
            }
            (view.state, None)
        }
    };
    let record = records::record(&state, &name).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(Proven {
        name: name.text(),
        record,
        proof: state.tree.prove(&name.key()),
        commit,
    }))
}

/// `GET /genesis`: the chain's genesis. Clients check it against the hash they were given
/// before they trust the validators it names.
pub(super) async fn get_genesis(State(node): State<Node>) -> Json<Genesis> {
    Json(node.genesis().clone())
}

#[derive(Debug, Deserialize)]
pub(super) struct GovernanceQuery {
    /// Only the changes after this many (a client's count of those it followed); 0 when absent.
    #[serde(default)]
    after: u64,
}

/// `GET /governance?after=N`: the chain's governance changes after the `N`th, in order, each
/// with the receipt that places it in its block.
pub(super) async fn get_governance(
    State(node): State<Node>,
    Query(query): Query<GovernanceQuery>,
) -> Result<Json<Vec<GovernanceStep>>, AppError> {
    let applied = node.view().await.state.governance;
    let steps = node.store().governance_steps(&applied, query.after).await?;
    Ok(Json(steps))
}
