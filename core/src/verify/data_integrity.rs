//! Verifying Data Integrity credentials and presentations, in VCDM 2.0 or 1.1, secured with
//! `DataIntegrityProof` or `Ed25519Signature2020`. A credential may carry a proof set or
//! chain (VC DI §2.1.1–2.1.2): it verifies only when every proof does, and the report has a
//! `signing_key` and a `proof` check for each.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::report::{Check, Subject, VerificationReport, check_id};
use super::{DeferredSignatures, Expectations, Role, SignedCredential, VerificationError, Verifier};
use crate::data_integrity::proof_set;
use crate::data_integrity::{self, Proof, ProofError};
use crate::did::document::Relationship;
use crate::did::{Did, DidUrl};
use crate::format::CredentialFormat;
use crate::jsonld::JsonLdError;
use crate::jsonld::compact_form;
use crate::key::PublicKey;
use crate::model::{Credential, Presentation};
use crate::time::format_datetime;

impl Verifier<'_> {
    pub(crate) async fn verify_di_credential(
        &self,
        value: &Value,
        expect: &Expectations,
        role: Role,
    ) -> Result<VerificationReport, VerificationError> {
        let mut report = VerificationReport::new(Subject::Credential, CredentialFormat::LdpVc);
        compact_form::check(value).map_err(|e| VerificationError::Input(e.to_string()))?;
        let credential = Credential::from_json(value).map_err(|e| VerificationError::Input(e.to_string()))?;
        let issuer = parse_did(credential.issuer.id(), "issuer")?;
        report.issuer = Some(issuer.to_string());
        report.types = credential.types.clone();
        report.claims = Some(credential.claims());
        let Some((unsecured, mut proofs)) = split_proofs(value, &mut report)? else {
            return Ok(report.finish());
        };
        proof_set::sort_by_creation(&mut proofs);
        let suites: Vec<&str> = proofs.iter().map(|proof| proof.cryptosuite.name()).collect();
        report.push(Check::passed(
            check_id::FORMAT,
            format!(
                "A {} Data Integrity credential secured with {}.",
                credential.data_model.name(),
                match suites.as_slice() {
                    [one] => (*one).to_owned(),
                    several => format!("{} proofs ({})", several.len(), several.join(", ")),
                }
            ),
        ));
        // The issuer's own proof gives the signing time and key the later checks use; any
        // other proof is an endorsement, checked against its own signer's DID.
        let issuer_proof = proofs
            .iter()
            .find(|proof| signer_of(proof).as_ref() == Some(&issuer))
            .or(proofs.first())
            .ok_or_else(|| VerificationError::Input("the document has no proof".into()))?;
        self.check_proofs(&issuer, &unsecured, &proofs, issuer_proof, &mut report)
            .await?;
        let proof = issuer_proof;
        let signed = SignedCredential {
            issuer,
            issuer_name: credential.issuer.name(),
            method_id: proof.verification_method.clone(),
            signed_at: proof.created,
            types: credential.types,
            valid_from: credential.valid_from,
            valid_until: credential.valid_until,
            validity_conflicts: Vec::new(),
            status: credential.status,
            issued: super::Issued::Json(as_issued(&unsecured, &proofs, proof, value)),
        };
        self.credential_checks(&signed, expect, role, &mut report).await?;
        Ok(report.finish())
    }

    /// The `signing_key` and `proof` checks of every proof of a credential (one, or a set or
    /// chain), labelled "Proof N of M" in order of creation when there are several. The issuer's proof is checked
    /// against the issuer's DID; any other against the DID of its own verification method. A
    /// chained proof is verified after the proofs it names, and fails unless they verified.
    async fn check_proofs(
        &self,
        issuer: &Did,
        unsecured: &Map<String, Value>,
        proofs: &[Proof],
        issuer_proof: &Proof,
        report: &mut VerificationReport,
    ) -> Result<(), VerificationError> {
        let mut verified: Vec<&str> = Vec::with_capacity(proofs.len());
        for index in proof_set::verification_order(proofs) {
            let Some(proof) = proofs.get(index) else {
                continue;
            };
            let label = (proofs.len() > 1).then(|| format!("Proof {} of {}: ", index + 1, proofs.len()));
            let label = label.as_deref().unwrap_or_default();
            let signer = if std::ptr::eq(proof, issuer_proof) {
                issuer.clone()
            } else {
                match signer_of(proof) {
                    Some(signer) => signer,
                    None => {
                        report.push(Check::failed(
                            check_id::SIGNING_KEY,
                            format!("{label}{} is not a DID URL.", proof.verification_method),
                        ));
                        continue;
                    }
                }
            };
            if proof.proof_purpose != Relationship::AssertionMethod.name() {
                report.push(Check::failed(
                    check_id::PROOF,
                    format!(
                        "{label}The proof purpose is {:?}; a credential needs assertionMethod.",
                        proof.proof_purpose
                    ),
                ));
                continue;
            }
            let key = self
                .signing_key(
                    &signer,
                    &proof.verification_method,
                    Relationship::AssertionMethod,
                    proof.created,
                    &mut report.checks,
                )
                .await?;
            if let Some(broken) = proof.previous.iter().find(|id| !verified.contains(&id.as_str())) {
                report.push(Check::failed(
                    check_id::PROOF,
                    format!("{label}It is chained to the proof {broken}, which does not verify before it."),
                ));
                continue;
            }
            let covered = proof_set::covered_document(unsecured, proofs, proof)
                .map_err(|e| VerificationError::Input(e.to_string()))?;
            let mut check = self.proof_check(&covered, proof, key).await?;
            check.message = format!("{label}{}", check.message);
            if let (super::Outcome::Passed, Some(id)) = (check.outcome, &proof.id) {
                verified.push(id);
            }
            report.push(check);
        }
        Ok(())
    }

    /// Verifies a Data Integrity presentation, its credentials' Ed25519 signatures and the
    /// holder's in one batch (`super::batch`); when the batch fails, one by one.
    pub(crate) async fn verify_di_presentation(
        &self,
        value: &Value,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        if self.deferred_signatures.is_none() {
            let deferred = DeferredSignatures::new();
            let batched = Verifier {
                deferred_signatures: Some(&deferred),
                ..*self
            };
            let report = batched.verify_di_presentation_once(value, expect).await?;
            if deferred.all_verify() {
                return Ok(report);
            }
        }
        self.verify_di_presentation_once(value, expect).await
    }

    async fn verify_di_presentation_once(
        &self,
        value: &Value,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        let mut report = VerificationReport::new(Subject::Presentation, CredentialFormat::LdpVc);
        compact_form::check(value).map_err(|e| VerificationError::Input(e.to_string()))?;
        let presentation =
            Presentation::from_json(value).map_err(|e| VerificationError::Input(e.to_string()))?;
        let Some((unsecured, proof)) = split_proof(value, &mut report)? else {
            return Ok(report.finish());
        };
        report.push(Check::passed(
            check_id::FORMAT,
            format!(
                "A {} Data Integrity presentation secured with {}.",
                presentation.data_model.name(),
                proof.cryptosuite.name()
            ),
        ));
        let signer = DidUrl::parse(&proof.verification_method)
            .map_err(|e| VerificationError::Input(format!("proof verificationMethod: {e}")))?
            .did()
            .clone();
        report.holder = Some(presentation.holder.clone().unwrap_or_else(|| signer.to_string()));
        let key = self
            .signing_key(
                &signer,
                &proof.verification_method,
                Relationship::Authentication,
                proof.created,
                &mut report.checks,
            )
            .await?;
        report.push(self.proof_check(&unsecured, &proof, key).await?);
        report.credentials = self.verify_embedded(&presentation.credentials, expect).await?;
        let bindings = [
            (
                "proof purpose",
                Some(Relationship::Authentication.name()),
                Some(proof.proof_purpose.as_str()),
            ),
            (
                "challenge",
                expect.challenge.as_deref(),
                proof.challenge.as_deref(),
            ),
            ("domain", expect.domain.as_deref(), proof.domain.as_deref()),
        ];
        report.push(holder_binding(
            &signer,
            presentation.holder.as_deref(),
            &bindings,
            &report.credentials,
            expect.require_holder_binding,
        ));
        Ok(report.finish())
    }

    async fn proof_check(
        &self,
        unsecured: &Map<String, Value>,
        proof: &Proof,
        key: super::signer::KeyLookup,
    ) -> Result<Check, VerificationError> {
        let id = check_id::PROOF;
        let Ok(key) = key else {
            return Ok(Check::failed(
                id,
                "The signature cannot be checked without the signing key.",
            ));
        };
        if let Some(created) = proof.created {
            if created > self.now + chrono::Duration::seconds(super::CLOCK_SKEW_SECONDS) {
                return Ok(Check::failed(
                    id,
                    format!(
                        "The proof claims to be made in the future, at {}.",
                        format_datetime(created)
                    ),
                ));
            }
        }
        let verified = match (self.deferred_signatures, &key) {
            (Some(deferred), PublicKey::Ed25519(public)) => {
                match data_integrity::signing_input(unsecured, proof, &key).await {
                    Ok(input) if deferred.defer(public, &input, proof.signature()) => Ok(()),
                    Ok(_) => data_integrity::verify(unsecured, proof, &key).await,
                    Err(e) => Err(e),
                }
            }
            _ => data_integrity::verify(unsecured, proof, &key).await,
        };
        Ok(match verified {
            Ok(()) => Check::passed(
                id,
                format!("The {} signature verifies.", proof.cryptosuite.name()),
            ),
            Err(ProofError::JsonLd(JsonLdError::UnknownContext(e))) => {
                return Err(VerificationError::Input(e.to_string()));
            }
            Err(ProofError::Signature(_)) => Check::failed(
                id,
                "The signature does not verify: the credential was changed after signing, or signed with another key.",
            ),
            Err(e) => Check::failed(id, format!("The proof cannot be verified: {e}.")),
        })
    }

    /// Verifies the credentials inside a presentation: Data Integrity objects, or envelopes
    /// holding a `vc+jwt` or an SD-JWT VC.
    pub(crate) async fn verify_embedded(
        &self,
        credentials: &[Value],
        expect: &Expectations,
    ) -> Result<Vec<VerificationReport>, VerificationError> {
        // The presentation answers the challenge; the credentials inside are judged by the
        // same requirements, without it.
        let inner = Expectations {
            issuer: expect.issuer.clone(),
            require_holder_binding: expect.require_holder_binding,
            require_accreditation: expect.require_accreditation,
            skip_status: expect.skip_status,
            ..Expectations::default()
        };
        let mut reports = Vec::with_capacity(credentials.len());
        for credential in credentials {
            let report = match crate::model::presentation::envelope_contents(credential) {
                Some(("application/vc+jwt", jws)) => {
                    Box::pin(self.verify_jws(jws, &inner, Role::Credential)).await?
                }
                Some(("application/dc+sd-jwt", sd_jwt)) => {
                    Box::pin(self.verify_sd_jwt(sd_jwt, &inner)).await?
                }
                Some((media_type, _)) => {
                    return Err(VerificationError::Unsupported(format!(
                        "enveloped credential of type {media_type}"
                    )));
                }
                None => Box::pin(self.verify_di_credential(credential, &inner, Role::Credential)).await?,
            };
            // An envelope's media type is the sender's word, and a JWT's `typ` (or a VC-JWT
            // 1.1 `vp` claim) may still make it a presentation: one presentation never
            // vouches for another holder's presentation, so its contents must be credentials.
            if report.subject != Subject::Credential {
                return Err(VerificationError::Input(
                    "verifiableCredential holds a presentation; a presentation carries credentials only"
                        .into(),
                ));
            }
            reports.push(report);
        }
        Ok(reports)
    }
}

/// A secured document split into the unsecured document and its proof.
type Secured = (Map<String, Value>, Proof);

/// A secured document split into the unsecured document and all its proofs.
type SecuredBySet = (Map<String, Value>, Vec<Proof>);

/// The credential as its issuer issued it, for the anchor hash: as received when it has one
/// proof; with only the issuer's proof when others (endorsements) were added since, so that
/// endorsing a credential does not hide it from the issuer's issuance anchors.
fn as_issued<'a>(
    unsecured: &Map<String, Value>,
    proofs: &[Proof],
    issuer_proof: &Proof,
    received: &'a Value,
) -> Cow<'a, Value> {
    if proofs.len() < 2 {
        return Cow::Borrowed(received);
    }
    let mut issued = unsecured.clone();
    issued.insert("proof".into(), Value::Object(issuer_proof.written().clone()));
    Cow::Owned(Value::Object(issued))
}

/// The DID whose key made `proof`, when its verification method is a DID URL.
fn signer_of(proof: &Proof) -> Option<Did> {
    DidUrl::parse(&proof.verification_method)
        .ok()
        .map(|method| method.did().clone())
}

/// Splits off every proof of a credential (one, or a set or chain); errors as [`split_proof`].
fn split_proofs(
    value: &Value,
    report: &mut VerificationReport,
) -> Result<Option<SecuredBySet>, VerificationError> {
    proof_error(proof_set::split_all(value), report)
}

/// Splits off the proof; unsupported suites are "cannot check", malformed proofs a failed
/// `proof` check (then `None`).
fn split_proof(value: &Value, report: &mut VerificationReport) -> Result<Option<Secured>, VerificationError> {
    proof_error(data_integrity::split(value), report)
}

fn proof_error<T>(
    split: Result<T, ProofError>,
    report: &mut VerificationReport,
) -> Result<Option<T>, VerificationError> {
    match split {
        Ok(parts) => Ok(Some(parts)),
        Err(e @ (ProofError::UnsupportedCryptosuite(_) | ProofError::UnsupportedProofType(_))) => {
            Err(VerificationError::Unsupported(e.to_string()))
        }
        Err(ProofError::MissingProof) => Err(VerificationError::Input(
            "the document has no proof; it is not secured".into(),
        )),
        // A proof that cannot be read is unusable input, as the rest of the document would be.
        Err(e @ (ProofError::Malformed(_) | ProofError::NotAnObject)) => {
            Err(VerificationError::Input(e.to_string()))
        }
        Err(e) => {
            report.push(Check::failed(check_id::PROOF, format!("{e}.")));
            Ok(None)
        }
    }
}

/// Parses a DID found in a credential; a non-DID issuer cannot be checked by Sigil.
pub(crate) fn parse_did(text: &str, what: &str) -> Result<Did, VerificationError> {
    Did::parse(text).map_err(|e| {
        VerificationError::Unsupported(format!("the {what} is not a DID Sigil can resolve: {e}"))
    })
}

/// The `holder_binding` check of a presentation: the signer is the holder, each expected
/// value (challenge, nonce, audience…) matches, and the holder is the subject of every
/// credential that names one — a failure when `subject_required`, else a note (VCDM 2.0 lets
/// a holder present a credential about someone else).
pub(crate) fn holder_binding(
    signer: &Did,
    holder: Option<&str>,
    bindings: &[(&str, Option<&str>, Option<&str>)],
    credentials: &[VerificationReport],
    subject_required: bool,
) -> Check {
    let id = check_id::HOLDER_BINDING;
    if let Some(holder) = holder {
        if holder != signer.as_str() {
            return Check::failed(
                id,
                format!("The presentation names holder {holder} but is signed by {signer}."),
            );
        }
    }
    let mut unchecked = Vec::new();
    for (name, expected, actual) in bindings {
        match expected {
            Some(expected) if actual != &Some(*expected) => {
                return Check::failed(
                    id,
                    format!(
                        "The {name} is {}, expected {expected:?}.",
                        actual.map_or("missing".into(), |a| format!("{a:?}"))
                    ),
                );
            }
            Some(_) => {}
            None => unchecked.push(*name),
        }
    }
    for (index, credential) in credentials.iter().enumerate() {
        let subjects = subject_ids(credential.claims.as_ref());
        if !subjects.iter().any(|s| s == signer.as_str()) {
            let about = if subjects.is_empty() {
                "names no subject".to_owned()
            } else {
                format!("is about {}", subjects.join(", "))
            };
            let message = format!("Credential {} {about}, not the holder {signer}.", index + 1);
            return if subject_required {
                Check::failed(id, message)
            } else {
                Check::note(
                    id,
                    format!("{message} Holder binding was not required, so this is not a failure."),
                )
            };
        }
    }
    let note = if unchecked.is_empty() {
        String::new()
    } else {
        format!(
            " No expected {} was given, so it was not compared.",
            unchecked.join(" or ")
        )
    };
    Check::passed(
        id,
        format!("Presented by {signer}, the subject of the credentials.{note}"),
    )
}

fn subject_ids(claims: Option<&Value>) -> Vec<String> {
    let id_of = |v: &Value| v.get("id").and_then(Value::as_str).map(str::to_owned);
    match claims {
        Some(Value::Array(subjects)) => subjects.iter().filter_map(id_of).collect(),
        Some(subject) => id_of(subject).into_iter().collect(),
        None => vec![],
    }
}
