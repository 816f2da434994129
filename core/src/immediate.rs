//! Running futures that never wait, without an async runtime.
//!
//! JSON-LD expansion is `async` because its document loader may do IO; Sigil's loader only
//! serves bundled contexts, so canonicalisation never actually waits. Pure code — the
//! registry's ledger core, which must not depend on a runtime — uses this to call it.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Polls `future` once: `Some(output)` if it completed, `None` if it would have waited.
pub fn now_or_never<F: Future>(future: F) -> Option<F::Output> {
    let mut context = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut context) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_future_completes_and_a_waiting_one_does_not() {
        assert_eq!(now_or_never(async { 42 }), Some(42));
        assert_eq!(now_or_never(std::future::pending::<()>()), None);
    }

    #[test]
    fn canonicalisation_never_waits() {
        let document = serde_json::json!({"@context": [crate::contexts::CREDENTIALS_V2],
            "type": ["VerifiableCredential"], "issuer": "did:example:1",
            "credentialSubject": {"id": "did:example:2"}});
        assert!(now_or_never(crate::jsonld::canonicalize(&document)).is_some_and(|r| r.is_ok()));
    }
}
