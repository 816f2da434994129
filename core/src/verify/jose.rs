//! Verifying VC-JOSE-COSE credentials (`vc+jwt`) and presentations (`vp+jwt`).

use serde_json::Value;

use super::data_integrity::{holder_binding, parse_did};
use super::report::{Check, Format, Subject, VerificationReport, check_id};
use super::signer::KeyLookup;
use super::{Expectations, Role, SignedCredential, VerificationError, Verifier};
use crate::did::DidUrl;
use crate::did::document::Relationship;
use crate::jose::{self, UnverifiedJws, VC_JWT_TYPE, VP_JWT_TYPE};
use crate::model::{Credential, Presentation};
use crate::time::{Timestamp, from_numeric_date};

/// The `typ` of earlier VC-JOSE-COSE drafts, which some issuers (`ssi` 0.16 among them) still
/// write; the payload is the same VCDM 2.0 credential, so it is accepted.
const LEGACY_VC_JWT_TYPE: &str = "vc-ld+jwt";

impl Verifier<'_> {
    pub(crate) async fn verify_jws(
        &self,
        compact: &str,
        expect: &Expectations,
        role: Role,
    ) -> Result<VerificationReport, VerificationError> {
        let jws = jose::decode_unverified(compact).map_err(|e| VerificationError::Input(e.to_string()))?;
        match jws.header_str("typ") {
            Some(VC_JWT_TYPE | LEGACY_VC_JWT_TYPE) => self.verify_vc_jwt(compact, &jws, expect, role).await,
            Some(VP_JWT_TYPE) => self.verify_vp_jwt(compact, &jws, expect).await,
            other => Err(VerificationError::Input(format!(
                "JWS with typ {other:?}; expected {VC_JWT_TYPE} or {VP_JWT_TYPE}"
            ))),
        }
    }

    async fn verify_vc_jwt(
        &self,
        compact: &str,
        jws: &UnverifiedJws,
        expect: &Expectations,
        role: Role,
    ) -> Result<VerificationReport, VerificationError> {
        let mut report = VerificationReport::new(Subject::Credential, Format::Jose);
        let credential =
            Credential::from_json(&jws.payload).map_err(|e| VerificationError::Input(e.to_string()))?;
        let issuer = parse_did(credential.issuer.id(), "issuer")?;
        report.issuer = Some(issuer.to_string());
        report.types = credential.types.clone();
        report.claims = jws.payload.get("credentialSubject").cloned();
        report.push(Check::passed(check_id::FORMAT, "A VC-JOSE credential (vc+jwt)."));
        let kid = key_id(jws)?;
        let signed_at = numeric_date(&jws.payload, "iat").or(credential.valid_from);
        let key = self
            .signing_key(
                &issuer,
                kid,
                Relationship::AssertionMethod,
                signed_at,
                &mut report.checks,
            )
            .await?;
        report.push(jws_proof_check(compact, &key));
        let signed = SignedCredential {
            issuer,
            method_id: kid.to_owned(),
            signed_at,
            types: credential.types,
            valid_from: credential.valid_from.or(numeric_date(&jws.payload, "nbf")),
            valid_until: credential.valid_until.or(numeric_date(&jws.payload, "exp")),
            status: credential.status,
            hash: super::credential_hash(&super::IssuedForm::Jws(compact)),
        };
        self.credential_checks(&signed, expect, role, &mut report).await?;
        Ok(report.finish())
    }

    async fn verify_vp_jwt(
        &self,
        compact: &str,
        jws: &UnverifiedJws,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        let mut report = VerificationReport::new(Subject::Presentation, Format::Jose);
        let presentation =
            Presentation::from_json(&jws.payload).map_err(|e| VerificationError::Input(e.to_string()))?;
        report.push(Check::passed(
            check_id::FORMAT,
            "A VC-JOSE presentation (vp+jwt).",
        ));
        let kid = key_id(jws)?;
        let signer = DidUrl::parse(kid)
            .map_err(|e| VerificationError::Input(format!("kid: {e}")))?
            .did()
            .clone();
        report.holder = Some(presentation.holder.clone().unwrap_or_else(|| signer.to_string()));
        let key = self
            .signing_key(
                &signer,
                kid,
                Relationship::Authentication,
                numeric_date(&jws.payload, "iat"),
                &mut report.checks,
            )
            .await?;
        report.push(jws_proof_check(compact, &key));
        report.credentials = self.verify_embedded(&presentation.credentials, expect).await?;
        let audience = match jws.payload.get("aud") {
            Some(Value::String(aud)) => Some(aud.as_str()),
            Some(Value::Array(auds)) => auds
                .iter()
                .filter_map(Value::as_str)
                .find(|aud| Some(*aud) == expect.audience.as_deref())
                .or_else(|| auds.first().and_then(Value::as_str)),
            _ => None,
        };
        let bindings = [
            (
                "nonce",
                expect.nonce.as_deref(),
                jws.payload.get("nonce").and_then(Value::as_str),
            ),
            ("audience", expect.audience.as_deref(), audience),
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
}

/// The `kid` header, which must name the signing verification method.
pub(crate) fn key_id(jws: &UnverifiedJws) -> Result<&str, VerificationError> {
    jws.header_str("kid")
        .ok_or_else(|| VerificationError::Input("the JWS header has no `kid` naming the signing key".into()))
}

/// The `proof` check of a JWS.
pub(crate) fn jws_proof_check(compact: &str, key: &KeyLookup) -> Check {
    match key {
        Err(_) => Check::failed(
            check_id::PROOF,
            "The signature cannot be checked without the signing key.",
        ),
        Ok(key) => match jose::verify_compact(compact, key) {
            Ok(_) => Check::passed(
                check_id::PROOF,
                format!("The {} signature verifies.", key.algorithm().jose_name()),
            ),
            Err(e) => Check::failed(check_id::PROOF, format!("{e}.")),
        },
    }
}

/// A JWT NumericDate claim.
pub(crate) fn numeric_date(payload: &Value, name: &str) -> Option<Timestamp> {
    payload
        .get(name)
        .and_then(Value::as_i64)
        .and_then(from_numeric_date)
}
