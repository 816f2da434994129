//! When a Sigil service stops: on Ctrl-C or SIGTERM, for axum's graceful shutdown. Shared by
//! every service so they all stop the same way under a terminal, systemd or a test harness.

/// Resolves on Ctrl-C, or on SIGTERM where there are signals.
pub async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => return ctrl_c.await.unwrap_or_default(),
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or_default();
}
