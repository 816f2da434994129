//! The wallet's local web UI: one struct per page with plain fields, filled by
//! `sigil-wallet serve`. Credentials come from issuers and requests from verifiers, strangers
//! both, so askama escapes everything.

use askama::Template;

use crate::party::PartyView;

/// What every unlocked page shows.
#[derive(Debug, Clone)]
pub struct Frame {
    pub csrf: String,
    pub section: &'static str,
    pub message: Option<String>,
    pub error: Option<String>,
    /// Whether the wallet may reach plain-http and private addresses (a development setting,
    /// announced on every page).
    pub insecure_targets: bool,
}

/// `/unlock`
#[derive(Debug, Template)]
#[template(path = "wallet/unlock.html")]
pub struct UnlockPage {
    pub error: Option<String>,
    /// The unlock form's CSRF token (also in a cookie).
    pub csrf: String,
    /// As in [`Frame::insecure_targets`].
    pub insecure_targets: bool,
}

/// A credential as a card.
#[derive(Debug, Clone)]
pub struct Card {
    pub id: String,
    pub title: String,
    pub type_label: String,
    pub issuer_name: String,
    /// Whether the registry vouches for `issuer_name`.
    pub issuer_vouched: bool,
    pub accreditation: String,
    /// In words: "Valid", "Revoked", "Suspended", "Could not check".
    pub status: String,
    /// `valid`, `revoked`, `suspended`, `invalid` or `unknown` (the CSS class).
    pub status_class: String,
    pub validity: String,
}

/// `/`
#[derive(Debug, Template)]
#[template(path = "wallet/cards.html")]
pub struct CardsPage {
    pub frame: Frame,
    pub cards: Vec<Card>,
}

/// A check, for people.
#[derive(Debug, Clone)]
pub struct CheckLine {
    pub outcome: String,
    pub label: String,
    pub sentence: String,
}

/// `/credentials/{id}/print`: the credential as one printed page, with the QR code that holds
/// it (`sigil_core::paper`).
#[derive(Debug, Template)]
#[template(path = "wallet/print.html")]
pub struct PrintPage {
    pub id: String,
    pub title: String,
    pub type_label: String,
    pub issuer: PartyView,
    pub claims: Vec<(String, String)>,
    /// The QR code leading to the verifier's page for it, when one can be made.
    pub qr_data_uri: Option<String>,
    /// The verifier's host, printed under the code.
    pub verifier_host: String,
    /// Why there is no QR code, if there is none.
    pub problem: Option<String>,
    /// When it was printed.
    pub printed: String,
}

/// `/credentials/{id}`
#[derive(Debug, Template)]
#[template(path = "wallet/credential.html")]
pub struct CredentialPage {
    pub frame: Frame,
    pub id: String,
    pub title: String,
    pub type_label: String,
    pub format: String,
    pub issuer: PartyView,
    pub accreditation: String,
    pub received: String,
    pub claims: Vec<(String, String)>,
    pub checks: Vec<CheckLine>,
}

/// `/receive`
#[derive(Debug, Template)]
#[template(path = "wallet/receive.html")]
pub struct ReceivePage {
    pub frame: Frame,
    pub offer: String,
}

/// `/present`
#[derive(Debug, Template)]
#[template(path = "wallet/present.html")]
pub struct PresentPage {
    pub frame: Frame,
    pub request: String,
    /// Where the verifier asked the browser to go after the answer (its result page, the
    /// same-device flow of OpenID4VP 1.0 §8.2): the page sends the browser there at once.
    pub redirect: Option<String>,
}

/// The consent page for a presentation request.
#[derive(Debug, Template)]
#[template(path = "wallet/consent.html")]
pub struct ConsentPage {
    pub frame: Frame,
    /// The pending request's id.
    pub pending: String,
    /// The verifier's legal name when its accreditation records one, else the name it gives
    /// itself (unchecked), else its DID.
    pub verifier: String,
    /// Whether the registry vouches for `verifier`.
    pub verifier_vouched: bool,
    /// The name the verifier gives itself, if any: shown as self-asserted.
    pub verifier_name: Option<String>,
    pub verifier_did: String,
    /// The root of trust accrediting the verifier, if the registry says one does.
    pub accredited_by: Option<PartyView>,
    /// The types it is accredited to ask for.
    pub accredited_types: String,
    /// Why accreditation could not be checked, if it could not.
    pub accreditation_unchecked: Option<String>,
    /// A warning that the type asked for is beyond the accreditation.
    pub type_warning: Option<String>,
    /// Whether this wallet presented to the verifier before, in a sentence.
    pub presented_before: String,
    /// One per credential query the wallet would answer, in the request's order.
    pub credentials: Vec<ConsentCredential>,
}

/// On the consent page: what one credential query asks, and the held credential that answers.
#[derive(Debug, Clone)]
pub struct ConsentCredential {
    /// The credential query's id: each ticked claim is sent as `{query_id}:{claim}`.
    pub query_id: String,
    /// What the query asks for, in words.
    pub asks: String,
    pub type_label: String,
    pub credential_title: String,
    pub issuer_name: String,
    /// Whether the holder can pick claims (SD-JWT VC).
    pub selectable: bool,
    /// (claim, requested): what would be shared.
    /// Each claim: its label, its name (sent when ticked), and whether it was asked for.
    pub claims: Vec<(String, String, bool)>,
}

/// A history line.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub at: String,
    pub event: String,
    pub party: String,
    pub claims: String,
}

/// `/history`
#[derive(Debug, Template)]
#[template(path = "wallet/history.html")]
pub struct HistoryPage {
    pub frame: Frame,
    pub entries: Vec<HistoryLine>,
}

/// `/backup`
#[derive(Debug, Template)]
#[template(path = "wallet/backup.html")]
pub struct BackupPage {
    pub frame: Frame,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_verifier_name_is_escaped_on_the_consent_page() {
        let page = ConsentPage {
            frame: Frame {
                csrf: "t".into(),
                section: "present",
                message: None,
                error: None,
                insecure_targets: false,
            },
            pending: "p".into(),
            verifier: "<script>steal()</script>".into(),
            verifier_vouched: false,
            verifier_name: Some("<script>steal()</script>".into()),
            verifier_did: "did:key:z".into(),
            accredited_by: None,
            accredited_types: String::new(),
            accreditation_unchecked: None,
            type_warning: None,
            presented_before: "You have not presented to this verifier before.".into(),
            credentials: vec![
                ConsentCredential {
                    query_id: "sd".into(),
                    asks: "a UniversityDegreeCredential (dc+sd-jwt) with <script>name</script>".into(),
                    type_label: "University degree".into(),
                    credential_title: "BSc".into(),
                    issuer_name: "Example University".into(),
                    selectable: true,
                    claims: vec![
                        ("Full name".into(), "name".into(), true),
                        ("Student ID".into(), "studentId".into(), false),
                    ],
                },
                ConsentCredential {
                    query_id: "id_card".into(),
                    asks: "an IdentityCredential (ldp_vc)".into(),
                    type_label: "Identity card".into(),
                    credential_title: "<script>steal()</script>".into(),
                    issuer_name: "City".into(),
                    selectable: false,
                    claims: vec![("Date of birth".into(), "birthDate".into(), true)],
                },
            ],
        }
        .render()
        .unwrap();
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains(r#"value="sd:name" checked"#), "{page}");
        assert!(page.contains(r#"value="sd:studentId">"#), "{page}");
        assert!(
            page.contains("<li>Date of birth</li>"),
            "the label, not the name: {page}"
        );
        assert!(page.contains("<code>id_card</code>"), "{page}");
        assert!(page.contains("This verifier is not accredited."), "{page}");
    }

    #[test]
    fn after_sharing_the_page_sends_the_browser_to_the_verifiers_result() {
        let frame = Frame {
            csrf: "t".into(),
            section: "present",
            message: Some("Shared with Employer.".into()),
            error: None,
            insecure_targets: false,
        };
        let page = PresentPage {
            frame,
            request: String::new(),
            redirect: Some("https://verifier.example/requests/1?response_code=a&b=\"><script>".into()),
        }
        .render()
        .unwrap();
        assert!(
            page.contains(
                r#"<meta http-equiv="refresh" content="0; url=https://verifier.example/requests/1?response_code=a&#38;b=&#34;&#62;&#60;script&#62;">"#
            ),
            "{page}"
        );
        assert!(!page.contains("<script>"), "{page}");
    }
}
