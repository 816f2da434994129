//! Who the nodes are: each validator's node id, key and URL, for Raft's membership and for
//! checking peers' requests (docs/governance.md).
//!
//! Ids are given in the order validators joined the chain, so every node computes the same
//! ones from what it knows already: genesis's validators are `0..n` in genesis order, at the
//! URLs the operator configured as `peers`; the validator the `s`th governance change added is
//! `n + s - 1`, at the URL that change names; so does a learner (a non-voting member) the
//! `s`th change added. A member removed and added again gets a new id.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use sigil_core::key::PublicKey;
use sigil_core::state::validators::ValidatorSet;
use sigil_core::transaction::governance::GovernanceChange;

use super::{NodeId, Peer};
use crate::chain::Genesis;

/// One validator's node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The validator's Multikey.
    pub validator: String,
    pub key: PublicKey,
    pub peer: Peer,
}

/// Every node a validator ever had, by id.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    members: BTreeMap<NodeId, Member>,
    genesis_len: u64,
    /// How many governance changes it has taken in.
    changes: u64,
}

/// A directory shared by a node's parts, which grows as governance adds validators.
pub type SharedDirectory = Arc<RwLock<Directory>>;

impl Directory {
    /// Genesis's validators, at `peers` (in genesis order).
    pub fn new(genesis: &Genesis, peers: &[Peer]) -> anyhow::Result<Directory> {
        if peers.len() != genesis.validators.len() {
            anyhow::bail!(
                "{} peers are configured but genesis names {} validators: list the node of every validator genesis names, in genesis order",
                peers.len(),
                genesis.validators.len()
            );
        }
        let keys = genesis.validator_keys()?;
        let members = (0..)
            .zip(genesis.validators.iter().zip(keys).zip(peers))
            .map(|(id, ((validator, key), peer))| {
                let member = Member {
                    validator: validator.clone(),
                    key,
                    peer: peer.clone(),
                };
                (id, member)
            })
            .collect();
        Ok(Directory {
            members,
            genesis_len: genesis.validators.len() as u64,
            changes: 0,
        })
    }

    /// How many governance changes it has taken in.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// Takes in the chain's governance changes, all of them from the first, in order; those
    /// taken in already are passed over.
    pub fn follow<'a>(&mut self, changes: impl IntoIterator<Item = &'a GovernanceChange>) {
        for (sequence, change) in (1..).zip(changes) {
            if sequence <= self.changes {
                continue;
            }
            self.changes = sequence;
            let (GovernanceChange::AddValidator { validator, node }
            | GovernanceChange::AddLearner {
                learner: validator,
                node,
            }) = change
            else {
                continue;
            };
            // The ledger checked the key when it applied the change.
            let Ok(key) = PublicKey::from_multikey(validator) else {
                continue;
            };
            let member = Member {
                validator: validator.clone(),
                key,
                peer: Peer { url: node.clone() },
            };
            self.members.insert(self.genesis_len + sequence - 1, member);
        }
    }

    /// The newest id of the validator `multikey`.
    pub fn id_of(&self, multikey: &str) -> Option<NodeId> {
        self.members
            .iter()
            .rev()
            .find(|(_, member)| member.validator == multikey)
            .map(|(id, _)| *id)
    }

    /// Every node's id and validator key.
    pub fn keys(&self) -> Vec<(NodeId, PublicKey)> {
        self.members
            .iter()
            .map(|(id, member)| (*id, member.key))
            .collect()
    }

    /// Node `id`.
    pub fn member(&self, id: NodeId) -> Option<&Member> {
        self.members.get(&id)
    }

    /// The learners `learners` (Multikey → URL) make: each one's newest node.
    pub fn learners<'a>(&self, learners: impl IntoIterator<Item = &'a String>) -> BTreeMap<NodeId, Peer> {
        learners
            .into_iter()
            .filter_map(|multikey| {
                let id = self.id_of(multikey)?;
                Some((id, self.member(id)?.peer.clone()))
            })
            .collect()
    }

    /// The voters `validators` make: each validator's newest node.
    pub fn voters(&self, validators: &ValidatorSet) -> BTreeMap<NodeId, Peer> {
        validators
            .multikeys()
            .filter_map(|multikey| {
                let id = self.id_of(multikey)?;
                Some((id, self.member(id)?.peer.clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use sigil_core::key::SigningKey;

    use super::*;

    #[test]
    fn ids_follow_the_order_validators_joined() {
        let keys: Vec<SigningKey> = (0..4).map(|_| SigningKey::generate()).collect();
        let multikey = |i: usize| keys[i].public_key().to_multikey();
        let genesis = Genesis {
            chain_id: "chain".into(),
            time: "2026-01-01T00:00:00Z".into(),
            validators: vec![multikey(0), multikey(1)],
            roots_of_trust: vec![],
            root_names: Default::default(),
        };
        let peer = |port: u16| Peer {
            url: format!("http://127.0.0.1:{port}"),
        };
        let mut directory = Directory::new(&genesis, &[peer(1), peer(2)]).unwrap();
        assert!(Directory::new(&genesis, &[peer(1)]).is_err());
        let add = |i: usize, port: u16| GovernanceChange::AddValidator {
            validator: multikey(i),
            node: peer(port).url,
        };
        let changes = [
            add(2, 3),
            GovernanceChange::RemoveValidator {
                validator: multikey(0),
            },
            add(3, 4),
        ];
        directory.follow(&changes[..1]);
        directory.follow(&changes);
        assert_eq!(directory.changes(), 3);
        assert_eq!(directory.id_of(&multikey(1)), Some(1));
        assert_eq!(directory.id_of(&multikey(2)), Some(2));
        assert_eq!(directory.id_of(&multikey(3)), Some(4));
        let set = ValidatorSet::new(&[multikey(1), multikey(2), multikey(3)]).unwrap();
        let voters = directory.voters(&set);
        assert_eq!(voters.keys().copied().collect::<Vec<_>>(), vec![1, 2, 4]);
        assert_eq!(voters[&4], peer(4));
    }
}
