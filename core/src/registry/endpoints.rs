//! The registry nodes a client may ask: the one it was configured with, then the peers that
//! node names when it is one of several (`GET /consensus/status`). When the node the client
//! uses cannot be reached, it asks the next. Nothing is trusted more for it: proven answers
//! are checked against the pinned genesis whichever node gives them, and receipts prove
//! themselves.

use std::sync::Mutex;

/// One registry's nodes as a client is configured with them: one URL, or several separated
/// by commas (`https://reg-1.example,https://reg-2.example`) — the first is asked first, the
/// others when it cannot be reached, and the peers the nodes name are learnt too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryNodes {
    first: url::Url,
    rest: Vec<url::Url>,
}

impl RegistryNodes {
    /// The node asked first.
    pub fn first(&self) -> &url::Url {
        &self.first
    }

    /// Every node, in order.
    pub fn all(&self) -> impl Iterator<Item = &url::Url> {
        std::iter::once(&self.first).chain(&self.rest)
    }

    /// A client of these nodes.
    pub fn client(&self) -> super::RegistryClient {
        super::RegistryClient::for_nodes(self)
    }
}

impl From<url::Url> for RegistryNodes {
    fn from(url: url::Url) -> Self {
        RegistryNodes {
            first: url,
            rest: Vec::new(),
        }
    }
}

impl std::str::FromStr for RegistryNodes {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut nodes = text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| match url::Url::parse(part) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
                _ => Err(format!("{part:?} is not an http(s) URL of a registry node")),
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter();
        let first = nodes.next().ok_or_else(|| "no registry URL given".to_owned())?;
        Ok(RegistryNodes {
            first,
            rest: nodes.collect(),
        })
    }
}

impl std::fmt::Display for RegistryNodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let texts: Vec<&str> = self.all().map(url::Url::as_str).collect();
        f.write_str(&texts.join(","))
    }
}

/// The nodes, and which one is used now.
#[derive(Debug)]
pub(super) struct Endpoints {
    configured: url::Url,
    inner: Mutex<Inner>,
    /// Set once the configured node was asked for its peers.
    asked: tokio::sync::OnceCell<()>,
}

#[derive(Debug)]
struct Inner {
    nodes: Vec<url::Url>,
    current: usize,
}

/// Most peers learnt: a node naming thousands is not believed past this.
const MAX_NODES: usize = 32;

/// `base` with a trailing `/`, so that joining a path keeps its own path.
pub(super) fn directory(mut base: url::Url) -> url::Url {
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base
}

impl Endpoints {
    pub(super) fn new(base: url::Url) -> Endpoints {
        let configured = directory(base);
        Endpoints {
            inner: Mutex::new(Inner {
                nodes: vec![configured.clone()],
                current: 0,
            }),
            configured,
            asked: tokio::sync::OnceCell::new(),
        }
    }

    /// Asks the configured node, once, which peers it has (`GET /consensus/status`; a node
    /// that is the whole chain has none) and learns them.
    pub(super) async fn discover(&self, http: &reqwest::Client) {
        self.asked
            .get_or_init(|| async {
                let Ok(url) = self.configured.join("consensus/status") else {
                    return;
                };
                let Ok(Some(status)) = crate::http_client::get_json(http, url).await else {
                    return;
                };
                let peers = status
                    .get("peers")
                    .and_then(serde_json::Value::as_array)
                    .map(|peers| {
                        peers
                            .iter()
                            .filter_map(serde_json::Value::as_str)
                            .map(str::to_owned)
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                self.learn(peers);
            })
            .await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The node used now.
    pub(super) fn current(&self) -> url::Url {
        let inner = self.lock();
        inner
            .nodes
            .get(inner.current)
            .cloned()
            .unwrap_or_else(|| self.configured.clone())
    }

    /// Every node, the one used now first, then the rest in order.
    pub(super) fn in_turn(&self) -> Vec<url::Url> {
        let inner = self.lock();
        let count = inner.nodes.len();
        (0..count)
            .filter_map(|offset| inner.nodes.get((inner.current + offset) % count).cloned())
            .collect()
    }

    /// Uses `node` from now on (it answered).
    pub(super) fn settle(&self, node: &url::Url) {
        let mut inner = self.lock();
        if let Some(index) = inner.nodes.iter().position(|known| known == node) {
            inner.current = index;
        }
    }

    /// Adds the peers a node named (http(s) URLs only), after those known.
    pub(super) fn learn(&self, peers: impl IntoIterator<Item = String>) {
        let mut inner = self.lock();
        for peer in peers {
            let Ok(url) = url::Url::parse(&peer) else {
                continue;
            };
            if !matches!(url.scheme(), "http" | "https") || inner.nodes.len() >= MAX_NODES {
                continue;
            }
            let url = directory(url);
            if !inner.nodes.contains(&url) {
                inner.nodes.push(url);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_registry_setting_lists_one_node_or_several_and_refuses_anything_else() {
        let nodes: RegistryNodes = "http://a.example:7400, https://b.example".parse().unwrap();
        assert_eq!(nodes.first().as_str(), "http://a.example:7400/");
        assert_eq!(nodes.to_string(), "http://a.example:7400/,https://b.example/");
        assert_eq!(nodes.to_string().parse::<RegistryNodes>().unwrap(), nodes);
        assert!("".parse::<RegistryNodes>().is_err());
        assert!(
            "http://a.example,file:///etc/passwd"
                .parse::<RegistryNodes>()
                .is_err()
        );
    }

    #[test]
    fn nodes_are_asked_from_the_one_that_answered_last_and_peers_are_learnt_once() {
        let endpoints = Endpoints::new("http://a.example:7400".parse().unwrap());
        endpoints.learn([
            "http://a.example:7400/".to_owned(),
            "http://b.example:7410".to_owned(),
            "ftp://c.example".to_owned(),
            "not a url".to_owned(),
        ]);
        let names = |urls: Vec<url::Url>| urls.iter().map(url::Url::to_string).collect::<Vec<_>>();
        assert_eq!(
            names(endpoints.in_turn()),
            ["http://a.example:7400/", "http://b.example:7410/"]
        );
        endpoints.settle(&"http://b.example:7410/".parse().unwrap());
        assert_eq!(endpoints.current().as_str(), "http://b.example:7410/");
        assert_eq!(
            names(endpoints.in_turn()),
            ["http://b.example:7410/", "http://a.example:7400/"]
        );
    }
}
