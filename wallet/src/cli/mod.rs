//! The wallet's terminal commands — what `sigil-wallet` prints and asks — kept apart from
//! `main.rs`, which only parses the command line, and from the OpenID4VCI / OpenID4VP clients
//! ([`crate::receive`], [`crate::present`]) they drive.

pub mod credentials;
pub mod present;

use serde_json::Value;

use crate::holder::{self, Holder, WalletDir};
use crate::store::Store;

/// Unlocks the wallet in `dir` with `passphrase` and opens its database.
pub async fn open(dir: &WalletDir, passphrase: &str) -> anyhow::Result<(Holder, Store)> {
    let holder = holder::unlock(dir, passphrase)?;
    let store = Store::open(&dir.database_path()).await?;
    Ok((holder, store))
}

/// A stored Unix time as RFC 3339 (empty if out of range).
fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(sigil_core::time::format_datetime)
        .unwrap_or_default()
}

fn print_json(value: &Value) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}
