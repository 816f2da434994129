//! The client commands (docs/design.md §7): `sigil-registry did create|update|rotate|deactivate|
//! resolve`, `sigil-registry accredit` and `sigil-registry governance propose|sign|submit`,
//! for controllers, roots and validators who keep their keys in a directory:
//!
//! ```text
//! KEYS/did               the DID, once created
//! KEYS/controller.key    the current controller key (encrypted)
//! KEYS/next.key          the pre-rotation key the last controller change committed to
//!                        (encrypted; keep it offline — it is what takes the DID back)
//! KEYS/<fragment>.key    signing keys of the DID's verification methods (encrypted)
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;
use sigil_core::did::Did;
use sigil_core::key::SigningKey;
use sigil_core::keystore::{self, KdfParams};
use sigil_core::names::LegalName;
use sigil_core::registry::RegistryClient;
use sigil_core::time::{Timestamp, format_datetime};

use crate::chain::Receipt;
use crate::ledger::accreditation::{Accreditation, AccreditedRole};
use crate::ledger::operation::{self, Compromise, DidOperation, OperationKind, Purpose};
use crate::ledger::{Transaction, hash, statement};
use sigil_core::transaction::governance::{Governance, GovernanceChange};

/// A registry's HTTP API, from the controller's side: sigil-core's [`RegistryClient`] (the
/// same client issuers and wallets write with), answering with typed receipts.
#[derive(Debug)]
pub struct RegistryApi {
    base: url::Url,
    client: RegistryClient,
}

impl RegistryApi {
    pub fn new(base: url::Url) -> Self {
        RegistryApi {
            client: RegistryClient::new(base.clone()),
            base,
        }
    }

    /// Submits a transaction; returns its receipt, or the registry's refusal as an error.
    pub async fn submit(&self, transaction: &Transaction) -> anyhow::Result<Receipt> {
        Ok(self.client.submit(transaction).await?)
    }

    /// GETs a JSON document; 404 is an error naming `what`.
    pub async fn get(&self, path: &str, what: &str) -> anyhow::Result<Value> {
        let url = self.base.join(path)?;
        sigil_core::http_client::get_json(&sigil_core::http_client::client(), url)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the registry has no {what}"))
    }
}

/// A controller's key directory.
#[derive(Debug, Clone)]
pub struct KeyDir {
    pub path: PathBuf,
    pub passphrase: String,
}

impl KeyDir {
    fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn read(&self, name: &str) -> anyhow::Result<SigningKey> {
        Ok(keystore::read(&self.file(name), &self.passphrase)?)
    }

    fn write(&self, name: &str, key: &SigningKey) -> anyhow::Result<()> {
        Ok(keystore::write(
            &self.file(name),
            key,
            &self.passphrase,
            KdfParams::default(),
        )?)
    }

    /// The DID these keys control.
    pub fn did(&self) -> anyhow::Result<Did> {
        let path = self.file("did");
        let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(Did::parse(text.trim())?)
    }

    /// Moves a key file aside, keeping it (never deletes a key).
    fn retire(&self, name: &str, suffix: &str) -> anyhow::Result<()> {
        let from = self.file(name);
        let to = self.file(&format!("{name}.{suffix}"));
        std::fs::rename(&from, &to).map_err(|e| anyhow::anyhow!("{}: {e}", from.display()))
    }
}

/// Creates a DID with one assertion/authentication key, `key-1`; returns the DID.
pub async fn create(api: &RegistryApi, keys: &KeyDir, now: Timestamp) -> anyhow::Result<Did> {
    if keys.file("did").exists() {
        anyhow::bail!("{} already controls a DID", keys.path.display());
    }
    std::fs::create_dir_all(&keys.path).map_err(|e| anyhow::anyhow!("{}: {e}", keys.path.display()))?;
    let (controller, next, signing) = (
        SigningKey::generate(),
        SigningKey::generate(),
        SigningKey::generate(),
    );
    let methods = vec![operation::method(
        "key-1",
        &signing.public_key(),
        &[Purpose::AssertionMethod, Purpose::Authentication],
    )];
    let op = operation::create(&controller, &next.public_key(), methods, now)?;
    let did = op.created_did()?;
    keys.write("controller.key", &controller)?;
    keys.write("next.key", &next)?;
    keys.write("key-1.key", &signing)?;
    api.submit(&Transaction::Did(op)).await?;
    std::fs::write(keys.file("did"), format!("{did}\n"))?;
    Ok(did)
}

/// What `did update` and `did rotate` change.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Fragments of new signing keys to generate and add.
    pub add_keys: Vec<String>,
    /// Fragments of methods to retire.
    pub retire: Vec<String>,
    /// Fragments of methods to declare compromised, with the time (rotate only).
    pub compromised: Vec<(String, Timestamp)>,
}

impl Changes {
    fn apply_to(&self, op: &mut DidOperation, keys: &KeyDir) -> anyhow::Result<()> {
        for fragment in &self.add_keys {
            let key = SigningKey::generate();
            keys.write(&format!("{fragment}.key"), &key)?;
            op.add_methods.push(operation::method(
                fragment,
                &key.public_key(),
                &[Purpose::AssertionMethod, Purpose::Authentication],
            ));
        }
        op.retire_methods = self.retire.clone();
        op.compromised_methods = self
            .compromised
            .iter()
            .map(|(id, since)| Compromise {
                id: id.clone(),
                since: format_datetime(*since),
            })
            .collect();
        Ok(())
    }
}

/// An unsigned operation of `kind` on the DID of `keys`, following its latest operation.
///
/// It is dated `now`, or at the latest operation's time if that is later
/// ([`sigil_core::registry::LatestOperation::next_date`]).
async fn follow_up(
    api: &RegistryApi,
    keys: &KeyDir,
    kind: OperationKind,
    now: Timestamp,
) -> anyhow::Result<DidOperation> {
    let did = keys.did()?;
    let latest = api
        .client
        .latest_operation(&did)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the registry's history of {did} names no latest operation"))?;
    let mut op = DidOperation::new(kind, latest.next_date(now));
    op.prev = Some(latest.hash);
    op.did = Some(did.to_string());
    Ok(op)
}

/// Adds or retires keys, signed with the controller key.
pub async fn update(
    api: &RegistryApi,
    keys: &KeyDir,
    changes: &Changes,
    now: Timestamp,
) -> anyhow::Result<Receipt> {
    let mut op = follow_up(api, keys, OperationKind::Update, now).await?;
    changes.apply_to(&mut op, keys)?;
    let op = op.sign(&keys.read("controller.key")?)?;
    api.submit(&Transaction::Did(op)).await
}

/// Rotates the controller key: the pre-committed next key becomes the controller and signs;
/// a fresh next key is committed to. The old controller key is kept, renamed.
pub async fn rotate(
    api: &RegistryApi,
    keys: &KeyDir,
    changes: &Changes,
    now: Timestamp,
) -> anyhow::Result<Receipt> {
    let next = keys.read("next.key")?;
    let after = SigningKey::generate();
    let mut op = follow_up(api, keys, OperationKind::Rotate, now).await?;
    op.controller_key = Some(next.public_key().to_multikey());
    op.next_key_commitment = Some(hash::key_commitment(&after.public_key().to_multikey()));
    changes.apply_to(&mut op, keys)?;
    let receipt = api.submit(&Transaction::Did(op.sign(&next)?)).await?;
    keys.retire("controller.key", &format!("retired-{}", receipt.height))?;
    let (from, to) = (keys.file("next.key"), keys.file("controller.key"));
    std::fs::rename(&from, &to).map_err(|e| anyhow::anyhow!("{}: {e}", from.display()))?;
    keys.write("next.key", &after)?;
    Ok(receipt)
}

/// Deactivates the DID, signed with the pre-committed next key.
pub async fn deactivate(api: &RegistryApi, keys: &KeyDir, now: Timestamp) -> anyhow::Result<Receipt> {
    let op = follow_up(api, keys, OperationKind::Deactivate, now).await?;
    api.submit(&Transaction::Did(op.sign(&keys.read("next.key")?)?))
        .await
}

/// What an accreditation grants: to whom, in which role, for which types and when.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The accredited DID.
    pub did: Did,
    /// Issuer or verifier.
    pub role: AccreditedRole,
    /// Its legal name, which the root vouches for by signing.
    pub legal_name: Option<LegalName>,
    /// The types it may issue, or as a verifier request.
    pub types: Vec<String>,
    pub from: Timestamp,
    pub until: Option<Timestamp>,
}

/// Accredits `grant.did` in its role for its types from `from` (until `until`), signed by
/// the root of trust whose key is `root_key_file` (a registry data directory's
/// `root-of-trust.key`).
pub async fn accredit(
    api: &RegistryApi,
    root_key_file: &Path,
    passphrase: &str,
    grant: Grant,
) -> anyhow::Result<Receipt> {
    let root = keystore::read(root_key_file, passphrase)?;
    let mut grant = Accreditation {
        root: root.did_key().to_string(),
        issuer: grant.did.to_string(),
        role: grant.role,
        legal_name: grant.legal_name,
        credential_types: grant.types,
        valid_from: format_datetime(grant.from),
        valid_until: grant.until.map(format_datetime),
        proof: None,
    };
    grant.proof = Some(statement::sign(&grant, &root, &root.did_key_method())?);
    api.submit(&Transaction::Accreditation(grant)).await
}

/// A proposal of `change` as the chain's next governance change (its genesis and its changes
/// read from the registry), dated now and signed by no one yet.
pub async fn propose(api: &RegistryApi, change: GovernanceChange) -> anyhow::Result<Governance> {
    let genesis = api.get("genesis", "genesis").await?;
    let chain_id = genesis
        .get("chainId")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("the registry's genesis names no chainId"))?;
    let changes = api.get("governance", "governance changes").await?;
    let applied = changes.as_array().map_or(0, Vec::len) as u64;
    let now = format_datetime(sigil_core::time::now());
    Ok(Governance::propose(chain_id, applied + 1, change, now))
}

/// Adds the signature of the validator whose key is `validator_key_file` (a registry data
/// directory's `validator.key`) to the proposal in `file`, in place.
pub fn sign_proposal(file: &Path, validator_key_file: &Path, passphrase: &str) -> anyhow::Result<Governance> {
    let mut proposal = read_proposal(file)?;
    let validator = keystore::read(validator_key_file, passphrase)?;
    proposal.sign(&validator)?;
    let text = serde_json::to_string_pretty(&proposal)?;
    std::fs::write(file, text + "\n").map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    Ok(proposal)
}

/// The governance proposal in `file`.
pub fn read_proposal(file: &Path) -> anyhow::Result<Governance> {
    let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: not a governance proposal: {e}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::node;
    use crate::ledger::CLOCK_SKEW_SECONDS;

    /// A registry on an empty in-memory chain, serving on `127.0.0.1:0`.
    async fn registry() -> RegistryApi {
        let node = node().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                crate::http::app(node, sigil_service::rate_limit::RateLimit::per_minute(0)),
            )
            .await
        });
        RegistryApi::new(base)
    }

    #[tokio::test]
    async fn a_single_node_registry_refuses_to_grow_its_validator_set_but_takes_other_changes() {
        use crate::fixtures::{ROOT_OF_TRUST, VALIDATOR, key};
        let api = registry().await;
        let signed = |change| {
            let mut proposal =
                Governance::propose("sigil-test", 1, change, format_datetime(sigil_core::time::now()));
            proposal.sign(&key(VALIDATOR)).unwrap();
            Transaction::Governance(proposal)
        };
        let grow = signed(GovernanceChange::AddValidator {
            validator: key(91).public_key().to_multikey(),
            node: "http://127.0.0.1:7410".into(),
        });
        let refused = api.submit(&grow).await.unwrap_err().to_string();
        assert!(refused.contains("single node"), "{refused}");
        let root = signed(GovernanceChange::AddRootOfTrust {
            root: key(ROOT_OF_TRUST + 1).did_key().to_string(),
            legal_name: None,
        });
        assert_eq!(api.submit(&root).await.unwrap().height, 1);
        let changes = api.get("governance", "governance changes").await.unwrap();
        assert_eq!(changes.as_array().map(Vec::len), Some(1));
    }

    #[tokio::test]
    async fn the_owner_recovers_at_once_after_a_thief_dates_an_update_ahead() {
        let api = registry().await;
        let dir = tempfile::tempdir().unwrap();
        let keys = KeyDir {
            path: dir.path().join("university"),
            passphrase: "correct horse".into(),
        };
        let now = sigil_core::time::now();
        let did = create(&api, &keys, now).await.unwrap();

        // The thief, with the stolen controller key, dates an update as far ahead as the
        // ledger allows.
        let ahead = now + chrono::Duration::seconds(CLOCK_SKEW_SECONDS);
        let theft = Changes {
            add_keys: vec!["key-2".into()],
            ..Changes::default()
        };
        update(&api, &keys, &theft, ahead).await.unwrap();

        // The owner rotates with the pre-rotation key straight away, with a clock that is
        // behind the thief's date, and distrusts what the thief added.
        let recovery = Changes {
            compromised: vec![("key-2".into(), now)],
            ..Changes::default()
        };
        rotate(&api, &keys, &recovery, now).await.unwrap();

        let history = api.get(&format!("dids/{did}/history"), "history").await.unwrap();
        let versions = history["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 3);
        assert_eq!(versions[2]["time"], format_datetime(ahead));
        let thiefs = history["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == format!("{did}#key-2"))
            .unwrap();
        assert_eq!(thiefs["compromisedSince"], format_datetime(now));
    }
}
