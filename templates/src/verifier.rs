//! The verifier's pages: one struct per page with plain fields, filled by `sigil-verifier`.
//! Claims come from strangers' credentials, so nothing but the QR code image (a `data:` URI
//! the verifier renders) is trusted: askama escapes everything else.

use askama::Template;

pub use crate::party::PartyView;

/// A policy the relying party can start a request for.
#[derive(Debug, Clone)]
pub struct PolicyView {
    pub id: String,
    pub label: String,
    /// The claims it asks for, in words.
    pub claims: String,
}

/// `/`
#[derive(Debug, Template)]
#[template(path = "verifier/home.html")]
pub struct HomePage {
    pub name: String,
    pub policies: Vec<PolicyView>,
}

/// One check, for people.
#[derive(Debug, Clone)]
pub struct CheckView {
    /// `passed`, `failed`, `not_applicable` or `note` (the CSS class).
    pub outcome: String,
    pub label: String,
    pub sentence: String,
}

/// A verification's result.
#[derive(Debug, Clone)]
pub struct ResultView {
    /// `verified`, `rejected` or `could_not_check` (the CSS class).
    pub verdict: String,
    pub headline: String,
    /// Disclosed claims: (dotted name, value).
    pub claims: Vec<(String, String)>,
    pub issuer: Option<PartyView>,
    /// The root of trust whose accreditation of the issuer was found.
    pub accredited_by: Option<PartyView>,
    /// Why nothing could be checked, when nothing could.
    pub detail: Option<String>,
    pub checks: Vec<CheckView>,
    pub warnings: Vec<String>,
    /// The credential query this presentation answers, when a request asked for several.
    pub answers: Option<String>,
}

/// `/requests/{id}`: the QR code while waiting, then the result.
#[derive(Debug, Template)]
#[template(path = "verifier/request.html")]
pub struct RequestPage {
    pub name: String,
    pub label: String,
    /// `pending`, `verified`, `rejected` or `expired`.
    pub status: String,
    pub request_uri: String,
    pub qr_data_uri: String,
    pub expires: String,
    /// Why the answer as a whole was not accepted (a required credential set not answered,
    /// a presentation not accepted).
    pub reason: Option<String>,
    /// One result per presentation in the wallet's answer (or its error).
    pub results: Vec<ResultView>,
}

/// `/verify`
#[derive(Debug, Template)]
#[template(path = "verifier/verify.html")]
pub struct VerifyPage {
    pub name: String,
    pub input: String,
    pub result: Option<ResultView>,
    pub error: Option<String>,
}

/// The words for a check id.
pub fn check_label(id: &str) -> &'static str {
    match id {
        "format" => "Format",
        "signing_key" => "Issuer's key",
        "proof" => "Signature",
        "key_history" => "Key history",
        "status" => "Revocation and suspension",
        "validity" => "Validity period",
        "trust" => "Accreditation",
        "expected_issuer" => "Expected issuer",
        "disclosures" => "Disclosed claims",
        "holder_binding" => "Holder",
        "policy_type" => "Credential type",
        "policy_claims" => "Required claims",
        "policy_age" => "Age of the credential",
        _ => "Check",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_claims_are_escaped_on_the_result() {
        let hostile = "<img src=x onerror=alert(1)>";
        let page = VerifyPage {
            name: "Employer".into(),
            input: hostile.into(),
            result: Some(ResultView {
                verdict: "verified".into(),
                headline: "Verified".into(),
                claims: vec![("name".into(), hostile.into())],
                issuer: Some(PartyView {
                    did: "did:sigil:z".into(),
                    name: Some(hostile.into()),
                    vouched: false,
                }),
                accredited_by: None,
                detail: Some(hostile.into()),
                checks: vec![CheckView {
                    outcome: "passed".into(),
                    label: "Signature".into(),
                    sentence: hostile.into(),
                }],
                warnings: vec![],
                answers: None,
            }),
            error: None,
        }
        .render()
        .unwrap();
        assert!(!page.contains("<img src=x"), "{page}");
        assert_eq!(
            page.matches("&#60;img").count() + page.matches("&lt;img").count(),
            5,
            "{page}"
        );
    }
}
