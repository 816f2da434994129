//! The body a wallet posts to a verifier's response URI (OpenID4VP `direct_post`): read as
//! `axum::Form<sigil_verifier::oid4vp::ResponseForm>` reads it, then the presentations
//! taken out of the `vp_token` by `sigil_verifier::oid4vp::presentations_in`.
//!
//! Property: never panics; each presentation taken out is one of the `vp_token`'s values,
//! under the query's credential id it is said to answer.

use std::sync::OnceLock;

use sigil_core::dcql::Query;
use sigil_verifier::oid4vp::{ResponseForm, presentations_in};

use crate::target::{Outcome, Target, Violation, ensure};

pub const TARGET: Target = Target {
    name: "vp_token",
    entry_point: "sigil_verifier::oid4vp::presentations_in (after serde_urlencoded of ResponseForm)",
    tokens: &[
        b"vp_token=",
        b"&state=",
        b"&error=",
        b"%7B",
        b"%7D",
        b"%22",
        b"%5B",
        b"%5D",
        b"+",
        b"%",
        b"%FF",
        b"&",
        b"diploma",
        b"diploma_sd",
        b"diploma_jwt",
    ],
    property,
};

/// The query of the seed request (three formats, one credential set).
fn query() -> Option<&'static Query> {
    static QUERY: OnceLock<Option<Query>> = OnceLock::new();
    QUERY
        .get_or_init(|| {
            crate::corpus::load("dcql")
                .ok()?
                .into_iter()
                .find(|entry| entry.name == "valid-three-formats.json")
                .and_then(|entry| Query::parse(&String::from_utf8_lossy(&entry.bytes)).ok())
        })
        .as_ref()
}

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let query =
        query().ok_or_else(|| Violation("fuzz/corpus/dcql/valid-three-formats.json is missing".into()))?;
    let Ok(form) = serde_urlencoded::from_bytes::<ResponseForm>(input) else {
        return Ok(Outcome::Refused);
    };
    if form.error.is_some() {
        // A wallet's refusal is recorded as it is; there is nothing else to read.
        return Ok(Outcome::Accepted);
    }
    let taken = presentations_in(form.vp_token.as_deref(), query);
    if let (Ok(presented), Some(token)) = (&taken, form.vp_token.as_deref()) {
        let token = sigil_core::json::parse(token).map_err(|e| Violation(e.to_string()))?;
        for presentation in presented {
            let found = query.credential(&presentation.query_id).is_some()
                && token
                    .get(&presentation.query_id)
                    .map(|value| value.as_array().cloned().unwrap_or_else(|| vec![value.clone()]))
                    .is_some_and(|values| {
                        values.iter().any(|v| {
                            v.as_str() == Some(presentation.text.as_str())
                                || serde_json::to_string(v).is_ok_and(|text| text == presentation.text)
                        })
                    });
            ensure(found, || {
                format!("{presentation:?} is not a value of the vp_token")
            })?;
        }
    }
    Ok(Outcome::of(&taken))
}
