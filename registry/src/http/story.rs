//! The explorer's transactions in words: "Example University rotated its controller key and
//! declared key-1 compromised since 2026-03-01T00:00:00Z", "Ministry of Education accredited
//! Example University as an issuer of UniversityDegreeCredential". Parties are named by the
//! legal names the chain records (an accreditation's, a root's), else by their DIDs.

use sigil_core::did::Did;
use sigil_core::model::status_list::{Bitstring, StatusList};
use sigil_core::transaction::Transaction;
use sigil_core::transaction::accreditation::AccreditedRole;

use crate::ledger::LedgerState;
use crate::ledger::operation::{DidOperation, OperationKind};

/// The language names are picked in, until the explorer is written in two.
const LANGUAGE: &str = "en";

/// What `transaction` did, in one sentence, naming parties as `state` records them.
pub(super) fn sentence(transaction: &Transaction, state: &LedgerState) -> String {
    match transaction {
        Transaction::Did(operation) => did_operation(operation, state),
        Transaction::StatusList(publication) => {
            let issuer = publication
                .credential
                .get("issuer")
                .and_then(|issuer| issuer.as_str().or_else(|| issuer.get("id")?.as_str()))
                .unwrap_or_default();
            let id = publication
                .credential
                .get("id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            match StatusList::from_credential(&publication.credential) {
                Ok(list) => {
                    let purpose = list.purposes.first().map_or("status", String::as_str);
                    let set = count_set(&list.bits, list.status_size.unwrap_or(1));
                    let done = match purpose {
                        "revocation" => "revoked",
                        "suspension" => "suspended",
                        _ => "marked",
                    };
                    format!(
                        "{} published its {purpose} list {id}: {} {done}.",
                        name_of(state, issuer),
                        credentials(set)
                    )
                }
                Err(_) => format!("{} published the status list {id}.", name_of(state, issuer)),
            }
        }
        Transaction::Anchor(anchor) => format!(
            "{} anchored {}: proof that they were issued by this block's time.",
            name_of(state, &anchor.issuer),
            credentials(anchor.credential_hashes.len() as u64)
        ),
        Transaction::Accreditation(grant) => {
            let role = match grant.role {
                AccreditedRole::Issuer => "an issuer of",
                AccreditedRole::Verifier => "a verifier that may request",
            };
            let name = grant.legal_name.as_ref().map_or_else(
                || grant.issuer.clone(),
                |name| name.in_language(LANGUAGE).to_owned(),
            );
            let until = grant
                .valid_until
                .as_ref()
                .map(|until| format!(" until {until}"))
                .unwrap_or_default();
            format!(
                "{} accredited {name} as {role} {} from {}{until}.",
                name_of(state, &grant.root),
                grant.credential_types.join(", "),
                grant.valid_from
            )
        }
        Transaction::RevokeAccreditation(revocation) => format!(
            "{} withdrew the accreditation granted by transaction {} from {}.",
            name_of(state, &revocation.root),
            revocation.accreditation,
            revocation.time
        ),
        Transaction::Governance(governance) => format!(
            "The validators changed the chain's governance (change {}): {}.",
            governance.sequence,
            governance.change.describe()
        ),
    }
}

/// A DID operation in words: what it added, retired and declared compromised.
fn did_operation(operation: &DidOperation, state: &LedgerState) -> String {
    let did = match &operation.did {
        Some(did) => did.clone(),
        None => operation
            .created_did()
            .map(|did| did.to_string())
            .unwrap_or_default(),
    };
    let who = name_of(state, &did);
    let mut changes = Vec::new();
    if !operation.add_methods.is_empty() {
        let keys: Vec<&str> = operation.add_methods.iter().map(|m| m.id.as_str()).collect();
        changes.push(format!("added {}", keys_named(&keys)));
    }
    if !operation.retire_methods.is_empty() {
        let keys: Vec<&str> = operation.retire_methods.iter().map(String::as_str).collect();
        changes.push(format!("retired {}", keys_named(&keys)));
    }
    for compromise in &operation.compromised_methods {
        changes.push(format!(
            "declared {} compromised since {}",
            compromise.id, compromise.since
        ));
    }
    if operation.services.is_some() {
        changes.push("set its services".to_owned());
    }
    let changes = changes.join(", ");
    match operation.kind {
        OperationKind::Create if changes.is_empty() => format!("{who} was created."),
        OperationKind::Create => format!("{who} was created and {changes}."),
        OperationKind::Update => format!("{who} {changes}."),
        OperationKind::Rotate if changes.is_empty() => format!("{who} rotated its controller key."),
        OperationKind::Rotate => format!("{who} rotated its controller key and {changes}."),
        OperationKind::Deactivate => {
            format!("{who} was deactivated: none of its keys signs anything from now on.")
        }
    }
}

/// A party as the chain names it: the legal name its latest accreditation records, else a
/// root of trust's recorded name, else its DID.
pub(super) fn name_of(state: &LedgerState, did: &str) -> String {
    let Ok(parsed) = Did::parse(did) else {
        return did.to_owned();
    };
    state
        .accreditations
        .values()
        .filter(|record| record.accredited == parsed)
        .filter_map(|record| record.legal_name.as_ref())
        .next_back()
        .or_else(|| state.root_names.get(&parsed))
        .map_or_else(|| did.to_owned(), |name| name.in_language(LANGUAGE).to_owned())
}

fn keys_named(keys: &[&str]) -> String {
    match keys {
        [one] => format!("key {one}"),
        several => format!("keys {}", several.join(", ")),
    }
}

fn credentials(count: u64) -> String {
    if count == 1 {
        "1 credential".to_owned()
    } else {
        format!("{count} credentials")
    }
}

/// How many entries of `size` bits are not zero.
fn count_set(bits: &Bitstring, size: u32) -> u64 {
    (0..bits.entries(size))
        .filter(|index| bits.get(*index, size).is_ok_and(|value| value != 0))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use sigil_core::names::LegalName;
    use sigil_core::time::parse_datetime;
    use sigil_core::transaction::anchor::IssuanceAnchor;
    use sigil_core::transaction::status_list::StatusListPublication;

    use super::*;
    use crate::ledger::operation::Compromise;

    const UNIVERSITY: &str = "did:sigil:zUniversity";

    fn state() -> LedgerState {
        let mut state = LedgerState::default();
        let root = Did::parse("did:key:z6MkRoot").unwrap();
        state
            .root_names
            .insert(root, LegalName::new("en", "Ministry of Education").unwrap());
        state
    }

    #[test]
    fn a_rotation_that_declares_a_key_compromised_says_since_when() {
        let mut rotate = DidOperation::new(
            OperationKind::Rotate,
            parse_datetime("2026-03-02T00:00:00Z").unwrap(),
        );
        rotate.did = Some(UNIVERSITY.into());
        rotate.retire_methods = vec!["key-1".into()];
        rotate.compromised_methods = vec![Compromise {
            id: "key-1".into(),
            since: "2026-03-01T00:00:00Z".into(),
        }];
        assert_eq!(
            sentence(&Transaction::Did(rotate), &state()),
            "did:sigil:zUniversity rotated its controller key and retired key key-1, declared key-1 compromised since 2026-03-01T00:00:00Z."
        );
    }

    #[test]
    fn a_status_list_says_how_many_credentials_it_revokes_and_an_anchor_how_many_it_covers() {
        let mut bits = Bitstring::new();
        for index in [3, 70, 5000] {
            bits.set(index, 1, 1).unwrap();
        }
        let list = json!({
            "id": "https://uni.example/status/revocation/1",
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": UNIVERSITY,
            "credentialSubject": {"type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": bits.encode().unwrap()}
        });
        let publication = Transaction::StatusList(StatusListPublication { credential: list });
        assert_eq!(
            sentence(&publication, &state()),
            "did:sigil:zUniversity published its revocation list https://uni.example/status/revocation/1: 3 credentials revoked."
        );
        let anchor = Transaction::Anchor(IssuanceAnchor {
            issuer: "did:key:z6MkRoot".into(),
            credential_hashes: vec!["00".repeat(32)],
            merkle_root: "00".repeat(32),
            time: "2026-06-30T00:00:00Z".into(),
            proof: None,
        });
        assert!(
            sentence(&anchor, &state()).starts_with("Ministry of Education anchored 1 credential:"),
            "a root's recorded name names it"
        );
    }
}
