//! `sigil-wallet present`: the consent flow on the terminal. The holder sees which verifier
//! asks — by what can be checked ([`crate::standing`]) — for which credentials (each
//! credential query, what it asks and which held credential answers it), and exactly which
//! claims it would see, and is asked before anything is sent; a refusal — or a request
//! nothing in the wallet matches — is reported to the verifier as the holder's
//! `access_denied`. Where the verifier then sends the browser (its result page, the
//! same-device flow) is printed on standard output.

use std::io::Write as _;

use crate::holder::Holder;
use crate::present::{self, Shared};
use crate::standing::{self, Standing};
use crate::store::Store;
use crate::targets::Targets;

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
    targets: &Targets,
    holder: &Holder,
    store: &Store,
    request_uri: &str,
    consent: Consent,
) -> anyhow::Result<()> {
    let request = present::open_request(targets, holder, request_uri).await?;
    let verifier = match &request.verifier_name {
        Some(name) => format!("\"{name}\" (a name it gives itself; {})", request.verifier),
        None => request.verifier.to_string(),
    };
    let found = match present::match_query(holder, store, &request).await {
        Ok(found) => found,
        Err(e) => {
            // Nothing to share: the verifier is told so, and the holder why.
            present::decline(targets, holder, store, &request).await.ok();
            return Err(e.into());
        }
    };
    let standing = standing::for_request(holder, store, &request, &found).await?;
    let types: Vec<&str> = found
        .answers
        .iter()
        .map(|answer| answer.held.row.type_name.as_str())
        .collect();
    eprintln!("{verifier} asks for your {}.", types.join(" and "));
    for line in standing_lines(&standing) {
        eprintln!("{line}");
    }
    for answer in &found.answers {
        eprintln!("For {} ({}):", answer.query_id, answer.asks);
        eprintln!(
            "It would see, from the credential {} issued by {}:",
            answer.held.row.id, answer.held.row.issuer_name
        );
        for claim in &answer.disclosed {
            eprintln!("  - {claim}");
        }
    }
    let shared = match consent {
        Consent::Yes => true,
        Consent::No => false,
        Consent::Ask => ask("Share these? [y/N] ")?,
    };
    let answered = if shared {
        let answered = present::respond(targets, holder, store, &request, &found).await?;
        eprintln!("shared with {verifier}");
        answered
    } else {
        let answered = present::decline(targets, holder, store, &request).await?;
        eprintln!("declined; {verifier} was told");
        answered
    };
    print_redirect(&answered);
    Ok(())
}

/// The verifier's result page, if it named one the wallet may send a browser to: the address
/// alone on standard output (for a script or a browser to open), the reason on the terminal
/// when it was not followed.
fn print_redirect(answered: &Shared) {
    if let Some(url) = &answered.redirect_uri {
        eprintln!("The verifier's result page:");
        println!("{url}");
    }
    if let Some(reason) = &answered.redirect_refused {
        eprintln!("{reason}");
    }
}

/// What can be checked about the verifier, for the terminal: its DID, its accreditation, each
/// warning marked "WARNING:", and whether this wallet presented to it before.
fn standing_lines(standing: &Standing) -> Vec<String> {
    let mut lines = vec![format!("  verifier DID: {}", standing.did)];
    if let Some(name) = standing.legal_name() {
        lines.push(format!("  legal name (recorded by its accreditation): {name}"));
    }
    if let Some(name) = &standing.claimed_name {
        lines.push(format!("  name (as it says itself, unchecked): {name}"));
    }
    lines.push(format!("  {}", standing.accreditation()));
    lines.extend(standing.warning().map(|w| format!("WARNING: {w}")));
    lines.extend(standing.type_warning().map(|w| format!("WARNING: {w}")));
    lines.push(format!("  {}", standing.history()));
    lines
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
