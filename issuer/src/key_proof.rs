//! The wallet's proof of possession of its key (OpenID4VCI 1.0 §8.2.1.1 and Appendix F.1):
//! a JWT of type `openid4vci-proof+jwt`, signed by the holder's key — named by `kid` (a DID
//! URL) or carried as `jwk` — for this credential issuer (`aud`), recently (`iat`), over the
//! nonce the issuer handed out (`nonce`). What it proves becomes the credential's subject.

use serde_json::Value;
use sigil_core::did::document::Relationship;
use sigil_core::did::resolver::DidResolver;
use sigil_core::did::{Did, DidUrl, ResolutionOptions};
use sigil_core::jose;
use sigil_core::key::{Jwk, PublicKey};
use sigil_core::time::Timestamp;
use sigil_core::verify::CLOCK_SKEW_SECONDS;

/// The JWT type a key proof must carry.
pub const PROOF_TYPE: &str = "openid4vci-proof+jwt";

/// Oldest `iat` accepted, in seconds before now.
const MAX_AGE_SECONDS: i64 = 300;

/// A checked key proof: who the holder is and the nonce it signed.
#[derive(Debug, Clone)]
pub struct KeyProof {
    pub holder: Did,
    pub key: PublicKey,
    pub nonce: String,
}

/// Why a key proof was refused. [`ProofError::Unresolvable`] is the only one that is not the
/// wallet's fault.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// `invalid_proof`.
    #[error("{0}")]
    Invalid(String),
    /// `invalid_nonce`: no nonce, or one not issued here, used, or expired.
    #[error("{0}")]
    Nonce(String),
    /// The holder's DID could not be resolved right now.
    #[error("{0}")]
    Unresolvable(String),
}

/// Checks `jwt` for the credential issuer `audience` at `now`. The nonce is returned, not
/// checked: the caller holds the nonce store.
pub async fn check(
    jwt: &str,
    audience: &str,
    resolver: &dyn DidResolver,
    now: Timestamp,
) -> Result<KeyProof, ProofError> {
    let invalid = |reason: String| ProofError::Invalid(reason);
    let unverified = jose::decode_unverified(jwt).map_err(|e| invalid(e.to_string()))?;
    if unverified.header_str("typ") != Some(PROOF_TYPE) {
        return Err(invalid(format!("the proof's typ must be {PROOF_TYPE}")));
    }
    let (holder, key) = match (unverified.header_str("kid"), unverified.header.get("jwk")) {
        (Some(kid), None) => key_from_kid(kid, resolver).await?,
        (None, Some(jwk)) => {
            let jwk = Jwk::from_value(jwk).map_err(|e| invalid(format!("jwk: {e}")))?;
            if jwk.is_private() {
                return Err(invalid("the proof's jwk holds a private key".into()));
            }
            let key = PublicKey::from_jwk(&jwk).map_err(|e| invalid(format!("jwk: {e}")))?;
            (key.did_key(), key)
        }
        _ => {
            return Err(invalid(
                "the proof must name its key with exactly one of kid and jwk".into(),
            ));
        }
    };
    let verified = jose::verify_compact(jwt, &key).map_err(|e| invalid(e.to_string()))?;
    let claims = &verified.payload;
    if !audience_matches(claims.get("aud"), audience) {
        return Err(invalid(format!("the proof is not for this issuer ({audience})")));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("the proof has no iat".into()))?;
    let now = now.timestamp();
    if iat > now + CLOCK_SKEW_SECONDS || iat < now - MAX_AGE_SECONDS - CLOCK_SKEW_SECONDS {
        return Err(invalid("the proof's iat is not recent".into()));
    }
    let nonce = claims
        .get("nonce")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Nonce("the proof has no nonce; get one from the nonce endpoint".into()))?;
    Ok(KeyProof {
        holder,
        key,
        nonce: nonce.to_owned(),
    })
}

fn audience_matches(aud: Option<&Value>, audience: &str) -> bool {
    let same = |value: &Value| value.as_str().map(|a| a.trim_end_matches('/')) == Some(audience);
    match aud {
        Some(Value::Array(values)) => values.iter().any(same),
        Some(value) => same(value),
        None => false,
    }
}

/// The holder's key from a DID URL: it must be an authentication (or assertion) method of
/// the DID as it stands now.
async fn key_from_kid(kid: &str, resolver: &dyn DidResolver) -> Result<(Did, PublicKey), ProofError> {
    let url = DidUrl::parse(kid).map_err(|e| ProofError::Invalid(format!("kid: {e}")))?;
    let resolution = resolver
        .resolve(url.did(), &ResolutionOptions::latest())
        .await
        .map_err(|e| {
            if e.is_unavailable() {
                ProofError::Unresolvable(e.to_string())
            } else {
                ProofError::Invalid(format!("the proof's key {kid}: {e}"))
            }
        })?;
    let document = resolution.document;
    let full_id = if kid.starts_with('#') {
        format!("{}{kid}", url.did())
    } else {
        kid.to_owned()
    };
    let method = document
        .method_for(&full_id, Relationship::Authentication)
        .or_else(|| document.method_for(&full_id, Relationship::AssertionMethod))
        .ok_or_else(|| ProofError::Invalid(format!("{kid} is not an authentication key of its DID")))?;
    let key = method
        .public_key()
        .map_err(|e| ProofError::Invalid(format!("{kid}: {e}")))?;
    Ok((url.did().clone(), key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sigil_core::did::resolver::StandardResolver;
    use sigil_core::key::SigningKey;

    const AUDIENCE: &str = "https://issuer.example";

    fn proof(key: &SigningKey, typ: &str, claims: &Value) -> String {
        jose::sign_compact(claims, typ, &key.did_key_method(), key).unwrap()
    }

    async fn check_now(jwt: &str) -> Result<KeyProof, ProofError> {
        check(
            jwt,
            AUDIENCE,
            &StandardResolver::offline(),
            sigil_core::time::now(),
        )
        .await
    }

    #[tokio::test]
    async fn a_good_proof_names_the_holder_and_its_nonce() {
        let key = SigningKey::generate();
        let now = sigil_core::time::now().timestamp();
        let jwt = proof(
            &key,
            PROOF_TYPE,
            &json!({"aud": AUDIENCE, "iat": now, "nonce": "n-1"}),
        );
        let checked = check_now(&jwt).await.unwrap();
        assert_eq!(checked.holder, key.did_key());
        assert_eq!(checked.nonce, "n-1");
    }

    #[tokio::test]
    async fn a_proof_for_another_issuer_a_stale_one_or_a_wrong_type_is_invalid() {
        let key = SigningKey::generate();
        let now = sigil_core::time::now().timestamp();
        for jwt in [
            proof(
                &key,
                PROOF_TYPE,
                &json!({"aud": "https://evil.example", "iat": now, "nonce": "n"}),
            ),
            proof(
                &key,
                PROOF_TYPE,
                &json!({"aud": AUDIENCE, "iat": now - 3600, "nonce": "n"}),
            ),
            proof(&key, "JWT", &json!({"aud": AUDIENCE, "iat": now, "nonce": "n"})),
        ] {
            assert!(matches!(check_now(&jwt).await, Err(ProofError::Invalid(_))));
        }
        let no_nonce = proof(&key, PROOF_TYPE, &json!({"aud": AUDIENCE, "iat": now}));
        assert!(matches!(check_now(&no_nonce).await, Err(ProofError::Nonce(_))));
    }

    #[tokio::test]
    async fn a_proof_signed_by_another_key_than_its_kid_is_invalid() {
        let (holder, thief) = (SigningKey::generate(), SigningKey::generate());
        let now = sigil_core::time::now().timestamp();
        let claims = json!({"aud": AUDIENCE, "iat": now, "nonce": "n"});
        let jwt = jose::sign_compact(&claims, PROOF_TYPE, &holder.did_key_method(), &thief).unwrap();
        assert!(matches!(check_now(&jwt).await, Err(ProofError::Invalid(_))));
    }
}
