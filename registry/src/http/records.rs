//! What verifiers read besides DID documents: status lists (latest, or as of a time), the
//! anchor covering a credential, the accreditations of an issuer or a verifier, and a DID's
//! key history.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};
use sigil_core::did::Did;
use sigil_core::time::{format_datetime, parse_datetime};

use super::AppError;
use crate::chain::merkle;
use crate::ledger::accreditation::AccreditedRole;
use crate::ledger::state::AccreditationRecord;
use crate::node::Node;

#[derive(Debug, Deserialize)]
pub(super) struct StatusListQuery {
    /// The list's id (its `statusListCredential` URL).
    id: String,
    /// The version in force at this time (RFC 3339); the latest when absent.
    at: Option<String>,
}

/// `GET /status-lists?id=…[&at=…]`: the issuer-signed status list credential, as published.
pub(super) async fn get_status_list(
    State(node): State<Node>,
    Query(query): Query<StatusListQuery>,
) -> Result<Json<Value>, AppError> {
    let at = query
        .at
        .as_deref()
        .map(|text| parse_datetime(text).ok_or_else(|| AppError::BadRequest("`at` is not RFC 3339".into())))
        .transpose()?;
    let view = node.view().await;
    let versions = view
        .state
        .status_lists
        .get(&query.id)
        .ok_or_else(|| AppError::NotFound(format!("no status list {}", query.id)))?;
    let version = match at {
        Some(at) => versions.iter().rev().find(|v| v.valid_from <= at),
        None => versions.last(),
    }
    .ok_or_else(|| AppError::NotFound(format!("status list {} had no version then", query.id)))?;
    Ok(Json(version.credential.clone()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AnchorQuery {
    credential_hash: String,
}

/// `GET /anchors?credentialHash=…`: the first anchor covering a credential, with the block
/// that proves when it existed and the Merkle root its hash is under.
pub(super) async fn get_anchor(
    State(node): State<Node>,
    Query(query): Query<AnchorQuery>,
) -> Result<Json<Value>, AppError> {
    let not_found = || AppError::NotFound(format!("no anchor covers {}", query.credential_hash));
    let view = node.view().await;
    let root = view
        .state
        .anchored
        .get(&query.credential_hash)
        .ok_or_else(not_found)?;
    let anchor = view.state.anchors.get(root).ok_or_else(not_found)?;
    let location = node
        .store()
        .locate(&anchor.transaction)
        .await?
        .ok_or_else(not_found)?;
    let block = node.store().block(location.height).await?.ok_or_else(not_found)?;
    // The credential's audit path up to the batch's Merkle root, and the anchor
    // transaction's receipt up to the signed block header.
    let leaves: Vec<_> = anchor
        .credential_hashes
        .iter()
        .filter_map(|hash| merkle::from_hex(hash))
        .map(|bytes| merkle::leaf_hash(&bytes))
        .collect();
    let index = anchor
        .credential_hashes
        .iter()
        .position(|hash| hash == &query.credential_hash)
        .ok_or_else(not_found)?;
    let path: Vec<String> = merkle::audit_path(&leaves, index)
        .iter()
        .map(merkle::hex)
        .collect();
    let receipt = node
        .store()
        .receipt_in(&block, location.index, &anchor.transaction)?
        .ok_or_else(not_found)?;
    let block_hash = block
        .header
        .hash()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(json!({
        "issuer": anchor.issuer,
        "merkleRoot": root,
        "credentialHash": query.credential_hash,
        "index": index,
        "batchSize": anchor.credential_hashes.len(),
        "inclusionProof": path,
        "transaction": anchor.transaction,
        "receipt": receipt,
        "block": {"height": block.header.height, "time": block.header.time, "hash": block_hash},
    })))
}

/// Whose accreditations to list: `issuer=DID` (as always) or `verifier=DID`.
#[derive(Debug, Deserialize)]
pub(super) struct AccreditationQuery {
    issuer: Option<String>,
    verifier: Option<String>,
}

/// `GET /accreditations?issuer=DID` or `?verifier=DID`: every accreditation of that DID in
/// that role, revoked ones included. Each row names its `role`. An issuer query never lists
/// a verifier accreditation, so a client that predates roles and reads every row it is given
/// can never take a verifier for an accredited issuer.
pub(super) async fn get_accreditations(
    State(node): State<Node>,
    Query(query): Query<AccreditationQuery>,
) -> Result<Json<Value>, AppError> {
    let (role, did) = match (query.issuer, query.verifier) {
        (Some(issuer), None) => (AccreditedRole::Issuer, issuer),
        (None, Some(verifier)) => (AccreditedRole::Verifier, verifier),
        _ => {
            return Err(AppError::BadRequest(
                "name one DID: `issuer=DID` or `verifier=DID`".into(),
            ));
        }
    };
    let did = Did::parse(&did).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let view = node.view().await;
    let accreditations: Vec<Value> = view
        .state
        .accreditations
        .iter()
        .filter(|(_, record)| record.accredited == did && record.role == role)
        .map(|(transaction, record)| accreditation_row(transaction, record))
        .collect();
    Ok(Json(json!({ "accreditations": accreditations })))
}

/// One accreditation as the API lists it: the accredited DID under its role's name
/// (`issuer` or `verifier`), and `role`.
pub(super) fn accreditation_row(transaction: &str, record: &AccreditationRecord) -> Value {
    json!({
        "transaction": transaction,
        "root": record.root,
        "role": record.role,
        (record.role.as_str()): record.accredited,
        "credentialTypes": record.credential_types,
        "validFrom": format_datetime(record.valid_from),
        "validUntil": record.valid_until.map(format_datetime),
        "revokedAt": record.revoked_at.map(format_datetime),
    })
}

/// `GET /dids/{did}/history`: every version of a DID and the lifecycle of every key it had.
pub(super) async fn get_did_history(
    State(node): State<Node>,
    Path(did): Path<String>,
) -> Result<Json<Value>, AppError> {
    let did = Did::parse(&did).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let view = node.view().await;
    let state = view
        .state
        .dids
        .get(&did)
        .ok_or_else(|| AppError::NotFound(format!("no DID {did}")))?;
    let version_time = |id: u64| {
        state
            .versions
            .iter()
            .find(|v| v.id == id)
            .map(|v| format_datetime(v.time))
    };
    let versions: Vec<Value> = state
        .versions
        .iter()
        .map(|v| {
            json!({"versionId": v.id.to_string(), "time": format_datetime(v.time),
                   "operation": v.operation, "deactivated": v.deactivated})
        })
        .collect();
    let keys: Vec<Value> = state
        .methods
        .iter()
        .map(|(fragment, method)| {
            json!({
                "id": format!("{did}#{fragment}"),
                "publicKeyMultibase": method.key.to_multikey(),
                "purposes": method.purposes,
                "added": version_time(method.added),
                "retired": method.retired.and_then(version_time),
                "compromisedSince": method.compromised_since.map(format_datetime),
            })
        })
        .collect();
    let deactivated = state
        .latest()
        .filter(|v| v.deactivated)
        .map(|v| format_datetime(v.time));
    Ok(Json(
        json!({"did": did, "versions": versions, "keys": keys, "deactivated": deactivated}),
    ))
}
