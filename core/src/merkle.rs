//! Merkle trees over transaction hashes, as RFC 6962 (Certificate Transparency) §2.1 defines
//! them: leaves and inner nodes are hashed with different prefixes, and an odd tree is split
//! at the largest power of two rather than duplicating a node, which closes the
//! duplicate-leaf ambiguity of Bitcoin's tree (CVE-2012-2459).
//!
//! Written here because the Merkle crates on crates.io either build Bitcoin-style trees or
//! come with their own hashing frameworks; RFC 6962's definitions are a few lines.

use sha2::{Digest as _, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The hash of a leaf: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0x00])
        .chain_update(data)
        .finalize()
        .into()
}

/// The hash of an inner node: `SHA-256(0x01 || left || right)` (the state tree's inner nodes
/// are hashed the same way).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([0x01])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The Merkle tree hash of `leaves` (already leaf-hashed); the empty tree hashes the empty
/// string (RFC 6962 MTH).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => Sha256::digest([]).into(),
        [leaf] => *leaf,
        _ => {
            let (left, right) = leaves.split_at(split_point(leaves.len()));
            node_hash(&root(left), &root(right))
        }
    }
}

/// The audit path of leaf `index` (RFC 6962 PATH): the sibling hashes from the leaf up.
pub fn audit_path(leaves: &[Hash], index: usize) -> Vec<Hash> {
    if leaves.len() <= 1 || index >= leaves.len() {
        return vec![];
    }
    let k = split_point(leaves.len());
    let (left, right) = leaves.split_at(k);
    if index < k {
        let mut path = audit_path(left, index);
        path.push(root(right));
        path
    } else {
        let mut path = audit_path(right, index - k);
        path.push(root(left));
        path
    }
}

/// Checks that `leaf` is leaf `index` of a tree of `size` leaves with root `expected`.
pub fn verify_inclusion(leaf: &Hash, index: usize, size: usize, path: &[Hash], expected: &Hash) -> bool {
    if index >= size {
        return false;
    }
    // RFC 9162 §2.1.3.2, iteratively.
    let (mut fn_, mut sn) = (index, size - 1);
    let mut hash = *leaf;
    for sibling in path {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            hash = node_hash(sibling, &hash);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && hash == *expected
}

/// Lowercase hex, the form roots and paths take in JSON.
pub fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads lowercase or uppercase hex into a hash.
pub fn from_hex(text: &str) -> Option<Hash> {
    if text.len() != 64 {
        return None;
    }
    let mut hash = [0u8; 32];
    for (byte, pair) in hash.iter_mut().zip(text.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("tx-{i}").as_bytes())).collect()
    }

    #[test]
    fn every_leaf_of_every_tree_size_has_a_verifying_path() {
        for size in 1..=17 {
            let leaves = leaves(size);
            let root = root(&leaves);
            for index in 0..size {
                let path = audit_path(&leaves, index);
                assert!(
                    verify_inclusion(&leaves[index], index, size, &path, &root),
                    "size {size}, leaf {index}"
                );
            }
        }
    }

    #[test]
    fn a_path_does_not_prove_another_leaf_or_position() {
        let leaves = leaves(7);
        let root = root(&leaves);
        let path = audit_path(&leaves, 3);
        assert!(!verify_inclusion(&leaves[4], 3, 7, &path, &root));
        assert!(!verify_inclusion(&leaves[3], 2, 7, &path, &root));
        assert!(!verify_inclusion(&leaves[3], 3, 4, &path, &root));
        assert!(!verify_inclusion(&leaves[3], 9, 7, &path, &root));
    }

    #[test]
    fn the_rfc_6962_test_vector_of_an_empty_tree_matches() {
        assert_eq!(
            hex(&root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn hex_round_trips() {
        let hash = leaf_hash(b"x");
        assert_eq!(from_hex(&hex(&hash)), Some(hash));
        assert_eq!(from_hex("zz"), None);
    }
}
