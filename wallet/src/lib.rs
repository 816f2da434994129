//! `sigil-wallet`: the citizen's wallet (docs/design.md §1, §7).
//!
//! - [`holder`]: the data directory, the holder's DID (`did:key`, or `did:sigil` with
//!   pre-rotation) and keys, all encrypted under the passphrase.
//! - [`store`]: credentials and history in SQLite, each record sealed by the [`vault`].
//! - [`receive`]: the OpenID4VCI client; [`verification`] of what comes in.
//! - [`present`]: the OpenID4VP client.
//! - [`targets`]: where the wallet may go when an offer or a request names the place.
//! - [`standing`]: what can be checked about a verifier (accreditation, presented before).
//! - [`backup`]: encrypted export and import.
//! - [`ui`]: the local web UI (`serve`), configured by [`config`].
//! - [`cli`]: the terminal commands, the consent flow of `present` among them.

pub mod backup;
pub mod cli;
pub mod config;
pub mod holder;
pub mod present;
pub mod receive;
pub mod standing;
pub mod store;
pub mod targets;
pub mod ui;
pub mod vault;
pub mod verification;
