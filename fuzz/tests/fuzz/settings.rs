//! The run's settings, read from the environment here (the library reads none):
//!
//! - `SIGIL_FUZZ_SECONDS`: how long each target mutates its corpus (default 3);
//! - `SIGIL_FUZZ_HANG_SECONDS`: longest one input may take (default 10);
//! - `SIGIL_FUZZ_SEED`: repeat a run (its seed is printed when it fails);
//! - `SIGIL_FUZZ_MAX_STEPS`: most edits per input (default 6);
//! - `SIGIL_FUZZ_TRACE=1`: write each input to `current` before running it.

use std::path::PathBuf;
use std::time::Duration;

use sigil_fuzz::runner::Settings;

fn number(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.trim().parse().ok())
}

pub fn settings() -> Settings {
    Settings {
        duration: Duration::from_secs_f64(
            std::env::var("SIGIL_FUZZ_SECONDS")
                .ok()
                .and_then(|value| value.trim().parse::<f64>().ok())
                .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
                .unwrap_or(3.0),
        ),
        hang_limit: Duration::from_secs(number("SIGIL_FUZZ_HANG_SECONDS").unwrap_or(10)),
        max_steps: number("SIGIL_FUZZ_MAX_STEPS").map_or(6, |steps| steps as usize),
        failure_dir: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures"),
        seed: number("SIGIL_FUZZ_SEED"),
        trace: std::env::var("SIGIL_FUZZ_TRACE").is_ok_and(|value| value == "1"),
    }
}
