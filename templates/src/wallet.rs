//! The wallet's local web UI: one struct per page with plain fields, filled by
//! `sigil-wallet serve`. Credentials come from issuers and requests from verifiers, strangers
//! both, so askama escapes everything.
//!
//! Every page is written in the visitor's language ([`Lang`]) with the words of
//! [`WalletText`]. A sentence with a value in it is split around the value (`t.share_with`,
//! the verifier, `t.share_with_after`); the ones the wallet's handlers put together are
//! methods on the catalog ([`WalletText::shared_with`]), so each language keeps its own word
//! order. What comes from further away stays in English and is marked so: a check's or an
//! error's details, and what a verifier's query asks for.

use askama::Template;

use crate::lang::Lang;
use crate::party::PartyView;
use crate::text::{catalog, join};

catalog! {
    /// The wallet's words. Pieces of a sentence split around a value begin or end with the
    /// space English puts there and Chinese does not.
    WalletText {
        brand: "My wallet", "我的钱包";
        nav_label: "Wallet", "钱包";
        nav_credentials: "Credentials", "凭证";
        nav_receive: "Receive", "领取";
        nav_present: "Present", "出示";
        nav_history: "History", "历史记录";
        nav_backup: "Backup", "备份";
        lock: "Lock", "锁定";
        sentence_end: ".", "。";
        list_separator: ", ", "、";
        list_and: " and ", " 和 ";
        insecure_label: "Development setting:", "开发设置：";
        insecure_reaches: " this wallet reaches issuers and verifiers over plain http and on this computer or its network (", "此钱包会通过明文 http 连接签发机构和验证方，也会连接本机及其所在网络上的地址（";
        insecure_demos_only: "). Use it for demos and tests only.", "）。仅可用于演示和测试。";
        form_expired: "This form has expired (its security token did not match). Go back, reload and try again.", "此表单已失效（其安全令牌不匹配）。请返回并刷新页面后重试。";

        unlock_title: "Unlock", "解锁";
        unlock_heading: "Unlock your wallet", "解锁您的钱包";
        passphrase: "Passphrase", "密码";
        unlock_button: "Unlock", "解锁";
        unlock_hint: "The wallet's keys and credentials are encrypted with this passphrase. It never leaves this computer.", "钱包的密钥和凭证都用这个密码加密。密码不会离开这台电脑。";
        wrong_passphrase: "This is the wrong passphrase: the wallet stays locked.", "密码错误，钱包仍保持锁定。";
        too_many_attempts_one: "Too many attempts: wait 1 second before trying again.", "尝试次数过多：请等待 1 秒后再试。";
        too_many_attempts_before: "Too many attempts: wait ", "尝试次数过多：请等待 ";
        too_many_attempts_after: " seconds before trying again.", " 秒后再试。";
        could_not_unlock: "The wallet could not be opened: ", "无法打开钱包：";

        cards_title: "My credentials", "我的凭证";
        no_credentials: "No credentials yet. When an institution gives you an offer link and a PIN, ", "还没有凭证。机构给您领取链接和 PIN 码后，";
        receive_it_here: "receive it here", "请在此领取";
        status_valid: "Valid", "有效";
        status_revoked: "Revoked", "已撤销";
        status_suspended: "Suspended", "已暂停";
        status_invalid: "Not valid", "无效";
        status_unknown: "Could not check now", "暂时无法核验";
        check: "Check", "检查";
        accredited_by_before: "Accredited by ", "认可机构：";
        accredited_by_a_root: "Accredited by a root of trust", "已获信任根认可";
        not_accredited: "Not accredited by a root of trust", "未获任何信任根认可";
        no_expiry: "No expiry", "长期有效";
        valid_until_before: "Valid until ", "有效期至 ";
        type_university_degree: "University degree", "学位证书";
        type_product_inspection: "Product inspection certificate", "产品检验证书";

        label_type: "Type", "类型";
        label_issued_by: "Issued by", "签发机构";
        label_accreditation: "Accreditation", "认可";
        label_received: "Received", "领取时间";
        checked_just_now: "Checked just now", "刚刚核验的结果";
        details_in_english: "The checks' details are in English.", "各项检查的详细说明为英文。";
        print_button: "Print with a QR code", "打印（附二维码）";
        delete_button: "Delete from this wallet", "从此钱包中删除";
        no_such_credential: "There is no such credential in this wallet.", "此钱包中没有这份凭证。";

        print_title: "Print", "打印";
        print_instructions: "Print this page with your browser (Ctrl+P, or ⌘P on a Mac): it fits one A4 page. The QR code holds the whole signed credential, so whoever scans it — from the paper or from a photocopy — sees it checked as it stands then, revoked or not.", "请用浏览器打印本页（Ctrl+P，Mac 上为 ⌘P），正好打印在一张 A4 纸上。二维码中含有整份已签名的凭证，因此无论扫描的是纸质原件还是复印件，看到的都是扫描当时的核验结果，包括它是否已被撤销。";
        back_to_credential: "Back to the credential", "返回凭证";
        qr_alt: "QR code holding this signed credential: scan it to check it", "含有这份已签名凭证的二维码：扫描即可核验";
        scan_to_check_at: "Scan to check this credential at ", "扫描即可在 ";
        scan_to_check_after: ". The check is made when it is scanned, and says whether the credential has been revoked since it was printed.", " 核验这份凭证。核验在扫描时进行，并会显示凭证在打印之后是否已被撤销。";
        printed_on: "Printed from a wallet on ", "从钱包打印于 ";
        no_paper_verifier: "This wallet prints no QR code: it has not been told which verifier a scan should open (the paper_verifier setting, or --paper-verifier).", "此钱包不打印二维码：尚未设定扫描后应打开哪个验证方（paper_verifier 设置或 --paper-verifier 选项）。";
        too_long_for_qr: "This credential is too long for a QR code; print it without one, or present it from the wallet.", "这份凭证太长，无法放入二维码；可以不带二维码打印，或从钱包出示。";

        receive_title: "Receive", "领取";
        receive_heading: "Receive a credential", "领取凭证";
        offer_label: "Offer link (openid-credential-offer://…)", "领取链接（openid-credential-offer://…）";
        pin_label: "PIN", "PIN 码";
        receive_button: "Receive", "领取";
        could_not_receive: "The credential was not received: ", "未能领取凭证：";

        present_title: "Present", "出示";
        present_heading: "Present a credential", "出示凭证";
        request_label: "Request link (openid4vp://…)", "请求链接（openid4vp://…）";
        continue_button: "Continue", "继续";
        going_to_result: "The verifier shows the result on its own page; your browser is taken there now. If it is not, ", "验证方会在自己的页面上显示结果，浏览器正在前往该页面。如果没有自动跳转，请";
        open_result: "open the verifier's result", "打开验证方的结果页面";
        could_not_open_request: "Could not open the request: ", "无法打开此请求：";
        cannot_answer: "This wallet cannot answer the request, so nothing was sent: ", "此钱包无法回应该请求，因此未发送任何内容：";
        could_not_send: "The answer could not be sent: ", "无法发送回应：";
        result_page_not_opened: "The verifier's result page was not opened: ", "未打开验证方的结果页面：";
        already_answered: "This request was already answered.", "此请求已经回应过了。";
        shared_with_before: "Shared with ", "已与 ";
        shared_with_after: ".", " 分享。";
        declined_before: "Declined; ", "已拒绝，并已告知 ";
        declined_after: " was told.", "。";

        share_with: "Share with ", "要与 ";
        share_with_after: "?", " 分享吗？";
        accredited_verifier_for: "Accredited as a verifier for ", "已获认可的验证方，可请求的凭证类型：";
        accredited_verifier_by: " by", "；认可机构：";
        could_not_check_accreditation: "Could not check accreditation (", "无法核查其认可情况（";
        reason_end: ").", "）。";
        not_accredited_verifier: "This verifier is not accredited.", "此验证方未获认可。";
        claimed_name_before: " The name \"", "名称“";
        claimed_name_after: "\" is what it says about itself; nobody has checked it.", "”是它的自称，未经任何人核实。";
        no_name: " It gives no name, and nobody has checked who it is.", "它没有给出名称，也无人核实过它的身份。";
        asks_beyond_before: "It asks for a ", "它要求出示 ";
        asks_beyond_but: ", but it is accredited to ask only for ", "，但其认可范围仅限于 ";
        legal_name_note: " (its legal name, as its accreditation records it)", "（认可记录中登记的法定名称）";
        own_name_note: " (the name it gives itself)", "（它的自称）";
        asks_for_one_credential: " asks for one credential.", "要求出示 1 份凭证。";
        asks_for_before: " asks for ", "要求出示 ";
        asks_for_credentials_after: " credentials.", " 份凭证。";
        verifier_identity: "Verifier identity: ", "验证方身份：";
        signed_by_this_did: " (the request is signed by this DID).", "（此请求由该 DID 签名）。";
        presented_never: "You have not presented to this verifier before.", "您此前没有向此验证方出示过凭证。";
        presented_once: "You have presented to this verifier once before, on ", "您此前向此验证方出示过 1 次，时间为 ";
        presented_times_before: "You have presented to this verifier ", "您此前向此验证方出示过 ";
        presented_times_last: " times before, last on ", " 次，最近一次在 ";
        query_asks: "It asks (", "请求（";
        query_asks_for: ") for ", "）要的是：";
        answered_by_before: "; your ", "；您的";
        answered_by_after: " answers.", "可以回应。";
        from_before: "From ", "来自";
        issued_by_inline: ", issued by ", "，签发机构：";
        it_would_see: ", it would see:", "。验证方将看到：";
        can_choose: "You can choose: untick what you do not want to share. The verifier may refuse if a claim it needs is missing.", "您可以选择：取消勾选不想分享的内容。如果缺少验证方需要的声明，它可能会拒绝。";
        whole_credential: "This format shares the whole credential.", "此格式会分享整份凭证。";
        share_button: "Share", "分享";
        decline_button: "Decline", "拒绝";

        history_title: "History", "历史记录";
        history_intro: "What you received, and what you shared with whom, newest first. Only the names of shared claims are kept, never their values.", "您领取了什么、与谁分享了什么，最新的在前。只保存所分享声明的名称，从不保存其内容。";
        nothing_yet: "Nothing yet.", "暂无记录。";
        column_when: "When", "时间";
        column_what: "What", "事件";
        column_with: "With", "对方";
        column_claims: "Claims", "声明";
        event_received: "received", "已领取";
        event_presented: "presented", "已出示";
        event_refused: "refused", "已拒绝";
        event_deleted: "deleted", "已删除";

        backup_title: "Backup", "备份";
        export_heading: "Export", "导出";
        export_text: "Download the whole wallet — keys, credentials and history — encrypted with your passphrase.", "下载整个钱包（密钥、凭证和历史记录），用您的密码加密。";
        export_passphrase: "Your wallet's passphrase", "您钱包的密码";
        download_backup: "Download a backup", "下载备份";
        import_heading: "Import credentials", "导入凭证";
        import_text: "Add the credentials of a backup to this wallet.", "将备份中的凭证添加到此钱包。";
        backup_file: "Backup file", "备份文件";
        backup_passphrase: "The backup's passphrase", "备份的密码";
        import_button: "Import", "导入";
        imported_one: "Imported 1 credential.", "已导入 1 份凭证。";
        imported_before: "Imported ", "已导入 ";
        imported_after: " credentials.", " 份凭证。";
        backup_wrong_passphrase: "Wrong passphrase, or the backup file has been altered.", "密码错误，或备份文件已被改动。";
        could_not_import: "The backup was not imported: ", "未能导入备份：";
        could_not_export: "The backup could not be made: ", "无法生成备份：";
        export_wrong_passphrase: "That is not this wallet's passphrase: no backup was made.", "这不是此钱包的密码，未生成备份。";
    }
}

impl WalletText {
    /// "Too many attempts: wait N seconds before trying again."
    pub fn too_many_attempts(&self, seconds: u64) -> String {
        match seconds {
            1 => self.too_many_attempts_one.to_owned(),
            n => format!(
                "{}{n}{}",
                self.too_many_attempts_before, self.too_many_attempts_after
            ),
        }
    }

    /// "Accredited by" the root of trust named `root`.
    pub fn accredited_by(&self, root: &str) -> String {
        join(&[self.accredited_by_before, root])
    }

    /// "Valid until" `time`.
    pub fn valid_until(&self, time: &str) -> String {
        format!("{}{time}", self.valid_until_before)
    }

    /// "Share with" the verifier named `verifier` "?"
    pub fn share_with_question(&self, verifier: &str) -> String {
        join(&[self.share_with, verifier, self.share_with_after])
    }

    /// "Shared with" the verifier named `verifier`.
    pub fn shared_with(&self, verifier: &str) -> String {
        join(&[self.shared_with_before, verifier, self.shared_with_after])
    }

    /// "Declined;" the verifier named `verifier` "was told".
    pub fn declined(&self, verifier: &str) -> String {
        join(&[self.declined_before, verifier, self.declined_after])
    }

    /// "Imported N credentials."
    pub fn imported(&self, count: usize) -> String {
        match count {
            1 => self.imported_one.to_owned(),
            n => format!("{}{n}{}", self.imported_before, self.imported_after),
        }
    }

    /// Whether the wallet presented to the verifier before: `times`, the last at `last`.
    pub fn presented_before(&self, times: u32, last: &str) -> String {
        match times {
            0 => self.presented_never.to_owned(),
            1 => format!("{}{last}{}", self.presented_once, self.sentence_end),
            n => format!(
                "{}{n}{}{last}{}",
                self.presented_times_before, self.presented_times_last, self.sentence_end
            ),
        }
    }

    /// The warning that a verifier asks for `requested`, beyond the types it is accredited to
    /// ask for (`accredited`).
    pub fn asks_beyond(&self, requested: &str, accredited: &str) -> String {
        format!(
            "{}{requested}{}{accredited}{}",
            self.asks_beyond_before, self.asks_beyond_but, self.sentence_end
        )
    }

    /// `items` as a list in a sentence.
    pub fn list(&self, items: &[String]) -> String {
        items.join(self.list_separator)
    }

    /// `items` as a list of what is all asked for together ("A and B").
    pub fn list_all(&self, items: &[String]) -> String {
        items.join(self.list_and)
    }
}

/// What every unlocked page shows.
#[derive(Debug, Clone)]
pub struct Frame {
    pub csrf: String,
    pub section: &'static str,
    /// What was done, in the page's language.
    pub message: Option<String>,
    /// What went wrong, in the page's language.
    pub error: Option<String>,
    /// The details of what went wrong as the part that failed gave them (an issuer's or a
    /// verifier's answer, the network's): in English, and marked so.
    pub error_detail: Option<String>,
    /// Whether the wallet may reach plain-http and private addresses (a development setting,
    /// announced on every page).
    pub insecure_targets: bool,
}

/// `/unlock`
#[derive(Debug, Template)]
#[template(path = "wallet/unlock.html")]
pub struct UnlockPage {
    pub lang: Lang,
    pub t: &'static WalletText,
    /// Why the wallet did not open, in the page's language.
    pub error: Option<String>,
    /// As in [`Frame::error_detail`].
    pub error_detail: Option<String>,
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
    pub lang: Lang,
    pub t: &'static WalletText,
    pub frame: Frame,
    pub cards: Vec<Card>,
}

/// A check, for people.
#[derive(Debug, Clone)]
pub struct CheckLine {
    pub outcome: String,
    /// What was checked, in the page's language.
    pub label: String,
    /// What the check found, in English.
    pub sentence: String,
}

/// `/credentials/{id}/print`: the credential as one printed page, with the QR code that holds
/// it (`sigil_core::paper`).
#[derive(Debug, Template)]
#[template(path = "wallet/print.html")]
pub struct PrintPage {
    pub lang: Lang,
    pub t: &'static WalletText,
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
    pub lang: Lang,
    pub t: &'static WalletText,
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
    pub lang: Lang,
    pub t: &'static WalletText,
    pub frame: Frame,
    pub offer: String,
}

/// `/present`
#[derive(Debug, Template)]
#[template(path = "wallet/present.html")]
pub struct PresentPage {
    pub lang: Lang,
    pub t: &'static WalletText,
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
    pub lang: Lang,
    pub t: &'static WalletText,
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
    /// Why accreditation could not be checked, if it could not (in English).
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
    /// What the query asks for, in words (in English).
    pub asks: String,
    pub type_label: String,
    pub credential_title: String,
    pub issuer_name: String,
    /// Whether the holder can pick claims (SD-JWT VC).
    pub selectable: bool,
    /// What would be shared. Each claim: its label, its name (sent when ticked), and whether
    /// it was asked for.
    pub claims: Vec<(String, String, bool)>,
}

/// A history line.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub at: String,
    /// What happened, in the page's language.
    pub event: String,
    pub party: String,
    pub claims: String,
}

/// `/history`
#[derive(Debug, Template)]
#[template(path = "wallet/history.html")]
pub struct HistoryPage {
    pub lang: Lang,
    pub t: &'static WalletText,
    pub frame: Frame,
    pub entries: Vec<HistoryLine>,
}

/// `/backup`
#[derive(Debug, Template)]
#[template(path = "wallet/backup.html")]
pub struct BackupPage {
    pub lang: Lang,
    pub t: &'static WalletText,
    pub frame: Frame,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{assert_page_in, assert_translated};

    fn frame(section: &'static str) -> Frame {
        Frame {
            csrf: "t".into(),
            section,
            message: None,
            error: None,
            error_detail: None,
            insecure_targets: false,
        }
    }

    #[test]
    fn the_wallet_speaks_both_languages() {
        assert_translated(&WalletText::all(), &[]);
        let (en, zh) = (WalletText::for_lang(Lang::En), WalletText::for_lang(Lang::ZhCn));
        // The browser story (tests/browser/story.mjs) clicks these by their English words.
        assert_eq!(
            [
                en.unlock_button,
                en.receive_button,
                en.continue_button,
                en.print_button
            ],
            ["Unlock", "Receive", "Continue", "Print with a QR code"]
        );
        assert_eq!(
            en.too_many_attempts(1),
            "Too many attempts: wait 1 second before trying again."
        );
        assert_eq!(
            en.too_many_attempts(4),
            "Too many attempts: wait 4 seconds before trying again."
        );
        assert_eq!(zh.too_many_attempts(4), "尝试次数过多：请等待 4 秒后再试。");
        assert_eq!(en.imported(1), "Imported 1 credential.");
        assert_eq!(en.imported(0), "Imported 0 credentials.");
        assert_eq!(zh.shared_with("Example Employer"), "已与 Example Employer 分享。");
        assert_eq!(zh.shared_with("示例雇主"), "已与示例雇主分享。");
        assert_eq!(zh.share_with_question("示例雇主"), "要与示例雇主分享吗？");
        assert_eq!(
            en.declined("Example Employer"),
            "Declined; Example Employer was told."
        );
        assert_eq!(
            en.presented_before(0, "2026-01-01 12:00 UTC"),
            "You have not presented to this verifier before."
        );
        assert_eq!(
            en.presented_before(1, "2026-01-01 12:00 UTC"),
            "You have presented to this verifier once before, on 2026-01-01 12:00 UTC."
        );
        assert_eq!(
            zh.presented_before(3, "2026-01-01 12:00 UTC"),
            "您此前向此验证方出示过 3 次，最近一次在 2026-01-01 12:00 UTC。"
        );
        assert_eq!(
            en.asks_beyond("ProductInspectionCertificate", "UniversityDegreeCredential"),
            "It asks for a ProductInspectionCertificate, but it is accredited to ask only for \
             UniversityDegreeCredential."
        );
        let types = ["A".to_owned(), "B".to_owned()];
        assert_eq!(
            (en.list(&types), zh.list(&types)),
            ("A, B".to_owned(), "A、B".to_owned())
        );
    }

    /// Every page of the wallet, filled with English test data and the words of `lang`.
    fn every_page(lang: Lang) -> Vec<String> {
        let t = WalletText::for_lang(lang);
        let issuer = PartyView {
            did: "did:sigil:zUni".into(),
            name: Some("Example University".into()),
            vouched: false,
            lang,
        };
        let mut failed = frame("present");
        failed.error = Some(t.could_not_open_request.into());
        failed.error_detail = Some("the request was refused: connection refused".into());
        failed.insecure_targets = true;
        let mut shared = frame("present");
        shared.message = Some(t.shared_with("Example Employer"));
        let mut imported = frame("backup");
        imported.message = Some(t.imported(2));
        let consent = |accredited: bool| {
            ConsentPage {
                lang,
                t,
                frame: frame("present"),
                pending: "p".into(),
                verifier: "Example Employer".into(),
                verifier_vouched: accredited,
                verifier_name: Some("Example Employer".into()),
                verifier_did: "did:key:z6Mk".into(),
                accredited_by: accredited.then(|| PartyView {
                    did: "did:sigil:ministry".into(),
                    name: Some("Ministry of Education".into()),
                    vouched: true,
                    lang,
                }),
                accredited_types: t.list(&["UniversityDegreeCredential".into()]),
                accreditation_unchecked: (!accredited).then(|| "connection refused".into()),
                type_warning: accredited
                    .then(|| t.asks_beyond("IdentityCredential", "UniversityDegreeCredential")),
                presented_before: t.presented_before(u32::from(accredited) * 2, "2026-01-01 12:00 UTC"),
                credentials: vec![ConsentCredential {
                    query_id: "sd".into(),
                    asks: "a UniversityDegreeCredential (dc+sd-jwt) with name".into(),
                    type_label: t.type_university_degree.into(),
                    credential_title: "BSc Mathematics".into(),
                    issuer_name: "Example University".into(),
                    selectable: accredited,
                    claims: vec![("Full name".into(), "name".into(), true)],
                }],
            }
            .render()
            .unwrap()
        };
        vec![
            UnlockPage {
                lang,
                t,
                error: Some(t.wrong_passphrase.into()),
                error_detail: None,
                csrf: "t".into(),
                insecure_targets: true,
            }
            .render()
            .unwrap(),
            CardsPage {
                lang,
                t,
                frame: frame("cards"),
                cards: vec![],
            }
            .render()
            .unwrap(),
            CardsPage {
                lang,
                t,
                frame: frame("cards"),
                cards: vec![Card {
                    id: "c1".into(),
                    title: "BSc Mathematics".into(),
                    type_label: t.type_university_degree.into(),
                    issuer_name: "Example University".into(),
                    issuer_vouched: false,
                    accreditation: t.accredited_by("Ministry of Education"),
                    status: t.status_valid.into(),
                    status_class: "valid".into(),
                    validity: t.valid_until("2030-01-01 00:00 UTC"),
                }],
            }
            .render()
            .unwrap(),
            CredentialPage {
                lang,
                t,
                frame: frame("cards"),
                id: "c1".into(),
                title: "BSc Mathematics".into(),
                type_label: t.type_university_degree.into(),
                format: "ldp_vc".into(),
                issuer: issuer.clone(),
                accreditation: t.not_accredited.into(),
                received: "2026-01-01 12:00 UTC".into(),
                claims: vec![("Full name".into(), "Ada Lovelace".into())],
                checks: vec![CheckLine {
                    outcome: "passed".into(),
                    label: t.check.into(),
                    sentence: "The signature verifies.".into(),
                }],
            }
            .render()
            .unwrap(),
            PrintPage {
                lang,
                t,
                id: "c1".into(),
                title: "BSc Mathematics".into(),
                type_label: t.type_university_degree.into(),
                issuer,
                claims: vec![("Full name".into(), "Ada Lovelace".into())],
                qr_data_uri: Some("data:image/svg+xml;base64,".into()),
                verifier_host: "verifier.example".into(),
                problem: Some(t.too_long_for_qr.into()),
                printed: "2026-01-01 12:00 UTC".into(),
            }
            .render()
            .unwrap(),
            ReceivePage {
                lang,
                t,
                frame: frame("receive"),
                offer: String::new(),
            }
            .render()
            .unwrap(),
            PresentPage {
                lang,
                t,
                frame: failed,
                request: "openid4vp://?request_uri=x".into(),
                redirect: None,
            }
            .render()
            .unwrap(),
            PresentPage {
                lang,
                t,
                frame: shared,
                request: String::new(),
                redirect: Some("https://verifier.example/requests/1".into()),
            }
            .render()
            .unwrap(),
            consent(true),
            consent(false),
            HistoryPage {
                lang,
                t,
                frame: frame("history"),
                entries: vec![HistoryLine {
                    at: "2026-01-01 12:00 UTC".into(),
                    event: t.event_presented.into(),
                    party: "Example Employer".into(),
                    claims: t.list(&["name".into(), "degree".into()]),
                }],
            }
            .render()
            .unwrap(),
            HistoryPage {
                lang,
                t,
                frame: frame("history"),
                entries: vec![],
            }
            .render()
            .unwrap(),
            BackupPage {
                lang,
                t,
                frame: imported,
            }
            .render()
            .unwrap(),
        ]
    }

    #[test]
    fn every_wallet_page_renders_in_both_languages() {
        for lang in Lang::ALL {
            for html in every_page(lang) {
                assert_page_in(lang, &html, true);
            }
        }
    }

    #[test]
    fn a_hostile_verifier_name_is_escaped_on_the_consent_page() {
        let page = ConsentPage {
            lang: Lang::En,
            t: WalletText::for_lang(Lang::En),
            frame: frame("present"),
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
        assert!(page.contains("asks for 2 credentials."), "{page}");
    }

    #[test]
    fn after_sharing_the_page_sends_the_browser_to_the_verifiers_result() {
        let mut frame = frame("present");
        frame.message = Some("Shared with Employer.".into());
        let page = PresentPage {
            lang: Lang::En,
            t: WalletText::for_lang(Lang::En),
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
