//! The wire format of the registry (docs/design.md §4): the transactions that controllers, issuers
//! and roots of trust sign — `did:sigil` operations, status-list publications, issuance
//! anchors, accreditations and their revocation — and the receipt the registry answers with.
//! The registry validates and orders them; issuers, wallets and the registry's own client
//! commands build them — so their shape lives here, in the shared core, next to the
//! `did:sigil` operations of [`crate::did::sigil`], and no service writes them as untyped JSON.

pub mod accreditation;
pub mod anchor;
pub mod governance;
pub mod limits;
pub mod receipt;
pub mod statement;
pub mod status_list;

use serde::{Deserialize, Serialize};

pub use accreditation::{Accreditation, AccreditationRevocation, AccreditedRole};
pub use anchor::IssuanceAnchor;
pub use governance::{Governance, GovernanceChange};
pub use limits::LimitExceeded;
pub use receipt::{BlockHeader, Receipt};
pub use statement::StatementProof;
pub use status_list::StatusListPublication;

use crate::did::sigil::digest::digest_jcs;
use crate::did::sigil::operation::{DidOperation, OperationKind};

/// A ledger transaction (docs/design.md §4), as `POST /transactions` takes it: `{"did": …}`,
/// `{"statusList": …}`, `{"anchor": …}`, `{"accreditation": …}`,
/// `{"revokeAccreditation": …}` or `{"governance": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Transaction {
    /// A `did:sigil` operation.
    Did(DidOperation),
    /// A new version of an issuer's status list.
    StatusList(StatusListPublication),
    /// An issuer's commitment to a batch of issued credentials.
    Anchor(IssuanceAnchor),
    /// A root of trust accredits an issuer or a verifier.
    Accreditation(Accreditation),
    /// A root of trust withdraws an accreditation.
    RevokeAccreditation(AccreditationRevocation),
    /// A quorum of the validators changes the validators or the roots of trust.
    Governance(Governance),
}

impl Transaction {
    /// What the transaction is and what it is about, for people: ("DID update", "did:sigil:…"),
    /// ("verifier accreditation", "did:key:…").
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            Transaction::Did(op) => {
                let kind = match op.kind {
                    OperationKind::Create => "DID create",
                    OperationKind::Update => "DID update",
                    OperationKind::Rotate => "DID rotate",
                    OperationKind::Deactivate => "DID deactivate",
                };
                let did = match &op.did {
                    Some(did) => did.clone(),
                    None => op.created_did().map(|did| did.to_string()).unwrap_or_default(),
                };
                (kind, did)
            }
            Transaction::StatusList(publication) => {
                let id = publication
                    .credential
                    .get("id")
                    .and_then(serde_json::Value::as_str);
                ("status list", id.unwrap_or_default().to_owned())
            }
            Transaction::Anchor(anchor) => ("issuance anchor", anchor.issuer.clone()),
            Transaction::Accreditation(grant) => {
                let kind = match grant.role {
                    AccreditedRole::Issuer => "issuer accreditation",
                    AccreditedRole::Verifier => "verifier accreditation",
                };
                (kind, grant.issuer.clone())
            }
            Transaction::RevokeAccreditation(revocation) => {
                ("accreditation revoked", revocation.accreditation.clone())
            }
            Transaction::Governance(governance) => ("governance", governance.change.describe()),
        }
    }

    /// The transaction's hash: the digest of its JCS form, as receipts and replay checks name it.
    pub fn hash(&self) -> Result<String, serde_json::Error> {
        digest_jcs(self)
    }
}
