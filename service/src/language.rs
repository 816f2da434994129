//! The language a page is written in, for every service's pages: the visitor's choice from the
//! switch on each page (remembered in a cookie), else their browser's `Accept-Language`, else
//! English (`sigil_templates::lang::Lang::negotiate`).
//!
//! The switch is a plain link, `?lang=zh-CN`, so it works without JavaScript: [`switch`] (a
//! middleware every service's router gets) answers such a GET by setting the cookie and sending
//! the browser back to the same address without the parameter. [`PageLang`] is the extractor
//! a page handler takes, and [`localized`] adds `Content-Language` and `Vary` to its response.
//!
//! The cookie is shared by every Sigil service on one host (cookies do not tell ports apart),
//! which is what a visitor expects of the one stack: choose Chinese once, read it everywhere.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
pub use sigil_templates::lang::Lang;

use crate::pages::cookie;

/// The cookie that remembers the visitor's choice: a language tag.
pub const COOKIE: &str = "sigil_lang";
/// The query parameter of the switch's links.
const PARAMETER: &str = "lang";
/// How long the choice is remembered.
const ONE_YEAR_SECONDS: u32 = 365 * 24 * 60 * 60;

/// The language of the page a request asks for (an extractor; it never fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLang(of_headers(&parts.headers)))
    }
}

/// The language for a request with `headers`: the cookie, else `Accept-Language`, else English.
pub fn of_headers(headers: &HeaderMap) -> Lang {
    let accept_language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    Lang::negotiate(cookie(headers, COOKIE), accept_language)
}

/// Marks a page's response as written in `lang`, and as varying with what chose it (so a cache
/// never serves one visitor's language to another).
pub fn localized(lang: Lang, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    headers.append(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    response
}

/// The middleware of the language switch: a GET or HEAD with `lang=TAG` in its query, for a
/// language Sigil has, sets the cookie and is redirected (303) to the same path and query
/// without the parameter. Anything else — another method, no parameter, a language Sigil
/// lacks — goes on unchanged.
///
/// The switch's links (`templates/lang_switch.html`) are written `href="?lang=TAG"`, and a
/// link that is only a query replaces the page's whole query: on `/present?request=…` it would
/// lose the request. So on the way out, an HTML page answering a GET with a query has its
/// switch links given that query ([`keep_query_on_switch`]) — here, once, rather than in every
/// page's template data.
pub async fn switch(request: Request, next: Next) -> Response {
    let get = matches!(*request.method(), Method::GET | Method::HEAD);
    if let Some(response) = get.then(|| switched(request.uri())).flatten() {
        return response;
    }
    let query = get.then(|| request.uri().query().map(str::to_owned)).flatten();
    let response = next.run(request).await;
    match query.filter(|query| !query.is_empty()) {
        Some(query) => keep_query_on_switch(response, &query).await,
        None => response,
    }
}

/// The start of a switch link as `lang_switch.html` writes it.
const SWITCH_LINK: &str = r#"href="?lang="#;
/// Largest page whose switch links are rewritten; Sigil's pages are a few dozen KB.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Gives the switch links of an HTML `response` the page's `query` (its own `lang` aside),
/// re-encoded so that nothing in it can leave the attribute.
async fn keep_query_on_switch(response: Response, query: &str) -> Response {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !html {
        return response;
    }
    let kept = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(url::form_urlencoded::parse(query.as_bytes()).filter(|(name, _)| name != PARAMETER))
        .finish();
    if kept.is_empty() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        tracing::error!("a page was too large to give its language switch the page's query");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = match String::from_utf8(bytes.to_vec()) {
        Ok(page) => page.replace(
            SWITCH_LINK,
            &format!(r#"href="?{}&amp;lang="#, kept.replace('&', "&amp;")),
        ),
        Err(_) => return Response::from_parts(parts, axum::body::Body::from(bytes)),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(page))
}

/// The redirect that answers a switch to a language Sigil has in `uri`'s query, if it asks.
fn switched(uri: &axum::http::Uri) -> Option<Response> {
    let mut chosen = None;
    let mut rest = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(uri.query()?.as_bytes()) {
        if name == PARAMETER {
            chosen = chosen.or_else(|| Lang::from_tag(&value));
        } else {
            rest.append_pair(&name, &value);
        }
    }
    let lang = chosen?;
    // One leading slash only: `//host/…` would send the browser to another site.
    let mut location = format!("/{}", uri.path().trim_start_matches('/'));
    let rest = rest.finish();
    if !rest.is_empty() {
        location.push('?');
        location.push_str(&rest);
    }
    let set_cookie = format!(
        "{COOKIE}={}; Path=/; Max-Age={ONE_YEAR_SECONDS}; SameSite=Lax",
        lang.tag()
    );
    // Both came from a valid request line and a fixed tag; should either not make a header
    // value, the page is served as asked.
    let location = HeaderValue::from_str(&location).ok()?;
    let set_cookie = HeaderValue::from_str(&set_cookie).ok()?;
    Some(
        (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, location), (header::SET_COOKIE, set_cookie)],
        )
            .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt as _;

    use super::*;

    fn app() -> Router {
        let page = get(|PageLang(lang): PageLang| async move { localized(lang, lang.tag().into_response()) });
        Router::new()
            .route("/", page.clone())
            .route("/{*path}", page)
            .layer(axum::middleware::from_fn(switch))
    }

    async fn get_with(uri: &str, headers: &[(&str, &str)]) -> Response {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        app().oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
    }

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_switch_remembers_the_choice_and_returns_to_the_page_without_it() {
        let response = get_with("/credentials/1?q=Lovelace&lang=zh-CN", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[header::LOCATION], "/credentials/1?q=Lovelace");
        let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with("sigil_lang=zh-CN; Path=/;"), "{cookie}");

        let page = get_with("/credentials/1?q=Lovelace", &[("cookie", "sigil_lang=zh-CN")]).await;
        assert_eq!(page.headers()[header::CONTENT_LANGUAGE], "zh-CN");
        assert_eq!(page.headers()[header::VARY], "Accept-Language, Cookie");
        assert_eq!(body(page).await, "zh-CN");
    }

    #[tokio::test]
    async fn without_a_choice_the_browser_language_counts_and_the_cookie_outranks_it() {
        let chinese_browser = [("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")];
        assert_eq!(body(get_with("/", &chinese_browser).await).await, "zh-CN");
        let chose_english = [("accept-language", "zh-CN"), ("cookie", "a=b; sigil_lang=en")];
        assert_eq!(body(get_with("/", &chose_english).await).await, "en");
        assert_eq!(body(get_with("/", &[]).await).await, "en");
    }

    #[tokio::test]
    async fn an_unknown_language_or_a_hostile_path_does_not_redirect_anywhere_else() {
        let unknown = get_with("/page?lang=fr", &[]).await;
        assert_eq!(unknown.status(), StatusCode::OK);
        let bogus_cookie = [("cookie", "sigil_lang=<script>")];
        assert_eq!(body(get_with("/", &bogus_cookie).await).await, "en");
        let response = get_with("//evil.example/x?lang=en", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[header::LOCATION], "/evil.example/x");
    }

    #[tokio::test]
    async fn a_page_s_switch_links_keep_its_query() {
        let page = |html: &'static str| get(move || async move { axum::response::Html(html) });
        let app = Router::new()
            .route(
                "/present",
                page(r#"<a href="?lang=zh-CN">简体中文</a> <a href="?lang=en">English</a>"#),
            )
            .layer(axum::middleware::from_fn(switch));
        let html = |uri: &'static str| {
            let app = app.clone();
            async move {
                let response = app
                    .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                body(response).await
            }
        };
        assert_eq!(
            html("/present?request=openid4vp%3A%2F%2F%3Fa%3D1%26b%3D%22x%22&n=2").await,
            r#"<a href="?request=openid4vp%3A%2F%2F%3Fa%3D1%26b%3D%22x%22&amp;n=2&amp;lang=zh-CN">简体中文</a> <a href="?request=openid4vp%3A%2F%2F%3Fa%3D1%26b%3D%22x%22&amp;n=2&amp;lang=en">English</a>"#,
        );
        assert_eq!(
            html("/present").await,
            r#"<a href="?lang=zh-CN">简体中文</a> <a href="?lang=en">English</a>"#,
            "no query, nothing to keep"
        );
        // The switched request keeps the query on its way back.
        let response = get_with("/present?request=openid4vp%3A%2F%2Fx&lang=zh-CN", &[]).await;
        assert_eq!(
            response.headers()[header::LOCATION],
            "/present?request=openid4vp%3A%2F%2Fx"
        );
    }

    #[tokio::test]
    async fn a_form_post_is_never_switched() {
        let response = app()
            .oneshot(Request::post("/x?lang=zh-CN").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}
