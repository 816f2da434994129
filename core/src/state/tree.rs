//! The sparse Merkle tree that commits to the registry's whole state with one root, so that
//! any single answer — one record, or the absence of one — can be proven to a client who
//! holds only that root.
//!
//! Keys are 256-bit hashes; bit `i` of a key (the most significant bit of byte 0 first)
//! chooses the left (0) or right (1) child at depth `i`. Hashes are SHA-256 with a one-byte
//! prefix, so that a leaf can never be mistaken for an inner node:
//!
//! - the empty subtree is [`EMPTY`] (32 zero bytes, which no SHA-256 output is known to be);
//! - a leaf is `SHA-256(0x00 || key || value)`;
//! - an inner node is `SHA-256(0x01 || left || right)`.
//!
//! The shape is canonical: a subtree holding no key is empty, a subtree holding exactly one
//! key is that key's leaf wherever it sits, and a subtree holding two or more keys is an inner
//! node splitting on the next bit. So the root depends only on the set of (key, value) pairs,
//! never on the order they were inserted or removed in, and every node builds the same root
//! from the same state. A tree of `n` random keys is about `log2(n)` levels deep, not 256.
//!
//! Written here rather than taken from crates.io because it must be persistent: the
//! registry's `LedgerState` is a value on persistent maps, each new state sharing what it did
//! not change with the old one, and the tree has to behave the same way. Nodes live in `Arc`s;
//! `insert` and `remove` copy only the path they change (and change it in place when no other
//! tree shares it), and cloning a tree is O(1). The sparse Merkle tree crates bring their own
//! hash functions and node stores, and none of them is persistent.
//!
//! An inner node keeps the hashes of its two children beside the pointers to them, so that
//! rehashing a path or proving one reads only the nodes on the path, never their siblings:
//! in a large tree each node read is a cache miss, and they cost more than the hashing.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

pub use crate::merkle::Hash;

/// The hash of an empty subtree, and so the root of the empty tree.
pub const EMPTY: Hash = [0; 32];

/// The most levels a path can have: one per key bit.
const MAX_DEPTH: usize = 256;

/// An authenticated map from 256-bit keys to 256-bit values (a record's digest), persistent
/// and canonical: see the module documentation.
///
/// Two trees are equal when their roots are, which (SHA-256 being collision resistant) is
/// when they hold the same pairs.
#[derive(Clone, Default)]
pub struct StateTree {
    root: Slot,
    len: usize,
}

/// A place for a subtree — the root, or one side of an inner node — with the subtree's hash:
/// [`EMPTY`] exactly when there is no node.
#[derive(Debug, Clone, Default)]
struct Slot {
    node: Option<Node>,
    hash: Hash,
}

/// A non-empty subtree: a single key's leaf or an inner node with at least two keys below.
/// The two kinds live in separate allocations so that an inner node does not pay for a
/// leaf's size.
#[derive(Debug, Clone)]
enum Node {
    Leaf(Arc<Leaf>),
    Inner(Arc<Inner>),
}

#[derive(Debug, Clone)]
struct Leaf {
    key: Hash,
    value: Hash,
}

#[derive(Debug, Clone)]
struct Inner {
    left: Slot,
    right: Slot,
}

/// What an insertion did to a subtree.
enum Change {
    /// The key was new.
    Added,
    /// The key held another value.
    Replaced,
    /// The key already held this value; nothing changed.
    Same,
}

impl StateTree {
    /// The empty tree, whose root is [`EMPTY`].
    pub fn new() -> StateTree {
        StateTree::default()
    }

    /// The key under which `name` is stored: SHA-256 of its UTF-8 bytes, so that keys spread
    /// evenly and the tree stays about `log2(n)` levels deep whatever the names look like.
    pub fn key(name: &str) -> Hash {
        Sha256::digest(name.as_bytes()).into()
    }

    /// Maps `key` to `value`, replacing the value it held, if any.
    pub fn insert(&mut self, key: Hash, value: Hash) {
        if let Change::Added = insert_at(&mut self.root, 0, &key, &value) {
            self.len += 1;
        }
    }

    /// Removes `key` and returns the value it held; `None`, and no change, if it was absent.
    pub fn remove(&mut self, key: &Hash) -> Option<Hash> {
        // Looking first keeps a miss from copying a path that another tree shares.
        let old = self.get(key)?;
        remove_at(&mut self.root, 0, key);
        self.len -= 1;
        Some(old)
    }

    /// The value `key` maps to, if it is present.
    pub fn get(&self, key: &Hash) -> Option<Hash> {
        let mut node = self.root.node.as_ref()?;
        let mut depth = 0;
        loop {
            match node {
                Node::Leaf(leaf) => return (leaf.key == *key).then_some(leaf.value),
                Node::Inner(inner) => node = inner.side(bit(key, depth)).node.as_ref()?,
            }
            depth += 1;
        }
    }

    /// The hash that commits to every pair in the tree; [`EMPTY`] for the empty tree.
    pub fn root(&self) -> Hash {
        self.root.hash
    }

    /// How many keys the tree holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the tree holds no key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A proof of what the tree holds under `key`: its value if it is present, its absence if
    /// not. [`StateProof::verify`] checks it against [`StateTree::root`].
    pub fn prove(&self, key: &Hash) -> StateProof {
        let mut siblings = Vec::new();
        let mut node = self.root.node.as_ref();
        let mut depth = 0;
        let terminal = loop {
            match node {
                None => break Terminal::Empty,
                Some(Node::Leaf(leaf)) => {
                    break Terminal::Leaf {
                        key: to_hex(&leaf.key),
                        value: to_hex(&leaf.value),
                    };
                }
                Some(Node::Inner(inner)) => {
                    let right = bit(key, depth);
                    siblings.push(to_hex(&inner.side(!right).hash));
                    node = inner.side(right).node.as_ref();
                }
            }
            depth += 1;
        };
        StateProof { siblings, terminal }
    }

    /// Every (key, value) pair, in increasing key order, so that a snapshot of the tree reads
    /// the same on every node.
    pub fn iter(&self) -> impl Iterator<Item = (Hash, Hash)> + '_ {
        let mut stack: Vec<&Node> = self.root.node.iter().collect();
        std::iter::from_fn(move || {
            loop {
                match stack.pop()? {
                    Node::Leaf(leaf) => return Some((leaf.key, leaf.value)),
                    Node::Inner(inner) => {
                        stack.extend(inner.right.node.as_ref());
                        stack.extend(inner.left.node.as_ref());
                    }
                }
            }
        })
    }
}

impl fmt::Debug for StateTree {
    /// The size and the root only: a state may hold millions of records.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateTree")
            .field("len", &self.len)
            .field("root", &crate::merkle::hex(&self.root()))
            .finish()
    }
}

impl PartialEq for StateTree {
    fn eq(&self, other: &StateTree) -> bool {
        self.root() == other.root()
    }
}

impl Eq for StateTree {}

impl FromIterator<(Hash, Hash)> for StateTree {
    /// A tree holding these pairs; a key given twice keeps its last value.
    fn from_iter<I: IntoIterator<Item = (Hash, Hash)>>(pairs: I) -> StateTree {
        let mut tree = StateTree::new();
        tree.extend(pairs);
        tree
    }
}

impl Extend<(Hash, Hash)> for StateTree {
    /// Inserts every pair, a key given twice keeping its last value. Together rather than one
    /// by one: each node on the pairs' paths is copied and rehashed once, where inserting one
    /// at a time rehashes the top of the tree for every pair (a block's records share its
    /// first levels).
    fn extend<I: IntoIterator<Item = (Hash, Hash)>>(&mut self, pairs: I) {
        let mut pairs: Vec<(Hash, Hash)> = pairs.into_iter().collect();
        // Stable: a key's pairs stay in the order given, and the last of them is kept.
        pairs.sort_by_key(|pair| pair.0);
        let mut distinct: Vec<(Hash, Hash)> = Vec::with_capacity(pairs.len());
        for pair in pairs {
            match distinct.last_mut() {
                Some(last) if last.0 == pair.0 => *last = pair,
                _ => distinct.push(pair),
            }
        }
        self.len += insert_sorted(&mut self.root, 0, &distinct);
    }
}

impl Slot {
    fn leaf(key: Hash, value: Hash) -> Slot {
        Slot {
            hash: leaf_hash(&key, &value),
            node: Some(Node::Leaf(Arc::new(Leaf { key, value }))),
        }
    }

    fn inner(left: Slot, right: Slot) -> Slot {
        Slot {
            hash: inner_hash(&left.hash, &right.hash),
            node: Some(Node::Inner(Arc::new(Inner { left, right }))),
        }
    }

    /// Whether the slot holds a single leaf, which moves up when its sibling empties.
    fn is_leaf(&self) -> bool {
        matches!(self.node, Some(Node::Leaf(_)))
    }
}

impl Inner {
    fn side(&self, right: bool) -> &Slot {
        if right { &self.right } else { &self.left }
    }

    fn side_mut(&mut self, right: bool) -> &mut Slot {
        if right { &mut self.right } else { &mut self.left }
    }

    fn hash(&self) -> Hash {
        inner_hash(&self.left.hash, &self.right.hash)
    }
}

/// Inserts into the subtree in `slot`, whose root is at `depth`, copying only the nodes on
/// the key's path that another tree shares, and updates the slot's hash.
fn insert_at(slot: &mut Slot, depth: usize, key: &Hash, value: &Hash) -> Change {
    let Some(node) = &mut slot.node else {
        *slot = Slot::leaf(*key, *value);
        return Change::Added;
    };
    match node {
        Node::Leaf(leaf) if leaf.key == *key => {
            if leaf.value == *value {
                return Change::Same;
            }
            Arc::make_mut(leaf).value = *value;
            slot.hash = leaf_hash(key, value);
            Change::Replaced
        }
        Node::Leaf(_) => {
            let existing = std::mem::take(slot);
            *slot = join(depth, existing, Slot::leaf(*key, *value));
            Change::Added
        }
        Node::Inner(inner) => {
            let inner = Arc::make_mut(inner);
            let change = insert_at(inner.side_mut(bit(key, depth)), depth + 1, key, value);
            if !matches!(change, Change::Same) {
                slot.hash = inner.hash();
            }
            change
        }
    }
}

/// Inserts `pairs` — sorted by key, each key once, all agreeing with the slot's path on
/// their first `depth` bits — into the subtree in `slot`, copying and rehashing each node on
/// their paths once; returns how many of the keys were new.
fn insert_sorted(slot: &mut Slot, depth: usize, pairs: &[(Hash, Hash)]) -> usize {
    if let [(key, value)] = pairs {
        return usize::from(matches!(insert_at(slot, depth, key, value), Change::Added));
    }
    if pairs.is_empty() {
        return 0;
    }
    match &mut slot.node {
        None => {
            *slot = build(depth, pairs);
            pairs.len()
        }
        Some(Node::Leaf(leaf)) => {
            let existing = (leaf.key, leaf.value);
            let mut all = pairs.to_vec();
            let added = match all.binary_search_by(|(key, _)| key.cmp(&existing.0)) {
                // One of the pairs gives the leaf's key a value.
                Ok(_) => pairs.len() - 1,
                Err(at) => {
                    all.insert(at, existing);
                    pairs.len()
                }
            };
            *slot = build(depth, &all);
            added
        }
        Some(Node::Inner(inner)) => {
            let inner = Arc::make_mut(inner);
            let (left, right) = pairs.split_at(pairs.partition_point(|(key, _)| !bit(key, depth)));
            let added = insert_sorted(&mut inner.left, depth + 1, left)
                + insert_sorted(&mut inner.right, depth + 1, right);
            slot.hash = inner.hash();
            added
        }
    }
}

/// The canonical subtree rooted at `depth` holding `pairs` (sorted by key, each key once):
/// empty, a single leaf, or an inner node splitting them on bit `depth`.
fn build(depth: usize, pairs: &[(Hash, Hash)]) -> Slot {
    match pairs {
        [] => Slot::default(),
        [(key, value)] => Slot::leaf(*key, *value),
        // Distinct keys differ within their 256 bits; past them, keep the last rather than
        // split forever.
        [.., (key, value)] if depth >= MAX_DEPTH => Slot::leaf(*key, *value),
        _ => {
            let (left, right) = pairs.split_at(pairs.partition_point(|(key, _)| !bit(key, depth)));
            Slot::inner(build(depth + 1, left), build(depth + 1, right))
        }
    }
}

/// The subtree, rooted at `depth`, holding the two leaves `a` and `b` of different keys that
/// agree on their first `depth` bits: inner nodes with one empty side down to the first bit
/// where the keys differ, and there an inner node with both leaves.
fn join(depth: usize, a: Slot, b: Slot) -> Slot {
    let (Some(Node::Leaf(leaf_a)), Some(Node::Leaf(leaf_b))) = (&a.node, &b.node) else {
        return b;
    };
    let (key_a, key_b) = (leaf_a.key, leaf_b.key);
    let Some(split) = (depth..MAX_DEPTH).find(|&d| bit(&key_a, d) != bit(&key_b, d)) else {
        // The same key: the newer leaf replaces the older.
        return b;
    };
    let mut slot = if bit(&key_a, split) {
        Slot::inner(b, a)
    } else {
        Slot::inner(a, b)
    };
    for d in (depth..split).rev() {
        slot = if bit(&key_a, d) {
            Slot::inner(Slot::default(), slot)
        } else {
            Slot::inner(slot, Slot::default())
        };
    }
    slot
}

/// Removes `key`, which must be present, from the subtree in `slot` rooted at `depth`, and
/// restores the canonical shape on the way up: an inner node left with a single leaf below
/// gives way to that leaf.
fn remove_at(slot: &mut Slot, depth: usize, key: &Hash) {
    match &mut slot.node {
        None => {}
        Some(Node::Leaf(leaf)) if leaf.key == *key => *slot = Slot::default(),
        // Another key's leaf: the key is absent and there is nothing to remove.
        Some(Node::Leaf(_)) => {}
        Some(Node::Inner(inner)) => {
            let inner = Arc::make_mut(inner);
            remove_at(inner.side_mut(bit(key, depth)), depth + 1, key);
            let lone = match (inner.left.node.is_some(), inner.right.node.is_some()) {
                (true, false) if inner.left.is_leaf() => Some(std::mem::take(&mut inner.left)),
                (false, true) if inner.right.is_leaf() => Some(std::mem::take(&mut inner.right)),
                // Not reached in a canonical tree (an inner node holds two keys or more), but
                // an empty subtree is empty whatever led to it.
                (false, false) => Some(Slot::default()),
                _ => None,
            };
            match lone {
                Some(lone) => *slot = lone,
                None => slot.hash = inner.hash(),
            }
        }
    }
}

/// Bit `depth` of `key`, most significant bit of byte 0 first: `true` goes right. Beyond the
/// key's 256 bits it reads `false`, so hostile depths cannot panic.
fn bit(key: &Hash, depth: usize) -> bool {
    key.get(depth / 8)
        .is_some_and(|byte| (byte >> (7 - depth % 8)) & 1 == 1)
}

fn leaf_hash(key: &Hash, value: &Hash) -> Hash {
    Sha256::new()
        .chain_update([0x00])
        .chain_update(key)
        .chain_update(value)
        .finalize()
        .into()
}

/// An inner node: `SHA-256(0x01 || left || right)`, as RFC 6962's trees in [`crate::merkle`].
fn inner_hash(left: &Hash, right: &Hash) -> Hash {
    crate::merkle::node_hash(left, right)
}

/// Proof of what a [`StateTree`] holds under one key — a value, or nothing — checked against
/// the tree's root alone.
///
/// In JSON (camelCase, unknown fields refused), hashes as 64 lowercase hex digits:
///
/// ```json
/// { "siblings": ["3f…", "0000…0000"], "terminal": { "kind": "leaf", "key": "…", "value": "…" } }
/// ```
///
/// `siblings` lists every sibling on the key's path from the root down, one per level
/// (index = depth), empty ones written as 64 zeros. They are not compressed further: the
/// tree is only about `log2(n)` levels deep and empty siblings are rare above its bottom,
/// so a bitmap would save little and give readers one more thing to get wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateProof {
    /// The sibling hashes on the key's path, from the root downwards (index = depth), empty
    /// siblings included as [`EMPTY`]; at most 256.
    pub siblings: Vec<String>,
    /// What the path ends at, one level below the last sibling.
    pub terminal: Terminal,
}

/// Where a proof's path ends: nothing (the key is absent), the key's own leaf (its value), or
/// the leaf of another key that alone occupies the subtree the asked key would be in (the
/// asked key is absent).
///
/// In JSON `{"kind": "empty"}` or `{"kind": "leaf", "key": "…", "value": "…"}`; any other
/// field is refused, on an empty terminal too (serde would otherwise let a unit variant of a
/// tagged enum carry anything).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    tag = "kind",
    deny_unknown_fields,
    try_from = "TerminalJson"
)]
pub enum Terminal {
    /// An empty subtree.
    Empty,
    /// A single leaf, its key and value in lowercase hex.
    Leaf {
        /// The leaf's key.
        key: String,
        /// The leaf's value.
        value: String,
    },
}

/// A terminal as read from JSON, before it is known to be one of the two shapes.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TerminalJson {
    kind: TerminalKind,
    key: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum TerminalKind {
    Empty,
    Leaf,
}

impl TryFrom<TerminalJson> for Terminal {
    type Error = &'static str;

    fn try_from(json: TerminalJson) -> Result<Terminal, Self::Error> {
        match json {
            TerminalJson {
                kind: TerminalKind::Empty,
                key: None,
                value: None,
            } => Ok(Terminal::Empty),
            TerminalJson {
                kind: TerminalKind::Leaf,
                key: Some(key),
                value: Some(value),
            } => Ok(Terminal::Leaf { key, value }),
            TerminalJson {
                kind: TerminalKind::Empty,
                ..
            } => Err("an empty terminal has no key or value"),
            TerminalJson {
                kind: TerminalKind::Leaf,
                ..
            } => Err("a leaf terminal needs a key and a value"),
        }
    }
}

impl StateProof {
    /// Whether, under `root`, `key` maps to `value` (`Some`) or is absent (`None`).
    pub fn verify(&self, root: &Hash, key: &Hash, value: Option<&Hash>) -> bool {
        self.answer(root, key) == Some(value.copied())
    }

    /// What this proof shows `key` maps to under `root` — `Some(Some(value))` if present,
    /// `Some(None)` if absent — or `None` if it shows nothing: for a client that learns the
    /// value from the proof rather than checking one it already has.
    ///
    /// A pure fold that refuses, rather than panics on, anything malformed: more than 256
    /// siblings, hex that is not 64 lowercase digits, or a leaf of another key that does not
    /// share the path's bits with `key` (it could not be where the path ends).
    pub fn answer(&self, root: &Hash, key: &Hash) -> Option<Option<Hash>> {
        let depth = self.siblings.len();
        if depth > MAX_DEPTH {
            return None;
        }
        let (mut hash, answer) = match &self.terminal {
            Terminal::Empty => (EMPTY, None),
            Terminal::Leaf { key: leaf_key, value } => {
                let (leaf_key, value) = (parse_hash(leaf_key)?, parse_hash(value)?);
                let answer = if leaf_key == *key {
                    Some(value)
                } else if (0..depth).all(|d| bit(&leaf_key, d) == bit(key, d)) {
                    None
                } else {
                    return None;
                };
                (leaf_hash(&leaf_key, &value), answer)
            }
        };
        for (d, sibling) in self.siblings.iter().enumerate().rev() {
            let sibling = parse_hash(sibling)?;
            hash = if bit(key, d) {
                inner_hash(&sibling, &hash)
            } else {
                inner_hash(&hash, &sibling)
            };
        }
        (hash == *root).then_some(answer)
    }
}

/// Writes a hash as 64 lowercase hex digits, as [`crate::merkle::hex`] does, without its
/// allocation per byte: a proof writes one hash per level.
fn to_hex(hash: &Hash) -> String {
    let mut text = String::with_capacity(64);
    for byte in hash {
        for nibble in [byte >> 4, byte & 0x0f] {
            text.push(char::from(if nibble < 10 {
                b'0' + nibble
            } else {
                b'a' + (nibble - 10)
            }));
        }
    }
    text
}

/// Reads exactly 64 lowercase hex digits, the one form [`crate::merkle::hex`] writes, so that
/// each proof has a single spelling.
fn parse_hash(text: &str) -> Option<Hash> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let text = text.as_bytes();
    if text.len() != 64 {
        return None;
    }
    let mut hash = EMPTY;
    for (byte, pair) in hash.iter_mut().zip(text.chunks_exact(2)) {
        let [high, low] = pair else { return None };
        *byte = (digit(*high)? << 4) | digit(*low)?;
    }
    Some(hash)
}

#[cfg(test)]
mod tests;
