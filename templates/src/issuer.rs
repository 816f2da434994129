//! The issuer's registrar portal: one struct per page with plain fields, filled by
//! `sigil-issuer`. Claims come from registrars and CSV files, and subjects from wallets, so
//! nothing but the QR code image (a `data:` URI the issuer renders) is trusted: askama
//! escapes everything else.
//!
//! Every page is written in English or Simplified Chinese ([`IssuerText`]). What registrars
//! and CSV files wrote, identifiers (DIDs, formats, type names, columns) and the details the
//! checks behind a form give (a schema's complaint about a claim, a CSV row's problems, the
//! audit log's details) stay as they are.

use askama::Template;

use crate::lang::Lang;
use crate::text::catalog;

catalog! {
    /// The portal's words. A fragment that meets markup or a value without a space in Chinese
    /// carries the space English puts there (`hand_out`, `pin_shown_once`, `by`).
    IssuerText {
        brand: "Registrar", "教务处";
        dashboard: "Dashboard", "概览";
        issue: "Issue", "签发";
        graduating_class: "Graduating class", "毕业班";
        credentials: "Credentials", "凭证";
        keys: "Keys", "密钥";
        audit_log: "Audit log", "审计日志";
        sign_out: "Sign out", "退出登录";

        sign_in: "Sign in", "登录";
        sign_in_heading: "Registrar sign-in", "教务人员登录";
        username: "Username", "用户名";
        password: "Password", "密码";
        wrong_password: "Wrong username or password.", "用户名或密码错误。";
        sign_in_expired_title: "This sign-in form has expired", "登录表单已过期";
        sign_in_expired: "Open the sign-in page again and sign in from there.", "请重新打开登录页面，再从那里登录。";
        too_many_sign_ins: "Too many failed sign-ins", "登录失败次数过多";
        sign_in_paused: "Sign-in is paused for this account or address.", "此账户或地址的登录已暂停。";
        try_again_in: "Try again in", "请在";
        minute_later: "minute.", "分钟后重试。";
        minutes_later: "minutes.", "分钟后重试。";
        busy_title: "Busy", "系统繁忙";
        busy: "The service is busy checking other passwords; try again in a moment.", "服务正忙于核验其他密码，请稍后再试。";

        back_to_portal: "Back to the portal", "返回门户";
        went_wrong_title: "Something went wrong", "出错了";
        went_wrong: "The issuer could not complete this. Nothing was changed; please try again, and tell your administrator if it keeps happening.", "签发服务未能完成此操作，没有做任何更改。请重试；如果问题反复出现，请告知管理员。";
        form_expired_title: "This form has expired", "表单已过期";
        form_expired: "The form was not sent from this session (its security token did not match). Go back, reload the page and try again.", "此表单不是从当前会话提交的（其安全令牌不匹配）。请返回，刷新页面后重试。";
        unknown_type_title: "Unknown credential type", "未知的凭证类型";
        unknown_format_title: "Unknown format", "未知的格式";
        upload_failed_title: "The upload failed", "上传失败";
        no_such_batch_title: "No such batch", "找不到此批次";
        no_such_batch: "Batches are kept for an hour after upload, for the registrar who uploaded them.", "批次在上传后保留一小时，且只有上传它的教务人员可以查看。";
        no_such_credential_title: "No such credential", "找不到此凭证";
        unknown_action_title: "Unknown action", "未知的操作";
        unreadable_form_title: "Unreadable form", "无法读取表单";

        offers_waiting: "offers waiting", "待领取的邀请";
        institution_did: "Institution DID", "机构 DID";
        signing_key: "Signing key", "签名密钥";
        credential_issuer: "Credential issuer", "凭证签发服务";
        issue_a_diploma: "Issue a diploma", "签发学位证书";
        upload_a_class: "Upload a graduating class", "上传毕业班名单";
        recent_activity: "Recent activity", "最近动态";

        audit_intro: "Who did what, newest first. The log never holds claims, codes or PINs.", "谁做了什么，最新的在前。日志从不记录声明内容、领取码或 PIN 码。";
        nothing_yet: "Nothing yet.", "暂无记录。";
        when: "When", "时间";
        who: "Who", "操作者";
        what: "What", "操作";
        about: "About", "对象";
        detail: "Detail", "详情";
        details_in_english: "The details are recorded in English.", "详情以英文记录。";
        actor_wallet: "wallet", "钱包";
        actor_system: "system", "系统";
        actor_operator: "operator", "运维人员";
        action_sign_in: "sign in", "登录";
        action_create_offer: "create offer", "创建领取邀请";
        action_issue: "issue", "签发";
        action_issue_vc_api: "issue (VC API)", "签发（VC API）";
        action_endorse: "endorse", "背书";
        action_offer_locked: "offer locked", "领取邀请被锁定";
        action_set_registrar: "set registrar", "设置教务人员账户";
        action_create_api_token: "create API token", "创建 API 令牌";
        action_withdraw: "withdraw", "撤回领取邀请";
        action_suspend: "suspend", "暂停";
        action_reinstate: "reinstate", "恢复";
        action_revoke: "revoke", "撤销";
        action_anchor: "anchor", "锚定";
        action_rotate_key: "rotate key", "轮换密钥";
        action_print: "print", "打印纸质证书";

        issue_heading: "Issue a credential", "签发凭证";
        credential_type: "Credential type", "凭证类型";
        choose: "Choose", "选择";
        nothing_issued_correct: "Nothing was issued. Please correct:", "未签发任何凭证。请更正以下问题：";
        problems_in_english: "The problems are described in English.", "问题说明为英文。";
        optional: "(optional)", "（选填）";
        format: "Format", "格式";
        create_offer: "Create offer", "创建领取邀请";
        format_sd_jwt: "SD-JWT VC (selective disclosure)", "SD-JWT VC（选择性披露）";

        offer_title: "Offer", "领取邀请";
        offer_ready: "Offer ready", "领取邀请已就绪";
        offers_ready: "offers ready", "份领取邀请已就绪";
        hand_out: "Give each student the QR code or link ", "请将二维码或链接交给每位学生，";
        and_separately: "and, separately,", "并另行告知";
        pin_shown_once: " the PIN. The PIN is shown only now", " PIN 码。PIN 码只在此处显示这一次";
        download_all_csv: "download all offers as CSV", "下载全部领取邀请（CSV）";
        offers_expire: ". Offers expire", "。领取邀请的失效时间为";
        full_stop: ".", "。";
        offer_qr_for: "QR code of the offer for", "领取邀请二维码：";
        pin: "PIN", "PIN 码";
        link: "Link", "链接";
        record: "Record", "记录";

        upload_heading: "Issue to a graduating class", "为毕业班批量签发";
        upload_intro: "Upload a CSV file: a header row, then one row per graduate. Every row is checked first; if any row is wrong, nothing is issued and each problem is listed by line.", "请上传 CSV 文件：第一行为表头，之后每位毕业生一行。所有行都会先经过检查；只要有一行有误，就不会签发任何凭证，并按行列出每个问题。";
        lines_wrong: "Nothing was issued.", "未签发任何凭证。共有";
        line_needs_correcting: "line needs correcting:", "行需要更正：";
        lines_need_correcting: "lines need correcting:", "行需要更正：";
        line: "Line", "行号";
        problem: "Problem", "问题";
        columns: "columns:", "列：";
        csv_file: "CSV file", "CSV 文件";
        check_and_issue: "Check and issue", "检查并签发";

        batch: "Batch", "批次";
        offers_not_stored: "The offers could not be stored. Nothing was issued.", "领取邀请未能保存，未签发任何凭证。";
        offer_stored: "The offer is stored.", "领取邀请已保存。";
        all: "All", "全部";
        offers_stored: "offers are stored.", "份领取邀请均已保存。";
        download_offers_csv: "Download offers and PINs (CSV)", "下载领取邀请和 PIN 码（CSV）";
        pins_kept_an_hour: "The PINs are kept in memory for an hour only, then this page is gone; students' offers stay valid until they expire.", "PIN 码只在内存中保留一小时，之后本页面将不复存在；学生的领取邀请在失效前始终有效。";
        storing_offers: "Storing offers:", "正在保存领取邀请：已保存";
        stored_of: "of", "份，共";
        storing_end: "…", " 份……";
        reloading: "This page reloads itself every second until the class is stored.", "在全班的领取邀请保存完毕之前，本页每秒自动刷新。";
        stop_reloading: "Stop reloading", "停止自动刷新";
        refresh_progress: "Refresh progress", "刷新进度";
        refresh_automatically: "Refresh automatically", "自动刷新";

        search: "Search", "搜索";
        search_placeholder: "Name, degree, record id or batch", "姓名、学位、记录编号或批次";
        no_credentials: "No credentials.", "没有凭证。";
        no_credentials_match: "No credentials match “", "没有与“";
        match_end: "”.", "”匹配的凭证。";
        holder_subject: "Holder / subject", "持有人 / 主体";
        type_heading: "Type", "类型";
        signed_as: "Signed as", "签发身份";
        state: "State", "阶段";
        created: "Created", "创建时间";

        status: "Status", "状态";
        holder: "Holder", "持有人";
        not_yet_collected: "not yet collected", "尚未领取";
        by: " by", "，创建者";
        issued: "Issued", "签发时间";
        status_position: "Status position", "状态位置";
        status_list: "list", "列表";
        status_index: ", index", "，索引";
        anchor: "Anchor", "锚定";
        in_block: "block", "区块";
        merkle_root: ", Merkle root", "，Merkle 根";
        not_anchored: "not anchored yet", "尚未锚定";
        published: "Published to the registry", "已发布到注册链";
        block: "Block", "区块";
        transaction: "Transaction", "交易";
        revoking_is_final: "Revoking is final. Suspending can be undone.", "撤销后无法恢复；暂停则可以恢复。";
        state_offered: "offered", "已发出邀请";
        state_token_issued: "token_issued", "领取中";
        state_issued: "issued", "已签发";
        state_expired: "expired", "已过期";
        state_locked: "locked", "已锁定";
        state_withdrawn: "withdrawn", "已撤回";
        status_active: "active", "有效";
        status_suspended: "suspended", "已暂停";
        status_revoked: "revoked", "已撤销";
        suspend: "Suspend", "暂停";
        reinstate: "Reinstate", "恢复";
        revoke: "Revoke", "撤销";
        withdraw_offer: "Withdraw the offer", "撤回领取邀请";
        now_active: "The credential is now active; the new status list is on the registry.", "该凭证已恢复有效；新的状态列表已发布到注册链。";
        now_suspended: "The credential is now suspended; the new status list is on the registry.", "该凭证已暂停；新的状态列表已发布到注册链。";
        now_revoked: "The credential is now revoked; the new status list is on the registry.", "该凭证已撤销；新的状态列表已发布到注册链。";
        offer_withdrawn: "The offer is withdrawn: its link and PIN no longer work.", "领取邀请已撤回：其链接和 PIN 码均已失效。";
        no_credential: "no credential", "找不到凭证";
        still_an_offer: "is still an offer; it can be revoked (withdrawn), and suspended once the wallet has collected it", "仍是领取邀请：现在可以撤销（即撤回），待钱包领取后才能暂停";
        signed_as_profile: "was signed as the profile", "以签发配置";
        no_status_entry: "and carries no status entry: its status cannot be changed", "签名，不带状态条目：无法更改其状态";
        registry_refused: "the registry refused the status list", "注册链拒绝了状态列表";
        registry_unreachable: "the registry could not be reached; nothing was changed:", "无法连接注册链，没有做任何更改：";

        signing_keys: "Signing keys", "签名密钥";
        next_cold_key: "Your next cold key", "您的下一把冷密钥";
        save_cold_key: "Save this file now and move it offline. Sigil has not kept it: it is the only way to take the DID back after another theft.", "请立即保存此文件，并将其转移到离线环境。Sigil 没有保留它：如果密钥再次被盗，这是收回该 DID 的唯一途径。";
        download: "Download", "下载";
        signing_with: "Signing with", "当前签名密钥";
        identities: "Identities", "签发身份";
        identities_intro: "The institution DID signs by default. Issuer profiles are", "默认由机构 DID 签名。签发配置是 VC API 可用于签名的";
        identities_intro_more: "identities the VC API signs as, for verifiers that cannot resolve the institution DID; their credentials carry no status, and their keys cannot be rotated here. Add one with", "身份，供无法解析机构 DID 的验证方使用；以其签发的凭证不带状态，其密钥也无法在此轮换。可使用以下命令添加";
        identity: "Identity", "身份";
        vc_api_endpoint: "VC API endpoint", "VC API 端点";
        the_institution_default: "the institution (default)", "本机构（默认）";
        the_institution: "the institution", "本机构";
        profile: "profile", "签发配置";
        former_profile: "a former profile,", "已移除的签发配置";
        routine_rotation: "Routine rotation", "例行轮换";
        routine_rotation_intro: "A new signing key replaces the current one. Everything the current key signed stays valid.", "用新的签名密钥替换当前密钥。当前密钥签署过的一切仍然有效。";
        rotate: "Rotate the signing key", "轮换签名密钥";
        stolen: "The signing key was stolen", "签名密钥被盗";
        stolen_intro: "The cold pre-rotation key takes control of the DID, and the current signing key is declared compromised from the time below: credentials it signed from then on fail verification; earlier ones stay valid if they were anchored before that time. Bring the cold key file from where it is kept offline; it is used for this rotation only and not kept, and the page then gives you the next one.", "预轮换冷密钥将接管该 DID，当前签名密钥自下方时间起被宣告为已泄露：此后由它签署的凭证将无法通过验证；此前签署的凭证若在该时间之前已锚定，则仍然有效。请从离线保存处取来冷密钥文件；它仅用于本次轮换，不会被保留，随后本页会给出下一把冷密钥。";
        cold_key_file: "Cold key file (next.key)", "冷密钥文件（next.key）";
        compromised_since: "Compromised since (UTC)", "泄露起始时间（UTC）";
        declare_compromised: "Declare compromised and rotate", "宣告泄露并轮换";
        rotation_recorded: "The registry recorded the rotation: new credentials are signed with", "注册链已记录此次轮换：今后的新凭证使用";
        rotation_recorded_end: ".", " 签名。";
        nothing_changed: "Nothing was changed:", "没有做任何更改：";
        not_a_datetime: "is not a date and time.", "不是有效的日期和时间。";
        choose_cold_key: "Choose the cold key file (next.key) kept offline.", "请选择离线保存的冷密钥文件（next.key）。";

        print_paper: "Print the paper diploma", "打印纸质证书";
        print_title: "Paper diploma", "纸质证书";
        paper_shares_status: "The paper diploma carries the credential's status: suspending or revoking the credential suspends or revokes the paper too.", "纸质证书与凭证共用状态：暂停或撤销该凭证，纸质证书也随之暂停或撤销。";
        print_instructions: "Print this page with your browser (Ctrl+P, or ⌘P on a Mac): it fits one A4 page. The QR code holds the whole signed diploma, so whoever scans it — from the paper or from a photocopy — sees it checked as it stands then, suspended or revoked or not.", "请用浏览器打印本页（Ctrl+P，Mac 上为 ⌘P），正好打印在一张 A4 纸上。二维码中含有整份已签名的证书，因此无论扫描的是纸质原件还是复印件，看到的都是扫描当时的核验结果，包括它是否已被暂停或撤销。";
        back_to_record: "Back to the record", "返回记录";
        check_now: "Check it at the verifier now, as a scan would", "现在就像扫描一样到验证方核验";
        paper_qr_alt: "QR code holding the signed diploma", "含有已签名证书的二维码";
        scan_to_check_at: "Scan the code to check this diploma at ", "扫描二维码，即可在 ";
        scan_to_check_after: ". The check is made when it is scanned, and says whether the diploma has been suspended or revoked since it was printed.", " 核验这份证书。核验在扫描时进行，并会显示证书在打印之后是否已被暂停或撤销。";
        cannot_print_title: "The paper diploma cannot be printed", "无法打印纸质证书";
        no_paper_verifier: "Paper diplomas are not printed here: the issuer has not been told which verifier their QR code should lead to (the paper_verifier setting, or --paper-verifier).", "此处不打印纸质证书：签发服务尚未设定其二维码应指向哪个验证方（paper_verifier 设置或 --paper-verifier 选项）。";
        paper_only_before_collection: "The paper diploma can only be printed before the wallet collects the credential: once it is collected, the issuer no longer keeps its claims.", "纸质证书只能在钱包领取凭证之前打印：凭证一旦被领取，签发服务便不再保存其声明内容。";
        paper_not_for_withdrawn: "A withdrawn offer has no paper diploma.", "已撤回的领取邀请不能打印纸质证书。";
        paper_not_for_closed: "A locked offer has no paper diploma: it could not be withdrawn to revoke the paper.", "已锁定的领取邀请不能打印纸质证书：它无法再被撤回，纸质证书也就无法撤销。";
        paper_type_gone: "The credential's type is no longer configured, so its diploma cannot be printed.", "该凭证的类型已不再配置，因此无法打印其证书。";
        too_long_for_qr: "This diploma is too long for a QR code; it cannot be checked from paper.", "这份证书太长，无法放入二维码，因此无法通过纸质件核验。";
    }
}

impl IssuerText {
    /// The formats a registrar can pick: (value, label).
    pub fn formats(&self) -> [(&'static str, &'static str); 3] {
        [
            ("ldp_vc", "W3C Data Integrity (eddsa-rdfc-2022)"),
            ("vc+jwt", "W3C VC-JOSE (vc+jwt)"),
            ("dc+sd-jwt", self.format_sd_jwt),
        ]
    }

    /// An offer's or credential's state as the issuer names it (`offered`, `issued`, …), in
    /// words; a state this catalog does not know, as it is.
    pub fn state_word<'a>(&'a self, state: &'a str) -> &'a str {
        match state {
            "offered" => self.state_offered,
            "token_issued" => self.state_token_issued,
            "issued" | "credential_issued" => self.state_issued,
            "expired" => self.state_expired,
            "locked" => self.state_locked,
            "withdrawn" => self.state_withdrawn,
            other => other,
        }
    }

    /// A credential's status (`active`, `suspended` or `revoked`) in words; another, as it is.
    pub fn status_word<'a>(&'a self, status: &'a str) -> &'a str {
        match status {
            "active" => self.status_active,
            "suspended" => self.status_suspended,
            "revoked" => self.status_revoked,
            other => other,
        }
    }

    /// What an audit entry says was done, in words; an action this catalog does not know, as
    /// the log records it.
    pub fn audit_action<'a>(&'a self, action: &'a str) -> &'a str {
        match action {
            "sign in" => self.action_sign_in,
            "create offer" => self.action_create_offer,
            "issue" => self.action_issue,
            "issue (VC API)" => self.action_issue_vc_api,
            "endorse" => self.action_endorse,
            "offer locked" => self.action_offer_locked,
            "set registrar" => self.action_set_registrar,
            "create API token" => self.action_create_api_token,
            "withdraw" => self.action_withdraw,
            "suspend" => self.action_suspend,
            "reinstate" => self.action_reinstate,
            "revoke" => self.action_revoke,
            "anchor" => self.action_anchor,
            "rotate key" => self.action_rotate_key,
            "print" => self.action_print,
            other => other,
        }
    }

    /// Who an audit entry says acted, in words when it is the wallet, the system or the
    /// operator; a registrar or API token, as the log records it.
    pub fn audit_actor<'a>(&'a self, actor: &'a str) -> &'a str {
        match actor {
            "wallet" => self.actor_wallet,
            "system" => self.actor_system,
            "operator" => self.actor_operator,
            other => other,
        }
    }

    /// "Try again in 5 minutes."
    pub fn try_again_in_minutes(&self, minutes: u64) -> String {
        let unit = match minutes {
            1 => self.minute_later,
            _ => self.minutes_later,
        };
        format!("{} {minutes} {unit}", self.try_again_in)
    }

    /// The heading of the page handing out offers: "Offer ready", "3 offers ready".
    pub fn offers_ready_heading(&self, count: usize) -> String {
        match count {
            1 => self.offer_ready.to_owned(),
            _ => format!("{count} {}", self.offers_ready),
        }
    }

    /// A batch stored: "The offer is stored.", "All 40 offers are stored."
    pub fn offers_stored_sentence(&self, count: usize) -> String {
        match count {
            1 => self.offer_stored.to_owned(),
            _ => format!("{} {count} {}", self.all, self.offers_stored),
        }
    }

    /// How far a batch has got: "Storing offers: 3 of 40…".
    pub fn storing_progress(&self, stored: usize, total: usize) -> String {
        format!(
            "{} {stored} {} {total}{}",
            self.storing_offers, self.stored_of, self.storing_end
        )
    }

    /// Why nothing was issued from a CSV file: "Nothing was issued. 2 lines need correcting:".
    pub fn lines_to_correct(&self, count: usize) -> String {
        let lines = match count {
            1 => self.line_needs_correcting,
            _ => self.lines_need_correcting,
        };
        format!("{} {count} {lines}", self.lines_wrong)
    }

    /// A rotation done: "The registry recorded the rotation: new credentials are signed with
    /// #key-2."
    pub fn rotation_recorded_sentence(&self, fragment: &str) -> String {
        format!(
            "{} #{fragment}{}",
            self.rotation_recorded, self.rotation_recorded_end
        )
    }
}

/// Why a status change was refused, in `lang`: the credential is `from` and cannot become
/// `to` (statuses as [`IssuerText::status_word`] reads them).
pub fn status_change_refused(lang: Lang, from: &str, to: &str) -> String {
    let t = IssuerText::for_lang(lang);
    let (from, to) = (t.status_word(from), t.status_word(to));
    match lang {
        Lang::En => format!("the credential is {from}; it cannot become {to}"),
        Lang::ZhCn => format!("该凭证当前为“{from}”，不能变为“{to}”"),
    }
}

/// What every signed-in page shows: who, where, and the session's CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct Frame {
    pub institution: String,
    pub username: String,
    pub csrf: String,
    /// The navigation entry to highlight.
    pub section: &'static str,
}

/// `/portal/login`
#[derive(Debug, Template)]
#[template(path = "issuer/login.html")]
pub struct LoginPage {
    pub lang: Lang,
    pub t: &'static IssuerText,
    pub institution: String,
    pub username: String,
    pub error: Option<String>,
    /// The sign-in form's token, also in its cookie.
    pub csrf: String,
}

/// An audit log line, as the log records it.
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
    pub lang: Lang,
    pub t: &'static IssuerText,
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
    pub lang: Lang,
    pub t: &'static IssuerText,
    pub frame: Frame,
    pub entries: Vec<AuditRow>,
}

/// A credential type in a picker.
#[derive(Debug, Clone)]
pub struct TypeChoice {
    pub name: String,
    /// The type's name for people, in the page's language.
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
    /// The claim's label, in the page's language.
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
    pub lang: Lang,
    pub t: &'static IssuerText,
    pub frame: Frame,
    pub types: Vec<TypeChoice>,
    pub type_name: String,
    pub fields: Vec<FieldView>,
    pub formats: [(&'static str, &'static str); 3],
    pub format_name: String,
    /// What the type's checks found wrong with the claims (in English).
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
    pub lang: Lang,
    pub t: &'static IssuerText,
    pub frame: Frame,
    pub offers: Vec<OfferView>,
    pub batch: Option<String>,
    pub expires: String,
    /// Whether a paper diploma can be printed (a verifier for its QR code is set).
    pub can_print: bool,
}

/// A CSV line that needs correcting.
#[derive(Debug, Clone)]
pub struct LineProblem {
    pub line: usize,
    /// What is wrong with it (in English).
    pub errors: Vec<String>,
}

/// `/portal/upload`
#[derive(Debug, Template)]
#[template(path = "issuer/upload.html")]
pub struct UploadPage {
    pub lang: Lang,
    pub t: &'static IssuerText,
    pub frame: Frame,
    pub types: Vec<TypeChoice>,
    pub formats: [(&'static str, &'static str); 3],
    pub problems: Vec<LineProblem>,
}

/// `/portal/batches/{id}`: a class being stored, then done.
#[derive(Debug, Template)]
#[template(path = "issuer/batch.html")]
pub struct BatchPage {
    pub lang: Lang,
    pub t: &'static IssuerText,
    pub frame: Frame,
    pub batch: String,
    pub total: usize,
    pub stored: usize,
    pub done: bool,
    /// Whether storing the offers failed (nothing was issued).
    pub failed: bool,
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
    /// `offered` or `issued` (and the other states of an offer; [`IssuerText::state_word`]).
    pub state: String,
    /// `active`, `suspended` or `revoked`.
    pub status: String,
    pub created: String,
    /// Which identity signs it, in words: the institution, or a profile.
    pub signer: String,
}

/// `/portal/credentials`
#[derive(Debug, Template)]
#[template(path = "issuer/credentials.html")]
pub struct CredentialsPage {
    pub lang: Lang,
    pub t: &'static IssuerText,
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
    pub lang: Lang,
    pub t: &'static IssuerText,
    pub frame: Frame,
    pub id: String,
    pub summary: String,
    pub type_name: String,
    pub format: String,
    /// As in [`CredentialRow::state`].
    pub state: String,
    /// As in [`CredentialRow::status`].
    pub status: String,
    pub subject: Option<String>,
    /// The DID it is (or, for an offer, will be) signed as.
    pub signer_did: String,
    /// That identity in words: the institution, or a profile.
    pub signer: String,
    pub created: String,
    pub created_by: String,
    pub issued: Option<String>,
    pub status_list: i32,
    pub status_index: i64,
    pub anchor: Option<AnchorView>,
    /// The status actions allowed now: (action, button label).
    pub actions: Vec<(&'static str, &'static str)>,
    /// Whether its paper diploma can be printed now.
    pub can_print: bool,
    /// Why it cannot, when that is worth saying.
    pub print_note: Option<&'static str>,
    pub receipts: Vec<ReceiptView>,
    pub message: Option<String>,
    pub error: Option<String>,
}

/// `POST /portal/credentials/{id}/print`: an offer's paper diploma, one A4 page with the QR
/// code that holds its signed copy (`sigil_core::paper`).
#[derive(Debug, Template)]
#[template(path = "issuer/print.html")]
pub struct PrintPage {
    pub lang: Lang,
    pub t: &'static IssuerText,
    pub frame: Frame,
    /// The record it was printed from.
    pub id: String,
    /// The type's name for people, in the page's language.
    pub type_label: String,
    /// The line naming the graduate.
    pub title: String,
    /// (label in the page's language, value), in the type's order.
    pub claims: Vec<(String, String)>,
    /// When the paper copy was signed (a date).
    pub issued: String,
    /// The QR code leading to the verifier's page for it, when the copy fits one.
    pub qr_data_uri: Option<String>,
    /// The verifier's host, printed under the code.
    pub verifier_host: String,
    /// What the code holds: the verifier's page for this paper copy.
    pub address: String,
    /// Why there is no QR code, if there is none.
    pub problem: Option<String>,
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
    pub lang: Lang,
    pub t: &'static IssuerText,
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
    pub lang: Lang,
    pub t: &'static IssuerText,
    pub institution: String,
    pub title: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{assert_page_in, assert_translated, has_chinese};

    fn frame() -> Frame {
        Frame {
            institution: "Example <University>".into(),
            username: "registrar".into(),
            csrf: "token\"><script>".into(),
            section: "credentials",
        }
    }

    fn english() -> &'static IssuerText {
        IssuerText::for_lang(Lang::En)
    }

    #[test]
    fn the_portal_speaks_both_languages() {
        assert_translated(&IssuerText::all(), &[]);
        let (en, zh) = (english(), IssuerText::for_lang(Lang::ZhCn));
        assert_eq!(en.try_again_in_minutes(1), "Try again in 1 minute.");
        assert_eq!(en.try_again_in_minutes(15), "Try again in 15 minutes.");
        assert_eq!(zh.try_again_in_minutes(15), "请在 15 分钟后重试。");
        assert_eq!(en.offers_ready_heading(1), "Offer ready");
        assert_eq!(en.offers_ready_heading(3), "3 offers ready");
        assert_eq!(en.offers_stored_sentence(2), "All 2 offers are stored.");
        assert_eq!(zh.offers_stored_sentence(2), "全部 2 份领取邀请均已保存。");
        assert_eq!(en.storing_progress(3, 40), "Storing offers: 3 of 40…");
        assert_eq!(
            zh.storing_progress(3, 40),
            "正在保存领取邀请：已保存 3 份，共 40 份……"
        );
        assert_eq!(
            en.lines_to_correct(1),
            "Nothing was issued. 1 line needs correcting:"
        );
        assert_eq!(
            en.lines_to_correct(2),
            "Nothing was issued. 2 lines need correcting:"
        );
        assert_eq!(
            en.rotation_recorded_sentence("key-2"),
            "The registry recorded the rotation: new credentials are signed with #key-2."
        );
        assert_eq!(
            zh.rotation_recorded_sentence("key-2"),
            "注册链已记录此次轮换：今后的新凭证使用 #key-2 签名。"
        );
        assert_eq!(
            status_change_refused(Lang::En, "revoked", "suspended"),
            "the credential is revoked; it cannot become suspended"
        );
        assert!(has_chinese(&status_change_refused(
            Lang::ZhCn,
            "revoked",
            "suspended"
        )));
        // English names the states and actions as the issuer records them.
        for (code, en_word) in [
            ("issued", "issued"),
            ("credential_issued", "issued"),
            ("token_issued", "token_issued"),
        ] {
            assert_eq!(en.state_word(code), en_word);
            assert!(has_chinese(zh.state_word(code)), "{code}");
        }
        for action in [
            "sign in",
            "create offer",
            "issue",
            "revoke",
            "rotate key",
            "issue (VC API)",
        ] {
            assert_eq!(en.audit_action(action), action);
            assert!(has_chinese(zh.audit_action(action)), "{action}");
        }
        assert_eq!(zh.audit_action("something new"), "something new");
        assert_eq!(zh.audit_actor("registrar:ada"), "registrar:ada");
        assert_eq!(zh.status_word("revoked"), "已撤销");
    }

    /// Every portal page, rendered in `lang` from English data.
    fn every_page(lang: Lang) -> Vec<(&'static str, String)> {
        let t = IssuerText::for_lang(lang);
        let frame = Frame {
            institution: "Example University".into(),
            username: "registrar".into(),
            csrf: "token".into(),
            section: "dashboard",
        };
        let entries = vec![AuditRow {
            at: "2026-06-30 12:00 UTC".into(),
            actor: "registrar:ada".into(),
            action: "revoke".into(),
            target: "c-1".into(),
            detail: "status list published in block 12".into(),
        }];
        let types = vec![TypeChoice {
            name: "UniversityDegreeCredential".into(),
            display_name: "University degree".into(),
            selected: true,
            columns: "name, degree.name".into(),
        }];
        let offer = OfferView {
            credential_id: "c-1".into(),
            summary: "Ada Lovelace".into(),
            offer_uri: "openid-credential-offer://?credential_offer_uri=x".into(),
            tx_code: "123456".into(),
            qr_data_uri: "data:image/svg+xml;base64,".into(),
        };
        let batch_page = |done: bool, failed: bool| BatchPage {
            lang,
            t,
            frame: frame.clone(),
            batch: "batch-1".into(),
            total: 2,
            stored: 1,
            done,
            failed,
            watching: false,
        };
        let credentials_page = |query: &str, rows: Vec<CredentialRow>| CredentialsPage {
            lang,
            t,
            frame: frame.clone(),
            query: query.into(),
            rows,
        };
        let row = CredentialRow {
            id: "c-1".into(),
            summary: "Ada Lovelace".into(),
            type_name: "UniversityDegreeCredential".into(),
            format: "ldp_vc".into(),
            state: "issued".into(),
            status: "suspended".into(),
            created: "2026-06-30 12:00 UTC".into(),
            signer: t.the_institution.into(),
        };
        let render = |name: &'static str, page: &dyn askama::DynTemplate| (name, page.dyn_render().unwrap());
        vec![
            render(
                "login",
                &LoginPage {
                    lang,
                    t,
                    institution: "Example University".into(),
                    username: "registrar".into(),
                    error: Some(t.wrong_password.into()),
                    csrf: "token".into(),
                },
            ),
            render(
                "dashboard",
                &DashboardPage {
                    lang,
                    t,
                    frame: frame.clone(),
                    did: "did:sigil:zUni".into(),
                    signing_key: "did:sigil:zUni#key-1".into(),
                    public_url: "https://issuer.example".into(),
                    offered: 1,
                    issued: 2,
                    suspended: 0,
                    revoked: 1,
                    entries: entries.clone(),
                },
            ),
            render(
                "audit",
                &AuditPage {
                    lang,
                    t,
                    frame: frame.clone(),
                    entries,
                },
            ),
            render(
                "issue",
                &IssuePage {
                    lang,
                    t,
                    frame: frame.clone(),
                    types: types.clone(),
                    type_name: "UniversityDegreeCredential".into(),
                    fields: vec![FieldView {
                        key: "name".into(),
                        label: "Name".into(),
                        input: "text".into(),
                        choices: vec![],
                        mandatory: false,
                        value: String::new(),
                    }],
                    formats: t.formats(),
                    format_name: "ldp_vc".into(),
                    errors: vec!["dateOfBirth: \"10/12/1815\" is not a \"date\"".into()],
                },
            ),
            render(
                "offer",
                &OffersPage {
                    lang,
                    t,
                    frame: frame.clone(),
                    offers: vec![offer.clone()],
                    batch: None,
                    expires: "2026-07-01 12:00 UTC".into(),
                    can_print: true,
                },
            ),
            render(
                "offers",
                &OffersPage {
                    lang,
                    t,
                    frame: frame.clone(),
                    offers: vec![offer.clone(), offer],
                    batch: Some("batch-1".into()),
                    expires: "2026-07-01 12:00 UTC".into(),
                    can_print: false,
                },
            ),
            render(
                "upload",
                &UploadPage {
                    lang,
                    t,
                    frame: frame.clone(),
                    types,
                    formats: t.formats(),
                    problems: vec![LineProblem {
                        line: 3,
                        errors: vec!["dateOfBirth: \"\" is not a \"date\"".into()],
                    }],
                },
            ),
            render("batch storing", &batch_page(false, false)),
            render("batch stored", &batch_page(true, false)),
            render("batch failed", &batch_page(true, true)),
            render("credentials", &credentials_page("", vec![row])),
            render("no credentials", &credentials_page("", vec![])),
            render("no match", &credentials_page("Hopper", vec![])),
            render(
                "credential",
                &CredentialPage {
                    lang,
                    t,
                    frame: frame.clone(),
                    id: "c-1".into(),
                    summary: "Ada Lovelace".into(),
                    type_name: "UniversityDegreeCredential".into(),
                    format: "ldp_vc".into(),
                    state: "issued".into(),
                    status: "active".into(),
                    subject: None,
                    signer_did: "did:sigil:zUni".into(),
                    signer: t.the_institution.into(),
                    created: "2026-06-30 12:00 UTC".into(),
                    created_by: "registrar:ada".into(),
                    issued: Some("2026-06-30 12:05 UTC".into()),
                    status_list: 0,
                    status_index: 7,
                    anchor: Some(AnchorView {
                        merkle_root: "ab12".into(),
                        block_height: 12,
                    }),
                    actions: vec![("suspend", t.suspend), ("revoke", t.revoke)],
                    can_print: false,
                    print_note: Some(t.paper_only_before_collection),
                    receipts: vec![ReceiptView {
                        height: "13".into(),
                        tx_hash: "cd34".into(),
                    }],
                    message: Some(t.now_active.into()),
                    error: None,
                },
            ),
            render(
                "offered credential",
                &CredentialPage {
                    lang,
                    t,
                    frame: frame.clone(),
                    id: "c-2".into(),
                    summary: "Grace Hopper".into(),
                    type_name: "UniversityDegreeCredential".into(),
                    format: "vc+jwt".into(),
                    state: "offered".into(),
                    status: "active".into(),
                    subject: None,
                    signer_did: "did:sigil:zUni".into(),
                    signer: t.the_institution.into(),
                    created: "2026-06-30 12:00 UTC".into(),
                    created_by: "registrar:ada".into(),
                    issued: None,
                    status_list: 1,
                    status_index: 8,
                    anchor: None,
                    actions: vec![("revoke", t.withdraw_offer)],
                    can_print: true,
                    print_note: None,
                    receipts: vec![],
                    message: None,
                    error: None,
                },
            ),
            render(
                "print",
                &PrintPage {
                    lang,
                    t,
                    frame: frame.clone(),
                    id: "c-2".into(),
                    type_label: "University degree".into(),
                    title: "Grace Hopper".into(),
                    claims: vec![("Full name".into(), "Grace Hopper".into())],
                    issued: "2026-06-30".into(),
                    qr_data_uri: Some("data:image/svg+xml;base64,AAAA".into()),
                    verifier_host: "verifier.example".into(),
                    address: "https://verifier.example/P/ABC".into(),
                    problem: None,
                },
            ),
            render(
                "keys",
                &KeysPage {
                    lang,
                    t,
                    frame: frame.clone(),
                    did: "did:sigil:zUni".into(),
                    signing_key: "did:sigil:zUni#key-2".into(),
                    profiles: vec![ProfileView {
                        name: "w3c".into(),
                        did: "did:key:z6MkProfile".into(),
                    }],
                    next_cold_key: Some("cold key text".into()),
                    message: Some(t.rotation_recorded_sentence("key-2")),
                    error: None,
                },
            ),
            render(
                "error",
                &ErrorPage {
                    lang,
                    t,
                    institution: "Example University".into(),
                    title: t.form_expired_title.into(),
                    message: t.form_expired.into(),
                },
            ),
        ]
    }

    #[test]
    fn every_portal_page_renders_in_both_languages() {
        for lang in Lang::ALL {
            for (name, html) in every_page(lang) {
                // A page showing a secret once (an offer's PIN, the next cold key) has no
                // switch: switching would load it again without the secret.
                let shows_a_secret_once = ["offer", "keys"].contains(&name);
                assert_page_in(lang, &html, !shows_a_secret_once);
                assert!(
                    !html.contains("http-equiv=\"refresh\""),
                    "{name}: nothing reloads unasked: {html}"
                );
            }
        }
    }

    #[test]
    fn english_pages_read_as_they_always_have() {
        let pages: std::collections::BTreeMap<_, _> = every_page(Lang::En).into_iter().collect();
        let page = |name: &str| pages.get(name).cloned().unwrap_or_default();
        assert!(page("offers").contains(
            "Give each student the QR code or link <strong>and, separately,</strong> the PIN. \
             The PIN is shown only now — <a href=\"/portal/batches/batch-1/offers.csv\">download all \
             offers as CSV</a>. Offers expire 2026-07-01 12:00 UTC.</p>"
        ));
        assert!(page("offer").contains("The PIN is shown only now. Offers expire 2026-07-01 12:00 UTC.</p>"));
        assert!(page("offer").contains("<h1>Offer ready</h1>"));
        assert!(page("offers").contains("<h1>2 offers ready</h1>"));
        assert!(page("offers").contains(r#"alt="QR code of the offer for Ada Lovelace""#));
        let credential = page("credential");
        for expected in [
            "<dd>2026-06-30 12:00 UTC by registrar:ada</dd>",
            "<dd>list 0, index 7</dd>",
            "block 12, Merkle root <code",
            "<dd>issued</dd>",
            "Suspend</button>",
            "Revoke</button>",
        ] {
            assert!(credential.contains(expected), "{expected}: {credential}");
        }
        // The print action: a form with the session's token, on an offer's pages when a
        // verifier is set; where it is not, the page says why.
        let print_form = r#"<form method="post" action="/portal/credentials/c-1/print" target="_blank">"#;
        assert!(page("offer").contains(print_form), "{}", page("offer"));
        assert!(page("offer").contains(r#"<input type="hidden" name="csrf" value="token">"#));
        assert!(!page("offers").contains("/print\""), "{}", page("offers"));
        assert!(page("offers").contains("Paper diplomas are not printed here"));
        assert!(page("offered credential").contains("/portal/credentials/c-2/print"));
        assert!(!page("credential").contains("/print\""));
        assert!(page("credential").contains("can only be printed before the wallet collects"));
        let print = page("print");
        for expected in [
            "<dt>Full name</dt><dd>Grace Hopper</dd>",
            "<dt>Issued</dt><dd>2026-06-30</dd>",
            r#"<img src="data:image/svg+xml;base64,AAAA" alt="QR code holding the signed diploma">"#,
            "check this diploma at verifier.example.",
            r#"<a href="https://verifier.example/P/ABC">"#,
            r#"<p class="kind">University degree</p>"#,
            r#"<article class="diploma">"#,
        ] {
            assert!(print.contains(expected), "{expected}: {print}");
        }
        assert!(page("batch stored").contains("All 2 offers are stored."));
        assert!(page("batch storing").contains("Storing offers: 1 of 2…"));
        assert!(page("batch storing").contains("Refresh progress"));
        assert!(page("no match").contains("No credentials match “Hopper”."));
        assert!(page("no credentials").contains("No credentials."));
        assert!(page("credentials").contains("issued · <strong>suspended</strong>"));
        assert!(page("audit").contains("<td>revoke</td>"));
        assert!(page("upload").contains("<td>3</td>"));
        assert!(page("upload").contains("Nothing was issued. 1 line needs correcting:"));
        assert!(page("issue").contains("Create offer"));
        assert!(page("upload").contains("Check and issue"));
        assert!(
            page("keys").contains("Issuer profiles are <code>did:key</code> identities the VC API signs as")
        );
        assert!(page("keys").contains("<td>profile w3c</td>"));
        assert!(page("login").contains("Wrong username or password."));
        assert!(page("dashboard").contains("Sign out registrar"));
    }

    #[test]
    fn claims_and_names_are_escaped_everywhere() {
        let hostile = "<script>alert(1)</script>";
        let page = CredentialsPage {
            lang: Lang::En,
            t: english(),
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
            lang: Lang::En,
            t: english(),
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
            lang: Lang::En,
            t: english(),
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
            formats: english().formats(),
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
