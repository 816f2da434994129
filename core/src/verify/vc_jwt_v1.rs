//! VC-JWT as VCDM 1.1 §6.3.1 defines it: a JWT (`typ` `JWT`, or no `typ`) whose `vc` claim
//! holds a credential, or whose `vp` claim holds a presentation, with JWT registered claims
//! standing for some of its properties. Many issuers still send this shape, and OpenID4VP's
//! `jwt_vc_json` is it, so Sigil verifies it beside VC-JOSE-COSE's `vc+jwt` and `vp+jwt`.
//!
//! The mapping (§6.3.1.1 encoding, §6.3.1.2 decoding): `iss` is the credential's `issuer`
//! (the presentation's `holder`), `sub` the `id` of its `credentialSubject`, `jti` its `id`,
//! `nbf` its `issuanceDate` and `exp` its `expirationDate` — `validFrom` and `validUntil`
//! when the `vc` is a VCDM 2.0 credential. A claim alone supplies its property. When claim
//! and property are both present they must agree: the claim is kept, since it is what JWT
//! libraries and other verifiers read, and the disagreement fails the `format` check
//! (identifiers) or the `validity` check (dates). Both are signed, so a disagreement is an
//! issuer's bug or an attempt to show two readers two different credentials.

use serde_json::{Map, Value, json};

use super::jose::{JwtCredential, TimeClaims, key_id};
use super::report::{Check, VerificationReport, check_id};
use super::{Expectations, Role, VerificationError, Verifier};
use crate::contexts::CREDENTIALS_V2;
use crate::jose::UnverifiedJws;
use crate::model::{Credential, Presentation};
use crate::time::{Timestamp, format_datetime, parse_datetime};

/// The `typ` VCDM 1.1 §6.3.1.1 allows for a VC-JWT (it may also be left out).
pub(crate) const JWT_TYPE: &str = "JWT";

/// A `vc` or `vp` claim with the registered claims merged in, ready for the typed view.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MappedDocument {
    /// The credential or presentation JSON: the claim's object, with every registered claim
    /// written into the property it stands for.
    pub document: Value,
    /// One sentence per identifier (`iss`, `sub`, `jti`) that disagrees with its property.
    pub identity_conflicts: Vec<String>,
    /// One sentence per date (`nbf`, `exp`) that disagrees with its property.
    pub date_conflicts: Vec<String>,
}

/// Builds the credential a VC-JWT 1.1 payload stands for (VCDM 1.1 §6.3.1.2).
pub(crate) fn credential_from_claims(payload: &Value) -> Result<MappedDocument, VerificationError> {
    let mut vc = claim_object(payload, "vc")?;
    let times = TimeClaims::read(payload)?;
    let mut identity_conflicts = Vec::new();
    let mut date_conflicts = Vec::new();
    if let Some(iss) = string_claim(payload, "iss")? {
        match vc.get_mut("issuer") {
            Some(Value::Object(issuer)) => {
                reconcile_id(issuer, "id", ("iss", iss), "issuer", &mut identity_conflicts);
            }
            _ => reconcile_id(&mut vc, "issuer", ("iss", iss), "issuer", &mut identity_conflicts),
        }
    }
    if let Some(sub) = string_claim(payload, "sub")? {
        reconcile_subject(&mut vc, sub, &mut identity_conflicts);
    }
    if let Some(jti) = string_claim(payload, "jti")? {
        reconcile_id(&mut vc, "id", ("jti", jti), "id", &mut identity_conflicts);
    }
    let (from, until) = if first_context(&vc) == Some(CREDENTIALS_V2) {
        ("validFrom", "validUntil")
    } else {
        ("issuanceDate", "expirationDate")
    };
    reconcile_date(&mut vc, from, ("nbf", times.nbf), &mut date_conflicts);
    reconcile_date(&mut vc, until, ("exp", times.exp), &mut date_conflicts);
    Ok(MappedDocument {
        document: Value::Object(vc),
        identity_conflicts,
        date_conflicts,
    })
}

/// Builds the presentation a VC-JWT 1.1 payload stands for: `iss` is the `holder`, `jti` the
/// `id`; `aud` and `nonce` stay claims, read by the holder binding.
pub(crate) fn presentation_from_claims(payload: &Value) -> Result<MappedDocument, VerificationError> {
    let mut vp = claim_object(payload, "vp")?;
    let mut identity_conflicts = Vec::new();
    if let Some(iss) = string_claim(payload, "iss")? {
        match vp.get_mut("holder") {
            Some(Value::Object(holder)) => {
                reconcile_id(holder, "id", ("iss", iss), "holder", &mut identity_conflicts);
            }
            _ => reconcile_id(&mut vp, "holder", ("iss", iss), "holder", &mut identity_conflicts),
        }
    }
    if let Some(jti) = string_claim(payload, "jti")? {
        reconcile_id(&mut vp, "id", ("jti", jti), "id", &mut identity_conflicts);
    }
    Ok(MappedDocument {
        document: Value::Object(vp),
        identity_conflicts,
        date_conflicts: Vec::new(),
    })
}

/// The object under `name`, which VCDM 1.1 §6.3.1.1 requires to be a JSON object.
fn claim_object(payload: &Value, name: &str) -> Result<Map<String, Value>, VerificationError> {
    match payload.get(name) {
        Some(Value::Object(object)) => Ok(object.clone()),
        Some(other) => Err(VerificationError::Input(format!(
            "the JWT claim `{name}` must be a JSON object, found {}",
            crate::json::kind_of(other)
        ))),
        None => Err(VerificationError::Input(format!("the JWT has no `{name}` claim"))),
    }
}

/// A registered claim that must be a string (RFC 7519 §4.1: StringOrURI).
fn string_claim<'a>(payload: &'a Value, name: &str) -> Result<Option<&'a str>, VerificationError> {
    match payload.get(name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(VerificationError::Input(format!(
            "the JWT claim `{name}` must be a string, found {}",
            crate::json::kind_of(other)
        ))),
    }
}

fn first_context(object: &Map<String, Value>) -> Option<&str> {
    match object.get("@context") {
        Some(Value::Array(contexts)) => contexts.first().and_then(Value::as_str),
        Some(Value::String(context)) => Some(context),
        _ => None,
    }
}

/// Writes `claim` into `target[key]`, noting a disagreement when a different value was there.
fn reconcile_id(
    target: &mut Map<String, Value>,
    key: &str,
    (claim_name, claim): (&str, &str),
    property: &str,
    conflicts: &mut Vec<String>,
) {
    match target.get(key) {
        Some(Value::String(existing)) if existing == claim => return,
        Some(existing) => conflicts.push(format!(
            "The JWT `{claim_name}` ({claim}) and the `{property}` ({}) disagree.",
            shown(existing)
        )),
        None => {}
    }
    target.insert(key.to_owned(), claim.into());
}

/// `sub` is the `id` of the credential's subject: of the only one, or of one of several.
fn reconcile_subject(vc: &mut Map<String, Value>, sub: &str, conflicts: &mut Vec<String>) {
    let property = "credentialSubject.id";
    match vc.get_mut("credentialSubject") {
        None => {
            vc.insert("credentialSubject".into(), json!({ "id": sub }));
        }
        Some(Value::Object(subject)) => reconcile_id(subject, "id", ("sub", sub), property, conflicts),
        Some(Value::Array(subjects)) => {
            if subjects
                .iter()
                .any(|subject| subject.get("id").and_then(Value::as_str) == Some(sub))
            {
                return;
            }
            let count = subjects.len();
            match subjects.as_mut_slice() {
                [Value::Object(only)] => reconcile_id(only, "id", ("sub", sub), property, conflicts),
                _ => conflicts.push(format!(
                    "The JWT `sub` ({sub}) is the id of none of the credential's {count} subjects."
                )),
            }
        }
        // Not an object: the typed view refuses it with its own sentence.
        Some(_) => {}
    }
}

/// Writes the NumericDate `claim` into the date `property`, noting a disagreement (to the
/// second, a NumericDate's precision) when a different instant was there. A property that
/// is not a date-time is left alone for the typed view to refuse.
fn reconcile_date(
    vc: &mut Map<String, Value>,
    property: &str,
    (claim_name, claim): (&str, Option<Timestamp>),
    conflicts: &mut Vec<String>,
) {
    let Some(claim) = claim else {
        return;
    };
    if let Some(existing) = vc.get(property) {
        let Some(existing) = existing.as_str().and_then(parse_datetime) else {
            return;
        };
        if existing.timestamp() == claim.timestamp() {
            return;
        }
        conflicts.push(format!(
            "The JWT `{claim_name}` ({}) and the credential's `{property}` ({}) disagree.",
            format_datetime(claim),
            format_datetime(existing)
        ));
    }
    vc.insert(property.to_owned(), format_datetime(claim).into());
}

/// How a conflicting property is shown in a sentence: a string as itself, anything else by
/// its JSON kind (an issuer object without an `id`, say).
fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => format!("a JSON {}", crate::json::kind_of(other)),
    }
}

/// The credentials of a presentation as the pipeline reads them. A VC-JWT 1.1 presentation
/// carries its credentials as JWT strings (VCDM 1.1 §6.3.1.1), which stand for what VCDM
/// 2.0 calls an enveloped credential: each becomes one, the form `verify_embedded` reads a
/// secured credential in. This is done after the typed view has read the presentation,
/// since VCDM 1.1 itself has no enveloped credentials.
fn secured_credentials(credentials: Vec<Value>) -> Result<Vec<Value>, VerificationError> {
    credentials.into_iter().map(enveloped).collect()
}

/// A credential written as a string, as the enveloped credential it stands for; any other
/// credential as it is.
fn enveloped(credential: Value) -> Result<Value, VerificationError> {
    let Value::String(text) = credential else {
        return Ok(credential);
    };
    if crate::sd_jwt::SdJwt::looks_like(&text) {
        Ok(json!({
            "@context": CREDENTIALS_V2,
            "id": format!("data:application/dc+sd-jwt,{text}"),
            "type": "EnvelopedVerifiableCredential",
        }))
    } else if crate::jose::looks_like_compact_jws(&text) {
        Ok(crate::jose::envelope(&text))
    } else {
        Err(VerificationError::Input(
            "a `verifiableCredential` given as a string must be a JWT or an SD-JWT".into(),
        ))
    }
}

/// The verification method a VC-JWT 1.1 names: its `kid`, made absolute against the signer
/// when it is a bare fragment (`#key-1`). Without a `kid`, the one method of a `did:key`
/// or `did:jwk` signer, since those documents have no other.
fn method_id(jws: &UnverifiedJws, signer: Option<&str>) -> Result<String, VerificationError> {
    match (jws.header_str("kid"), signer) {
        (Some(kid), Some(signer)) if kid.starts_with('#') => Ok(format!("{signer}{kid}")),
        (Some(kid), _) => Ok(kid.to_owned()),
        (None, Some(signer)) if signer.starts_with("did:key:") => {
            Ok(format!("{signer}#{}", signer.trim_start_matches("did:key:")))
        }
        (None, Some(signer)) if signer.starts_with("did:jwk:") => Ok(format!("{signer}#0")),
        (None, _) => key_id(jws).map(str::to_owned),
    }
}

/// The `format` check of a VC-JWT 1.1 holding a `what` under `claim`: failed when its
/// registered claims and its properties name different identifiers.
fn format_check(what: &str, claim: &str, identity_conflicts: &[String]) -> Check {
    if identity_conflicts.is_empty() {
        Check::passed(
            check_id::FORMAT,
            format!("A VC-JWT {what} (VCDM 1.1 §6.3.1: typ JWT, the {what} under `{claim}`)."),
        )
    } else {
        Check::failed(
            check_id::FORMAT,
            format!(
                "A VC-JWT whose claims and {what} disagree: {}",
                identity_conflicts.join(" ")
            ),
        )
    }
}

impl Verifier<'_> {
    /// Verifies a VC-JWT 1.1: a credential under `vc` or a presentation under `vp`.
    pub(crate) async fn verify_jwt_v1(
        &self,
        compact: &str,
        jws: &UnverifiedJws,
        expect: &Expectations,
        role: Role,
    ) -> Result<VerificationReport, VerificationError> {
        match (jws.payload.get("vc"), jws.payload.get("vp")) {
            (Some(_), None) => self.verify_vc_jwt_v1(compact, jws, expect, role).await,
            (None, Some(_)) => self.verify_vp_jwt_v1(compact, jws, expect).await,
            (Some(_), Some(_)) => Err(VerificationError::Input(
                "the JWT has both a `vc` and a `vp` claim; a VC-JWT carries one".into(),
            )),
            (None, None) => Err(VerificationError::Input(format!(
                "a JWS with typ {:?} is read as a VC-JWT (VCDM 1.1 §6.3.1), which needs a `vc` or \
                 `vp` claim; a VCDM 2.0 credential is a JWS with typ vc+jwt",
                jws.header_str("typ")
            ))),
        }
    }

    async fn verify_vc_jwt_v1(
        &self,
        compact: &str,
        jws: &UnverifiedJws,
        expect: &Expectations,
        role: Role,
    ) -> Result<VerificationReport, VerificationError> {
        let mapped = credential_from_claims(&jws.payload)?;
        let credential =
            Credential::from_json(&mapped.document).map_err(|e| VerificationError::Input(e.to_string()))?;
        let format = format_check("credential", "vc", &mapped.identity_conflicts);
        let read = JwtCredential {
            kid: method_id(jws, Some(credential.issuer.id()))?,
            credential,
            format,
            date_conflicts: mapped.date_conflicts,
        };
        self.verify_jwt_credential(compact, jws, read, expect, role).await
    }

    async fn verify_vp_jwt_v1(
        &self,
        compact: &str,
        jws: &UnverifiedJws,
        expect: &Expectations,
    ) -> Result<VerificationReport, VerificationError> {
        let mapped = presentation_from_claims(&jws.payload)?;
        let mut presentation =
            Presentation::from_json(&mapped.document).map_err(|e| VerificationError::Input(e.to_string()))?;
        presentation.credentials = secured_credentials(std::mem::take(&mut presentation.credentials))?;
        let format = format_check("presentation", "vp", &mapped.identity_conflicts);
        let kid = method_id(jws, presentation.holder.as_deref())?;
        self.verify_jwt_presentation(compact, jws, presentation, format, &kid, expect)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contexts::CREDENTIALS_V1;

    const ISSUER: &str = "did:example:university";
    const SUBJECT: &str = "did:example:ada";

    fn v1_credential() -> Value {
        json!({
            "@context": [CREDENTIALS_V1],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"name": "Ada Lovelace"},
        })
    }

    fn mapped(payload: &Value) -> MappedDocument {
        credential_from_claims(payload).unwrap()
    }

    #[test]
    fn the_claims_alone_supply_every_property() {
        let result = mapped(&json!({
            "vc": v1_credential(), "iss": ISSUER, "sub": SUBJECT, "jti": "urn:uuid:1",
            "nbf": 1_782_820_800, "exp": 1_814_356_800,
        }));
        assert_eq!(result.identity_conflicts, Vec::<String>::new());
        assert_eq!(result.date_conflicts, Vec::<String>::new());
        assert_eq!(
            result.document,
            json!({
                "@context": [CREDENTIALS_V1],
                "type": ["VerifiableCredential"],
                "id": "urn:uuid:1",
                "issuer": ISSUER,
                "issuanceDate": "2026-06-30T12:00:00Z",
                "expirationDate": "2027-06-30T12:00:00Z",
                "credentialSubject": {"id": SUBJECT, "name": "Ada Lovelace"},
            })
        );
    }

    #[test]
    fn a_v2_credential_under_vc_takes_the_dates_as_valid_from_and_valid_until() {
        let mut vc = v1_credential();
        vc["@context"] = json!([CREDENTIALS_V2]);
        let result = mapped(&json!({"vc": vc, "nbf": 1_782_820_800, "exp": 1_814_356_800}));
        assert_eq!(result.document["validFrom"], "2026-06-30T12:00:00Z");
        assert_eq!(result.document["validUntil"], "2027-06-30T12:00:00Z");
        assert!(result.document.get("issuanceDate").is_none());
    }

    #[test]
    fn claims_and_properties_that_agree_are_kept_as_written() {
        let mut vc = v1_credential();
        vc["issuer"] = json!({"id": ISSUER, "name": "University"});
        vc["credentialSubject"]["id"] = json!(SUBJECT);
        vc["id"] = json!("urn:uuid:1");
        vc["issuanceDate"] = json!("2026-06-30T14:00:00+02:00");
        let result = mapped(&json!({
            "vc": vc.clone(), "iss": ISSUER, "sub": SUBJECT, "jti": "urn:uuid:1", "nbf": 1_782_820_800,
        }));
        assert_eq!(result.identity_conflicts, Vec::<String>::new());
        assert_eq!(result.date_conflicts, Vec::<String>::new());
        assert_eq!(result.document, vc);
    }

    #[test]
    fn each_identifier_that_disagrees_is_a_conflict_and_the_claim_wins() {
        let cases = [
            ("iss", json!({"issuer": "did:example:eve"}), "/issuer"),
            ("iss", json!({"issuer": {"id": "did:example:eve"}}), "/issuer/id"),
            ("jti", json!({"id": "urn:uuid:2"}), "/id"),
            (
                "sub",
                json!({"credentialSubject": {"id": "did:example:eve"}}),
                "/credentialSubject/id",
            ),
            (
                "sub",
                json!({"credentialSubject": [{"id": "did:example:eve"}]}),
                "/credentialSubject/0/id",
            ),
        ];
        for (claim, properties, pointer) in cases {
            let mut vc = v1_credential();
            for (name, value) in properties.as_object().unwrap() {
                vc[name] = value.clone();
            }
            let claims = json!({"iss": ISSUER, "sub": SUBJECT, "jti": "urn:uuid:1"});
            let result = mapped(&json!({"vc": vc, claim: claims[claim]}));
            assert_eq!(result.identity_conflicts.len(), 1, "{claim}: {result:?}");
            assert!(
                result.identity_conflicts[0].starts_with(&format!(
                    "The JWT `{claim}` ({})",
                    claims[claim].as_str().unwrap()
                )),
                "{result:?}"
            );
            assert_eq!(result.document.pointer(pointer), Some(&claims[claim]), "{claim}");
        }
    }

    #[test]
    fn sub_naming_none_of_several_subjects_is_a_conflict() {
        let mut vc = v1_credential();
        vc["credentialSubject"] = json!([{"id": "did:example:a"}, {"id": "did:example:b"}]);
        let result = mapped(&json!({"vc": vc.clone(), "sub": SUBJECT}));
        assert_eq!(
            result.identity_conflicts,
            vec![format!(
                "The JWT `sub` ({SUBJECT}) is the id of none of the credential's 2 subjects."
            )]
        );
        let result = mapped(&json!({"vc": vc, "sub": "did:example:b"}));
        assert_eq!(result.identity_conflicts, Vec::<String>::new());
    }

    #[test]
    fn each_date_that_disagrees_is_a_conflict_and_the_claim_wins() {
        for (claim, property, v2) in [
            ("nbf", "issuanceDate", false),
            ("exp", "expirationDate", false),
            ("nbf", "validFrom", true),
            ("exp", "validUntil", true),
        ] {
            let mut vc = v1_credential();
            if v2 {
                vc["@context"] = json!([CREDENTIALS_V2]);
            }
            vc[property] = json!("2026-06-30T12:00:01Z");
            let result = mapped(&json!({"vc": vc, claim: 1_782_820_800}));
            assert_eq!(
                result.date_conflicts,
                vec![format!(
                    "The JWT `{claim}` (2026-06-30T12:00:00Z) and the credential's `{property}` (2026-06-30T12:00:01Z) disagree."
                )]
            );
            assert_eq!(result.document[property], "2026-06-30T12:00:00Z");
        }
    }

    #[test]
    fn malformed_claims_are_unusable_input() {
        for (payload, needle) in [
            (
                json!({"vc": "a credential"}),
                "`vc` must be a JSON object, found a string",
            ),
            (
                json!({"vc": [v1_credential()]}),
                "`vc` must be a JSON object, found an array",
            ),
            (json!({"vc": v1_credential(), "iss": 7}), "`iss` must be a string"),
            (
                json!({"vc": v1_credential(), "sub": {"id": SUBJECT}}),
                "`sub` must be a string",
            ),
            (
                json!({"vc": v1_credential(), "nbf": "2026-06-30"}),
                "`nbf` is not a NumericDate",
            ),
            (json!({"iss": ISSUER}), "no `vc` claim"),
        ] {
            let err = credential_from_claims(&payload).unwrap_err();
            assert!(matches!(err, VerificationError::Input(_)), "{err}");
            assert!(err.to_string().contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn a_presentation_takes_its_holder_from_iss_and_its_id_from_jti() {
        let result = presentation_from_claims(&json!({
            "iss": SUBJECT, "jti": "urn:uuid:p", "aud": "did:example:verifier", "nonce": "n-1",
            "vp": {"@context": [CREDENTIALS_V1], "type": ["VerifiablePresentation"]},
        }))
        .unwrap();
        assert_eq!(result.identity_conflicts, Vec::<String>::new());
        assert_eq!(result.document["holder"], SUBJECT);
        assert_eq!(result.document["id"], "urn:uuid:p");

        let result = presentation_from_claims(&json!({
            "iss": SUBJECT, "vp": {"holder": {"id": "did:example:eve"}},
        }))
        .unwrap();
        assert_eq!(result.identity_conflicts.len(), 1, "{result:?}");
        assert_eq!(result.document["holder"]["id"], SUBJECT);
    }

    #[test]
    fn credentials_given_as_jwt_strings_become_enveloped_credentials() {
        let object = json!({"@context": [CREDENTIALS_V1], "type": ["VerifiableCredential"]});
        let credentials = secured_credentials(vec![
            json!("e30.e30.sig"),
            json!("e30.e30.sig~WyJzIiwiYSIsMV0~"),
            object.clone(),
        ])
        .unwrap();
        assert_eq!(credentials[0]["id"], "data:application/vc+jwt,e30.e30.sig");
        assert_eq!(
            credentials[1]["id"],
            "data:application/dc+sd-jwt,e30.e30.sig~WyJzIiwiYSIsMV0~"
        );
        assert_eq!(credentials[2], object);

        let err = secured_credentials(vec![json!("not a jwt")]).unwrap_err();
        assert!(err.to_string().contains("must be a JWT or an SD-JWT"), "{err}");
    }

    #[test]
    fn a_relative_or_missing_kid_is_read_against_the_signer() {
        let jws = |header: Value| UnverifiedJws {
            header: header.as_object().unwrap().clone(),
            payload: json!({}),
        };
        let did_key = "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH";
        assert_eq!(
            method_id(&jws(json!({"kid": "#key-1"})), Some(ISSUER)).unwrap(),
            format!("{ISSUER}#key-1")
        );
        assert_eq!(
            method_id(&jws(json!({"kid": "did:example:other#k"})), Some(ISSUER)).unwrap(),
            "did:example:other#k"
        );
        assert_eq!(
            method_id(&jws(json!({})), Some(did_key)).unwrap(),
            format!("{did_key}#z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH")
        );
        assert_eq!(
            method_id(&jws(json!({})), Some("did:jwk:eyJ9")).unwrap(),
            "did:jwk:eyJ9#0"
        );
        assert!(method_id(&jws(json!({})), Some(ISSUER)).is_err());
    }
}
