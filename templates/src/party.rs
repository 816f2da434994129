//! A party named on a page — an issuer, a verifier, a root of trust — the way every page
//! shows one: its name first, marked "self-asserted" unless the registry vouches for it, and
//! its DID one click away (`templates/party.html`).

use crate::lang::Lang;

/// A party to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyView {
    pub did: String,
    /// The name in the page's language (or the nearest one recorded).
    pub name: Option<String>,
    /// Whether the registry vouches for `name` (an accreditation, genesis or a governance
    /// change recorded it).
    pub vouched: bool,
    /// The language of the page it is shown on.
    pub lang: Lang,
}
