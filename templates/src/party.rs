//! A party named on a page — an issuer, a verifier, a root of trust — the way every page
//! shows one: its name first, marked "self-asserted" unless the registry vouches for it, and
//! its DID one click away (`templates/party.html`).

/// A party to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyView {
    pub did: String,
    pub name: Option<String>,
    /// Whether the registry vouches for `name` (an accreditation, genesis or a governance
    /// change recorded it).
    pub vouched: bool,
}
