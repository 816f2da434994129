//! The signed OpenID4VP request object a wallet fetches from a verifier
//! (`oauth-authz-req+jwt`), read the way `sigil-wallet`'s `present::open_request` reads it:
//! decoded, its `typ` and `kid` checked, the `kid` DID URL's key resolved (`did:key`,
//! offline), the signature verified, then its claims read by the wallet's own
//! `present::read_request_object` (client id, response type and mode, expiry, nonce, the
//! response URI under the wallet's rule for strangers' URLs, the DCQL query).
//!
//! Property: none of it panics; a request object's claims read, written and read again are
//! the same.

use serde::Deserialize as _;
use sigil_core::did::document::Relationship;
use sigil_core::did::{DidUrl, key};
use sigil_core::jose;
use sigil_core::presentation_request::RequestObject;
use sigil_wallet::present;
use sigil_wallet::targets::Targets;

use crate::target::{Outcome, Target, Violation, ensure, text};

/// The wallet's reading of the claims, as if they came from the client id they name.
fn read_as_the_wallet_does(payload: &serde_json::Value) -> Result<(), Violation> {
    let client_id = payload.get("client_id").and_then(serde_json::Value::as_str);
    let Some(verifier) = client_id
        .and_then(|id| id.strip_prefix("decentralized_identifier:"))
        .and_then(|did| sigil_core::did::Did::parse(did).ok())
    else {
        return Ok(());
    };
    let targets = Targets::new(false).map_err(|e| Violation(format!("the wallet's client: {e}")))?;
    let client_id = client_id.unwrap_or_default().to_owned();
    let _ = present::read_request_object(&targets, payload, client_id, verifier);
    Ok(())
}

pub const TARGET: Target = Target {
    name: "openid4vp_request",
    entry_point: "sigil_core::jose::decode_unverified + DidUrl::parse + sigil_wallet::present::read_request_object",
    tokens: &[
        b"\"oauth-authz-req+jwt\"",
        b"\"client_id\"",
        b"\"response_uri\"",
        b"\"response_mode\"",
        b"\"direct_post\"",
        b"\"dcql_query\"",
        b"\"client_metadata\"",
        b"\"nonce\"",
        b"\"exp\"",
        b"\"kid\"",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let text = text(input);
    let jwt = text.trim();
    let Ok(unverified) = jose::decode_unverified(jwt) else {
        return Ok(Outcome::Refused);
    };
    // The claims are read only after the signature checks; read them here too, so that the
    // request object's parser is fuzzed by every mutation of the payload.
    let claims = RequestObject::deserialize(&unverified.payload);
    read_as_the_wallet_does(&unverified.payload)?;
    if let Ok(object) = &claims {
        let written = serde_json::to_value(object).map_err(|e| Violation(e.to_string()))?;
        let again = RequestObject::deserialize(&written);
        ensure(again.as_ref().ok() == Some(object), || {
            format!("reads back as {again:?}")
        })?;
    }
    let Some(kid) = unverified.header_str("kid") else {
        return Ok(Outcome::Refused);
    };
    let Ok(kid_url) = DidUrl::parse(kid) else {
        return Ok(Outcome::Refused);
    };
    if kid_url.did().method() != "key" {
        return Ok(Outcome::Refused);
    }
    let Ok(document) = key::resolve(kid_url.did()) else {
        return Ok(Outcome::Refused);
    };
    let Some(public_key) = document
        .method_for(kid, Relationship::Authentication)
        .or_else(|| document.method_for(kid, Relationship::AssertionMethod))
        .and_then(|method| method.public_key().ok())
    else {
        return Ok(Outcome::Refused);
    };
    let verified = jose::verify_compact(jwt, &public_key);
    Ok(if verified.is_ok() && claims.is_ok() {
        Outcome::Accepted
    } else {
        Outcome::Refused
    })
}
