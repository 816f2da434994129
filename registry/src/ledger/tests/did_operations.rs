//! The `did:sigil` rules: every rejection names its `LedgerError` and leaves the state as it was.

use sigil_core::did::ResolutionOptions;

use super::*;
use crate::ledger::operation::{self, Compromise, DidOperation, OperationKind, Purpose};
use crate::ledger::resolve::{key_events, resolve};
use crate::ledger::{LedgerError, apply};

// --- What is accepted ---------------------------------------------------------------------

#[test]
fn a_created_did_is_self_certifying_and_resolves() {
    let (state, did) = with_university();
    assert!(did.as_str().starts_with("did:sigil:zQm"), "{did}");
    let resolution = resolve(&state, &did, &ResolutionOptions::latest()).unwrap();
    let method = resolution
        .document
        .method_for(
            &format!("{did}#key-1"),
            sigil_core::did::document::Relationship::AssertionMethod,
        )
        .unwrap();
    assert_eq!(method.public_key(), Ok(key(DIPLOMA_KEY).public_key()));
    assert_eq!(resolution.metadata.version_id.as_deref(), Some("1"));
}

#[test]
fn an_update_adds_and_retires_methods_and_history_stays_resolvable() {
    let (state, did) = with_university();
    let mut op = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z");
    op.add_methods = vec![operation::method(
        "key-2",
        &key(11).public_key(),
        &[Purpose::AssertionMethod],
    )];
    op.retire_methods = vec!["key-1".into()];
    op.services = Some(vec![
        serde_json::json!({"id": "#web", "type": "LinkedDomains", "serviceEndpoint": "https://uni.example"}),
    ]);
    let state = apply(&state, &tx(&op.sign(&key(CONTROLLER)).unwrap()), &block()).unwrap();

    let now = resolve(&state, &did, &ResolutionOptions::latest()).unwrap();
    assert!(now.document.method(&format!("{did}#key-1")).is_none());
    assert!(now.document.method(&format!("{did}#key-2")).is_some());
    assert_eq!(now.document.service.len(), 1);
    assert_eq!(now.metadata.version_id.as_deref(), Some("2"));

    let before = resolve(&state, &did, &ResolutionOptions::at(time("2026-02-01T00:00:00Z"))).unwrap();
    assert!(before.document.method(&format!("{did}#key-1")).is_some());
    assert_eq!(before.metadata.next_version_id.as_deref(), Some("2"));
    let first = ResolutionOptions {
        version_id: Some("1".into()),
        version_time: None,
    };
    assert_eq!(resolve(&state, &did, &first).unwrap().document, before.document);
    let too_early = ResolutionOptions::at(time("2025-01-01T00:00:00Z"));
    assert!(resolve(&state, &did, &too_early).is_err());
}

#[test]
fn a_rotation_signed_by_the_committed_key_can_mark_a_method_compromised() {
    let (state, did) = with_university();
    let mut op = rotation(&state, &did, "2026-09-01T00:00:00Z");
    op.compromised_methods = vec![Compromise {
        id: "key-1".into(),
        since: "2026-08-01T00:00:00Z".into(),
    }];
    op.add_methods = vec![operation::method(
        "key-2",
        &key(11).public_key(),
        &[Purpose::AssertionMethod],
    )];
    let state = apply(&state, &tx(&op.sign(&key(NEXT)).unwrap()), &block()).unwrap();
    let events = key_events(&state, &did, &format!("{did}#key-1"));
    assert_eq!(events.compromised_since, Some(time("2026-08-01T00:00:00Z")));
    assert_eq!(state.dids[&did].controller_key, key(NEXT).public_key());

    // The old controller key can no longer update; the new one can.
    let update = follow_up(&state, &did, OperationKind::Update, "2026-09-02T00:00:00Z");
    assert!(matches!(
        apply(
            &state,
            &tx(&update.clone().sign(&key(CONTROLLER)).unwrap()),
            &block()
        ),
        Err(LedgerError::WrongSigner { .. })
    ));
    apply(&state, &tx(&update.sign(&key(NEXT)).unwrap()), &block()).unwrap();
}

#[test]
fn a_deactivated_did_resolves_as_deactivated_and_accepts_nothing_more() {
    let (state, did) = with_university();
    let op = follow_up(&state, &did, OperationKind::Deactivate, "2026-10-01T00:00:00Z");
    let state = apply(&state, &tx(&op.sign(&key(NEXT)).unwrap()), &block()).unwrap();
    let resolution = resolve(&state, &did, &ResolutionOptions::latest()).unwrap();
    assert!(resolution.metadata.deactivated);
    assert!(resolution.document.verification_method.is_empty());
    assert_eq!(
        key_events(&state, &did, "x#key-1").deactivated_at,
        Some(time("2026-10-01T00:00:00Z"))
    );

    let update = follow_up(&state, &did, OperationKind::Update, "2026-10-02T00:00:00Z");
    assert_refused(
        &state,
        &tx(&update.sign(&key(CONTROLLER)).unwrap()),
        &LedgerError::Deactivated(did.to_string()),
    );
}

// --- What is refused ----------------------------------------------------------------------

#[test]
fn a_bad_signature_is_refused() {
    let (state, did) = with_university();
    let mut op = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z")
        .sign(&key(CONTROLLER))
        .unwrap();
    op.time = "2026-03-02T00:00:00Z".into();
    assert_refused(&state, &tx(&op), &LedgerError::BadSignature);
}

#[test]
fn an_unsigned_operation_is_refused() {
    let (state, did) = with_university();
    let op = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z");
    assert_refused(&state, &tx(&op), &LedgerError::MissingSignature);
}

#[test]
fn an_update_signed_by_another_key_is_refused() {
    let (state, did) = with_university();
    let op = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z")
        .sign(&key(DIPLOMA_KEY))
        .unwrap();
    let expected = LedgerError::WrongSigner {
        expected: key(CONTROLLER).public_key().to_multikey(),
        found: key(DIPLOMA_KEY).public_key().to_multikey(),
    };
    assert_refused(&state, &tx(&op), &expected);
}

#[test]
fn a_rotation_signed_by_the_stolen_current_key_is_refused() {
    let (state, did) = with_university();
    let op = rotation(&state, &did, "2026-09-01T00:00:00Z")
        .sign(&key(CONTROLLER))
        .unwrap();
    assert_refused(&state, &tx(&op), &LedgerError::WrongPreRotationKey);
}

#[test]
fn a_deactivation_signed_by_the_current_key_is_refused() {
    let (state, did) = with_university();
    let op = follow_up(&state, &did, OperationKind::Deactivate, "2026-09-01T00:00:00Z")
        .sign(&key(CONTROLLER))
        .unwrap();
    assert_refused(&state, &tx(&op), &LedgerError::WrongPreRotationKey);
}

#[test]
fn a_replayed_transaction_is_refused() {
    let (state, _) = with_university();
    assert_refused(
        &state,
        &tx(&inception()),
        &LedgerError::Replay(tx(&inception()).hash().unwrap()),
    );
}

#[test]
fn a_second_create_of_the_same_did_is_refused() {
    let (mut state_without_replay_memory, did) = with_university();
    // An identical inception is caught as a replay first; forgetting the applied hashes
    // shows the second line of defence, the DID's existence.
    state_without_replay_memory.applied.clear();
    assert_refused(
        &state_without_replay_memory,
        &tx(&inception()),
        &LedgerError::DidExists(did.to_string()),
    );
}

#[test]
fn an_operation_on_an_unknown_did_is_refused() {
    let (state, _) = with_university();
    let mut op = DidOperation::new(OperationKind::Update, time("2026-03-01T00:00:00Z"));
    op.did = Some("did:sigil:zQmUnknownUnknownUnknownUnknownUnknownUnknown1".into());
    op.prev = Some("zQmWhatever".into());
    let op = op.sign(&key(CONTROLLER)).unwrap();
    assert_refused(
        &state,
        &tx(&op),
        &LedgerError::UnknownDid("did:sigil:zQmUnknownUnknownUnknownUnknownUnknownUnknown1".into()),
    );
}

#[test]
fn a_fork_of_the_history_is_refused() {
    let (state, did) = with_university();
    let first_hash = latest_hash(&state, &did);
    let op = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z");
    let state = apply(&state, &tx(&op.sign(&key(CONTROLLER)).unwrap()), &block()).unwrap();
    let mut fork = follow_up(&state, &did, OperationKind::Update, "2026-04-01T00:00:00Z");
    fork.prev = Some(first_hash.clone());
    let expected = LedgerError::Fork {
        expected: latest_hash(&state, &did),
        found: first_hash,
    };
    assert_refused(&state, &tx(&fork.sign(&key(CONTROLLER)).unwrap()), &expected);
}

#[test]
fn a_prev_that_names_nothing_is_refused() {
    let (state, did) = with_university();
    let mut op = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z");
    op.prev = Some("zQmNotAnOperationOfThisDid".into());
    let expected = LedgerError::PrevMismatch {
        expected: latest_hash(&state, &did),
        found: "zQmNotAnOperationOfThisDid".into(),
    };
    assert_refused(&state, &tx(&op.sign(&key(CONTROLLER)).unwrap()), &expected);
}

#[test]
fn time_going_backwards_is_refused() {
    let (state, did) = with_university();
    let op = follow_up(&state, &did, OperationKind::Update, "2025-12-31T23:59:59Z")
        .sign(&key(CONTROLLER))
        .unwrap();
    let expected = LedgerError::TimeWentBackwards {
        previous: "2026-01-01T00:00:00Z".into(),
        found: "2025-12-31T23:59:59Z".into(),
    };
    assert_refused(&state, &tx(&op), &expected);
}

#[test]
fn malformed_operations_are_refused() {
    let (state, did) = with_university();
    let signed = |op: DidOperation| tx(&op.sign(&key(CONTROLLER)).unwrap());
    let update = || follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z");

    let mut bad_time = update();
    bad_time.time = "yesterday".into();
    let mut controller_change = update();
    controller_change.controller_key = Some(key(9).public_key().to_multikey());
    let mut bad_fragment = update();
    bad_fragment.add_methods = vec![operation::method(
        "key 2<",
        &key(11).public_key(),
        &[Purpose::AssertionMethod],
    )];
    let mut compromise_in_update = update();
    compromise_in_update.compromised_methods = vec![Compromise {
        id: "key-1".into(),
        since: "2026-01-02T00:00:00Z".into(),
    }];
    let mut no_prev = update();
    no_prev.prev = None;
    let mut create_with_did = inception();
    create_with_did.did = Some(did.to_string());

    for op in [
        bad_time,
        controller_change,
        bad_fragment,
        compromise_in_update,
        no_prev,
        create_with_did,
    ] {
        let transaction = signed(op);
        let before = state.clone();
        assert!(
            matches!(
                apply(&state, &transaction, &block()),
                Err(LedgerError::Malformed(_))
            ),
            "{transaction:?}"
        );
        assert_eq!(state, before);
    }
}

#[test]
fn unknown_members_in_an_operation_are_refused_when_read() {
    let mut value = serde_json::to_value(inception()).unwrap();
    value["admin"] = serde_json::json!(true);
    assert!(serde_json::from_value::<DidOperation>(value).is_err());
}

#[test]
fn method_lifecycle_errors_are_refused() {
    let (state, did) = with_university();
    let mut duplicate = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z");
    duplicate.add_methods = vec![operation::method(
        "key-1",
        &key(11).public_key(),
        &[Purpose::AssertionMethod],
    )];
    assert_refused(
        &state,
        &tx(&duplicate.sign(&key(CONTROLLER)).unwrap()),
        &LedgerError::Method("`key-1` exists already (method ids are never reused)".into()),
    );
    let mut missing = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:00:00Z");
    missing.retire_methods = vec!["key-9".into()];
    assert_refused(
        &state,
        &tx(&missing.sign(&key(CONTROLLER)).unwrap()),
        &LedgerError::Method("`key-9` does not exist".into()),
    );
}

#[test]
fn a_compromise_dated_after_the_rotation_is_refused() {
    let (state, did) = with_university();
    let mut op = rotation(&state, &did, "2026-09-01T00:00:00Z");
    op.compromised_methods = vec![Compromise {
        id: "key-1".into(),
        since: "2026-09-02T00:00:00Z".into(),
    }];
    let transaction = tx(&op.sign(&key(NEXT)).unwrap());
    let before = state.clone();
    assert!(matches!(
        apply(&state, &transaction, &block()),
        Err(LedgerError::Malformed(_))
    ));
    assert_eq!(state, before);
}

// --- Dates: no later than the block's time plus the clock skew -----------------------------

#[test]
fn an_operation_of_any_kind_may_be_dated_up_to_the_clock_skew_past_its_block_and_no_further() {
    let (state, did) = with_university();
    let newcomer = |at: &str| operation::create(&key(20), &key(21).public_key(), vec![], time(at)).unwrap();
    let update = |at: &str| {
        follow_up(&state, &did, OperationKind::Update, at)
            .sign(&key(CONTROLLER))
            .unwrap()
    };
    let rotate = |at: &str| rotation(&state, &did, at).sign(&key(NEXT)).unwrap();
    let deactivate = |at: &str| {
        follow_up(&state, &did, OperationKind::Deactivate, at)
            .sign(&key(NEXT))
            .unwrap()
    };
    let created = newcomer(LATEST_ACCEPTED).created_did().unwrap();
    type Dated<'a> = &'a dyn Fn(&str) -> DidOperation;
    let kinds: [(&Did, Dated<'_>); 4] = [
        (&created, &newcomer),
        (&did, &update),
        (&did, &rotate),
        (&did, &deactivate),
    ];
    for (subject, dated) in kinds {
        let next = assert_bounded_by_the_block(&state, |at| tx(&dated(at)));
        assert_eq!(next.dids[subject].latest().unwrap().time, time(LATEST_ACCEPTED));
    }
}

#[test]
fn a_thief_with_the_hot_key_cannot_lock_the_owner_out_of_recovery() {
    const THIEF: u8 = 66;
    let (state, did) = with_university();
    let thiefs_method = || {
        vec![operation::method(
            "key-2",
            &key(THIEF).public_key(),
            &[Purpose::AssertionMethod],
        )]
    };
    let theft = block_at(BLOCK_TIME);

    // With the stolen controller key, the thief dates an update far ahead, so that the owner's
    // recovery, dated by any honest clock, would go back in time.
    let mut lock_out = follow_up(&state, &did, OperationKind::Update, "2099-01-01T00:00:00Z");
    lock_out.add_methods = thiefs_method();
    assert_refused_in(
        &theft,
        &state,
        &tx(&lock_out.sign(&key(CONTROLLER)).unwrap()),
        &dated_in_the_future("2099-01-01T00:00:00Z"),
    );

    // The furthest the thief gets is the clock skew past the block.
    let mut update = follow_up(&state, &did, OperationKind::Update, LATEST_ACCEPTED);
    update.add_methods = thiefs_method();
    let state = apply(&state, &tx(&update.sign(&key(CONTROLLER)).unwrap()), &theft).unwrap();

    // A minute later the owner takes the DID back with the pre-rotation key, dating the
    // rotation no earlier than the DID's latest operation (as `sigil-registry did rotate`
    // does), and distrusts the thief's method from the theft on.
    let mut recovery = rotation(&state, &did, LATEST_ACCEPTED);
    recovery.compromised_methods = vec![Compromise {
        id: "key-2".into(),
        since: BLOCK_TIME.into(),
    }];
    let state = apply(
        &state,
        &tx(&recovery.sign(&key(NEXT)).unwrap()),
        &block_at("2026-03-01T00:01:00Z"),
    )
    .unwrap();

    assert_eq!(state.dids[&did].controller_key, key(NEXT).public_key());
    let again = follow_up(&state, &did, OperationKind::Update, "2026-03-01T00:10:00Z")
        .sign(&key(CONTROLLER))
        .unwrap();
    let stolen_key_is_gone = LedgerError::WrongSigner {
        expected: key(NEXT).public_key().to_multikey(),
        found: key(CONTROLLER).public_key().to_multikey(),
    };
    assert_refused_in(
        &block_at("2026-03-01T00:10:00Z"),
        &state,
        &tx(&again),
        &stolen_key_is_gone,
    );
    let thiefs = format!("{did}#key-2");
    assert_eq!(
        key_events(&state, &did, &thiefs).compromised_since,
        Some(time(BLOCK_TIME))
    );
    let now = resolve(&state, &did, &ResolutionOptions::latest()).unwrap();
    assert!(now.document.method(&thiefs).is_none());
    assert!(now.document.method(&format!("{did}#key-1")).is_some());
}
