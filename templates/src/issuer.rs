//! The issuer's registrar portal: one struct per page with plain fields, filled by
//! `sigil-issuer`. Claims come from registrars and CSV files, and subjects from wallets, so
//! nothing but the QR code image (a `data:` URI the issuer renders) is trusted: askama
//! escapes everything else.

use askama::Template;

/// What every signed-in page shows: who, where, and the session's CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct Frame {
    pub institution: String,
    pub username: String,
    pub csrf: String,
    /// The navigation entry to highlight.
    pub section: &'static str,
}

/// The formats a registrar can pick: (value, label).
pub const FORMATS: [(&str, &str); 3] = [
    ("ldp_vc", "W3C Data Integrity (eddsa-rdfc-2022)"),
    ("vc+jwt", "W3C VC-JOSE (vc+jwt)"),
    ("dc+sd-jwt", "SD-JWT VC (selective disclosure)"),
];

/// `/portal/login`
#[derive(Debug, Template)]
#[template(path = "issuer/login.html")]
pub struct LoginPage {
    pub institution: String,
    pub username: String,
    pub error: Option<String>,
    /// The sign-in form's token, also in its cookie.
    pub csrf: String,
}

/// An audit log line.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// `/portal`
#[derive(Debug, Template)]
#[template(path = "issuer/dashboard.html")]
pub struct DashboardPage {
    pub frame: Frame,
    pub did: String,
    pub signing_key: String,
    pub public_url: String,
    pub offered: u64,
    pub issued: u64,
    pub suspended: u64,
    pub revoked: u64,
    pub entries: Vec<AuditRow>,
}

/// `/portal/audit`
#[derive(Debug, Template)]
#[template(path = "issuer/audit.html")]
pub struct AuditPage {
    pub frame: Frame,
    pub entries: Vec<AuditRow>,
}

/// A credential type in a picker.
#[derive(Debug, Clone)]
pub struct TypeChoice {
    pub name: String,
    pub display_name: String,
    pub selected: bool,
    /// The CSV columns, comma-separated.
    pub columns: String,
}

/// One form field for a claim.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// The dotted claim path: field name and id.
    pub key: String,
    pub label: String,
    /// `text`, `date` or `choice`.
    pub input: String,
    pub choices: Vec<String>,
    pub mandatory: bool,
    pub value: String,
}

/// `/portal/issue`
#[derive(Debug, Template)]
#[template(path = "issuer/issue.html")]
pub struct IssuePage {
    pub frame: Frame,
    pub types: Vec<TypeChoice>,
    pub type_name: String,
    pub fields: Vec<FieldView>,
    pub formats: [(&'static str, &'static str); 3],
    pub format_name: String,
    pub errors: Vec<String>,
}

/// An offer to hand to a student.
#[derive(Debug, Clone)]
pub struct OfferView {
    pub credential_id: String,
    pub summary: String,
    pub offer_uri: String,
    pub tx_code: String,
    /// `data:image/svg+xml;base64,…` of the offer URI's QR code.
    pub qr_data_uri: String,
}

/// The offers just made.
#[derive(Debug, Template)]
#[template(path = "issuer/offers.html")]
pub struct OffersPage {
    pub frame: Frame,
    pub offers: Vec<OfferView>,
    pub batch: Option<String>,
    pub expires: String,
}

/// A CSV line that needs correcting.
#[derive(Debug, Clone)]
pub struct LineProblem {
    pub line: usize,
    pub errors: Vec<String>,
}

/// `/portal/upload`
#[derive(Debug, Template)]
#[template(path = "issuer/upload.html")]
pub struct UploadPage {
    pub frame: Frame,
    pub types: Vec<TypeChoice>,
    pub formats: [(&'static str, &'static str); 3],
    pub problems: Vec<LineProblem>,
}

/// `/portal/batches/{id}`: a class being stored, then done.
#[derive(Debug, Template)]
#[template(path = "issuer/batch.html")]
pub struct BatchPage {
    pub frame: Frame,
    pub batch: String,
    pub total: usize,
    pub stored: usize,
    pub done: bool,
    pub error: Option<String>,
    /// Whether the registrar asked the page to reload itself until the batch is done.
    pub watching: bool,
}

/// A row of the credentials list.
#[derive(Debug, Clone)]
pub struct CredentialRow {
    pub id: String,
    pub summary: String,
    pub type_name: String,
    pub format: String,
    /// `offered` or `issued`.
    pub state: String,
    /// `active`, `suspended` or `revoked`.
    pub status: String,
    pub created: String,
    /// Which identity signs it: `institution`, or `profile NAME`.
    pub signer: String,
}

/// `/portal/credentials`
#[derive(Debug, Template)]
#[template(path = "issuer/credentials.html")]
pub struct CredentialsPage {
    pub frame: Frame,
    pub query: String,
    pub rows: Vec<CredentialRow>,
}

/// Where a credential is anchored.
#[derive(Debug, Clone)]
pub struct AnchorView {
    pub merkle_root: String,
    pub block_height: i64,
}

/// A registry receipt.
#[derive(Debug, Clone)]
pub struct ReceiptView {
    pub height: String,
    pub tx_hash: String,
}

/// `/portal/credentials/{id}`
#[derive(Debug, Template)]
#[template(path = "issuer/credential.html")]
pub struct CredentialPage {
    pub frame: Frame,
    pub id: String,
    pub summary: String,
    pub type_name: String,
    pub format: String,
    pub state: String,
    pub status: String,
    pub subject: Option<String>,
    /// The DID it is (or, for an offer, will be) signed as.
    pub signer_did: String,
    /// That identity in words: `the institution`, or `profile NAME`.
    pub signer: String,
    pub created: String,
    pub created_by: String,
    pub issued: Option<String>,
    pub status_list: i32,
    pub status_index: i64,
    pub anchor: Option<AnchorView>,
    /// The status actions allowed now: (action, button label).
    pub actions: Vec<(&'static str, &'static str)>,
    pub receipts: Vec<ReceiptView>,
    pub message: Option<String>,
    pub error: Option<String>,
}

/// An issuer profile: a further identity (a `did:key`) the VC API signs as.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub name: String,
    pub did: String,
}

/// `/portal/keys`
#[derive(Debug, Template)]
#[template(path = "issuer/keys.html")]
pub struct KeysPage {
    pub frame: Frame,
    pub did: String,
    pub signing_key: String,
    /// The issuer profiles the VC API can sign as besides `did`.
    pub profiles: Vec<ProfileView>,
    /// The next cold key's file text, shown once after a compromise rotation.
    pub next_cold_key: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

/// An error page (forbidden, too many attempts, not found).
#[derive(Debug, Template)]
#[template(path = "issuer/error.html")]
pub struct ErrorPage {
    pub institution: String,
    pub title: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame {
            institution: "Example <University>".into(),
            username: "registrar".into(),
            csrf: "token\"><script>".into(),
            section: "credentials",
        }
    }

    #[test]
    fn claims_and_names_are_escaped_everywhere() {
        let hostile = "<script>alert(1)</script>";
        let page = CredentialsPage {
            frame: frame(),
            query: hostile.into(),
            rows: vec![CredentialRow {
                id: "1".into(),
                summary: hostile.into(),
                type_name: "UniversityDegreeCredential".into(),
                format: "ldp_vc".into(),
                state: "issued".into(),
                status: "revoked".into(),
                created: "2026-06-30".into(),
                signer: hostile.into(),
            }],
        }
        .render()
        .unwrap();
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"),
            "{page}"
        );
        assert!(page.contains("Example &#60;University&#62;") || page.contains("Example &lt;University&gt;"));
        assert!(page.contains(r#"aria-current="page">Credentials"#));
    }

    #[test]
    fn the_keys_page_lists_every_identity_escaped() {
        let page = KeysPage {
            frame: frame(),
            did: "did:sigil:institution".into(),
            signing_key: "did:sigil:institution#key-1".into(),
            profiles: vec![ProfileView {
                name: "<script>".into(),
                did: "did:key:z6MkProfile".into(),
            }],
            next_cold_key: None,
            message: None,
            error: None,
        }
        .render()
        .unwrap();
        assert!(page.contains("did:sigil:institution"), "{page}");
        assert!(page.contains("did:key:z6MkProfile"), "{page}");
        assert!(!page.contains("<script>"), "{page}");
    }

    #[test]
    fn the_issue_form_has_one_field_per_claim_and_the_csrf_token() {
        let page = IssuePage {
            frame: frame(),
            types: vec![],
            type_name: "UniversityDegreeCredential".into(),
            fields: vec![FieldView {
                key: "degree.type".into(),
                label: "Degree level".into(),
                input: "choice".into(),
                choices: vec!["BachelorDegree".into(), "MasterDegree".into()],
                mandatory: true,
                value: "MasterDegree".into(),
            }],
            formats: FORMATS,
            format_name: "vc+jwt".into(),
            errors: vec!["dateOfBirth: \"<b>\" is not a \"date\"".into()],
        }
        .render()
        .unwrap();
        assert!(
            page.contains(r#"<option value="MasterDegree" selected>"#),
            "{page}"
        );
        assert!(page.contains(r#"<option value="vc+jwt" selected>"#), "{page}");
        assert!(
            page.contains(r#"name="csrf" value="token&#34;&#62;&#60;script&#62;""#),
            "{page}"
        );
        assert!(!page.contains("<b>"));
    }
}
