//! Peers authenticate each other by signing every consensus request with their validator key,
//! which genesis or a governance change names: a node accepts Raft messages only from the
//! validators of its chain (`super::directory`).
//! The signature covers the chain, the receiving node, the path, the time and the body's
//! digest, so a captured request cannot be replayed to another node or chain, altered, or
//! replayed to the same node once its minute has passed. Signed requests rather than mutual
//! TLS: the keys are already in genesis, and an operator need not run a second PKI.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use axum::http::HeaderMap;
use sha2::{Digest as _, Sha256};
use sigil_core::key::{PublicKey, SigningKey};

use super::NodeId;

/// The sender's node id.
pub const NODE_HEADER: &str = "sigil-node";
/// When the sender signed, in seconds since the Unix epoch.
pub const TIME_HEADER: &str = "sigil-node-time";
/// The sender's signature: `z` + base58btc.
pub const SIGNATURE_HEADER: &str = "sigil-node-signature";
/// How far a request's time may be from the receiver's clock.
const MAX_SKEW_SECONDS: i64 = 60;

/// Why a consensus request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeerAuthError {
    #[error("the request does not say which node sent it and when, signed")]
    Missing,
    #[error("node {0} is not a validator of this chain")]
    UnknownNode(String),
    #[error("the request was signed {0} seconds from this node's clock: more than a minute")]
    Stale(i64),
    #[error("the request's signature does not verify with node {0}'s validator key")]
    BadSignature(NodeId),
}

/// Signs this node's requests and checks its peers'.
#[derive(Clone)]
pub struct PeerAuth {
    chain_id: String,
    id: NodeId,
    key: SigningKey,
    /// Each known node's validator key, by node id.
    keys: Arc<RwLock<BTreeMap<NodeId, PublicKey>>>,
}

impl std::fmt::Debug for PeerAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerAuth")
            .field("chain_id", &self.chain_id)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl PeerAuth {
    /// Node `id` of the chain `chain_id`, signing with `key`, accepting the nodes `peers`.
    pub fn new(
        chain_id: &str,
        id: NodeId,
        key: SigningKey,
        peers: impl IntoIterator<Item = (NodeId, PublicKey)>,
    ) -> PeerAuth {
        PeerAuth {
            chain_id: chain_id.to_owned(),
            id,
            key,
            keys: Arc::new(RwLock::new(peers.into_iter().collect())),
        }
    }

    /// Accepts node `id`, signing with `key`, from now on (a validator governance added).
    pub fn admit(&self, id: NodeId, key: PublicKey) {
        let mut keys = self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.insert(id, key);
    }

    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The headers that authenticate a request of this node to `target` at `path`.
    pub fn sign(&self, target: NodeId, path: &str, body: &[u8], now: i64) -> [(&'static str, String); 3] {
        let message = signed_message(&self.chain_id, target, path, now, body);
        let signature = self.key.sign(&message);
        [
            (NODE_HEADER, self.id.to_string()),
            (TIME_HEADER, now.to_string()),
            (
                SIGNATURE_HEADER,
                format!("z{}", bs58::encode(signature).into_string()),
            ),
        ]
    }

    /// Checks a request this node received at `path`; returns the sending node's id.
    pub fn check(
        &self,
        headers: &HeaderMap,
        path: &str,
        body: &[u8],
        now: i64,
    ) -> Result<NodeId, PeerAuthError> {
        let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        let (Some(node), Some(time), Some(signature)) =
            (header(NODE_HEADER), header(TIME_HEADER), header(SIGNATURE_HEADER))
        else {
            return Err(PeerAuthError::Missing);
        };
        let sender: NodeId = node
            .parse()
            .map_err(|_| PeerAuthError::UnknownNode(node.to_owned()))?;
        let key = self
            .keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&sender)
            .cloned()
            .ok_or_else(|| PeerAuthError::UnknownNode(node.to_owned()))?;
        let time: i64 = time.parse().map_err(|_| PeerAuthError::Missing)?;
        let skew = now.saturating_sub(time);
        if skew.saturating_abs() > MAX_SKEW_SECONDS {
            return Err(PeerAuthError::Stale(skew));
        }
        let signature = signature
            .strip_prefix('z')
            .and_then(|text| bs58::decode(text).into_vec().ok())
            .ok_or(PeerAuthError::BadSignature(sender))?;
        let message = signed_message(&self.chain_id, self.id, path, time, body);
        key.verify(&message, &signature)
            .map_err(|_| PeerAuthError::BadSignature(sender))?;
        Ok(sender)
    }
}

/// What a request's signature covers, one field per line.
fn signed_message(chain_id: &str, target: NodeId, path: &str, time: i64, body: &[u8]) -> Vec<u8> {
    let digest = hex(&Sha256::digest(body));
    format!("sigil-consensus-request-v1\n{chain_id}\n{target}\n{path}\n{time}\n{digest}").into_bytes()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use axum::http::{HeaderName, HeaderValue};

    use super::*;

    fn pair() -> (PeerAuth, PeerAuth, SigningKey) {
        let (a, b, c) = (
            SigningKey::generate(),
            SigningKey::generate(),
            SigningKey::generate(),
        );
        let validators = vec![(0, a.public_key()), (1, b.public_key())];
        (
            PeerAuth::new("chain", 0, a, validators.clone()),
            PeerAuth::new("chain", 1, b, validators),
            c,
        )
    }

    fn headers(signed: [(&'static str, String); 3]) -> HeaderMap {
        signed
            .into_iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_str(&value).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn a_peer_signed_request_is_accepted_and_names_its_sender() {
        let (a, b, _) = pair();
        let signed = headers(a.sign(1, "/consensus/vote", b"{}", 1_000));
        assert_eq!(b.check(&signed, "/consensus/vote", b"{}", 1_030), Ok(0));
    }

    #[test]
    fn an_altered_replayed_redirected_or_stranger_request_is_refused() {
        let (a, b, stranger) = pair();
        let signed = headers(a.sign(1, "/consensus/vote", b"{}", 1_000));
        assert_eq!(
            b.check(&signed, "/consensus/vote", b"{\"term\":9}", 1_000),
            Err(PeerAuthError::BadSignature(0))
        );
        assert_eq!(
            b.check(&signed, "/consensus/append", b"{}", 1_000),
            Err(PeerAuthError::BadSignature(0))
        );
        assert_eq!(
            b.check(&signed, "/consensus/vote", b"{}", 1_061),
            Err(PeerAuthError::Stale(61))
        );
        // Meant for node 1, replayed to node 0.
        assert_eq!(
            a.check(&signed, "/consensus/vote", b"{}", 1_000),
            Err(PeerAuthError::BadSignature(0))
        );
        let pretender = PeerAuth::new("chain", 0, stranger, vec![]);
        let forged = headers(pretender.sign(1, "/consensus/vote", b"{}", 1_000));
        assert_eq!(
            b.check(&forged, "/consensus/vote", b"{}", 1_000),
            Err(PeerAuthError::BadSignature(0))
        );
        let unknown = PeerAuth::new("chain", 7, SigningKey::generate(), vec![]);
        let unknown = headers(unknown.sign(1, "/consensus/vote", b"{}", 1_000));
        assert_eq!(
            b.check(&unknown, "/consensus/vote", b"{}", 1_000),
            Err(PeerAuthError::UnknownNode("7".into()))
        );
        assert_eq!(
            b.check(&HeaderMap::new(), "/consensus/vote", b"{}", 1_000),
            Err(PeerAuthError::Missing)
        );
    }
}
