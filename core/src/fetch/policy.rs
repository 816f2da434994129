//! Where Sigil goes when a stranger names the place. A credential names its issuer's
//! `did:web` and its status list's URL; an offer or a presentation request names endpoints.
//! Whoever wrote them could point Sigil at a service on the caller's own computer or network
//! (server-side request forgery). So every such URL must be `https`, and every address its
//! host resolves to must be a public one: not loopback, private, link-local, unspecified,
//! broadcast, documentation or multicast. The address is checked after resolution, by the
//! client's own resolver, so a name that resolves to `127.0.0.1` is refused as surely as the
//! literal; and no redirect is followed (see [`crate::http_client`]), so an answer cannot
//! send the caller elsewhere.
//!
//! One [`NetPolicy`] is shared by the wallet (offers, requests), the `did:web` resolver and
//! the status lists read from their own URL. Its relaxations exist for development and tests
//! only, and each is its own switch: plain `http`, private addresses, and extra trusted
//! roots (a test certificate authority). The strict client ignores `HTTPS_PROXY` and
//! friends: through a proxy, the proxy would resolve the name, out of Sigil's sight.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why Sigil will not go where it was pointed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The text is not a URL.
    #[error("{text:?} is not a URL: {reason}")]
    NotUrl { text: String, reason: String },
    /// The URL is not `https` (and plain `http` is not allowed).
    #[error("{url} is not an https URL; Sigil reaches other parties over https only")]
    NotHttps { url: String },
    /// The host is, or resolves to, an address on this computer or a private network.
    #[error(
        "{host} is {address}, an address on this computer or a private network; Sigil does not \
         go there because a stranger asked it to"
    )]
    PrivateAddress { host: String, address: IpAddr },
    /// The host name did not resolve.
    #[error("{host} could not be found: {reason}")]
    Unresolved { host: String, reason: String },
}

/// The rule for strangers' URLs. [`NetPolicy::strict`] is the only setting for production;
/// the others are for development and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetPolicy {
    /// Plain `http` is allowed (the demo runs every service on `http://127.0.0.1`).
    pub allow_http: bool,
    /// Loopback and private addresses are allowed (test servers on loopback).
    pub allow_private: bool,
    /// Certificates (PEM) trusted as roots besides the built-in ones: a test or
    /// development certificate authority.
    pub extra_roots_pem: Vec<Vec<u8>>,
}

impl NetPolicy {
    /// `https` to public addresses only, with the built-in roots.
    pub fn strict() -> Self {
        NetPolicy::default()
    }

    /// The development setting: plain `http` and any address.
    pub fn development() -> Self {
        NetPolicy {
            allow_http: true,
            allow_private: true,
            extra_roots_pem: Vec::new(),
        }
    }

    /// This policy, also allowing loopback and private addresses (tests, development).
    pub fn allowing_private(mut self) -> Self {
        self.allow_private = true;
        self
    }

    /// This policy, also trusting `pem` (one or more certificates) as a root.
    pub fn trusting_root(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_roots_pem.push(pem.into());
        self
    }

    /// An HTTP client that enforces the policy on every connection: Sigil's timeouts, no
    /// redirects, and — unless private addresses are allowed — a resolver that refuses
    /// names with any non-public address, and no proxy.
    pub fn client(&self) -> Result<reqwest::Client, reqwest::Error> {
        let mut builder = crate::http_client::builder();
        for pem in &self.extra_roots_pem {
            for certificate in reqwest::Certificate::from_pem_bundle(pem)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        if !self.allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly)).no_proxy();
        }
        builder.build()
    }

    /// `text` as a URL Sigil may reach: `https` (or `http` when allowed), and not an address
    /// literal of this computer or a private network. Names are checked again when they are
    /// resolved, by [`NetPolicy::client`]'s resolver.
    pub fn check_url(&self, text: &str) -> Result<url::Url, Refused> {
        let url = url::Url::parse(text.trim()).map_err(|e| Refused::NotUrl {
            text: text.chars().take(200).collect(),
            reason: e.to_string(),
        })?;
        self.check(&url)?;
        Ok(url)
    }

    /// [`NetPolicy::check_url`] for a parsed URL.
    pub fn check(&self, url: &url::Url) -> Result<(), Refused> {
        let allowed_scheme = url.scheme() == "https" || (url.scheme() == "http" && self.allow_http);
        if !allowed_scheme {
            return Err(Refused::NotHttps { url: url.to_string() });
        }
        let literal = match url.host() {
            Some(url::Host::Ipv4(address)) => Some(IpAddr::V4(address)),
            Some(url::Host::Ipv6(address)) => Some(IpAddr::V6(address)),
            Some(url::Host::Domain(_)) => None,
            None => {
                return Err(Refused::NotUrl {
                    text: url.to_string(),
                    reason: "no host".into(),
                });
            }
        };
        match literal.filter(|a| !self.allow_private && !is_public(*a)) {
            Some(address) => Err(Refused::PrivateAddress {
                host: url.host_str().unwrap_or_default().to_owned(),
                address,
            }),
            None => Ok(()),
        }
    }
}

/// The [`Refused`] a request error carries, if the request failed because the policy's
/// resolver refused the host.
pub fn refusal_in(error: &reqwest::Error) -> Option<Refused> {
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
pub fn describe(error: &reqwest::Error) -> String {
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
        let policy = NetPolicy::strict();
        assert!(policy.check_url("https://uni.example/issuer").is_ok());
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
            assert!(policy.check_url(refused).is_err(), "{refused} was allowed");
        }
        let error = policy.check_url("https://127.0.0.1:7401").unwrap_err();
        assert!(matches!(error, Refused::PrivateAddress { .. }), "{error}");
        let error = policy.check_url("http://uni.example").unwrap_err();
        assert!(matches!(error, Refused::NotHttps { .. }), "{error}");
    }

    #[test]
    fn each_relaxation_relaxes_only_its_own_rule() {
        let private = NetPolicy::strict().allowing_private();
        assert!(private.check_url("https://127.0.0.1:7401").is_ok());
        assert!(matches!(
            private.check_url("http://127.0.0.1:7401"),
            Err(Refused::NotHttps { .. })
        ));
        let development = NetPolicy::development();
        assert!(development.check_url("http://127.0.0.1:7401").is_ok());
        assert!(development.check_url("file:///etc/passwd").is_err());
    }

    #[test]
    fn a_root_that_is_not_a_certificate_is_an_error_not_a_silent_omission() {
        let policy = NetPolicy::strict()
            .trusting_root(b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n".to_vec());
        assert!(policy.client().is_err());
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
        let policy = NetPolicy::strict();
        let url = policy
            .check_url(&format!("https://localhost:{port}/request"))
            .unwrap();
        let error = policy.client().unwrap().get(url).send().await.unwrap_err();
        assert!(
            matches!(refusal_in(&error), Some(Refused::PrivateAddress { host, .. }) if host == "localhost"),
            "{}",
            describe(&error)
        );
    }
}
