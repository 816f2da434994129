//! The verifier's pages: one struct per page with plain fields, filled by `sigil-verifier`.
//! Claims come from strangers' credentials, so nothing but the QR code image (a `data:` URI
//! the verifier renders) is trusted: askama escapes everything else.

use askama::Template;

use crate::lang::Lang;
pub use crate::party::PartyView;
use crate::text::catalog;

catalog! {
    /// The verifier's words.
    VerifierText {
        brand: "Verify a credential", "验证凭证";
        home_title: "Verify", "验证";
        home_heading: "Verify a credential", "验证凭证";
        home_intro: "Ask a person to show a credential from their wallet. They scan a QR code, see exactly what they will share, and agree; you see the result and every check behind it.", "请对方出示其钱包中的凭证：对方扫描二维码，看清将要分享的内容并同意后，您即可看到结果及其背后的每一项检查。";
        asks_for: "Asks for:", "要求提供：";
        whole_credential: "the whole credential", "整份凭证";
        start: "Start", "开始";
        handed_a_file: "Were you handed a credential or a presentation as a file?", "收到的是凭证或出示文件？";
        check_it_here: "Check it here.", "在此检查。";
        qr_alt: "QR code of the presentation request", "出示请求的二维码";
        scan: "Scan with your wallet", "请用钱包扫描";
        or_open_link: ", or open the link on the device that holds it:", "，或在存有凭证的设备上打开此链接：";
        waiting: "Waiting for the wallet.", "正在等待钱包回应。";
        expires_at: "The request expires at", "请求的过期时间：";
        check_again: "Check for the answer", "查看回应";
        watch: "Check automatically every few seconds", "每隔几秒自动查看";
        stop_watching: "Stop checking automatically", "停止自动查看";
        watching: "This page reloads itself every few seconds until the wallet answers.", "在钱包回应之前，本页每隔几秒自动刷新。";
        expired: "This request expired before a wallet answered it.", "此请求在钱包回应之前已过期。";
        start_again: "Start again.", "重新开始。";
        not_accepted_because: "Not accepted:", "未被接受：";
        verify_another: "Verify another", "验证另一份";
        answers_query: "Answers the request's credential query", "回应请求中的凭证查询";
        shared_with_you: "Shared with you", "与您分享的内容";
        issued_by: "Issued by", "签发机构";
        accredited_by: "Accredited by", "认可机构";
        warning: "Warning:", "警告：";
        checks: "Checks", "检查项";
        check_title: "Check a credential", "检查凭证";
        check_heading: "Check a credential or presentation", "检查凭证或出示";
        paste_label: "Paste it (JSON, a compact JWS, or an SD-JWT)", "粘贴内容（JSON、紧凑 JWS 或 SD-JWT）";
        upload_label: "…or upload the file", "……或上传文件";
        check_button: "Check", "检查";
        nothing_given: "Paste a credential or presentation, or choose a file.", "请粘贴凭证或出示，或选择一个文件。";
        verified: "Verified", "验证通过";
        not_accepted: "Not accepted", "未被接受";
        could_not_check: "Could not check", "无法检查";
        declined: "The holder declined to share", "持有人拒绝分享";
        wallet_error: "The wallet answered with an error:", "钱包返回错误：";
        details_in_english: "The checks' details are in English.", "每项检查后附有英文的详细说明。";
        label_format: "Format", "格式";
        label_signing_key: "Issuer's key", "签发机构的密钥";
        label_proof: "Signature", "签名";
        label_key_history: "Key history", "密钥历史";
        label_status: "Revocation and suspension", "撤销与暂停";
        label_validity: "Validity period", "有效期";
        label_trust: "Accreditation", "认可";
        label_expected_issuer: "Expected issuer", "指定的签发机构";
        label_disclosures: "Disclosed claims", "披露的声明";
        label_holder_binding: "Holder", "持有人";
        label_policy_type: "Credential type", "凭证类型";
        label_policy_claims: "Required claims", "必需的声明";
        label_policy_age: "Age of the credential", "凭证的时效";
        label_other: "Check", "检查";
        paper_title: "A credential on paper", "纸质凭证";
        paper_heading: "Check a credential on paper", "核验纸质凭证";
        paper_intro: "This is the credential the printed code holds, checked now: its signature, its issuer's accreditation, and whether it has been revoked since it was printed — a photocopy of a revoked credential says so too.", "这是打印二维码中所含的凭证，此刻重新核验：签名、签发机构的认可，以及打印之后是否已被撤销——被撤销凭证的复印件同样会显示撤销。";
        paper_unreadable: "This code does not hold a credential Sigil can read:", "此二维码中没有可读取的凭证：";
        check_another: "Check another credential", "检查另一份凭证";
    }
}

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
    pub lang: Lang,
    pub t: &'static VerifierText,
    pub name: String,
    pub policies: Vec<PolicyView>,
}

/// One check, for people.
#[derive(Debug, Clone)]
pub struct CheckView {
    /// `passed`, `failed`, `not_applicable` or `note` (the CSS class).
    pub outcome: String,
    pub label: String,
    /// What the check found, in the page's language, when the report's sentence is not in it.
    pub summary: Option<&'static str>,
    /// The report's sentence (English).
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
    pub lang: Lang,
    pub t: &'static VerifierText,
    pub name: String,
    /// Whether the visitor asked the page to reload itself while the request is pending.
    pub watching: bool,
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

/// `/P/{payload}`: a credential scanned from paper, checked.
#[derive(Debug, Template)]
#[template(path = "verifier/paper.html")]
pub struct PaperPage {
    pub lang: Lang,
    pub t: &'static VerifierText,
    pub name: String,
    pub result: Option<ResultView>,
    pub error: Option<String>,
}

/// `/verify`
#[derive(Debug, Template)]
#[template(path = "verifier/verify.html")]
pub struct VerifyPage {
    pub lang: Lang,
    pub t: &'static VerifierText,
    pub name: String,
    pub input: String,
    pub result: Option<ResultView>,
    pub error: Option<String>,
}

/// The words for a check id, in `lang`.
pub fn check_label(id: &str, lang: Lang) -> &'static str {
    let t = VerifierText::for_lang(lang);
    match id {
        "format" => t.label_format,
        "signing_key" => t.label_signing_key,
        "proof" => t.label_proof,
        "key_history" => t.label_key_history,
        "status" => t.label_status,
        "validity" => t.label_validity,
        "trust" => t.label_trust,
        "expected_issuer" => t.label_expected_issuer,
        "disclosures" => t.label_disclosures,
        "holder_binding" => t.label_holder_binding,
        "policy_type" => t.label_policy_type,
        "policy_claims" => t.label_policy_claims,
        "policy_age" => t.label_policy_age,
        _ => t.label_other,
    }
}

/// What a check found, in `lang`, for a page whose language is not the report's (English):
/// a sentence per check and outcome, before the report's own sentence with its particulars.
pub fn check_summary(id: &str, outcome: &str, lang: Lang) -> Option<&'static str> {
    if lang == Lang::En {
        return None;
    }
    Some(match (id, outcome) {
        (_, "not_applicable") => "此项检查不适用于这份凭证。",
        ("format", "passed") => "凭证的格式可以读取。",
        ("format", _) => "无法读取这份凭证的格式。",
        ("proof", "passed") => "签名有效：内容自签署以来未被改动。",
        ("proof", _) => "签名无效：内容已被改动，或并非由所称的密钥签署。",
        ("signing_key", "passed") => "签名所用的密钥在签署时属于签发机构。",
        ("signing_key", _) => "签名所用的密钥在签署时不属于签发机构。",
        ("key_history", "passed") => "签署时，该密钥未被声明泄露，签发机构的 DID 也未停用。",
        ("key_history", _) => "签署时，该密钥已被声明泄露，或签发机构的 DID 已停用。",
        ("status", "passed") => "签发机构没有撤销或暂停这份凭证。",
        ("status", _) => "签发机构已撤销或暂停这份凭证，或无法查明其状态。",
        ("validity", "passed") => "现在处于凭证的有效期内。",
        ("validity", _) => "凭证尚未生效或已经过期。",
        ("trust", "passed") => "签发机构已获认可，可以签发这类凭证。",
        ("trust", "note") => "签发机构未获签发这类凭证的认可；本次验证不要求认可。",
        ("trust", _) => "签发机构未获签发这类凭证的认可。",
        ("expected_issuer", "passed") => "签发机构正是所要求的机构。",
        ("expected_issuer", _) => "签发机构不是所要求的机构。",
        ("disclosures", "passed") => "披露的声明与签名中的摘要一致。",
        ("disclosures", _) => "披露的声明与签名中的摘要不一致。",
        ("holder_binding", "passed") => "出示由持有人为本次请求签署。",
        ("holder_binding", "note") => "出示由持有人签署，但持有人不是凭证的主体。",
        ("holder_binding", _) => "出示没有绑定到持有人或本次请求。",
        ("policy_type", "passed") => "凭证的类型符合要求。",
        ("policy_type", _) => "凭证的类型不符合要求。",
        ("policy_claims", "passed") => "包含所要求的全部声明。",
        ("policy_claims", _) => "缺少所要求的声明。",
        ("policy_age", "passed") => "凭证的签发时间符合要求。",
        ("policy_age", _) => "凭证的签发时间不符合要求。",
        (_, "passed") => "检查通过。",
        (_, "note") => "检查发现值得注意的情况，但不影响结果。",
        _ => "检查未通过。",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{assert_page_in, assert_translated, has_chinese};

    #[test]
    fn the_verifier_speaks_both_languages() {
        assert_translated(&VerifierText::all(), &[]);
        assert_eq!(check_label("proof", Lang::ZhCn), "签名");
        assert_eq!(check_label("something new", Lang::En), "Check");
        for id in [
            "format",
            "proof",
            "signing_key",
            "key_history",
            "status",
            "validity",
            "trust",
            "expected_issuer",
            "disclosures",
            "holder_binding",
            "policy_type",
            "policy_claims",
            "policy_age",
            "new",
        ] {
            for outcome in ["passed", "failed", "note", "not_applicable"] {
                assert_eq!(
                    check_summary(id, outcome, Lang::En),
                    None,
                    "English reads the report's sentence"
                );
                let summary = check_summary(id, outcome, Lang::ZhCn).unwrap();
                assert!(has_chinese(summary), "{id} {outcome}");
            }
        }
        assert_ne!(
            check_summary("status", "passed", Lang::ZhCn),
            check_summary("status", "failed", Lang::ZhCn)
        );
    }

    #[test]
    fn every_verifier_page_renders_in_both_languages() {
        for lang in Lang::ALL {
            let t = VerifierText::for_lang(lang);
            let result = ResultView {
                verdict: "verified".into(),
                headline: t.verified.into(),
                claims: vec![("name".into(), "Ada Lovelace".into())],
                issuer: Some(PartyView {
                    did: "did:sigil:zUni".into(),
                    name: Some("Example University".into()),
                    vouched: true,
                    lang,
                }),
                accredited_by: None,
                detail: None,
                checks: vec![CheckView {
                    outcome: "passed".into(),
                    label: check_label("proof", lang).into(),
                    summary: check_summary("proof", "passed", lang),
                    sentence: "The signature verifies.".into(),
                }],
                warnings: vec![],
                answers: None,
            };
            let request_page = |status: &str, results: Vec<ResultView>| {
                RequestPage {
                    lang,
                    t,
                    name: "Example Employer".into(),
                    watching: false,
                    label: "A degree".into(),
                    status: status.into(),
                    request_uri: "openid4vp://?request_uri=x".into(),
                    qr_data_uri: "data:image/svg+xml;base64,".into(),
                    expires: "12:00:00 UTC".into(),
                    reason: None,
                    results,
                }
                .render()
                .unwrap()
            };
            let pages = [
                HomePage {
                    lang,
                    t,
                    name: "Example Employer".into(),
                    policies: vec![PolicyView {
                        id: "diploma".into(),
                        label: "A degree".into(),
                        claims: t.whole_credential.into(),
                    }],
                }
                .render()
                .unwrap(),
                request_page("pending", vec![]),
                request_page("verified", vec![result.clone()]),
                VerifyPage {
                    lang,
                    t,
                    name: "Example Employer".into(),
                    input: String::new(),
                    result: Some(result),
                    error: None,
                }
                .render()
                .unwrap(),
            ];
            for html in pages {
                assert_page_in(lang, &html, true);
                assert!(
                    !html.contains("http-equiv=\"refresh\""),
                    "nothing reloads unasked: {html}"
                );
            }
        }
    }

    #[test]
    fn hostile_claims_are_escaped_on_the_result() {
        let hostile = "<img src=x onerror=alert(1)>";
        let page = VerifyPage {
            lang: Lang::En,
            t: VerifierText::for_lang(Lang::En),
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
                    lang: Lang::En,
                }),
                accredited_by: None,
                detail: Some(hostile.into()),
                checks: vec![CheckView {
                    outcome: "passed".into(),
                    label: "Signature".into(),
                    summary: None,
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
