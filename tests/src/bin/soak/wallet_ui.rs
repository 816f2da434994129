//! The real wallet in the soak: `sigil-wallet serve`, driven as a browser without JavaScript
//! drives it — unlock with the passphrase, paste an offer and its PIN on *Receive* (the
//! wallet's own OpenID4VCI client), open a verifier's request on *Present* and share on the
//! consent page (its own OpenID4VP client), then delete the credential — until the deadline.

use std::sync::Arc;

use anyhow::{Context as _, ensure};
use tokio::time::Instant;

use sigil_tests::load::ensure_verified;

use crate::client::{Shared, timed};
use crate::stats::Kind;

/// The format the wallet receives and presents: SD-JWT VC, whose consent page picks claims.
const FORMAT: &str = "dc+sd-jwt";

/// One browser session with the wallet's UI.
#[derive(Debug)]
pub struct Browser {
    base: String,
    cookie: String,
}

impl Browser {
    /// Unlocks the wallet at `base` with `passphrase` as a browser does: the unlock form's
    /// CSRF token comes with a cookie that the post repeats; the session's cookie is kept.
    pub async fn unlock(shared: &Shared, base: &url::Url, passphrase: &str) -> anyhow::Result<Self> {
        let base = base.as_str().trim_end_matches('/').to_owned();
        let http = &shared.api.http;
        let form = http.send(http.client.get(format!("{base}/unlock")), 200).await?;
        let csrf = between(&form.body, r#"name="csrf" value=""#, "\"")?;
        let unlock_cookie = first_part(&form.header("set-cookie")?);
        let unlocked = http
            .send(
                http.client
                    .post(format!("{base}/unlock"))
                    .header("cookie", unlock_cookie)
                    .form(&[("csrf", csrf.as_str()), ("passphrase", passphrase)]),
                303,
            )
            .await?;
        let cookie = first_part(&unlocked.header("set-cookie")?);
        Ok(Browser { base, cookie })
    }

    fn get(&self, shared: &Shared, path: &str) -> reqwest::RequestBuilder {
        shared
            .api
            .http
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
    }

    fn post(&self, shared: &Shared, path: &str, form: &[(&str, &str)]) -> reqwest::RequestBuilder {
        shared
            .api
            .http
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
    }

    /// The CSRF token of the forms on `path`.
    async fn csrf(&self, shared: &Shared, path: &str) -> anyhow::Result<String> {
        let page = shared.api.http.send(self.get(shared, path), 200).await?.body;
        between(&page, r#"name="csrf" value=""#, "\"")
    }

    /// Pastes an offer for the sample diploma and its PIN on *Receive*; returns the path of
    /// the credential's page.
    async fn receive(&self, shared: &Shared) -> anyhow::Result<String> {
        let offer = shared.api.offer(FORMAT).await?;
        let csrf = self.csrf(shared, "/receive").await?;
        let form = [
            ("csrf", csrf.as_str()),
            ("offer", &offer.offer_uri),
            ("pin", &offer.pin),
        ];
        let received = shared
            .api
            .http
            .send(self.post(shared, "/receive", &form), 303)
            .await?;
        received.header("location")
    }

    /// Deletes the credential whose page is at `path` with the button on that page.
    async fn delete(&self, shared: &Shared, path: &str) -> anyhow::Result<()> {
        let csrf = self.csrf(shared, path).await?;
        shared
            .api
            .http
            .send(
                self.post(shared, &format!("{path}/delete"), &[("csrf", csrf.as_str())]),
                303,
            )
            .await?;
        Ok(())
    }

    /// Opens a new verifier request on *Present*, shares name and degree on the consent page,
    /// and reads the verifier's verdict: it must be "verified".
    async fn present(&self, shared: &Shared) -> anyhow::Result<()> {
        let (id, request_uri) = shared.api.verifier_request(FORMAT).await?;
        let csrf = self.csrf(shared, "/present").await?;
        let form = [("csrf", csrf.as_str()), ("request", &request_uri)];
        let consent = shared
            .api
            .http
            .send(self.post(shared, "/present", &form), 200)
            .await?
            .body;
        let pending = between(&consent, "/present/", "\"")?;
        let form = [
            ("csrf", csrf.as_str()),
            ("claim", "sd:name"),
            ("claim", "sd:degree"),
            ("decision", "share"),
        ];
        let shared_page = shared
            .api
            .http
            .send(self.post(shared, &format!("/present/{pending}"), &form), 200)
            .await?
            .body;
        ensure!(
            shared_page.contains("Shared with"),
            "the wallet did not share: {}",
            between(&shared_page, "class=\"error\">", "<").unwrap_or_default()
        );
        ensure_verified(&shared.api.verifier_result(&id).await?, FORMAT)
    }
}

/// Until `deadline`: receive a diploma through the wallet's UI, present it, delete it.
pub async fn run(shared: Arc<Shared>, browser: Browser, deadline: Instant) {
    while Instant::now() < deadline {
        let Some(path) = timed(&shared, Kind::WalletReceive, browser.receive(&shared)).await else {
            continue;
        };
        timed(&shared, Kind::WalletPresent, browser.present(&shared)).await;
        timed(&shared, Kind::WalletDelete, browser.delete(&shared, &path)).await;
    }
}

/// The text of `page` between the first `start` and the next `end`.
fn between(page: &str, start: &str, end: &str) -> anyhow::Result<String> {
    let (_, after) = page
        .split_once(start)
        .with_context(|| format!("no {start:?} on the page"))?;
    Ok(after.split(end).next().unwrap_or_default().to_owned())
}

/// A `set-cookie` value without its attributes: `name=value`.
fn first_part(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}
