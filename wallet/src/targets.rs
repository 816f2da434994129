//! Where the wallet goes when a stranger names the place. An offer names an issuer and its
//! endpoints, a presentation request names a `request_uri` and a `response_uri`: whoever
//! wrote them could point the wallet at a service on the holder's own computer or network
//! (server-side request forgery from inside the holder's machine). So every such URL must be
//! `https`, and every address its host resolves to must be a public one: not loopback,
//! private, link-local, unspecified, broadcast, documentation or multicast. The address is
//! checked after resolution, by the client's own resolver, so a name that resolves to
//! `127.0.0.1` is refused as surely as the literal; and no redirect is followed (see
//! `sigil_core::http_client`), so an answer cannot send the wallet elsewhere.
//!
//! The demo and the tests run every service on `http://127.0.0.1`; for them the holder starts
//! the wallet with `allow_insecure_targets` (the flag `--allow-insecure-targets`, the variable
//! `SIGIL_ALLOW_INSECURE_TARGETS`, or `[service] allow_insecure_targets = true` in
//! `wallet.toml`), and the UI says so on every page. The registry is the holder's own
//! configuration, not a stranger's, and is reached without these checks.
//!
//! The strict client ignores `HTTPS_PROXY` and friends: through a proxy, the proxy would
//! resolve the name, out of the wallet's sight.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why the wallet will not go where it was pointed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The text is not a URL.
    #[error("{text:?} is not a URL: {reason}")]
    NotUrl { text: String, reason: String },
    /// The URL is not `https` (and insecure targets are not allowed).
    #[error("{url} is not an https URL; the wallet reaches issuers and verifiers over https only")]
    NotHttps { url: String },
    /// The host is, or resolves to, an address on this computer or a private network.
    #[error(
        "{host} is {address}, an address on this computer or a private network; the wallet does \
         not go there because a stranger asked it to"
    )]
    PrivateAddress { host: String, address: IpAddr },
    /// The host name did not resolve.
    #[error("{host} could not be found: {reason}")]
    Unresolved { host: String, reason: String },
}

/// Why a request to a stranger's URL gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The wallet refused to go there.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The service answered with a redirect, which the wallet does not follow.
    #[error("{url} answered HTTP {status}, a redirect; the wallet follows no redirects")]
    Redirected { url: String, status: u16 },
    /// The service could not be reached (network, timeout).
    #[error("{0}")]
    Unreachable(String),
}

/// The wallet's rule for strangers' URLs, and the HTTP client that enforces it.
#[derive(Debug, Clone)]
pub struct Targets {
    allow_insecure: bool,
    http: reqwest::Client,
}

impl Targets {
    /// The rule: strict (`https`, public addresses only) unless `allow_insecure`, the demo and
    /// development setting, which allows plain `http` and any address.
    pub fn new(allow_insecure: bool) -> Result<Targets, reqwest::Error> {
        let builder = sigil_core::http_client::builder();
        let http = if allow_insecure {
            builder.build()?
        } else {
            builder.dns_resolver(Arc::new(PublicOnly)).no_proxy().build()?
        };
        Ok(Targets { allow_insecure, http })
    }

    /// Whether plain `http` and private addresses are allowed (the UI warns when they are).
    pub fn allows_insecure(&self) -> bool {
        self.allow_insecure
    }

    /// The client to build requests with; send them with [`Targets::send`].
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `text` as a URL the wallet may reach: `https`, and not an address literal of this
    /// computer or a private network. Names are checked again when they are resolved.
    pub fn url(&self, text: &str) -> Result<url::Url, Refused> {
        let url = url::Url::parse(text.trim()).map_err(|e| Refused::NotUrl {
            text: text.to_owned(),
            reason: e.to_string(),
        })?;
        let http = matches!(url.scheme(), "http" | "https");
        if !http || (url.scheme() == "http" && !self.allow_insecure) {
            return Err(Refused::NotHttps { url: url.to_string() });
        }
        let literal = match url.host() {
            Some(url::Host::Ipv4(address)) => Some(IpAddr::V4(address)),
            Some(url::Host::Ipv6(address)) => Some(IpAddr::V6(address)),
            Some(url::Host::Domain(_)) => None,
            None => {
                return Err(Refused::NotUrl {
                    text: text.to_owned(),
                    reason: "no host".into(),
                });
            }
        };
        if let Some(address) = literal.filter(|a| !self.allow_insecure && !is_public(*a)) {
            return Err(Refused::PrivateAddress {
                host: url.host_str().unwrap_or_default().to_owned(),
                address,
            });
        }
        Ok(url)
    }

    /// Sends a request built with [`Targets::http`]: a refused address is [`SendError::Refused`]
    /// and a redirect [`SendError::Redirected`]; any other answer is the caller's to read.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, SendError> {
        let response = request.send().await.map_err(|error| match refusal_in(&error) {
            Some(refused) => SendError::Refused(refused),
            None => SendError::Unreachable(describe(&error)),
        })?;
        if response.status().is_redirection() {
            return Err(SendError::Redirected {
                url: response.url().to_string(),
                status: response.status().as_u16(),
            });
        }
        Ok(response)
    }
}

/// The [`Refused`] a resolver error carries, if the request failed because of one.
fn refusal_in(error: &reqwest::Error) -> Option<Refused> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(refused) = current.downcast_ref::<Refused>() {
            return Some(refused.clone());
        }
        source = current.source();
    }
    None
}

/// A request error with its causes ("error sending request" alone says nothing).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether `address` is on the public internet: not this computer, a private or link-local
/// network, unspecified, broadcast, documentation or multicast.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [first, second, ..] = address.octets();
    !(address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_unspecified()
        || address.is_broadcast()
        || address.is_documentation()
        || address.is_multicast()
        // 0.0.0.0/8 ("this network") reaches this computer on Linux, not only 0.0.0.0;
        // 100.64.0.0/10 is a carrier's private network (std's `is_shared` is not stable).
        || first == 0
        || (first == 100 && second & 0xc0 == 64))
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    !(address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        || address.is_unique_local()
        || address.is_unicast_link_local())
}

/// The resolver of the strict client: a name resolves only if every address it has is
/// public, so a name that also points at this computer is refused.
#[derive(Debug)]
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| Refused::Unresolved {
                    host: host.clone(),
                    reason: e.to_string(),
                })?
                .collect();
            public_only(&host, addresses)
                .map(|addresses| Box::new(addresses.into_iter()) as Addrs)
                .map_err(Into::into)
        })
    }
}

/// `addresses`, if every one of them is public.
fn public_only(host: &str, addresses: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Refused> {
    if let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
        return Err(Refused::PrivateAddress {
            host: host.to_owned(),
            address: private.ip(),
        });
    }
    if addresses.is_empty() {
        return Err(Refused::Unresolved {
            host: host.to_owned(),
            reason: "no addresses".into(),
        });
    }
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> Targets {
        Targets::new(false).unwrap()
    }

    #[test]
    fn only_public_addresses_count_as_public() {
        for private in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(
                !is_public(private.parse().unwrap()),
                "{private} counted as public"
            );
        }
        for public in ["93.184.216.34", "1.1.1.1", "100.128.0.1", "2606:4700:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public} counted as private");
        }
    }

    #[test]
    fn strangers_urls_must_be_https_to_public_hosts() {
        let targets = strict();
        assert!(targets.url("https://uni.example/issuer").is_ok());
        for refused in [
            "http://uni.example",
            "http://127.0.0.1:7401",
            "https://127.0.0.1:7401",
            "https://[::1]:7402/request",
            "https://10.0.0.8/",
            "https://169.254.169.254/latest/meta-data",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(targets.url(refused).is_err(), "{refused} was allowed");
        }
        let error = targets.url("https://127.0.0.1:7401").unwrap_err();
        assert!(matches!(error, Refused::PrivateAddress { .. }), "{error}");
    }

    #[test]
    fn the_development_setting_allows_http_and_this_computer_but_not_other_schemes() {
        let targets = Targets::new(true).unwrap();
        assert!(targets.allows_insecure());
        assert!(targets.url("http://127.0.0.1:7401").is_ok());
        assert!(targets.url("https://[::1]:7402/request").is_ok());
        assert!(targets.url("file:///etc/passwd").is_err());
    }

    #[test]
    fn a_name_with_any_private_address_is_refused() {
        let public: SocketAddr = "93.184.216.34:0".parse().unwrap();
        let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert_eq!(public_only("a.example", vec![public]).unwrap(), vec![public]);
        let error = public_only("evil.example", vec![public, loopback]).unwrap_err();
        assert_eq!(
            error,
            Refused::PrivateAddress {
                host: "evil.example".into(),
                address: loopback.ip()
            }
        );
        assert!(public_only("nothing.example", vec![]).is_err());
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_this_computer_is_refused_after_resolution() {
        // `localhost` passes the URL check (it is a name) and resolves to loopback: the
        // client's resolver refuses it before any connection is made.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let targets = strict();
        let url = targets.url(&format!("https://localhost:{port}/request")).unwrap();
        let error = targets.send(targets.http().get(url)).await.unwrap_err();
        assert!(
            matches!(&error, SendError::Refused(Refused::PrivateAddress { host, .. }) if host == "localhost"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_redirect_to_a_refused_host_is_an_error_naming_its_status() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let metadata = "http://169.254.169.254/latest/meta-data/";
        assert!(strict().url(metadata).is_err());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/request", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let answer = format!(
                    "HTTP/1.1 302 Found\r\nlocation: {metadata}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        // Loopback is reachable only in the development setting; the redirect is refused anyway.
        let targets = Targets::new(true).unwrap();
        let error = targets
            .send(targets.http().get(targets.url(&url).unwrap()))
            .await
            .unwrap_err();
        assert!(
            matches!(error, SendError::Redirected { status: 302, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("302"), "{error}");
    }
}
