//! The verification pipeline's entry point, `sigil_core::verify::Verifier::verify`, on
//! anything: what `sigil-verifier verify`, `POST /api/verify`, the VC API and a wallet
//! receiving a credential all call with text a stranger chose. DIDs resolve offline
//! (`did:key`, `did:jwk`); no status, trust or history source is configured.
//!
//! Property: never panics and never waits; a report says "valid" only when every check in
//! it passed, did not apply or left a note.

use sigil_core::did::StandardResolver;
use sigil_core::verify::{Expectations, Outcome as CheckOutcome, Verifier};

use crate::fixtures;
use crate::target::{Outcome, Target, Violation, ensure, text};

pub const TARGET: Target = Target {
    name: "verify",
    entry_point: "sigil_core::verify::Verifier::verify",
    tokens: &[
        b"\"@context\"",
        b"\"@id\"",
        b"\"@type\"",
        b"\"@vocab\"",
        b"\"https://www.w3.org/ns/credentials/v2\"",
        b"\"credentialSubject\"",
        b"\"credentialStatus\"",
        b"\"validFrom\"",
        b"\"validUntil\"",
        b"\"issuer\"",
        b"\"holder\"",
        b"\"verifiableCredential\"",
        b"\"VerifiablePresentation\"",
        b"\"DataIntegrityProof\"",
        b"\"eddsa-jcs-2022\"",
        b"\"ecdsa-rdfc-2019\"",
        b"\"cryptosuite\"",
        b"\"proofValue\"",
        b"\"verificationMethod\"",
        b"\"EnvelopedVerifiableCredential\"",
        b"data:application/vc+jwt,",
        b"~",
    ],
    property,
};

fn property(input: &[u8]) -> Result<Outcome, Violation> {
    let text = text(input);
    let resolver = StandardResolver::offline();
    let verifier = Verifier {
        now: fixtures::time(fixtures::NOW),
        ..Verifier::new(&resolver)
    };
    let result = sigil_core::immediate::now_or_never(verifier.verify(&text, &Expectations::default()))
        .ok_or_else(|| Violation("verification waited, with nothing to wait for".into()))?;
    match &result {
        Ok(report) if report.valid => {
            let failed: Vec<_> = report
                .checks
                .iter()
                .filter(|c| c.outcome == CheckOutcome::Failed)
                .collect();
            ensure(failed.is_empty(), || {
                format!("valid, yet checks failed: {failed:?}")
            })?;
            Ok(Outcome::Accepted)
        }
        _ => Ok(Outcome::Refused),
    }
}
