//! `sigil-wallet present`: the consent flow on the terminal. The holder sees which verifier
//! asks, for which credential, and exactly which claims it would see, and is asked before
//! anything is sent; a refusal — or a request nothing in the wallet matches — is reported to
//! the verifier as the holder's `access_denied`.

use std::io::Write as _;

use crate::holder::Holder;
use crate::present;
use crate::store::Store;

/// How the holder answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// Ask on the terminal.
    Ask,
    /// Share without asking (`--yes`, for scripts).
    Yes,
    /// Decline without asking (`--no`).
    No,
}

/// Opens the request at `request_uri`, shows what would be disclosed, and shares or declines.
pub async fn present(
    holder: &Holder,
    store: &Store,
    request_uri: &str,
    consent: Consent,
) -> anyhow::Result<()> {
    let request = present::open_request(holder, request_uri).await?;
    let verifier = match &request.verifier_name {
        Some(name) => format!("{name} ({})", request.verifier),
        None => request.verifier.to_string(),
    };
    let found = match present::match_query(holder, store, &request).await {
        Ok(found) => found,
        Err(e) => {
            // Nothing to share: the verifier is told so, and the holder why.
            present::decline(holder, store, &request).await.ok();
            return Err(e.into());
        }
    };
    eprintln!("{verifier} asks for your {}.", found.held.row.type_name);
    eprintln!(
        "It would see, from the credential {} issued by {}:",
        found.held.row.id, found.held.row.issuer_name
    );
    for claim in &found.disclosed {
        eprintln!("  - {claim}");
    }
    let shared = match consent {
        Consent::Yes => true,
        Consent::No => false,
        Consent::Ask => ask("Share these? [y/N] ")?,
    };
    if shared {
        present::respond(holder, store, &request, &found).await?;
        eprintln!("shared with {verifier}");
    } else {
        present::decline(holder, store, &request).await?;
        eprintln!("declined; {verifier} was told");
    }
    Ok(())
}

/// Asks a yes/no question on the terminal; anything but "y" or "yes" is no.
fn ask(question: &str) -> anyhow::Result<bool> {
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(is_yes(&answer))
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_explicit_yes_consents() {
        assert!(is_yes("y\n"));
        assert!(is_yes(" YES \n"));
        assert!(!is_yes("\n"));
        assert!(!is_yes("yeah\n"));
        assert!(!is_yes("n\n"));
    }
}
