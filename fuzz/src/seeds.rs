//! How the valid inputs of the seed corpus are made: real diplomas, presentations, tokens,
//! operations and messages, signed with the fixture keys by Sigil's own builders, the way the
//! services make them. `examples/seed_corpus.rs` writes them to `fuzz/corpus/`; they are
//! checked in, so the fuzz tests read files and a change to a builder does not silently change
//! what is fuzzed. (SD-JWT salts are random, so a rerun changes those files; any run is as
//! good a seed.)

use serde_json::{Value, json};
use sigil_core::data_integrity::{self, Cryptosuite, ProofOptions};
use sigil_core::did::document::Relationship;
use sigil_core::did::sigil::digest::key_commitment;
use sigil_core::did::sigil::operation::{self, DidOperation, OperationKind, Purpose};
use sigil_core::format::CredentialFormat;
use sigil_core::issue::{self, CredentialRequest};
use sigil_core::jose;
use sigil_core::key::SigningKey;
use sigil_core::merkle;
use sigil_core::model::CredentialType;
use sigil_core::model::status_list::Bitstring;
use sigil_core::sd_jwt;
use sigil_core::transaction::{
    self, Accreditation, AccreditationRevocation, BlockHeader, Receipt, StatusListPublication, Transaction,
};

use crate::fixtures::{self, NONCE, NOW, SIGNED_AT, time};

/// One seed: the target (corpus directory), the file name and the bytes.
#[derive(Debug, Clone)]
pub struct Seed {
    pub target: &'static str,
    pub file: &'static str,
    pub bytes: Vec<u8>,
}

fn seed(target: &'static str, file: &'static str, text: impl Into<String>) -> Seed {
    Seed {
        target,
        file,
        bytes: text.into().into_bytes(),
    }
}

/// Why a seed could not be made (a builder refused the fixtures: a bug to fix here).
pub type SeedError = String;

fn block_on<F: Future>(future: F) -> Result<F::Output, SeedError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(|runtime| runtime.block_on(future))
        .map_err(|e| e.to_string())
}

/// The diploma of the verification tests, issued by the university's `did:key`.
fn diploma(format: CredentialFormat) -> Result<String, SeedError> {
    let university = fixtures::university();
    let student = fixtures::student();
    let claims = json!({
        "name": "Ada Lovelace",
        "studentId": "S-1815",
        "dateOfBirth": "1815-12-10",
        "degree": {"type": "BachelorDegree", "name": "BSc Mathematics"},
        "fieldOfStudy": "Mathematics",
        "graduationDate": "2026-06-30"
    });
    let request = CredentialRequest {
        credential_type: CredentialType::find_builtin("UniversityDegreeCredential")
            .ok_or("no UniversityDegreeCredential type")?,
        issuer: university.did_key(),
        subject: Some(student.did_key()),
        claims: claims.as_object().cloned().unwrap_or_default(),
        valid_from: time("2026-06-30T00:00:00Z"),
        valid_until: None,
        status: None,
        schema: None,
        holder_key: Some(student.public_key()),
    };
    block_on(request.issue(format, &university, &university.did_key_method(), time(SIGNED_AT)))?
        .map_err(|e| format!("issuing {format:?}: {e}"))
}

/// The university's `did:sigil` inception (controller, next key, `key-1` for assertions).
pub fn university_inception() -> Result<Transaction, SeedError> {
    let methods = vec![operation::method(
        "key-1",
        &fixtures::assertion_key().public_key(),
        &[Purpose::AssertionMethod],
    )];
    operation::create(
        &fixtures::controller(),
        &fixtures::next_controller().public_key(),
        methods,
        time("2026-01-02T00:00:00Z"),
    )
    .map(Transaction::Did)
    .map_err(|e| e.to_string())
}

fn inception_operation() -> Result<DidOperation, SeedError> {
    match university_inception()? {
        Transaction::Did(operation) => Ok(operation),
        _ => Err("the inception is not a DID operation".into()),
    }
}

/// An operation on the university's DID after its inception, signed by `key`.
fn change(
    kind: OperationKind,
    key: &SigningKey,
    edit: impl FnOnce(&mut DidOperation),
) -> Result<DidOperation, SeedError> {
    let inception = inception_operation()?;
    let mut op = DidOperation::new(kind, time("2026-03-01T00:00:00Z"));
    op.did = Some(inception.created_did().map_err(|e| e.to_string())?.to_string());
    op.prev = Some(inception.hash().map_err(|e| e.to_string())?);
    edit(&mut op);
    op.sign(key).map_err(|e| e.to_string())
}

/// The root of trust's accreditation of the university's `did:sigil` for diplomas.
pub fn accreditation() -> Result<Transaction, SeedError> {
    let root = fixtures::root_of_trust();
    let university = inception_operation()?.created_did().map_err(|e| e.to_string())?;
    let mut grant = Accreditation {
        root: root.did_key().to_string(),
        issuer: university.to_string(),
        role: Default::default(),
        legal_name: Some(
            sigil_core::names::LegalName::new("en", "Example University")
                .and_then(|name| name.with("zh-CN", "示例大学"))
                .map_err(|e| e.to_string())?,
        ),
        credential_types: vec!["UniversityDegreeCredential".into()],
        valid_from: "2026-01-02T00:00:00Z".into(),
        valid_until: Some("2030-01-01T00:00:00Z".into()),
        proof: None,
    };
    grant.proof =
        Some(transaction::statement::sign(&grant, &root, &root.did_key_method()).map_err(|e| e.to_string())?);
    Ok(Transaction::Accreditation(grant))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, SeedError> {
    serde_json::to_string_pretty(value).map_err(|e| e.to_string())
}

/// Every valid seed of every target.
/// A VCDM 1.1 diploma signed with `eddsa-rdfc-2022` (the Data Integrity context appended by
/// the signer), as issuers still on the older model write it.
fn vcdm1_diploma() -> Result<String, SeedError> {
    let university = fixtures::university();
    let student = fixtures::student();
    let unsigned = json!({
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/sigil/contexts/v1"],
        "id": "urn:uuid:5e0b8a61-3c1f-4bb4-9d36-1f1b2f0d6a11",
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": university.did_key().to_string(),
        "issuanceDate": "2026-06-30T00:00:00Z",
        "credentialSubject": {
            "id": student.did_key().to_string(),
            "studentId": "S-1815",
            "fieldOfStudy": "Mathematics"
        }
    });
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: university.did_key_method(),
        purpose: Relationship::AssertionMethod,
        created: time(SIGNED_AT),
        challenge: None,
        domain: None,
    };
    let signed = block_on(data_integrity::sign(&unsigned, &university, &options))?
        .map_err(|e| format!("signing a VCDM 1.1 diploma: {e}"))?;
    to_json(&signed)
}

/// A VC-JWT of VCDM 1.1 (`typ` `JWT`, the credential under `vc`, the registered claims
/// carrying issuer, subject, id and dates).
fn vc_jwt_v1_diploma() -> Result<String, SeedError> {
    let university = fixtures::university();
    let student = fixtures::student();
    let claims = json!({
        "iss": university.did_key().to_string(),
        "sub": student.did_key().to_string(),
        "jti": "urn:uuid:0f4a8f3e-8d0c-4f43-9a57-3c0f51c1e6b2",
        "nbf": time("2026-06-30T00:00:00Z").timestamp(),
        "iat": time(SIGNED_AT).timestamp(),
        "vc": {
            "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/sigil/contexts/v1"],
            "type": ["VerifiableCredential", "UniversityDegreeCredential"],
            "credentialSubject": {
                "studentId": "S-1815",
                "fieldOfStudy": "Mathematics"
            }
        }
    });
    jose::sign_compact(&claims, "JWT", &university.did_key_method(), &university).map_err(|e| e.to_string())
}

pub fn all() -> Result<Vec<Seed>, SeedError> {
    let university = fixtures::university();
    let student = fixtures::student();
    let verifier = fixtures::verifier();
    let now = time(NOW);
    let client_id = fixtures::client_id();

    let ldp = diploma(CredentialFormat::LdpVc)?;
    let vc_jwt = diploma(CredentialFormat::VcJwt)?;
    let sd = diploma(CredentialFormat::SdJwt)?;
    let ldp_value: Value = serde_json::from_str(&ldp).map_err(|e| e.to_string())?;
    let di_vp = block_on(issue::data_integrity_presentation(
        vec![ldp_value],
        &student.did_key(),
        &student,
        &student.did_key_method(),
        NONCE,
        &client_id,
        now,
    ))?
    .map_err(|e| e.to_string())?;
    let di_vp = to_json(&di_vp)?;
    let vp_jwt = issue::jwt_presentation(
        &[vc_jwt.as_str()],
        &student.did_key(),
        &student,
        &student.did_key_method(),
        NONCE,
        &client_id,
        now,
    )
    .map_err(|e| e.to_string())?;
    let sd_presented = sd_jwt::present(&sd, &["name", "degree"], &student, NONCE, &client_id, now)
        .map_err(|e| e.to_string())?;

    // The verifier's request object, as `sigil-verifier` signs it.
    let dcql = json!({"credentials": [
        {"id": "diploma", "format": "ldp_vc",
         "meta": {"type_values": [["UniversityDegreeCredential"]]},
         "claims": [{"path": ["credentialSubject", "name"]}, {"path": ["credentialSubject", "degree", "name"]}]},
        {"id": "diploma_jwt", "format": "jwt_vc_json",
         "meta": {"type_values": [["VerifiableCredential", "UniversityDegreeCredential"]]}},
        {"id": "diploma_sd", "format": "dc+sd-jwt",
         "meta": {"vct_values": ["UniversityDegreeCredential"]},
         "claims": [{"id": "n", "path": ["name"]}, {"id": "d", "path": ["degree", null], "values": ["BachelorDegree"]}],
         "claim_sets": [["n", "d"], ["n"]]}
    ],
    "credential_sets": [{"options": [["diploma"], ["diploma_jwt"], ["diploma_sd"]], "required": true}]});
    let request_payload = json!({
        "iss": client_id, "aud": "https://self-issued.me/v2", "client_id": client_id,
        "response_type": "vp_token", "response_mode": "direct_post",
        "response_uri": "https://verifier.example/requests/3f2a/response",
        "nonce": NONCE, "state": "st-7Hq", "dcql_query": dcql,
        "iat": 1_795_003_200, "exp": 4_102_444_800_i64,
        "client_metadata": {"client_name": "Example Employer",
            "vp_formats_supported": {"jwt_vc_json": {"alg_values": ["EdDSA", "ES256"]}}}
    });
    let request_jwt = jose::sign_compact(
        &request_payload,
        "oauth-authz-req+jwt",
        &verifier.did_key_method(),
        &verifier,
    )
    .map_err(|e| e.to_string())?;

    // A wallet's key proof for the issuer (OpenID4VCI Appendix F.1).
    let key_proof = jose::sign_compact(
        &json!({"aud": fixtures::ISSUER_URL, "iat": now.timestamp(), "nonce": "c-nonce-81d2"}),
        "openid4vci-proof+jwt",
        &student.did_key_method(),
        &student,
    )
    .map_err(|e| e.to_string())?;
    // The same proof carrying the holder's public JWK instead of a `kid`.
    let jwk_header = json!({"typ": "openid4vci-proof+jwt", "jwk": student.public_key().to_jwk().to_value()});
    let jwk_header = josekit::jws::JwsHeader::from_map(jwk_header.as_object().cloned().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let key_proof_jwk = jose::sign_compact_with_header(
        &json!({"aud": fixtures::ISSUER_URL, "iat": now.timestamp(), "nonce": "c-nonce-81d2"}),
        &jwk_header,
        &student,
    )
    .map_err(|e| e.to_string())?;
    let configuration =
        sigil_issuer::http::oid4vci::configuration_id("UniversityDegreeCredential", CredentialFormat::LdpVc);

    // Registry transactions against the university's did:sigil.
    let inception = university_inception()?;
    let inception_op = inception_operation()?;
    let university_sigil = inception_op.created_did().map_err(|e| e.to_string())?;
    let update = change(OperationKind::Update, &fixtures::controller(), |op| {
        op.add_methods = vec![operation::method(
            "key-2",
            &fixtures::university().public_key(),
            &[Purpose::AssertionMethod, Purpose::Authentication],
        )];
        op.services = Some(vec![
            json!({"id": "#portal", "type": "LinkedDomains", "serviceEndpoint": "https://uni.example"}),
        ]);
    })?;
    let rotate = change(OperationKind::Rotate, &fixtures::next_controller(), |op| {
        op.controller_key = Some(fixtures::next_controller().public_key().to_multikey());
        op.next_key_commitment = Some(key_commitment(&fixtures::student().public_key().to_multikey()));
        op.compromised_methods = vec![operation::Compromise {
            id: "key-1".into(),
            since: "2026-02-01T00:00:00Z".into(),
        }];
    })?;
    let deactivate = change(OperationKind::Deactivate, &fixtures::next_controller(), |_| {})?;
    let root = fixtures::root_of_trust();
    let grant = accreditation()?;
    let mut revocation = AccreditationRevocation {
        root: root.did_key().to_string(),
        accreditation: grant.hash().map_err(|e| e.to_string())?,
        time: "2026-11-28T11:00:00Z".into(),
        proof: None,
    };
    revocation.proof = Some(
        transaction::statement::sign(&revocation, &root, &root.did_key_method())
            .map_err(|e| e.to_string())?,
    );
    let assertion_method = format!("{university_sigil}#key-1");
    let hashes = vec![
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_owned(),
        "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752".to_owned(),
    ];
    let mut anchor = transaction::anchor::unsigned(university_sigil.as_str(), hashes, "2026-11-28T11:30:00Z");
    anchor.proof = Some(
        transaction::statement::sign(&anchor, &fixtures::assertion_key(), &assertion_method)
            .map_err(|e| e.to_string())?,
    );
    let mut bits = Bitstring::new();
    bits.set(42, 1, 1).map_err(|e| e.to_string())?;
    let encoded_list = bits.encode().map_err(|e| e.to_string())?;
    let status_credential = status_list_credential(
        &university_sigil.to_string(),
        &assertion_method,
        &fixtures::assertion_key(),
        &encoded_list,
    )?;
    let publication = Transaction::StatusList(StatusListPublication {
        credential: status_credential,
    });
    let receipt = receipt_for(&[inception, grant.clone(), publication.clone()], 1)?;

    let update_tx = Transaction::Did(update.clone());
    let anchor_tx = Transaction::Anchor(anchor);
    let revocation_tx = Transaction::RevokeAccreditation(revocation);
    let json_numbers = r#"{"big": 18446744073709551616, "neg": -0, "exp": 1e400, "small": 1.0e-400,
 "escaped": "\u00e9\ud83d\udca9\n\"", "nested": [[[{"a": [null, true, false]}]]], "empty": {}}"#;

    Ok(vec![
        seed("json", "valid-diploma-ldp.json", ldp.clone()),
        seed("json", "valid-presentation-ldp.json", di_vp.clone()),
        seed(
            "json",
            "valid-request-object-claims.json",
            to_json(&request_payload)?,
        ),
        seed("json", "valid-numbers-and-escapes.json", json_numbers),
        seed("jws", "valid-vc-jwt.txt", vc_jwt.clone()),
        seed("jws", "valid-vp-jwt.txt", vp_jwt.clone()),
        seed("jws", "valid-request-object.jwt", request_jwt.clone()),
        seed("jws", "valid-key-proof.jwt", key_proof.clone()),
        seed("sd_jwt", "valid-issued.txt", sd.clone()),
        seed("sd_jwt", "valid-presented-with-kb.txt", sd_presented.clone()),
        seed(
            "sd_jwt",
            "valid-nested-and-array-disclosures.txt",
            nested_sd_jwt(&university)?,
        ),
        seed("did", "valid-did-key.txt", university.did_key().to_string()),
        seed(
            "did",
            "valid-did-web.txt",
            "did:web:uni.example%3A8443:registrar:keys",
        ),
        seed("did", "valid-did-key-method.txt", university.did_key_method()),
        seed(
            "did",
            "valid-did-jwk.txt",
            sigil_core::did::jwk::did_for(&student.public_key()).to_string(),
        ),
        seed("did", "valid-did-sigil-method.txt", assertion_method),
        seed(
            "did",
            "valid-did-url-path-query.txt",
            format!("{university_sigil}/path/x?versionTime=2026-01-01T00:00:00Z#key-1"),
        ),
        seed(
            "did",
            "valid-percent-encoded.txt",
            "did:web:example.com%3A8443:users:alice",
        ),
        seed("did_operation", "valid-create.json", to_json(&inception_op)?),
        seed("did_operation", "valid-update.json", to_json(&update)?),
        seed("did_operation", "valid-rotate.json", to_json(&rotate)?),
        seed("did_operation", "valid-deactivate.json", to_json(&deactivate)?),
        seed("ledger_transaction", "valid-update.json", to_json(&update_tx)?),
        seed("ledger_transaction", "valid-accreditation.json", to_json(&grant)?),
        seed("ledger_transaction", "valid-anchor.json", to_json(&anchor_tx)?),
        seed(
            "ledger_transaction",
            "valid-status-list.json",
            to_json(&publication)?,
        ),
        seed(
            "ledger_transaction",
            "valid-revoke-accreditation.json",
            to_json(&revocation_tx)?,
        ),
        seed(
            "ledger_transaction",
            "valid-did-rotate.json",
            to_json(&Transaction::Did(rotate))?,
        ),
        seed("receipt", "valid-receipt.json", to_json(&receipt)?),
        seed("status_list", "valid-one-revoked.txt", encoded_list.clone()),
        seed(
            "status_list",
            "valid-empty.txt",
            Bitstring::new().encode().map_err(|e| e.to_string())?,
        ),
        seed("dcql", "valid-three-formats.json", to_json(&dcql)?),
        seed(
            "dcql",
            "valid-single-ldp.json",
            r#"{"credentials": [{"id": "degree", "format": "ldp_vc", "multiple": false, "meta": {"type_values": [["UniversityDegreeCredential"]]}, "claims": [{"path": ["credentialSubject", "courses", 0, "title"]}]}]}"#,
        ),
        seed("openid4vp_request", "valid-request-object.jwt", request_jwt),
        seed(
            "openid4vp_uri",
            "valid-link.txt",
            format!(
                "openid4vp://?client_id={}&request_uri={}",
                url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect::<String>(),
                "https%3A%2F%2Fverifier.example%2Frequests%2F3f2a%2Frequest.jwt",
            ),
        ),
        seed(
            "vp_token",
            "valid-sd-jwt.form",
            form(&json!({"diploma_sd": [sd_presented]}), "st-7Hq")?,
        ),
        seed(
            "vp_token",
            "valid-ldp.form",
            form(
                &json!({"diploma": [serde_json::from_str::<Value>(&di_vp).map_err(|e| e.to_string())?]}),
                "st-7Hq",
            )?,
        ),
        seed(
            "vp_token",
            "valid-vp-jwt.form",
            form(&json!({"diploma_jwt": vp_jwt}), "st-7Hq")?,
        ),
        seed(
            "vp_token",
            "valid-declined.form",
            "error=access_denied&error_description=The+holder+said+no&state=st-7Hq",
        ),
        seed(
            "oid4vci_credential_request",
            "valid-proofs.json",
            to_json(&json!({"credential_configuration_id": configuration, "proofs": {"jwt": [key_proof]}}))?,
        ),
        seed(
            "oid4vci_credential_request",
            "valid-single-proof.json",
            to_json(
                &json!({"credential_configuration_id": configuration, "proof": {"proof_type": "jwt", "jwt": key_proof}}),
            )?,
        ),
        seed(
            "oid4vci_credential_request",
            "valid-proof-with-jwk.json",
            to_json(
                &json!({"credential_configuration_id": configuration, "proofs": {"jwt": [key_proof_jwk]}}),
            )?,
        ),
        seed(
            "csv_batch",
            "valid-class.csv",
            concat!(
                "name,studentId,dateOfBirth,degree.type,degree.name,fieldOfStudy,honours,graduationDate\n",
                "Ada Lovelace,S-1,1815-12-10,BachelorDegree,BSc Mathematics,Mathematics,First Class,2026-06-30\n",
                "\"Turing, Alan\",S-2,1912-06-23,DoctoralDegree,PhD Mathematics,Mathematics,,2026-06-30\n"
            ),
        ),
        seed(
            "csv_batch",
            "valid-crlf-quoted.csv",
            concat!(
                "name,studentId,dateOfBirth,degree.type,degree.name,fieldOfStudy,graduationDate\r\n",
                "\"Grace \"\"Amazing\"\" Hopper\",S-3,1906-12-09,MasterDegree,MSc Mathematics,Mathematics,2026-06-30\r\n"
            ),
        ),
        seed("verify", "valid-diploma-ldp.json", ldp),
        seed("verify", "valid-diploma-vc-jwt.txt", vc_jwt),
        seed("verify", "valid-diploma-sd-jwt.txt", sd),
        seed("verify", "valid-presentation-ldp.json", di_vp),
        seed("verify", "valid-presentation-vp-jwt.txt", vp_jwt),
        seed("verify", "valid-diploma-vcdm1-ldp.json", vcdm1_diploma()?),
        seed("verify", "valid-diploma-vc-jwt-v1.txt", vc_jwt_v1_diploma()?),
        seed(
            "verify",
            "valid-status-list-credential.json",
            to_json(&status_list_credential(
                university.did_key().as_str(),
                &university.did_key_method(),
                &university,
                &encoded_list,
            )?)?,
        ),
    ])
}

/// A `BitstringStatusListCredential` as the issuer publishes it, signed by `key` as `method`.
fn status_list_credential(
    issuer: &str,
    method: &str,
    key: &SigningKey,
    encoded_list: &str,
) -> Result<Value, SeedError> {
    let list_id = "https://uni.example/status/revocation/1";
    let unsigned = json!({
        "@context": [sigil_core::contexts::CREDENTIALS_V2],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-11-28T11:45:00Z",
        "credentialSubject": {"id": format!("{list_id}#list"), "type": "BitstringStatusList",
            "statusPurpose": "revocation", "encodedList": encoded_list},
    });
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: method.to_owned(),
        purpose: Relationship::AssertionMethod,
        created: time("2026-11-28T11:45:00Z"),
        challenge: None,
        domain: None,
    };
    block_on(data_integrity::sign(&unsigned, key, &options))?.map_err(|e| e.to_string())
}

/// An SD-JWT with what Sigil's issuer never writes but its verifier reads (RFC 9901 §4.2):
/// a digest inside a nested object and an array element disclosed on its own.
fn nested_sd_jwt(key: &SigningKey) -> Result<String, SeedError> {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sha2::{Digest as _, Sha256};
    let encode = |value: Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let digest = |encoded: &str| URL_SAFE_NO_PAD.encode(Sha256::digest(encoded.as_bytes()));
    let degree_name = encode(json!(["2GLC42sKQveCfGfryNRN9w", "name", "BSc Mathematics"]));
    let language = encode(json!(["eluV5Og3gSNII8EYnsxA_A", "en"]));
    let payload = json!({
        "iss": key.did_key().to_string(),
        "vct": "UniversityDegreeCredential",
        "iat": time(SIGNED_AT).timestamp(),
        "degree": {"type": "BachelorDegree", "_sd": [digest(&degree_name)]},
        "languages": ["fr", {"...": digest(&language)}],
        "_sd_alg": "sha-256",
    });
    let jwt = jose::sign_compact(&payload, sd_jwt::SD_JWT_VC_TYPE, &key.did_key_method(), key)
        .map_err(|e| e.to_string())?;
    Ok(format!("{jwt}~{degree_name}~{language}~"))
}

/// A `direct_post` body, as a wallet sends it.
fn form(vp_token: &Value, state: &str) -> Result<String, SeedError> {
    serde_urlencoded::to_string([("vp_token", vp_token.to_string().as_str()), ("state", state)])
        .map_err(|e| format!("form: {e}"))
}

/// A receipt for transaction `index` of a block holding `transactions`.
fn receipt_for(transactions: &[Transaction], index: usize) -> Result<Receipt, SeedError> {
    let hashes = transactions
        .iter()
        .map(Transaction::hash)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let leaves: Vec<_> = hashes.iter().map(|h| merkle::leaf_hash(h.as_bytes())).collect();
    let header = BlockHeader {
        chain_id: "sigil-test".into(),
        height: 7,
        prev_hash: "zQmPrevious".into(),
        time: NOW.into(),
        tx_root: merkle::hex(&merkle::root(&leaves)),
        state_root: "zQmState".into(),
        state_tree_root: None,
        proposer: fixtures::root_of_trust().public_key().to_multikey(),
        signature: None,
    };
    Ok(Receipt {
        tx_hash: hashes.get(index).cloned().ok_or("no such transaction")?,
        height: 7,
        index,
        block_size: leaves.len(),
        inclusion_proof: merkle::audit_path(&leaves, index)
            .iter()
            .map(merkle::hex)
            .collect(),
        header,
    })
}
