//! The body a wallet posts to a verifier's response URI (OpenID4VP `direct_post`): read as
//! `axum::Form<sigil_verifier::oid4vp::ResponseForm>` reads it, then the one presentation
//! taken out of the `vp_token` by `sigil_verifier::oid4vp::presentation_in`.
//!
//! Property: never panics; a presentation taken out is one of the `vp_token`'s values, under
//! one of the query's credential ids.

use std::sync::OnceLock;

use sigil_core::dcql::Query;
use sigil_verifier::oid4vp::{ResponseForm, presentation_in};

use crate::target::{Outcome, Target, Violation, ensure};

pub const TARGET: Target = Target {
    name: "vp_token",
    entry_point: "sigil_verifier::oid4vp::presentation_in (after serde_urlencoded of ResponseForm)",
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
    let taken = presentation_in(form.vp_token.as_deref(), query);
    if let (Ok(presentation), Some(token)) = (&taken, form.vp_token.as_deref()) {
        let token = sigil_core::json::parse(token).map_err(|e| Violation(e.to_string()))?;
        let found = token.as_object().is_some_and(|object| {
            object
                .iter()
                .filter(|(id, _)| query.credential(id).is_some())
                .any(|(_, value)| {
                    let values = value.as_array().cloned().unwrap_or_else(|| vec![value.clone()]);
                    values.iter().any(|v| {
                        v.as_str() == Some(presentation.as_str())
                            || serde_json::to_string(v).is_ok_and(|text| text == *presentation)
                    })
                })
        });
        ensure(found, || {
            format!("{presentation:?} is not a value of the vp_token")
        })?;
    }
    Ok(Outcome::of(&taken))
}
