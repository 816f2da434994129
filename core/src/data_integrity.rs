//! W3C Verifiable Credential Data Integrity 1.0: `DataIntegrityProof` with the cryptosuites
//! `eddsa-rdfc-2022` and `eddsa-jcs-2022` (VC-DI-EdDSA §3) for signing and verifying, and
//! `ecdsa-rdfc-2019` / `ecdsa-jcs-2019` (VC-DI-ECDSA §3, P-256) for verifying; and the
//! older proof type `Ed25519Signature2020` (W3C CCG Ed25519 Signature 2020), which most VCDM
//! 1.1 credentials carry.
//!
//! Every suite hashes the same way: `SHA-256(canonical proof configuration) ||
//! SHA-256(canonical document)`; the RDFC suites and `Ed25519Signature2020` canonicalise with
//! RDFC-1.0 (URDNA2015) after JSON-LD expansion, the JCS suites with RFC 8785. The signature
//! is multibase base58btc. Several proofs on one document — sets and chains — are read and
//! added by [`proof_set`].

pub mod proof_set;

use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::contexts::{CREDENTIALS_V2, DATA_INTEGRITY_V2, ED25519_SIGNATURE_2020_V1};
use crate::did::document::Relationship;
use crate::jsonld::{self, JsonLdError};
use crate::key::{Algorithm, KeyError, PublicKey, SigningKey};
use crate::time::{Timestamp, format_datetime};

/// The proof type of every Data Integrity cryptosuite.
pub const DATA_INTEGRITY_PROOF: &str = "DataIntegrityProof";
/// The proof type of the W3C CCG Ed25519 Signature 2020 suite.
pub const ED25519_SIGNATURE_2020: &str = "Ed25519Signature2020";

/// A Data Integrity cryptosuite Sigil knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cryptosuite {
    /// Ed25519 over RDFC-1.0 (required by Sigil's design; what it signs with by default).
    EddsaRdfc2022,
    /// Ed25519 over JCS.
    EddsaJcs2022,
    /// ECDSA P-256 over RDFC-1.0 (verification only).
    EcdsaRdfc2019,
    /// ECDSA P-256 over JCS (verification only).
    EcdsaJcs2019,
    /// Not a cryptosuite of `DataIntegrityProof` but the proof type `Ed25519Signature2020`,
    /// which names its suite by its `type` and has no `cryptosuite`: Ed25519 over URDNA2015,
    /// hashed exactly as `eddsa-rdfc-2022` is. Kept here because everything after reading
    /// the proof is the same.
    Ed25519Signature2020,
}

impl Cryptosuite {
    /// The `cryptosuite` string.
    pub fn name(self) -> &'static str {
        match self {
            Cryptosuite::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Cryptosuite::EddsaJcs2022 => "eddsa-jcs-2022",
            Cryptosuite::EcdsaRdfc2019 => "ecdsa-rdfc-2019",
            Cryptosuite::EcdsaJcs2019 => "ecdsa-jcs-2019",
            Cryptosuite::Ed25519Signature2020 => ED25519_SIGNATURE_2020,
        }
    }

    /// The proof's `type`: `DataIntegrityProof`, or `Ed25519Signature2020`.
    pub fn proof_type(self) -> &'static str {
        match self {
            Cryptosuite::Ed25519Signature2020 => ED25519_SIGNATURE_2020,
            _ => DATA_INTEGRITY_PROOF,
        }
    }

    /// Reads the `cryptosuite` string of a `DataIntegrityProof`.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Cryptosuite::EddsaRdfc2022,
            Cryptosuite::EddsaJcs2022,
            Cryptosuite::EcdsaRdfc2019,
            Cryptosuite::EcdsaJcs2019,
        ]
        .into_iter()
        .find(|suite| suite.name() == name)
    }

    fn uses_rdfc(self) -> bool {
        matches!(
            self,
            Cryptosuite::EddsaRdfc2022 | Cryptosuite::EcdsaRdfc2019 | Cryptosuite::Ed25519Signature2020
        )
    }

    /// The context that defines the proof's terms, and the contexts that include it.
    fn contexts(self) -> &'static [&'static str] {
        match self {
            Cryptosuite::Ed25519Signature2020 => &[ED25519_SIGNATURE_2020_V1],
            _ => &[CREDENTIALS_V2, DATA_INTEGRITY_V2],
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Cryptosuite::EddsaRdfc2022 | Cryptosuite::EddsaJcs2022 | Cryptosuite::Ed25519Signature2020 => {
                Algorithm::EdDsa
            }
            Cryptosuite::EcdsaRdfc2019 | Cryptosuite::EcdsaJcs2019 => Algorithm::Es256,
        }
    }
}

/// Why a proof could not be made, read or checked.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    /// The document is not a JSON object.
    #[error("a secured document must be a JSON object")]
    NotAnObject,
    /// The document has no `proof`.
    #[error("the document has no proof")]
    MissingProof,
    /// The proof is malformed.
    #[error("malformed proof: {0}")]
    Malformed(String),
    /// The proof uses a cryptosuite Sigil does not implement.
    #[error(
        "unsupported cryptosuite {0:?}; Sigil verifies eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019 and ecdsa-jcs-2019"
    )]
    UnsupportedCryptosuite(String),
    /// The proof is neither a `DataIntegrityProof` nor an `Ed25519Signature2020`.
    #[error("unsupported proof type {0:?}; Sigil verifies DataIntegrityProof and Ed25519Signature2020")]
    UnsupportedProofType(String),
    /// The key's algorithm does not match the cryptosuite.
    #[error("the cryptosuite {suite} cannot be used with this key")]
    KeyMismatch { suite: &'static str },
    /// Canonicalisation failed.
    #[error(transparent)]
    JsonLd(#[from] JsonLdError),
    /// JCS canonicalisation failed.
    #[error("JCS canonicalisation failed: {0}")]
    Jcs(String),
    /// The signature does not verify.
    #[error(transparent)]
    Signature(#[from] KeyError),
}

/// The options of a new proof.
#[derive(Debug, Clone, PartialEq)]
pub struct ProofOptions {
    pub cryptosuite: Cryptosuite,
    /// The verification method that signs (a DID URL).
    pub verification_method: String,
    /// `assertionMethod` for credentials, `authentication` for presentations.
    pub purpose: Relationship,
    pub created: Timestamp,
    /// The verifier's challenge, for presentations.
    pub challenge: Option<String>,
    /// The verifier's domain, for presentations.
    pub domain: Option<String>,
}

/// A parsed `DataIntegrityProof` or `Ed25519Signature2020`.
#[derive(Debug, Clone, PartialEq)]
pub struct Proof {
    pub cryptosuite: Cryptosuite,
    /// The proof's `id`, by which a later proof of a chain names it (VC DI §2.1.2).
    pub id: Option<String>,
    /// `previousProof`: the ids of the proofs this one also covers, in the order written.
    pub previous: Vec<String>,
    pub verification_method: String,
    pub proof_purpose: String,
    pub created: Option<Timestamp>,
    pub challenge: Option<String>,
    pub domain: Option<String>,
    /// The proof as it appears, without `proofValue`: the proof configuration.
    configuration: Map<String, Value>,
    signature: Vec<u8>,
    /// The proof as it appears, `proofValue` included: what a later proof of a chain covers.
    written: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProof {
    #[serde(rename = "type")]
    type_: String,
    #[serde(default)]
    cryptosuite: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    previous_proof: Option<Value>,
    verification_method: String,
    proof_purpose: String,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    challenge: Option<String>,
    #[serde(default)]
    domain: Option<Value>,
    proof_value: String,
}

/// Adds a proof to `document` (a JSON object without one), signing with `key`.
///
/// Works for VCDM 2.0 and VCDM 1.1 credentials alike: when the document's `@context` does
/// not define the proof's terms (a VCDM 1.1 credential has only `credentials/v1`), the
/// context that does — `https://w3id.org/security/data-integrity/v2` for a
/// `DataIntegrityProof` — is appended to it before signing, as VC DI §4.2 asks. An issuer
/// that receives a VCDM 1.1 credential issues it as 1.1 by calling this.
pub async fn sign(document: &Value, key: &SigningKey, options: &ProofOptions) -> Result<Value, ProofError> {
    sign_with(document, options, Algorithm::EdDsa, |hash| {
        key.sign(hash).to_vec()
    })
    .await
}

/// Adds a proof made by `signer`, a raw signature function of `algorithm` (64-byte Ed25519,
/// or P-256 `r || s` over SHA-256). Sigil itself signs with [`sign`]; this exists so that
/// tests and tools can produce ECDSA proofs for the verifier to check.
pub async fn sign_with(
    document: &Value,
    options: &ProofOptions,
    algorithm: Algorithm,
    signer: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Result<Value, ProofError> {
    let unsecured = with_suite_context(
        document.as_object().ok_or(ProofError::NotAnObject)?,
        options.cryptosuite,
    );
    if unsecured.contains_key("proof") {
        return Err(ProofError::Malformed(
            "the document already has a proof; add another with proof_set::add_proof".into(),
        ));
    }
    let proof = make_proof(
        &unsecured,
        options,
        &proof_set::ProofLink::default(),
        algorithm,
        signer,
    )
    .await?;
    let mut secured = unsecured;
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// `document` with the context of `suite`'s terms appended to its `@context` when none of
/// the contexts that define them is there (VC DI §4.2 step 1).
pub fn with_suite_context(document: &Map<String, Value>, suite: Cryptosuite) -> Map<String, Value> {
    let mut document = document.clone();
    let Some(context) = document.get_mut("@context") else {
        return document;
    };
    let names = |url: &str| match &*context {
        Value::Array(entries) => entries.iter().any(|entry| entry.as_str() == Some(url)),
        single => single.as_str() == Some(url),
    };
    if suite.contexts().iter().any(|url| names(url)) {
        return document;
    }
    let Some(&defining) = suite.contexts().last() else {
        return document;
    };
    match context {
        Value::Array(entries) => entries.push(defining.into()),
        single => *single = Value::Array(vec![single.clone(), defining.into()]),
    }
    document
}

/// Makes a proof over `covered` (the unsecured document, with the proofs a chained proof
/// also covers as its `proof`): the proof configuration, hashed and signed.
pub(crate) async fn make_proof(
    covered: &Map<String, Value>,
    options: &ProofOptions,
    link: &proof_set::ProofLink,
    algorithm: Algorithm,
    signer: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Result<Map<String, Value>, ProofError> {
    if options.cryptosuite.algorithm() != algorithm {
        return Err(ProofError::KeyMismatch {
            suite: options.cryptosuite.name(),
        });
    }
    let mut configuration = Map::new();
    if let Some(id) = &link.id {
        configuration.insert("id".into(), id.clone().into());
    }
    configuration.insert("type".into(), options.cryptosuite.proof_type().into());
    if options.cryptosuite != Cryptosuite::Ed25519Signature2020 {
        configuration.insert("cryptosuite".into(), options.cryptosuite.name().into());
    }
    configuration.insert("created".into(), format_datetime(options.created).into());
    configuration.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    configuration.insert("proofPurpose".into(), options.purpose.name().into());
    if let Some(challenge) = &options.challenge {
        configuration.insert("challenge".into(), challenge.clone().into());
    }
    if let Some(domain) = &options.domain {
        configuration.insert("domain".into(), domain.clone().into());
    }
    match link.previous.as_slice() {
        [] => {}
        [one] => {
            configuration.insert("previousProof".into(), one.clone().into());
        }
        several => {
            configuration.insert("previousProof".into(), several.to_vec().into());
        }
    }
    if !options.cryptosuite.uses_rdfc() {
        if let Some(context) = covered.get("@context") {
            configuration.insert("@context".into(), context.clone());
        }
    }
    let hash = hash_data(options.cryptosuite, covered, &configuration, Canonical::Rdfc).await?;
    let signature = signer(&hash);
    let mut proof = configuration;
    proof.insert(
        "proofValue".into(),
        multibase::encode(multibase::Base::Base58Btc, signature).into(),
    );
    Ok(proof)
}

/// Splits a secured document with one proof into the unsecured document and its parsed
/// proof; a document with several is read by [`proof_set::split_all`].
pub fn split(document: &Value) -> Result<(Map<String, Value>, Proof), ProofError> {
    let mut unsecured = document.as_object().ok_or(ProofError::NotAnObject)?.clone();
    let proof = match unsecured.remove("proof") {
        None => return Err(ProofError::MissingProof),
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(mut proofs)) if proofs.len() == 1 => match proofs.pop() {
            Some(Value::Object(proof)) => proof,
            _ => return Err(ProofError::Malformed("`proof` must be an object".into())),
        },
        Some(Value::Array(_)) => {
            return Err(ProofError::Malformed(
                "several proofs where one is expected (a credential's proof set or chain is read by proof_set::split_all)"
                    .into(),
            ));
        }
        Some(_) => return Err(ProofError::Malformed("`proof` must be an object".into())),
    };
    let proof = parse_proof(proof)?;
    if let Some(previous) = proof.previous.first() {
        return Err(ProofError::Malformed(format!(
            "`previousProof` names {previous:?}, which is not a proof of this document"
        )));
    }
    Ok((unsecured, proof))
}

pub(crate) fn parse_proof(mut proof: Map<String, Value>) -> Result<Proof, ProofError> {
    let written = proof.clone();
    let raw = RawProof::deserialize(&Value::Object(proof.clone()))
        .map_err(|e| ProofError::Malformed(e.to_string()))?;
    let cryptosuite = match (raw.type_.as_str(), raw.cryptosuite) {
        (DATA_INTEGRITY_PROOF, Some(name)) => {
            Cryptosuite::from_name(&name).ok_or(ProofError::UnsupportedCryptosuite(name))?
        }
        (DATA_INTEGRITY_PROOF, None) => return Err(ProofError::Malformed("missing `cryptosuite`".into())),
        (ED25519_SIGNATURE_2020, None) => Cryptosuite::Ed25519Signature2020,
        (ED25519_SIGNATURE_2020, Some(_)) => {
            return Err(ProofError::Malformed(
                "an Ed25519Signature2020 proof names its suite by its type and has no `cryptosuite`".into(),
            ));
        }
        _ => return Err(ProofError::UnsupportedProofType(raw.type_)),
    };
    let previous = match raw.previous_proof {
        None => vec![],
        Some(Value::String(id)) => vec![id],
        Some(Value::Array(ids)) if !ids.is_empty() => ids
            .into_iter()
            .map(|id| match id {
                Value::String(id) => Ok(id),
                _ => Err(ProofError::Malformed(
                    "`previousProof` must list proof ids".into(),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ProofError::Malformed(
                "`previousProof` must be a proof id or a non-empty list of them".into(),
            ));
        }
    };
    let created = raw
        .created
        .map(|text| {
            crate::time::parse_datetime(&text)
                .ok_or_else(|| ProofError::Malformed(format!("`created` is not a date-time: {text:?}")))
        })
        .transpose()?;
    let (base, signature) = multibase::decode(&raw.proof_value)
        .map_err(|e| ProofError::Malformed(format!("`proofValue`: {e}")))?;
    if base != multibase::Base::Base58Btc {
        return Err(ProofError::Malformed(
            "`proofValue` must be base58btc multibase".into(),
        ));
    }
    let domain = match raw.domain {
        None => None,
        Some(Value::String(domain)) => Some(domain),
        Some(_) => return Err(ProofError::Malformed("`domain` must be a string".into())),
    };
    proof.remove("proofValue");
    Ok(Proof {
        cryptosuite,
        id: raw.id,
        previous,
        verification_method: raw.verification_method,
        proof_purpose: raw.proof_purpose,
        created,
        challenge: raw.challenge,
        domain,
        configuration: proof,
        signature,
        written,
    })
}

impl Proof {
    /// The signature, decoded from `proofValue`.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The proof as written in the document, `proofValue` included.
    pub fn written(&self) -> &Map<String, Value> {
        &self.written
    }
}

/// Verifies `proof` over `unsecured` with `key` (VC Data Integrity §4.4, "verify proof").
/// The caller has already decided that `key` belongs to `proof.verification_method`.
pub async fn verify(
    unsecured: &Map<String, Value>,
    proof: &Proof,
    key: &PublicKey,
) -> Result<(), ProofError> {
    let hash = signing_input(unsecured, proof, key).await?;
    let Err(error) = key.verify(&hash, &proof.signature) else {
        return Ok(());
    };
    if proof.cryptosuite.uses_rdfc() {
        // Signed before Sigil labelled blank nodes itself? Only documents whose blank nodes
        // are told apart by Hash N-Degree Quads (or that repeat a quad) have other bytes.
        let document = document_as_signed(unsecured, proof)?;
        let then = hash_data(
            proof.cryptosuite,
            &document,
            &proof.configuration,
            Canonical::Ssi016,
        )
        .await?;
        if then != hash && key.verify(&then, &proof.signature).is_ok() {
            return Ok(());
        }
    }
    Err(error.into())
}

/// What `proof`'s signature signs, by the standard's canonical form: the bytes
/// [`verify`] checks first. `key` must be of the suite's algorithm.
pub async fn signing_input(
    unsecured: &Map<String, Value>,
    proof: &Proof,
    key: &PublicKey,
) -> Result<Vec<u8>, ProofError> {
    if key.algorithm() != proof.cryptosuite.algorithm() {
        return Err(ProofError::KeyMismatch {
            suite: proof.cryptosuite.name(),
        });
    }
    let document = document_as_signed(unsecured, proof)?;
    hash_data(
        proof.cryptosuite,
        &document,
        &proof.configuration,
        Canonical::Rdfc,
    )
    .await
}

/// The document as the proof's suite signs it: a JCS suite's proof brings its `@context`.
fn document_as_signed(
    unsecured: &Map<String, Value>,
    proof: &Proof,
) -> Result<Map<String, Value>, ProofError> {
    let mut document = unsecured.clone();
    if !proof.cryptosuite.uses_rdfc() {
        if let Some(proof_context) = proof.configuration.get("@context") {
            if !context_starts_with(document.get("@context"), proof_context) {
                return Err(ProofError::Malformed(
                    "the document's @context does not start with the proof's @context".into(),
                ));
            }
            document.insert("@context".into(), proof_context.clone());
        }
    }
    Ok(document)
}

/// Which canonical N-Quads an `*-rdfc-*` suite hashes.
#[derive(Debug, Clone, Copy)]
enum Canonical {
    /// RDFC-1.0, which Sigil signs with.
    Rdfc,
    /// What `ssi` 0.16 gave, which Sigil signed with before (`jsonld::canonicalize_as_ssi_0_16`).
    Ssi016,
}

/// `SHA-256(canonical proof configuration) || SHA-256(canonical document)`.
async fn hash_data(
    suite: Cryptosuite,
    document: &Map<String, Value>,
    configuration: &Map<String, Value>,
    canonical: Canonical,
) -> Result<Vec<u8>, ProofError> {
    let canonicalize = async |document: Value| match canonical {
        Canonical::Rdfc => jsonld::canonicalize(&document).await,
        Canonical::Ssi016 => jsonld::canonicalize_as_ssi_0_16(&document).await,
    };
    let (config_bytes, document_bytes) = if suite.uses_rdfc() {
        // The proof configuration is interpreted in the document's context (§3.3.5).
        let mut configuration = configuration.clone();
        if let Some(context) = document.get("@context") {
            configuration.insert("@context".into(), context.clone());
        }
        let config = canonicalize(Value::Object(configuration)).await?.concat();
        let document = canonicalize(Value::Object(document.clone())).await?.concat();
        (config.into_bytes(), document.into_bytes())
    } else {
        let jcs =
            |value: &Map<String, Value>| serde_jcs::to_vec(value).map_err(|e| ProofError::Jcs(e.to_string()));
        (jcs(configuration)?, jcs(document)?)
    };
    let mut hash = Sha256::digest(&config_bytes).to_vec();
    hash.extend_from_slice(&Sha256::digest(&document_bytes));
    Ok(hash)
}

fn context_starts_with(document: Option<&Value>, prefix: &Value) -> bool {
    let as_list = |value: &Value| match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let Some(document) = document else { return false };
    let document = as_list(document);
    let prefix = as_list(prefix);
    document.len() >= prefix.len() && document.iter().zip(&prefix).all(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contexts::{CREDENTIALS_V2, SIGIL_V1};
    use crate::test_support::block_on;
    use serde_json::json;

    fn key() -> SigningKey {
        SigningKey::from_seed(&[5; 32])
    }

    fn options(suite: Cryptosuite) -> ProofOptions {
        ProofOptions {
            cryptosuite: suite,
            verification_method: key().did_key_method(),
            purpose: Relationship::AssertionMethod,
            created: crate::time::parse_datetime("2026-06-30T12:00:00Z").unwrap(),
            challenge: None,
            domain: None,
        }
    }

    fn diploma() -> Value {
        json!({
            "@context": [CREDENTIALS_V2, SIGIL_V1],
            "type": ["VerifiableCredential", "UniversityDegreeCredential"],
            "issuer": key().did_key().to_string(),
            "validFrom": "2026-06-30T00:00:00Z",
            "credentialSubject": {"id": "did:example:ada", "name": "Ada Lovelace",
                                   "degree": {"type": "BachelorDegree", "name": "BSc Mathematics"}}
        })
    }

    fn round_trip(suite: Cryptosuite) {
        let signed = block_on(sign(&diploma(), &key(), &options(suite))).unwrap();
        let (unsecured, proof) = split(&signed).unwrap();
        assert_eq!(proof.cryptosuite, suite);
        block_on(verify(&unsecured, &proof, &key().public_key())).unwrap();

        let mut tampered = signed;
        tampered["credentialSubject"]["name"] = json!("Ada Lovelacf");
        let (unsecured, proof) = split(&tampered).unwrap();
        let err = block_on(verify(&unsecured, &proof, &key().public_key())).unwrap_err();
        assert_eq!(err, ProofError::Signature(KeyError::BadSignature));
    }

    #[test]
    fn eddsa_rdfc_2022_signs_and_detects_a_changed_claim() {
        round_trip(Cryptosuite::EddsaRdfc2022);
    }

    /// Before Sigil labelled blank nodes itself it signed the bytes `ssi` 0.16 gave, which
    /// differ from RDFC-1.0's where blank nodes are alike. Such a signature still verifies;
    /// a changed claim under it still does not.
    #[test]
    fn a_signature_over_the_bytes_ssi_0_16_gave_still_verifies() {
        let subject = json!({"name": "Ada"});
        let document = json!({
            "@context": [CREDENTIALS_V2, SIGIL_V1],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [
                {"@context": [CREDENTIALS_V2, SIGIL_V1], "type": ["VerifiableCredential"],
                 "issuer": "did:example:1", "credentialSubject": [subject,
                    {"name": "Ada", "degree": {"type": "BachelorDegree", "name": "BSc"}}]},
                {"@context": [CREDENTIALS_V2, SIGIL_V1], "type": ["VerifiableCredential"],
                 "issuer": "did:example:1", "credentialSubject": [subject]}
            ]
        });
        let suite = Cryptosuite::EddsaRdfc2022;
        let signed = block_on(sign(&document, &key(), &options(suite))).unwrap();
        let (unsecured, proof) = split(&signed).unwrap();
        let standard = block_on(hash_data(
            suite,
            &unsecured,
            &proof.configuration,
            Canonical::Rdfc,
        ))
        .unwrap();
        let then = block_on(hash_data(
            suite,
            &unsecured,
            &proof.configuration,
            Canonical::Ssi016,
        ))
        .unwrap();
        assert_ne!(standard, then, "ssi 0.16 must label this document otherwise");

        let mut legacy = signed;
        legacy["proof"]["proofValue"] =
            multibase::encode(multibase::Base::Base58Btc, key().sign(&then)).into();
        let (unsecured, proof) = split(&legacy).unwrap();
        block_on(verify(&unsecured, &proof, &key().public_key())).unwrap();

        legacy["verifiableCredential"][1]["credentialSubject"][0]["name"] = json!("Adb");
        let (unsecured, proof) = split(&legacy).unwrap();
        assert_eq!(
            block_on(verify(&unsecured, &proof, &key().public_key())).unwrap_err(),
            ProofError::Signature(KeyError::BadSignature)
        );
    }

    #[test]
    fn eddsa_jcs_2022_signs_and_detects_a_changed_claim() {
        round_trip(Cryptosuite::EddsaJcs2022);
    }

    #[test]
    fn an_unknown_cryptosuite_is_named_in_the_error() {
        let mut signed = block_on(sign(&diploma(), &key(), &options(Cryptosuite::EddsaRdfc2022))).unwrap();
        signed["proof"]["cryptosuite"] = json!("rot13-2024");
        assert_eq!(
            split(&signed).unwrap_err(),
            ProofError::UnsupportedCryptosuite("rot13-2024".into())
        );
    }

    #[test]
    fn an_ed25519_proof_does_not_verify_with_a_p256_key() {
        let signed = block_on(sign(&diploma(), &key(), &options(Cryptosuite::EddsaRdfc2022))).unwrap();
        let (unsecured, proof) = split(&signed).unwrap();
        let p256 = PublicKey::P256(
            *p256::ecdsa::SigningKey::from_slice(&[9; 32])
                .unwrap()
                .verifying_key(),
        );
        assert!(matches!(
            block_on(verify(&unsecured, &proof, &p256)),
            Err(ProofError::KeyMismatch { .. })
        ));
    }

    #[test]
    fn malformed_proofs_are_refused_with_a_reason() {
        let signed = block_on(sign(&diploma(), &key(), &options(Cryptosuite::EddsaRdfc2022))).unwrap();
        for (field, value) in [
            ("proofValue", json!("not-multibase!")),
            ("proofValue", json!(12)),
            ("created", json!("yesterday")),
            ("type", json!("Ed25519Signature2020")),
        ] {
            let mut bad = signed.clone();
            bad["proof"][field] = value;
            assert!(split(&bad).is_err(), "{field}");
        }
        let mut no_proof = signed;
        no_proof.as_object_mut().unwrap().remove("proof");
        assert_eq!(split(&no_proof).unwrap_err(), ProofError::MissingProof);
    }
}
