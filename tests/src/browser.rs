//! A browser without JavaScript, for the tests of server-rendered pages: no redirects
//! followed, the session cookie kept by hand, forms posted as a browser posts them.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test helper fails the test by panicking"
)]

/// One browser session against one site.
#[derive(Debug)]
pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
    pub cookie: Option<String>,
}

impl Browser {
    pub fn new(base: &url::Url) -> Self {
        Browser {
            base: base.as_str().trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: None,
        }
    }

    /// Adds the session cookie, if there is one.
    pub fn with_cookie(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.cookie {
            Some(cookie) => request.header("cookie", cookie),
            None => request,
        }
    }

    /// Keeps the cookie a response sets.
    pub fn keep_cookie(&mut self, response: &reqwest::Response) {
        if let Some(cookie) = response.headers().get("set-cookie") {
            self.cookie = Some(cookie.to_str().unwrap().split(';').next().unwrap().to_owned());
        }
    }

    /// GETs a page: status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .with_cookie(self.http.get(format!("{}{path}", self.base)))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// POSTs a form.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.with_cookie(self.http.post(format!("{}{path}", self.base)).form(form))
            .send()
            .await
            .unwrap()
    }

    /// Opens the form page `path` as a browser does — keeping the cookie it sets — and returns
    /// the CSRF token in its form.
    pub async fn open_form(&mut self, path: &str) -> String {
        let response = self
            .with_cookie(self.http.get(format!("{}{path}", self.base)))
            .send()
            .await
            .unwrap();
        self.keep_cookie(&response);
        csrf_in(&response.text().await.unwrap())
    }

    /// The CSRF token of the forms on `path`.
    pub async fn csrf(&self, path: &str) -> String {
        let (_, html) = self.get(path).await;
        csrf_in(&html)
    }
}

/// The value of the first `csrf` field in a page.
fn csrf_in(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).unwrap() + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}
