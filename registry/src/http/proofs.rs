//! Answers that prove themselves (docs/registry-proofs.md): `GET /proofs?name=…` answers one
//! record of the state — or its absence — with the latest final header and the Merkle proof
//! from that header's state tree root to the record, so a client checks the answer against
//! the validators it trusts instead of trusting this node. `GET /genesis` gives the genesis a
//! client pins by its hash.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use sigil_core::state::commit::Proven;
use sigil_core::state::genesis::Genesis;
use sigil_core::state::records::RecordName;

use super::AppError;
use crate::ledger::records;
use crate::node::Node;

#[derive(Debug, Deserialize)]
pub(super) struct ProofQuery {
    /// The record's name: `did/<did>`, `status-list/<id>`, `accreditations/<role>/<did>` or
    /// `anchored/<credential hash>`.
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
            "{:?} is not a record name: did/<did>, status-list/<id>, accreditations/<issuer|verifier>/<did> or anchored/<credential hash>",
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
