//! The `openid4vp://` link a wallet is handed (a QR code, a pasted link), read by the wallet's
//! `present::parse_request_uri`: the verifier's client id and DID, and its `request_uri`.
//!
//! Property: it never panics, and what it reads, written back as a link, reads the same.

use sigil_wallet::present::{self, RequestUri};

use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "openid4vp_uri",
    entry_point: "sigil_wallet::present::parse_request_uri",
    tokens: &[
        b"openid4vp://",
        b"?",
        b"&",
        b"=",
        b"%",
        b"client_id=",
        b"request_uri=",
        b"decentralized_identifier:",
        b"did:key:",
        b"did:sigil:",
        b"https://",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let read = present::parse_request_uri(&text(input));
    if let Ok(uri) = &read {
        let again = present::parse_request_uri(&link(uri));
        ensure(again.as_ref().ok() == Some(uri), || {
            format!("reads back as {again:?}")
        })?;
    }
    Ok(Outcome::of(&read))
}

/// The link that says `uri`.
fn link(uri: &RequestUri) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &uri.client_id)
        .append_pair("request_uri", &uri.request_uri)
        .finish();
    format!("openid4vp://?{query}")
}
