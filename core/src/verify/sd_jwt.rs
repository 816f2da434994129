//! Verifying SD-JWT VCs, with or without a key-binding JWT.

use serde_json::Value;

use super::data_integrity::parse_did;
use super::jose::{TimeClaims, key_id};
use super::report::{Check, Subject, VerificationReport, check_id};
use super::{Expectations, Role, SignedCredential, VerificationError, Verifier};
use crate::did::document::Relationship;
use crate::format::CredentialFormat;
use crate::jose;
use crate::sd_jwt::{self, SD_JWT_VC_TYPE, SdJwt};

/// The media type SD-JWT VC used before `dc+sd-jwt`; still accepted from older issuers.
const LEGACY_SD_JWT_VC_TYPE: &str = "vc+sd-jwt";

impl Verifier<'_> {
    pub(crate) async fn verify_sd_jwt(
        &self,
        text: &str,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        let presented = SdJwt::parse(text).map_err(|e| VerificationError::Input(e.to_string()))?;
        // Asked for a presentation, an SD-JWT without a key-binding JWT fails its binding.
        let presentation = presented.key_binding.is_some() || expect.asks_for_presentation();
        let subject = if presentation {
            Subject::Presentation
        } else {
            Subject::Credential
        };
        let mut report = VerificationReport::new(subject, CredentialFormat::SdJwt);
        let jws = issuer_jwt(&presented)?;
        let payload = &jws.payload;
        let issuer = parse_did(
            payload.get("iss").and_then(Value::as_str).unwrap_or_default(),
            "issuer (`iss`)",
        )?;
        let vct = payload
            .get("vct")
            .and_then(Value::as_str)
            .ok_or_else(|| VerificationError::Input("the SD-JWT VC has no `vct`".into()))?;
        report.issuer = Some(issuer.to_string());
        report.types = vec![vct.to_owned()];
        report.push(Check::passed(check_id::FORMAT, "An SD-JWT VC (dc+sd-jwt)."));
        let kid = key_id(&jws)?;
        let claims = TimeClaims::read(payload)?;
        let signed_at = claims.iat;
        let key = self
            .signing_key(
                &issuer,
                kid,
                Relationship::AssertionMethod,
                signed_at,
                &mut report.checks,
            )
            .await?;
        let proof = self.jws_proof_check(&presented.issuer_jwt, &jws, &key, claims.iat);
        let signature_ok = proof.outcome == super::Outcome::Passed;
        report.push(proof);

        let (disclosures, disclosed) = disclosures_check(&presented, payload);
        report.push(disclosures);
        report.claims = disclosed;
        report.push(if !presentation {
            Check::not_applicable(
                check_id::HOLDER_BINDING,
                "No key-binding JWT: this is the credential as issued, not a presentation.",
            )
        } else if !signature_ok {
            Check::failed(
                check_id::HOLDER_BINDING,
                "The holder key cannot be trusted: the issuer's signature failed.",
            )
        } else {
            self.key_binding_check(&presented, payload, expect)
        });

        let signed = SignedCredential {
            issuer,
            issuer_name: None,
            method_id: kid.to_owned(),
            signed_at,
            types: vec![vct.to_owned()],
            // SD-JWT VC has no `validFrom`/`validUntil`: its period is `nbf`/`exp` alone.
            valid_from: claims.nbf,
            valid_until: claims.exp,
            validity_conflicts: Vec::new(),
            status: status_entries(payload),
            issued: super::Issued::SdJwt(text),
        };
        self.credential_checks(&signed, expect, Role::Credential, &mut report)
            .await?;
        Ok(report.finish())
    }

    fn key_binding_check(&self, presented: &SdJwt, payload: &Value, expect: &Expectations) -> Check {
        let id = check_id::HOLDER_BINDING;
        let holder_key = match sd_jwt::confirmation_key(payload) {
            Ok(key) => key,
            Err(e) => return Check::failed(id, format!("{e}.")),
        };
        match sd_jwt::verify_key_binding(
            presented,
            &holder_key,
            expect.nonce.as_deref(),
            expect.audience.as_deref(),
            self.now,
        ) {
            Ok(()) if expect.nonce.is_none() || expect.audience.is_none() => Check::passed(
                id,
                "Signed by the holder key the issuer bound; no expected nonce or audience was given, so they were not compared.",
            ),
            Ok(()) => Check::passed(
                id,
                "Signed by the holder key the issuer bound, for this verifier's nonce and audience.",
            ),
            Err(e) => Check::failed(id, format!("{e}.")),
        }
    }
}

/// The issuer's JWT of an SD-JWT, provided its `typ` says SD-JWT VC.
fn issuer_jwt(presented: &SdJwt) -> Result<jose::UnverifiedJws, VerificationError> {
    let jws = jose::decode_unverified(&presented.issuer_jwt)
        .map_err(|e| VerificationError::Input(e.to_string()))?;
    if !matches!(
        jws.header_str("typ"),
        Some(SD_JWT_VC_TYPE | LEGACY_SD_JWT_VC_TYPE)
    ) {
        return Err(VerificationError::Input(format!(
            "SD-JWT with typ {:?}; expected {SD_JWT_VC_TYPE}",
            jws.header_str("typ")
        )));
    }
    Ok(jws)
}

/// Whether every disclosure is one the issuer signed the digest of; if so, the subject's
/// claims with the disclosed ones in place.
fn disclosures_check(presented: &SdJwt, payload: &Value) -> (Check, Option<Value>) {
    match sd_jwt::disclosed_claims(payload, &presented.disclosures) {
        Ok(claims) => {
            let names: Vec<&str> = presented
                .disclosures
                .iter()
                .filter_map(|d| d.name.as_deref())
                .collect();
            let message = if names.is_empty() {
                "No selectively disclosable claims were disclosed.".to_owned()
            } else {
                format!("Disclosed, and signed by the issuer: {}.", names.join(", "))
            };
            (
                Check::passed(check_id::DISCLOSURES, message),
                Some(subject_claims(claims)),
            )
        }
        Err(e) => (Check::failed(check_id::DISCLOSURES, format!("{e}.")), None),
    }
}

/// The Bitstring Status List entries an SD-JWT VC carries as `credentialStatus` (one entry or
/// a list; see `issue::CredentialRequest`). An entry that does not parse is kept as one of
/// an unreadable type, so that the status check refuses to judge rather than skip it.
fn status_entries(payload: &Value) -> Vec<crate::model::StatusEntry> {
    let read = |entry: &Value| {
        serde_json::from_value(entry.clone()).unwrap_or_else(|_| crate::model::StatusEntry {
            id: None,
            type_: "(unreadable credentialStatus)".into(),
            status_purpose: None,
            status_list_index: None,
            status_list_credential: None,
            status_size: None,
            status_message: None,
            status_reference: None,
        })
    };
    match payload.get("credentialStatus") {
        Some(Value::Array(entries)) => entries.iter().map(read).collect(),
        Some(entry) => vec![read(entry)],
        None => Vec::new(),
    }
}

/// The claims of the payload that are about the subject — what `credentialSubject` holds in
/// the other formats: without the JWT and SD-JWT VC registered claims, and with `sub` as `id`.
fn subject_claims(mut claims: serde_json::Map<String, Value>) -> Value {
    const REGISTERED: [&str; 12] = [
        "iss",
        "sub",
        "aud",
        "vct",
        "vct#integrity",
        "iat",
        "nbf",
        "exp",
        "jti",
        "cnf",
        "status",
        "credentialStatus",
    ];
    let sub = claims.get("sub").cloned();
    claims.retain(|name, _| !REGISTERED.contains(&name.as_str()) && !name.starts_with('_'));
    let mut subject = serde_json::Map::new();
    if let Some(sub) = sub {
        subject.insert("id".into(), sub);
    }
    subject.extend(claims);
    Value::Object(subject)
}
