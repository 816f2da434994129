//! Verifying VC-JOSE-COSE credentials (`vc+jwt`) and presentations (`vp+jwt`), and the
//! checks every JWT-secured credential and presentation share (VC-JWT 1.1 in `vc_jwt_v1`).

use serde_json::Value;

use super::data_integrity::{holder_binding, parse_did};
use super::report::{Check, Subject, VerificationReport, check_id};
use super::signer::KeyLookup;
use super::vc_jwt_v1::JWT_TYPE;
use super::{Expectations, Role, SignedCredential, VerificationError, Verifier};
use crate::did::DidUrl;
use crate::did::document::Relationship;
use crate::format::CredentialFormat;
use crate::jose::{self, UnverifiedJws, VC_JWT_TYPE, VP_JWT_TYPE};
use crate::model::{Credential, Presentation};
use crate::time::{Timestamp, format_datetime};

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
            // RFC 7519 §5.1: "JWT" is recommended, and media types compare without case.
            None => self.verify_jwt_v1(compact, &jws, expect, role).await,
            Some(typ) if typ.eq_ignore_ascii_case(JWT_TYPE) => {
                self.verify_jwt_v1(compact, &jws, expect, role).await
            }
            other => Err(VerificationError::Input(format!(
                "JWS with typ {other:?}; expected {VC_JWT_TYPE}, {VP_JWT_TYPE}, or {JWT_TYPE} \
                 (or none) for a VC-JWT of VCDM 1.1"
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
        let credential =
            Credential::from_json(&jws.payload).map_err(|e| VerificationError::Input(e.to_string()))?;
        let read = JwtCredential {
            credential,
            format: Check::passed(check_id::FORMAT, "A VC-JOSE credential (vc+jwt)."),
            kid: key_id(jws)?.to_owned(),
            date_conflicts: Vec::new(),
        };
        self.verify_jwt_credential(compact, jws, read, expect, role).await
    }

    /// The checks of a credential secured as a JWT, once its format has read it.
    pub(crate) async fn verify_jwt_credential(
        &self,
        compact: &str,
        jws: &UnverifiedJws,
        read: JwtCredential,
        expect: &Expectations,
        role: Role,
    ) -> Result<VerificationReport, VerificationError> {
        let JwtCredential {
            credential,
            format,
            kid,
            date_conflicts,
        } = read;
        let kid = kid.as_str();
        let mut report = VerificationReport::new(Subject::Credential, CredentialFormat::VcJwt);
        let issuer = parse_did(credential.issuer.id(), "issuer")?;
        report.issuer = Some(issuer.to_string());
        report.types = credential.types.clone();
        report.claims = Some(credential.claims());
        report.push(format);
        let claims = TimeClaims::read(&jws.payload)?;
        let signed_at = claims.iat.or(credential.valid_from);
        let key = self
            .signing_key(
                &issuer,
                kid,
                Relationship::AssertionMethod,
                signed_at,
                &mut report.checks,
            )
            .await?;
        report.push(self.jws_proof_check(compact, jws, &key, claims.iat));
        let signed = SignedCredential {
            issuer,
            issuer_name: credential.issuer.name(),
            method_id: kid.to_owned(),
            signed_at,
            types: credential.types,
            // Both the JWT claims and the VCDM dates bind: the latest start, the earliest end.
            valid_from: credential.valid_from.max(claims.nbf),
            valid_until: earliest(credential.valid_until, claims.exp),
            validity_conflicts: [
                date_conflicts,
                claims.conflicts_with(credential.valid_from, credential.valid_until),
            ]
            .concat(),
            status: credential.status,
            issued: super::Issued::Jws(compact),
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
        let presentation =
            Presentation::from_json(&jws.payload).map_err(|e| VerificationError::Input(e.to_string()))?;
        let format = Check::passed(check_id::FORMAT, "A VC-JOSE presentation (vp+jwt).");
        let kid = key_id(jws)?;
        self.verify_jwt_presentation(compact, jws, presentation, format, kid, expect)
            .await
    }

    /// The checks of a presentation secured as a JWT, once its format has read
    /// `presentation` from the payload: the holder's key and signature, each credential
    /// inside, and the binding to the verifier's `nonce` and `aud`.
    pub(crate) async fn verify_jwt_presentation(
        &self,
        compact: &str,
        jws: &UnverifiedJws,
        presentation: Presentation,
        format: Check,
        kid: &str,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        let mut report = VerificationReport::new(Subject::Presentation, CredentialFormat::VcJwt);
        report.push(format);
        let signer = DidUrl::parse(kid)
            .map_err(|e| VerificationError::Input(format!("kid: {e}")))?
            .did()
            .clone();
        report.holder = Some(presentation.holder.clone().unwrap_or_else(|| signer.to_string()));
        let claims = TimeClaims::read(&jws.payload)?;
        let key = self
            .signing_key(
                &signer,
                kid,
                Relationship::Authentication,
                claims.iat,
                &mut report.checks,
            )
            .await?;
        report.push(self.jws_proof_check(compact, jws, &key, claims.iat));
        // A presentation has no VCDM dates, and usually no `nbf` or `exp` either: the check
        // is only made, under the same id as a credential's, when the holder set one.
        if claims.nbf.is_some() || claims.exp.is_some() {
            report.push(self.validity_check(claims.nbf, claims.exp, &[]));
        }
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

/// What a JWT format read from its payload, for the checks every JWT-secured credential shares.
pub(crate) struct JwtCredential {
    /// The typed view of the credential.
    pub credential: Credential,
    /// The format's own check: which format, and whether its payload is consistent.
    pub format: Check,
    /// The verification method that signed.
    pub kid: String,
    /// What the format found wrong with the dates, one sentence each (they fail `validity`).
    pub date_conflicts: Vec<String>,
}

/// The `kid` header, which must name the signing verification method.
pub(crate) fn key_id(jws: &UnverifiedJws) -> Result<&str, VerificationError> {
    jws.header_str("kid")
        .ok_or_else(|| VerificationError::Input("the JWS header has no `kid` naming the signing key".into()))
}

impl Verifier<'_> {
    /// The `proof` check of a JWS, given its `iat`.
    ///
    /// An `iat` later than now, beyond [`super::CLOCK_SKEW_SECONDS`], fails this check — in
    /// `vc+jwt`, `vp+jwt` and SD-JWT VC alike — rather than `validity`, the way a Data
    /// Integrity proof `created` in the future fails `proof`: `iat` is the signature's own
    /// claim of when it was made, the time the signing key is looked up at, so a time that has
    /// not come yet makes that claim impossible whatever the validity period says.
    pub(crate) fn jws_proof_check(
        &self,
        compact: &str,
        jws: &UnverifiedJws,
        key: &KeyLookup,
        iat: Option<Timestamp>,
    ) -> Check {
        let Ok(key) = key else {
            return Check::failed(
                check_id::PROOF,
                "The signature cannot be checked without the signing key.",
            );
        };
        if let Some(iat) = iat {
            if iat > self.now + chrono::Duration::seconds(super::CLOCK_SKEW_SECONDS) {
                return Check::failed(
                    check_id::PROOF,
                    format!(
                        "The JWT claims to be signed in the future, at {} (`iat`).",
                        format_datetime(iat)
                    ),
                );
            }
        }
        match jose::verify_decoded(compact, jws, key) {
            Ok(_) => Check::passed(
                check_id::PROOF,
                format!("The {} signature verifies.", key.algorithm().jose_name()),
            ),
            Err(e) => Check::failed(check_id::PROOF, format!("{e}.")),
        }
    }
}

/// The registered time claims of a JWT (RFC 7519 §4.1.4–4.1.6), each a NumericDate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TimeClaims {
    /// `iat`: when the signer says it signed.
    pub iat: Option<Timestamp>,
    /// `nbf`: the token must not be accepted before this time.
    pub nbf: Option<Timestamp>,
    /// `exp`: the token must not be accepted at or after this time.
    pub exp: Option<Timestamp>,
}

impl TimeClaims {
    /// Reads `iat`, `nbf` and `exp` from a JWT payload. A claim that is present but not a
    /// NumericDate (RFC 7519 §2) makes the token unusable input, as a `validFrom` that is not a
    /// date-time does: passing over a malformed `exp` would make a credential that was meant
    /// to expire valid forever.
    pub(crate) fn read(payload: &Value) -> Result<Self, VerificationError> {
        let claim = |name: &str| -> Result<Option<Timestamp>, VerificationError> {
            let Some(value) = payload.get(name) else {
                return Ok(None);
            };
            crate::time::numeric_date(value).map(Some).ok_or_else(|| {
                let found = match value {
                    Value::Number(number) if number.to_string().len() <= 32 => number.to_string(),
                    other => crate::json::kind_of(other).to_owned(),
                };
                VerificationError::Input(format!(
                    "the JWT claim `{name}` is not a NumericDate (a JSON number of seconds \
                     since 1970-01-01T00:00:00Z, from 0 to {}): found {found}",
                    crate::time::MAX_NUMERIC_DATE
                ))
            })
        };
        Ok(TimeClaims {
            iat: claim("iat")?,
            nbf: claim("nbf")?,
            exp: claim("exp")?,
        })
    }

    /// The sentences saying where `nbf` and `exp` name another instant than the credential's
    /// `validFrom` and `validUntil`. Sigil could enforce the stricter of the two, but a
    /// credential that says two things about its own validity was not issued with care, and
    /// another verifier reading only one of them would judge it differently. Compared to the
    /// second, the precision of a NumericDate.
    pub(crate) fn conflicts_with(
        &self,
        valid_from: Option<Timestamp>,
        valid_until: Option<Timestamp>,
    ) -> Vec<String> {
        [
            ("nbf", self.nbf, "validFrom", valid_from),
            ("exp", self.exp, "validUntil", valid_until),
        ]
        .into_iter()
        .filter_map(|(claim, jwt, property, vcdm)| match (jwt, vcdm) {
            (Some(jwt), Some(vcdm)) if jwt.timestamp() != vcdm.timestamp() => Some(format!(
                "The JWT `{claim}` ({}) and the credential's `{property}` ({}) disagree.",
                format_datetime(jwt),
                format_datetime(vcdm)
            )),
            _ => None,
        })
        .collect()
    }
}

/// The earlier of two optional end times; `None` only when both are.
pub(crate) fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
