//! The `[service]` table of `issuer.toml`: how `sigil-issuer serve` runs. Every value has a
//! default, and `serve`'s flags and `SIGIL_*` variables override the file.

use serde::{Deserialize, Serialize};

/// Default address of the issuer (docs/design.md §1).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7401";

/// `[service]` in `issuer.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case", deny_unknown_fields)]
pub struct ServiceSettings {
    /// Where to listen.
    pub listen: String,
    /// The URL wallets and browsers reach the issuer at: the OpenID4VCI credential issuer
    /// identifier, and the base of offer, schema and status list URLs. Defaults to
    /// `http://` + `listen`.
    pub public_url: Option<String>,
    /// Extra credential type files (docs/design.md §6), relative to the data directory.
    pub type_files: Vec<String>,
    /// How long an offer's pre-authorized code stays valid.
    pub offer_lifetime_hours: u32,
    /// How often issued credentials are anchored on the registry.
    pub anchor_interval_seconds: u64,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            listen: DEFAULT_LISTEN.to_owned(),
            public_url: None,
            type_files: Vec::new(),
            offer_lifetime_hours: 72,
            anchor_interval_seconds: 60,
        }
    }
}

impl ServiceSettings {
    /// The public base URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }
}
