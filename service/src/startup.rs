//! How a service binary starts and ends: tracing to stderr filtered by `RUST_LOG` (default:
//! the service's own crate at `info`), and [`run`], which turns a command's outcome into the
//! process's exit code, printing a failure once as `error: …`.
//!
//! A command returns the exit code it documents (`Ok(ExitCode::from(1))` for "not valid"); a
//! failure is exit 1 unless it was made with [`fail_with`], which names another code (the
//! verifier's "no verdict" is 2).

use std::process::ExitCode;

/// A failure that exits with a code other than 1.
#[derive(Debug, thiserror::Error)]
#[error("{error:#}")]
pub struct ExitWith {
    /// The process's exit code.
    pub code: u8,
    error: anyhow::Error,
}

/// A failure that makes the process exit with `code`.
pub fn fail_with(code: u8, error: impl Into<anyhow::Error>) -> anyhow::Error {
    ExitWith {
        code,
        error: error.into(),
    }
    .into()
}

/// Sends `tracing` events to stderr, filtered by `RUST_LOG`, else `{crate_name}=info`.
pub fn init_tracing(crate_name: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("{crate_name}=info")));
    // A second initialisation (tests running several commands in one process) keeps the first.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .ok();
}

/// Starts tracing for `crate_name`, runs `command` and turns its outcome into the exit code.
pub async fn run(crate_name: &str, command: impl Future<Output = anyhow::Result<ExitCode>>) -> ExitCode {
    init_tracing(crate_name);
    exit_code(command.await)
}

/// The exit code of a command's outcome; a failure is printed once on stderr.
pub fn exit_code(outcome: anyhow::Result<ExitCode>) -> ExitCode {
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            match error.downcast_ref::<ExitWith>() {
                Some(exit) => ExitCode::from(exit.code),
                None => ExitCode::FAILURE,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_exits_1_unless_it_names_its_code() {
        assert_eq!(exit_code(Ok(ExitCode::from(3))), ExitCode::from(3));
        assert_eq!(exit_code(Err(anyhow::anyhow!("broken"))), ExitCode::FAILURE);
        assert_eq!(
            exit_code(Err(fail_with(2, anyhow::anyhow!("unreachable")))),
            ExitCode::from(2)
        );
    }

    #[test]
    fn a_failure_with_a_code_prints_its_cause_chain() {
        let error = fail_with(2, anyhow::anyhow!("disk").context("reading the chain"));
        assert_eq!(error.to_string(), "reading the chain: disk");
    }
}
