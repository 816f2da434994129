//! Tests of the state tree: its root against a hash computed independently, its proofs
//! against hostile rewrites, and the whole against a `BTreeMap` model under random edits.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::merkle::hex;

/// A key of zeros but for `byte` at `index`.
fn key_with(index: usize, byte: u8) -> Hash {
    let mut key = EMPTY;
    key[index] = byte;
    key
}

fn value(n: u8) -> Hash {
    [n; 32]
}

/// The canonical root of `pairs` (sorted by key, keys distinct), computed straight from the
/// definition: no key is EMPTY, one key is its leaf, more split on bit `depth`.
fn reference_root(pairs: &[(Hash, Hash)], depth: usize) -> Hash {
    match pairs {
        [] => EMPTY,
        [(key, value)] => leaf_hash(key, value),
        _ => {
            let (left, right): (Vec<_>, Vec<_>) = pairs.iter().partition(|(key, _)| !bit(key, depth));
            inner_hash(
                &reference_root(&left, depth + 1),
                &reference_root(&right, depth + 1),
            )
        }
    }
}

fn tree_of(pairs: &[(Hash, Hash)]) -> StateTree {
    pairs.iter().copied().collect()
}

/// The hash written in `text` with the lowest bit of its first byte flipped.
fn tampered(text: &str) -> String {
    let mut bytes = parse_hash(text).unwrap();
    bytes[0] ^= 1;
    hex(&bytes)
}

#[test]
fn the_empty_tree_has_the_empty_root_and_proves_every_key_absent() {
    let tree = StateTree::new();
    assert_eq!(tree.root(), EMPTY);
    assert!(tree.is_empty());
    assert_eq!(tree.len(), 0);
    let key = StateTree::key("did:sigil:nobody");
    let proof = tree.prove(&key);
    assert_eq!(proof.siblings, Vec::<String>::new());
    assert_eq!(proof.terminal, Terminal::Empty);
    assert!(proof.verify(&EMPTY, &key, None));
    assert!(!proof.verify(&EMPTY, &key, Some(&value(1))));
}

#[test]
fn a_name_is_stored_under_the_sha256_of_its_bytes() {
    assert_eq!(
        hex(&StateTree::key("abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn a_lone_key_is_its_own_leaf_at_the_root() {
    let key = key_with(31, 1);
    let tree = tree_of(&[(key, value(7))]);
    assert_eq!(tree.root(), leaf_hash(&key, &value(7)));
    let proof = tree.prove(&key);
    assert!(proof.siblings.is_empty());
    assert!(proof.verify(&tree.root(), &key, Some(&value(7))));
}

#[test]
fn the_root_matches_hashes_computed_by_hand() {
    // 0b0000… and 0b0100… share their first bit: an inner node with an empty right side
    // above the node that splits them on the second bit.
    let (a, b) = (key_with(0, 0x00), key_with(0, 0x40));
    let tree = tree_of(&[(b, value(2)), (a, value(1))]);
    let split = inner_hash(&leaf_hash(&a, &value(1)), &leaf_hash(&b, &value(2)));
    assert_eq!(tree.root(), inner_hash(&split, &EMPTY));

    // A third key on the right takes the empty place.
    let c = key_with(0, 0x80);
    let mut tree = tree;
    tree.insert(c, value(3));
    assert_eq!(tree.root(), inner_hash(&split, &leaf_hash(&c, &value(3))));
    let proof = tree.prove(&b);
    assert_eq!(
        proof.siblings,
        vec![hex(&leaf_hash(&c, &value(3))), hex(&leaf_hash(&a, &value(1)))]
    );

    // Removing `a` leaves `b` alone in the left half: it moves up to the root's left.
    assert_eq!(tree.remove(&a), Some(value(1)));
    assert_eq!(
        tree.root(),
        inner_hash(&leaf_hash(&b, &value(2)), &leaf_hash(&c, &value(3)))
    );
}

#[test]
fn keys_differing_only_in_their_last_bit_are_proven_256_levels_deep() {
    let (a, b) = (key_with(31, 0), key_with(31, 1));
    let tree = tree_of(&[(a, value(1)), (b, value(2))]);
    let proof = tree.prove(&b);
    assert_eq!(proof.siblings.len(), 256);
    assert_eq!(proof.siblings[255], hex(&leaf_hash(&a, &value(1))));
    assert!(proof.siblings[..255].iter().all(|s| *s == hex(&EMPTY)));
    assert!(proof.verify(&tree.root(), &b, Some(&value(2))));
    assert_eq!(tree.root(), reference_root(&[(a, value(1)), (b, value(2))], 0));
}

#[test]
fn a_proof_with_more_than_256_siblings_is_refused() {
    let (a, b) = (key_with(31, 0), key_with(31, 1));
    let tree = tree_of(&[(a, value(1)), (b, value(2))]);
    let mut proof = tree.prove(&b);
    proof.siblings.insert(0, hex(&EMPTY));
    assert!(!proof.verify(&tree.root(), &b, Some(&value(2))));
    let mut huge = proof;
    huge.siblings = vec![hex(&EMPTY); 100_000];
    assert!(huge.answer(&tree.root(), &b).is_none());

    // A root folded by hand over 257 levels, which no tree has: the fold alone would accept
    // the proof, the limit does not. One level fewer is accepted against its own root.
    let key = key_with(0, 0);
    for (levels, accepted) in [(256, true), (257, false)] {
        let root = (0..levels).fold(EMPTY, |hash, _| inner_hash(&hash, &value(7)));
        let proof = StateProof {
            siblings: vec![hex(&value(7)); levels],
            terminal: Terminal::Empty,
        };
        assert_eq!(proof.verify(&root, &key, None), accepted, "{levels}");
    }
}

#[test]
fn malformed_hex_is_refused_without_a_panic() {
    let (a, b) = (key_with(0, 0x00), key_with(0, 0x80));
    let tree = tree_of(&[(a, value(1)), (b, value(2))]);
    let root = tree.root();
    let good = tree.prove(&a);
    assert!(good.verify(&root, &a, Some(&value(1))));
    let sibling = good.siblings[0].clone();
    let upper = sibling.to_uppercase();
    let plus = format!("+{}", &sibling[1..]);
    for bad in [
        upper.as_str(),
        plus.as_str(),
        &sibling[..62],
        "",
        "zz",
        "é",
        &"é".repeat(32),
    ] {
        let mut proof = good.clone();
        proof.siblings[0] = bad.to_owned();
        assert!(!proof.verify(&root, &a, Some(&value(1))), "{bad:?}");
        let mut proof = good.clone();
        proof.terminal = Terminal::Leaf {
            key: bad.to_owned(),
            value: hex(&value(1)),
        };
        assert!(!proof.verify(&root, &a, Some(&value(1))), "{bad:?}");
        proof.terminal = Terminal::Leaf {
            key: hex(&a),
            value: bad.to_owned(),
        };
        assert!(!proof.verify(&root, &a, Some(&value(1))), "{bad:?}");
    }
}

/// A tree whose keys sit at several depths: `0000…` and `0001…` split deep on the left,
/// `01…` alone in the left half's right quarter, `1…` alone on the right.
fn layered() -> (StateTree, [Hash; 4]) {
    let keys = [
        key_with(0, 0x00),
        key_with(0, 0x10),
        key_with(0, 0x40),
        key_with(0, 0x80),
    ];
    let tree = keys.iter().zip(1..).map(|(key, n)| (*key, value(n))).collect();
    (tree, keys)
}

#[test]
fn a_present_key_cannot_be_proven_absent_or_to_hold_another_value() {
    let (tree, keys) = layered();
    let root = tree.root();
    for (key, n) in keys.iter().zip(1..) {
        let proof = tree.prove(key);
        assert!(proof.verify(&root, key, Some(&value(n))));
        assert!(!proof.verify(&root, key, Some(&value(n + 1))));
        assert!(!proof.verify(&root, key, None));
        // The same path ending in nothing, or in any other leaf of the tree.
        let mut empty = proof.clone();
        empty.terminal = Terminal::Empty;
        assert_eq!(empty.answer(&root, key), None);
        for (other, m) in keys.iter().zip(1..).filter(|(other, _)| *other != key) {
            let mut forged = proof.clone();
            forged.terminal = Terminal::Leaf {
                key: hex(other),
                value: hex(&value(m)),
            };
            assert_eq!(forged.answer(&root, key), None, "{other:?}");
        }
        // Another key's valid proof says nothing about this key.
        for other in keys.iter().filter(|other| *other != key) {
            assert_eq!(tree.prove(other).answer(&root, key), None);
        }
    }
}

#[test]
fn a_proof_shortened_or_lengthened_by_one_level_fails() {
    let (tree, keys) = layered();
    let root = tree.root();
    for (key, n) in keys.iter().zip(1..) {
        let proof = tree.prove(key);
        if !proof.siblings.is_empty() {
            let mut short = proof.clone();
            short.siblings.pop();
            assert_eq!(short.answer(&root, key), None);
            let mut top_cut = proof.clone();
            top_cut.siblings.remove(0);
            assert_eq!(top_cut.answer(&root, key), None);
        }
        for sibling in [EMPTY, value(9)] {
            let mut long = proof.clone();
            long.siblings.push(hex(&sibling));
            assert_eq!(long.answer(&root, key), None);
            let mut long = proof.clone();
            long.siblings.insert(0, hex(&sibling));
            assert_eq!(long.answer(&root, key), None);
        }
        assert!(proof.verify(&root, key, Some(&value(n))));
    }
}

#[test]
fn a_leaf_moved_up_a_level_proves_nothing() {
    let (tree, keys) = layered();
    let root = tree.root();
    // `0000…` sits four levels down beside `0001…`. Lift it one level, into the place of the
    // inner node holding both, so that the forged proof would say `0001…` is absent.
    let deep = tree.prove(&keys[1]);
    assert_eq!(deep.siblings.len(), 4);
    let mut lifted = deep;
    lifted.siblings.pop();
    lifted.terminal = Terminal::Leaf {
        key: hex(&keys[0]),
        value: hex(&value(1)),
    };
    assert_eq!(lifted.answer(&root, &keys[1]), None);
    assert_eq!(lifted.answer(&root, &keys[0]), None);
}

#[test]
fn a_leaf_that_does_not_share_the_paths_bits_proves_nothing() {
    // A root no canonical tree has: the leaf of `1…` on the left. The fold alone would accept
    // it as the end of `0…`'s path; the prefix check does not.
    let (zero, one) = (key_with(0, 0x00), key_with(0, 0x80));
    let root = inner_hash(&leaf_hash(&one, &value(1)), &EMPTY);
    let proof = StateProof {
        siblings: vec![hex(&EMPTY)],
        terminal: Terminal::Leaf {
            key: hex(&one),
            value: hex(&value(1)),
        },
    };
    assert_eq!(proof.answer(&root, &zero), None);
    // The same leaf where it belongs proves `0…` absent under the matching root.
    let root = inner_hash(&EMPTY, &leaf_hash(&one, &value(1)));
    let proof = StateProof {
        siblings: vec![hex(&leaf_hash(&one, &value(1)))],
        terminal: Terminal::Empty,
    };
    assert_eq!(proof.answer(&root, &zero), Some(None));
}

#[test]
fn a_proof_checked_against_another_root_fails() {
    let (tree, keys) = layered();
    let mut changed = tree.clone();
    changed.insert(keys[3], value(42));
    let proof = tree.prove(&keys[0]);
    assert!(proof.verify(&tree.root(), &keys[0], Some(&value(1))));
    assert!(!proof.verify(&changed.root(), &keys[0], Some(&value(1))));
    assert!(!proof.verify(&EMPTY, &keys[0], Some(&value(1))));
}

#[test]
fn a_tampered_sibling_or_terminal_fails() {
    let (tree, keys) = layered();
    let root = tree.root();
    let absent = key_with(0, 0x20);
    for key in keys.iter().chain([&absent]) {
        let proof = tree.prove(key);
        let answer = tree.get(key);
        assert_eq!(proof.answer(&root, key), Some(answer));
        for i in 0..proof.siblings.len() {
            let mut bad = proof.clone();
            bad.siblings[i] = tampered(&bad.siblings[i]);
            assert_eq!(bad.answer(&root, key), None);
        }
        if let Terminal::Leaf { key: leaf_key, value } = &proof.terminal {
            let mut bad = proof.clone();
            bad.terminal = Terminal::Leaf {
                key: tampered(leaf_key),
                value: value.clone(),
            };
            assert_eq!(bad.answer(&root, key), None);
            bad.terminal = Terminal::Leaf {
                key: leaf_key.clone(),
                value: tampered(value),
            };
            assert_eq!(bad.answer(&root, key), None);
        }
    }
}

#[test]
fn an_absent_key_beside_a_lone_leaf_is_proven_absent_by_that_leaf() {
    let (tree, keys) = layered();
    // `011…` would sit in the quarter `01…`, which `0100…` holds alone.
    let absent = key_with(0, 0x60);
    let proof = tree.prove(&absent);
    assert_eq!(
        proof.terminal,
        Terminal::Leaf {
            key: hex(&keys[2]),
            value: hex(&value(3))
        }
    );
    assert!(proof.verify(&tree.root(), &absent, None));
    assert!(!proof.verify(&tree.root(), &absent, Some(&value(3))));
}

#[test]
fn a_clone_keeps_its_root_and_proofs_after_the_original_changes() {
    let (mut tree, keys) = layered();
    let before = tree.clone();
    let (root, proofs): (Hash, Vec<_>) = (before.root(), keys.iter().map(|k| before.prove(k)).collect());
    tree.insert(keys[0], value(99));
    tree.insert(key_with(0, 0x20), value(98));
    assert_eq!(tree.remove(&keys[3]), Some(value(4)));
    assert_ne!(tree.root(), root);
    assert_eq!(before.root(), root);
    assert_eq!(before.len(), 4);
    for (key, proof) in keys.iter().zip(&proofs) {
        assert_eq!(before.prove(key), *proof);
    }
    assert_eq!(before.get(&keys[0]), Some(value(1)));
    assert_eq!(tree.get(&keys[0]), Some(value(99)));
}

#[test]
fn inserting_the_same_value_again_or_removing_an_absent_key_changes_nothing() {
    let (mut tree, keys) = layered();
    let root = tree.root();
    tree.insert(keys[1], value(2));
    assert_eq!((tree.len(), tree.root()), (4, root));
    assert_eq!(tree.remove(&key_with(0, 0x20)), None);
    assert_eq!(tree.remove(&key_with(0, 0x01)), None);
    assert_eq!((tree.len(), tree.root()), (4, root));
    tree.insert(keys[1], value(5));
    assert_eq!(tree.len(), 4);
    assert_eq!(tree.get(&keys[1]), Some(value(5)));
    assert_ne!(tree.root(), root);
}

#[test]
fn iter_yields_every_pair_in_key_order() {
    let (tree, keys) = layered();
    let pairs: Vec<_> = tree.iter().collect();
    assert_eq!(
        pairs,
        keys.iter()
            .zip(1..)
            .map(|(k, n)| (*k, value(n)))
            .collect::<Vec<_>>()
    );
}

#[test]
fn debug_shows_the_size_and_root_not_the_nodes() {
    let (tree, _) = layered();
    let text = format!("{tree:?}");
    assert_eq!(
        text,
        format!("StateTree {{ len: 4, root: {:?} }}", hex(&tree.root()))
    );
}

#[test]
fn the_json_form_is_camel_case_lowercase_hex_and_refuses_unknown_fields() {
    let (tree, keys) = layered();
    let proof = tree.prove(&keys[3]);
    let json = serde_json::to_value(&proof).unwrap();
    let left_half = inner_hash(
        &inner_hash(
            &inner_hash(&leaf_hash(&keys[0], &value(1)), &leaf_hash(&keys[1], &value(2))),
            &EMPTY,
        ),
        &leaf_hash(&keys[2], &value(3)),
    );
    assert_eq!(
        json,
        serde_json::json!({
            "siblings": [hex(&left_half)],
            "terminal": { "kind": "leaf", "key": hex(&keys[3]), "value": hex(&value(4)) },
        })
    );
    let back: StateProof = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, proof);

    let empty = serde_json::to_value(StateTree::new().prove(&keys[0])).unwrap();
    assert_eq!(
        empty,
        serde_json::json!({ "siblings": [], "terminal": { "kind": "empty" } })
    );

    let mut extra = json.clone();
    extra["root"] = serde_json::json!("00");
    assert!(serde_json::from_value::<StateProof>(extra).is_err());
    let mut extra = json.clone();
    extra["terminal"]["depth"] = serde_json::json!(3);
    assert!(serde_json::from_value::<StateProof>(extra).is_err());
    let mut extra = json;
    extra["terminal"] = serde_json::json!({ "kind": "empty", "key": hex(&keys[0]) });
    assert!(serde_json::from_value::<StateProof>(extra).is_err());
    for terminal in [
        serde_json::json!({ "kind": "leaf", "key": hex(&keys[0]) }),
        serde_json::json!({ "kind": "leaf", "value": hex(&keys[0]) }),
        serde_json::json!({ "kind": "branch" }),
        serde_json::json!({ "key": hex(&keys[0]), "value": hex(&keys[0]) }),
        serde_json::json!({ "kind": "leaf", "key": 1, "value": hex(&keys[0]) }),
    ] {
        let json = serde_json::json!({ "siblings": [], "terminal": terminal });
        assert!(serde_json::from_value::<StateProof>(json).is_err());
    }
    let json = serde_json::json!({ "siblings": [], "terminal": { "kind": "empty" } });
    assert_eq!(
        serde_json::from_value::<StateProof>(json).unwrap().terminal,
        Terminal::Empty
    );
}

/// Keys that are either random or zeros but for one byte, so that runs meet both the
/// shallow trees of real hashes and long shared prefixes (deep chains, 256-level paths),
/// and so that edits often hit a key already present.
fn any_key() -> impl Strategy<Value = Hash> {
    prop_oneof![
        any::<[u8; 32]>(),
        (0usize..32, any::<u8>()).prop_map(|(index, byte)| key_with(index, byte)),
        (0usize..32, 0u8..4).prop_map(|(index, byte)| key_with(index, byte)),
    ]
}

fn any_value() -> impl Strategy<Value = Hash> {
    prop_oneof![any::<[u8; 32]>(), (0u8..3).prop_map(value)]
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(Hash, Hash),
    Remove(Hash),
    /// Removes the present key at this position, modulo the number of keys.
    RemovePresent(usize),
}

fn any_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any_key(), any_value()).prop_map(|(k, v)| Edit::Insert(k, v)),
        1 => any_key().prop_map(Edit::Remove),
        2 => any::<usize>().prop_map(Edit::RemovePresent),
    ]
}

/// Applies `edits` to a tree and a model alike, checking `get`, `len` and the removed
/// values as it goes.
fn apply(edits: &[Edit]) -> (StateTree, BTreeMap<Hash, Hash>) {
    let mut tree = StateTree::new();
    let mut model = BTreeMap::new();
    for edit in edits {
        match edit {
            Edit::Insert(key, value) => {
                tree.insert(*key, *value);
                model.insert(*key, *value);
            }
            Edit::Remove(key) => assert_eq!(tree.remove(key), model.remove(key)),
            Edit::RemovePresent(n) => {
                if let Some(key) = model.keys().nth(n % model.len().max(1)).copied() {
                    assert_eq!(tree.remove(&key), model.remove(&key));
                }
            }
        }
        assert_eq!(tree.len(), model.len());
    }
    (tree, model)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_tree_agrees_with_a_map_and_its_root_depends_only_on_the_pairs(
        edits in prop::collection::vec(any_edit(), 0..120),
        seed in any::<u64>(),
    ) {
        let (mut tree, model) = apply(&edits);
        for (key, value) in &model {
            prop_assert_eq!(tree.get(key), Some(*value));
        }
        for edit in &edits {
            if let Edit::Remove(key) | Edit::Insert(key, _) = edit {
                prop_assert_eq!(tree.get(key), model.get(key).copied());
            }
        }
        prop_assert_eq!(tree.len(), model.len());
        prop_assert_eq!(tree.is_empty(), model.is_empty());
        let pairs: Vec<(Hash, Hash)> = model.iter().map(|(k, v)| (*k, *v)).collect();
        prop_assert_eq!(&tree.iter().collect::<Vec<_>>(), &pairs);
        prop_assert_eq!(tree.root(), reference_root(&pairs, 0));

        // The same pairs inserted fresh, in another order, give the same root.
        let mut shuffled = pairs;
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let fresh = tree_of(&shuffled);
        prop_assert_eq!(fresh.root(), tree.root());
        prop_assert!(fresh == tree);

        for (key, value) in &shuffled {
            prop_assert_eq!(tree.remove(key), Some(*value));
        }
        prop_assert_eq!(tree.root(), EMPTY);
        prop_assert!(tree.is_empty());
        prop_assert_eq!(tree.iter().count(), 0);
    }
}

// Each case inserts a batch into a tree of its own and proves the batch's keys: fewer cases.
proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn pairs_inserted_together_give_the_tree_inserting_them_one_by_one_gives(
        edits in prop::collection::vec(any_edit(), 0..80),
        batch in prop::collection::vec((any_key(), any_value()), 0..80),
        repeated in prop::collection::vec((any::<prop::sample::Index>(), any_value()), 0..8),
    ) {
        let (tree, mut model) = apply(&edits);
        // Some of the batch's keys are already in the tree, and some come twice in the batch.
        let mut batch = batch;
        for (index, value) in &repeated {
            let present: Vec<Hash> = model.keys().chain(batch.iter().map(|(k, _)| k)).copied().collect();
            if !present.is_empty() {
                batch.push((*index.get(&present), *value));
            }
        }
        let before = tree.root();
        let mut one_by_one = tree.clone();
        for (key, value) in &batch {
            one_by_one.insert(*key, *value);
            model.insert(*key, *value);
        }
        let mut together = tree.clone();
        together.extend(batch.iter().copied());
        prop_assert_eq!(together.root(), one_by_one.root());
        prop_assert_eq!(together.len(), model.len());
        let pairs: Vec<(Hash, Hash)> = model.iter().map(|(k, v)| (*k, *v)).collect();
        prop_assert_eq!(&together.iter().collect::<Vec<_>>(), &pairs);
        prop_assert_eq!(together.root(), reference_root(&pairs, 0));
        prop_assert_eq!(tree.root(), before, "the tree it was cloned from is unchanged");
        for (key, _) in &batch {
            let value = model.get(key);
            prop_assert!(together.prove(key).verify(&together.root(), key, value));
        }
    }
}

// Each case proves every key, some of them 256 levels deep: fewer cases keep the run short.
proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_answer_is_proven_and_no_other(
        edits in prop::collection::vec(any_edit(), 0..80),
        absent in prop::collection::vec(any_key(), 1..16),
        other in any_value(),
    ) {
        let (tree, model) = apply(&edits);
        let root = tree.root();
        for (key, value) in &model {
            let proof = tree.prove(key);
            prop_assert!(proof.verify(&root, key, Some(value)));
            prop_assert!(!proof.verify(&root, key, None));
            if other != *value {
                prop_assert!(!proof.verify(&root, key, Some(&other)));
            }
        }
        for key in absent.iter().filter(|key| !model.contains_key(*key)) {
            let proof = tree.prove(key);
            prop_assert!(proof.verify(&root, key, None));
            prop_assert!(!proof.verify(&root, key, Some(&other)));
            let mut other_root = tree.clone();
            other_root.insert(*key, other);
            prop_assert!(!proof.verify(&other_root.root(), key, None));
        }
    }

    #[test]
    fn a_tampered_proof_fails(
        edits in prop::collection::vec(any_edit(), 1..60),
        key in any_key(),
        which in any::<usize>(),
        flip in 0usize..256,
    ) {
        let (tree, model) = apply(&edits);
        let root = tree.root();
        let proof = tree.prove(&key);
        prop_assert_eq!(proof.answer(&root, &key), Some(model.get(&key).copied()));
        if !proof.siblings.is_empty() {
            let mut bad = proof.clone();
            let i = which % bad.siblings.len();
            let mut sibling = parse_hash(&bad.siblings[i]).unwrap();
            sibling[flip / 8] ^= 0x80 >> (flip % 8);
            bad.siblings[i] = hex(&sibling);
            prop_assert_eq!(bad.answer(&root, &key), None);
        }
        if let Terminal::Leaf { key: leaf_key, value } = &proof.terminal {
            let mut leaf_value = parse_hash(value).unwrap();
            leaf_value[flip / 8] ^= 0x80 >> (flip % 8);
            let mut bad = proof.clone();
            bad.terminal = Terminal::Leaf { key: leaf_key.clone(), value: hex(&leaf_value) };
            prop_assert_eq!(bad.answer(&root, &key), None);
        }
    }

    #[test]
    fn a_clone_taken_before_edits_keeps_its_root_and_proofs(
        first in prop::collection::vec(any_edit(), 0..60),
        then in prop::collection::vec(any_edit(), 1..60),
        probes in prop::collection::vec(any_key(), 1..8),
    ) {
        let (mut tree, model) = apply(&first);
        let before = tree.clone();
        let root = before.root();
        let proofs: Vec<_> = model.keys().chain(&probes).map(|key| before.prove(key)).collect();
        for edit in &then {
            match edit {
                Edit::Insert(key, value) => tree.insert(*key, *value),
                Edit::Remove(key) => { tree.remove(key); }
                Edit::RemovePresent(n) => {
                    let picked = tree.iter().nth(n % tree.len().max(1));
                    if let Some((key, _)) = picked {
                        tree.remove(&key);
                    }
                }
            }
        }
        prop_assert_eq!(before.root(), root);
        prop_assert_eq!(before.len(), model.len());
        for (key, proof) in model.keys().chain(&probes).zip(&proofs) {
            prop_assert_eq!(&before.prove(key), proof);
            prop_assert_eq!(proof.answer(&root, key), Some(model.get(key).copied()));
        }
    }
}
