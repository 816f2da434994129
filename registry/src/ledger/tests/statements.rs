//! Status lists, issuance anchors and accreditations: who may write them, and every refusal
//! leaving the state as it was.

use serde_json::{Value, json};
use sha2::Digest as _;
use sigil_core::data_integrity::{self, Cryptosuite, ProofOptions};
use sigil_core::did::Did;
use sigil_core::did::document::Relationship;
use sigil_core::immediate::now_or_never;
use sigil_core::key::SigningKey;
use sigil_core::model::status_list::Bitstring;

use super::*;
use crate::ledger::accreditation::{Accreditation, AccreditationRevocation, AccreditedRole};
use crate::ledger::anchor::IssuanceAnchor;
use crate::ledger::statement;
use crate::ledger::status_list::StatusListPublication;

const LIST: &str = "https://registry.example/status/university/1";
/// The ministry: the root of trust genesis names.
pub(super) const MINISTRY: u8 = 50;

fn ministry() -> Did {
    key(MINISTRY).did_key()
}

/// The university's ledger, with the ministry as root of trust.
pub(super) fn ledger() -> (LedgerState, Did) {
    let (state, did) = with_university();
    let state = LedgerState {
        roots_of_trust: [ministry()].into_iter().collect(),
        ..state
    };
    (state, did)
}

pub(super) fn status_list(
    issuer: &Did,
    signer: &SigningKey,
    method: &str,
    valid_from: &str,
    revoked: &[u64],
) -> Value {
    let mut bits = Bitstring::new();
    for index in revoked {
        bits.set(*index, 1, 1).unwrap();
    }
    signed_list(issuer, signer, method, valid_from, &bits.encode().unwrap())
}

/// The university's list credential with `encoded_list`, signed by `signer` as `method`.
pub(super) fn signed_list(
    issuer: &Did,
    signer: &SigningKey,
    method: &str,
    valid_from: &str,
    encoded_list: &str,
) -> Value {
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.to_string(),
        "validFrom": valid_from,
        "credentialSubject": {"id": format!("{LIST}#list"), "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encoded_list},
    });
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: method.to_owned(),
        purpose: Relationship::AssertionMethod,
        created: time(valid_from),
        challenge: None,
        domain: None,
    };
    now_or_never(data_integrity::sign(&credential, signer, &options))
        .unwrap()
        .unwrap()
}

pub(super) fn publish(credential: Value) -> Transaction {
    Transaction::StatusList(StatusListPublication { credential })
}

pub(super) fn university_list(did: &Did, valid_from: &str, revoked: &[u64]) -> Transaction {
    publish(status_list(
        did,
        &key(DIPLOMA_KEY),
        &format!("{did}#key-1"),
        valid_from,
        revoked,
    ))
}

#[test]
fn every_version_of_a_status_list_is_kept() {
    let (state, did) = ledger();
    let state = apply(
        &state,
        &university_list(&did, "2026-07-01T00:00:00Z", &[]),
        &block(),
    )
    .unwrap();
    let state = apply(
        &state,
        &university_list(&did, "2026-08-01T00:00:00Z", &[7]),
        &block(),
    )
    .unwrap();
    let versions = &state.status_lists[LIST];
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].valid_from, time("2026-08-01T00:00:00Z"));
}

#[test]
fn a_status_list_signed_with_someone_elses_key_is_refused() {
    let (state, did) = ledger();
    let impostor = key(60);
    let forged = publish(status_list(
        &did,
        &impostor,
        &impostor.did_key_method(),
        "2026-07-01T00:00:00Z",
        &[],
    ));
    assert_refused(
        &state,
        &forged,
        &LedgerError::UnauthorisedKey(impostor.did_key_method()),
    );
    let unknown_method = format!("{did}#key-9");
    let forged = publish(status_list(
        &did,
        &key(DIPLOMA_KEY),
        &unknown_method,
        "2026-07-01T00:00:00Z",
        &[],
    ));
    assert_refused(&state, &forged, &LedgerError::UnauthorisedKey(unknown_method));
}

#[test]
fn a_status_list_changed_after_signing_is_refused() {
    let (state, did) = ledger();
    let Transaction::StatusList(mut publication) = university_list(&did, "2026-07-01T00:00:00Z", &[]) else {
        unreachable!()
    };
    let mut bits = Bitstring::new();
    bits.set(7, 1, 1).unwrap();
    publication.credential["credentialSubject"]["encodedList"] = bits.encode().unwrap().into();
    assert_refused(
        &state,
        &Transaction::StatusList(publication),
        &LedgerError::BadSignature,
    );
}

#[test]
fn another_issuer_cannot_publish_a_version_of_the_list() {
    let (state, did) = ledger();
    let state = apply(
        &state,
        &university_list(&did, "2026-07-01T00:00:00Z", &[]),
        &block(),
    )
    .unwrap();
    let other = key(61);
    let takeover = publish(status_list(
        &other.did_key(),
        &other,
        &other.did_key_method(),
        "2026-08-01T00:00:00Z",
        &[],
    ));
    let expected = LedgerError::NotTheListIssuer {
        list: LIST.into(),
        owner: did.to_string(),
        signer: other.did_key().to_string(),
    };
    assert_refused(&state, &takeover, &expected);
}

#[test]
fn an_older_status_list_version_is_refused() {
    let (state, did) = ledger();
    let state = apply(
        &state,
        &university_list(&did, "2026-08-01T00:00:00Z", &[7]),
        &block(),
    )
    .unwrap();
    let expected = LedgerError::TimeWentBackwards {
        previous: "2026-08-01T00:00:00Z".into(),
        found: "2026-07-01T00:00:00Z".into(),
    };
    assert_refused(
        &state,
        &university_list(&did, "2026-07-01T00:00:00Z", &[]),
        &expected,
    );
}

#[test]
fn a_credential_that_is_not_a_status_list_is_refused() {
    let (state, did) = ledger();
    let Transaction::StatusList(mut publication) = university_list(&did, "2026-07-01T00:00:00Z", &[]) else {
        unreachable!()
    };
    publication.credential["type"] = json!(["VerifiableCredential"]);
    let before = state.clone();
    assert!(matches!(
        apply(&state, &Transaction::StatusList(publication), &block()),
        Err(LedgerError::Malformed(_))
    ));
    assert_eq!(state, before);
}

/// Three credential hashes (hex SHA-256).
fn batch() -> Vec<String> {
    ["a", "b", "c"]
        .iter()
        .map(|text| crate::chain::merkle::hex(&sha2::Sha256::digest(text.as_bytes()).into()))
        .collect()
}

pub(super) fn signed_anchor(mut anchor: IssuanceAnchor, did: &Did) -> IssuanceAnchor {
    anchor.proof = Some(statement::sign(&anchor, &key(DIPLOMA_KEY), &format!("{did}#key-1")).unwrap());
    anchor
}

pub(super) fn anchor(did: &Did) -> IssuanceAnchor {
    signed_anchor(
        crate::ledger::anchor::unsigned(did.as_str(), batch(), "2026-07-01T00:00:00Z"),
        did,
    )
}

#[test]
fn an_issuer_anchors_a_batch_once() {
    let (state, did) = ledger();
    let anchor = anchor(&did);
    let root = anchor.merkle_root.clone();
    let state = apply(&state, &Transaction::Anchor(anchor.clone()), &block()).unwrap();
    assert_eq!(state.anchors[&root].issuer, did);
    assert_eq!(state.anchored[&batch()[1]], root);
    let mut again = anchor;
    again.time = "2026-07-02T00:00:00Z".into();
    let again = signed_anchor(again, &did);
    assert_refused(
        &state,
        &Transaction::Anchor(again),
        &LedgerError::AnchorExists(root),
    );
}

#[test]
fn a_tampered_or_unsigned_anchor_is_refused() {
    let (state, did) = ledger();
    let mut tampered = anchor(&did);
    tampered.time = "2026-07-03T00:00:00Z".into();
    assert_refused(&state, &Transaction::Anchor(tampered), &LedgerError::BadSignature);
    let mut unsigned = anchor(&did);
    unsigned.proof = None;
    assert_refused(
        &state,
        &Transaction::Anchor(unsigned),
        &LedgerError::MissingSignature,
    );
    let mut wrong_root = anchor(&did);
    wrong_root.credential_hashes.pop();
    let wrong_root = signed_anchor(wrong_root, &did);
    let not_hex =
        crate::ledger::anchor::unsigned(did.as_str(), vec!["not-a-digest".into()], "2026-07-01T00:00:00Z");
    let not_hex = signed_anchor(not_hex, &did);
    for anchor in [wrong_root, not_hex] {
        let before = state.clone();
        assert!(matches!(
            apply(&state, &Transaction::Anchor(anchor), &block()),
            Err(LedgerError::Malformed(_))
        ));
        assert_eq!(state, before);
    }
}

#[test]
fn a_deactivated_issuer_cannot_anchor() {
    let (state, did) = ledger();
    let op = follow_up(&state, &did, OperationKind::Deactivate, "2026-06-01T00:00:00Z");
    let state = apply(&state, &tx(&op.sign(&key(NEXT)).unwrap()), &block()).unwrap();
    assert_refused(
        &state,
        &Transaction::Anchor(anchor(&did)),
        &LedgerError::Deactivated(did.to_string()),
    );
}

pub(super) fn accreditation(root: &SigningKey, issuer: &Did) -> Accreditation {
    let mut grant = Accreditation {
        root: root.did_key().to_string(),
        issuer: issuer.to_string(),
        role: AccreditedRole::Issuer,
        legal_name: Some(sigil_core::names::LegalName::new("en", "Example University").unwrap()),
        credential_types: vec!["UniversityDegreeCredential".into()],
        valid_from: "2026-01-01T00:00:00Z".into(),
        valid_until: Some("2031-01-01T00:00:00Z".into()),
        proof: None,
    };
    grant.proof = Some(statement::sign(&grant, root, &root.did_key_method()).unwrap());
    grant
}

pub(super) fn revocation(root: &SigningKey, accreditation: &str) -> AccreditationRevocation {
    revocation_at(root, accreditation, "2027-01-01T00:00:00Z")
}

fn revocation_at(root: &SigningKey, accreditation: &str, at: &str) -> AccreditationRevocation {
    let mut revocation = AccreditationRevocation {
        root: root.did_key().to_string(),
        accreditation: accreditation.into(),
        time: at.into(),
        proof: None,
    };
    revocation.proof = Some(statement::sign(&revocation, root, &root.did_key_method()).unwrap());
    revocation
}

#[test]
fn a_root_of_trust_accredits_and_revokes() {
    let (state, did) = ledger();
    let grant = Transaction::Accreditation(accreditation(&key(MINISTRY), &did));
    let granted = grant.hash().unwrap();
    let state = apply(&state, &grant, &block()).unwrap();
    assert_eq!(state.accreditations[&granted].accredited, did);
    assert_eq!(state.accreditations[&granted].role, AccreditedRole::Issuer);
    let revoke = Transaction::RevokeAccreditation(revocation(&key(MINISTRY), &granted));
    let state = apply(&state, &revoke, &block()).unwrap();
    assert!(state.accreditations[&granted].revoked_by.is_some());

    let mut again = revocation(&key(MINISTRY), &granted);
    again.time = "2027-02-01T00:00:00Z".into();
    again.proof = Some(statement::sign(&again, &key(MINISTRY), &key(MINISTRY).did_key_method()).unwrap());
    assert_refused(
        &state,
        &Transaction::RevokeAccreditation(again),
        &LedgerError::Accreditation("revoked already".into()),
    );
}

#[test]
fn a_verifier_accreditation_is_kept_as_a_verifiers() {
    let (state, _) = ledger();
    let verifier = key(80).did_key();
    let mut grant = accreditation(&key(MINISTRY), &verifier);
    grant.role = AccreditedRole::Verifier;
    grant.proof = Some(statement::sign(&grant, &key(MINISTRY), &key(MINISTRY).did_key_method()).unwrap());
    let grant = Transaction::Accreditation(grant);
    let state = apply(&state, &grant, &block()).unwrap();
    let record = &state.accreditations[&grant.hash().unwrap()];
    assert_eq!(
        (&record.accredited, record.role),
        (&verifier, AccreditedRole::Verifier)
    );
}

#[test]
fn the_role_is_signed_so_a_verifier_accreditation_cannot_be_turned_into_an_issuers() {
    let (state, _) = ledger();
    let mut grant = accreditation(&key(MINISTRY), &key(80).did_key());
    grant.role = AccreditedRole::Verifier;
    grant.proof = Some(statement::sign(&grant, &key(MINISTRY), &key(MINISTRY).did_key_method()).unwrap());
    grant.role = AccreditedRole::Issuer;
    assert_refused(
        &state,
        &Transaction::Accreditation(grant),
        &LedgerError::BadSignature,
    );
}

#[test]
fn only_a_root_of_trust_may_accredit() {
    let (state, did) = ledger();
    let self_made = key(70);
    let grant = Transaction::Accreditation(accreditation(&self_made, &did));
    assert_refused(
        &state,
        &grant,
        &LedgerError::NotARootOfTrust(self_made.did_key().to_string()),
    );
}

#[test]
fn revoking_an_unknown_accreditation_is_refused() {
    let (state, _) = ledger();
    let revoke = Transaction::RevokeAccreditation(revocation(&key(MINISTRY), "zQmNothing"));
    assert_refused(
        &state,
        &revoke,
        &LedgerError::Accreditation("no accreditation zQmNothing".into()),
    );
}

// --- Dates: no later than the block's time plus the clock skew -----------------------------

#[test]
fn a_status_list_may_be_valid_from_up_to_the_clock_skew_past_its_block_and_no_further() {
    // Versions must follow each other in time: one valid from 2099 would stop the issuer
    // publishing again until then.
    let (state, did) = ledger();
    let state = assert_bounded_by_the_block(&state, |at| university_list(&did, at, &[7]));
    assert_eq!(state.status_lists[LIST][0].valid_from, time(LATEST_ACCEPTED));
}

#[test]
fn an_anchor_may_be_dated_up_to_the_clock_skew_past_its_block_and_no_further() {
    let (state, did) = ledger();
    let state = assert_bounded_by_the_block(&state, |at| {
        Transaction::Anchor(signed_anchor(
            crate::ledger::anchor::unsigned(did.as_str(), batch(), at),
            &did,
        ))
    });
    assert_eq!(state.anchors.len(), 1);
}

#[test]
fn a_revocation_may_be_dated_up_to_the_clock_skew_past_its_block_and_no_further() {
    // A revocation dated ahead would leave the accreditation standing until then, and, being
    // "revoked already", could not be corrected.
    let (state, did) = ledger();
    let grant = Transaction::Accreditation(accreditation(&key(MINISTRY), &did));
    let granted = grant.hash().unwrap();
    let state = apply(&state, &grant, &block_at(BLOCK_TIME)).unwrap();
    let state = assert_bounded_by_the_block(&state, |at| {
        Transaction::RevokeAccreditation(revocation_at(&key(MINISTRY), &granted, at))
    });
    assert_eq!(
        state.accreditations[&granted].revoked_at,
        Some(time(LATEST_ACCEPTED))
    );
}

#[test]
fn an_accreditation_may_start_in_the_future() {
    // A grant states the period it covers, not when it was made: a root may accredit an issuer
    // from next year, and nothing on the ledger waits for that date.
    let (state, did) = ledger();
    let mut grant = accreditation(&key(MINISTRY), &did);
    grant.valid_from = "2027-09-01T00:00:00Z".into();
    grant.proof = Some(statement::sign(&grant, &key(MINISTRY), &key(MINISTRY).did_key_method()).unwrap());
    let grant = Transaction::Accreditation(grant);
    let state = apply(&state, &grant, &block_at(BLOCK_TIME)).unwrap();
    assert_eq!(
        state.accreditations[&grant.hash().unwrap()].valid_from,
        time("2027-09-01T00:00:00Z")
    );
}
