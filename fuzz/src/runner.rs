//! Runs one target for a bounded time: first every input of its corpus, then inputs made by
//! mutating the corpus ([`crate::mutate`]) until the time is up. A panic, a broken property or
//! an input that runs longer than the hang limit fails the run; the failing input (shrunk by
//! proptest to the fewest edits) is written to a file to be added to the corpus.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use proptest::strategy::Strategy as _;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use sha2::{Digest as _, Sha256};

use crate::corpus;
use crate::mutate::{Material, recipe};
use crate::target::{Outcome, Target};

/// How a run goes. The tests build it from `SIGIL_FUZZ_*` variables (see `docs/fuzzing.md`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long to generate inputs after the corpus has been replayed.
    pub duration: Duration,
    /// Longest one input may take before the run counts it as a hang.
    pub hang_limit: Duration,
    /// Most edits in one recipe.
    pub max_steps: usize,
    /// Where failing inputs are written (`<dir>/<target>/<kind>-<hash>`).
    pub failure_dir: PathBuf,
    /// The random seed, to repeat a run; a fresh one when `None`.
    pub seed: Option<u64>,
    /// Write every input to `<failure_dir>/<target>/current` before running it, to find the
    /// input that aborted the process (a stack overflow cannot be caught).
    pub trace: bool,
}

/// What a passing run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Inputs in the corpus.
    pub corpus: usize,
    /// Inputs run in all (corpus and mutations).
    pub runs: u64,
    /// Inputs the target accepted.
    pub accepted: u64,
    /// The random seed used.
    pub seed: u64,
}

/// Why a run failed, with the input that did it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub target: &'static str,
    pub reason: String,
    pub input: Vec<u8>,
    /// Where the input was written, if it could be.
    pub saved: Option<PathBuf>,
    pub seed: u64,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: String = self
            .input
            .iter()
            .take(400)
            .flat_map(|b| b.escape_ascii())
            .map(char::from)
            .collect();
        write!(
            f,
            "fuzz target {}: {}\n  input ({} bytes): b\"{shown}\"{}\n  saved to: {}\n  \
             repeat with SIGIL_FUZZ_SEED={}; keep the input as a regression case in fuzz/corpus/{}/",
            self.target,
            self.reason,
            self.input.len(),
            if self.input.len() > 400 { " …" } else { "" },
            self.saved.as_ref().map_or_else(
                || "(could not be written)".to_owned(),
                |p| p.display().to_string()
            ),
            self.seed,
            self.target,
        )
    }
}

/// The input being run now and since when, for the watchdog.
type Current = Arc<Mutex<Option<(Instant, Vec<u8>)>>>;

/// Runs `target` under `settings`.
pub fn run(target: &'static Target, settings: &Settings) -> Result<Summary, Failure> {
    let seed = settings.seed.unwrap_or_else(fresh_seed);
    let fail = |reason: String, input: Vec<u8>| Failure {
        target: target.name,
        reason,
        input,
        saved: None,
        seed,
    };
    let seeds: Vec<Vec<u8>> = corpus::load(target.name)
        .map_err(|e| {
            fail(
                format!("cannot read fuzz/corpus/{}: {e}", target.name),
                Vec::new(),
            )
        })?
        .into_iter()
        .map(|entry| entry.bytes)
        .collect();
    if seeds.is_empty() {
        return Err(fail(
            format!("fuzz/corpus/{} holds no input", target.name),
            Vec::new(),
        ));
    }
    let current: Current = Arc::default();
    let (done, finished) = mpsc::channel();
    let worker = {
        let current = current.clone();
        let settings = settings.clone();
        std::thread::Builder::new()
            .name(format!("fuzz-{}", target.name))
            // The stack of a tokio worker thread, where the services parse what they are sent.
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let result = fuzz(target, &seeds, &settings, seed, &current);
                let _ = done.send(result);
            })
    };
    if let Err(e) = worker {
        return Err(fail(format!("cannot start the fuzzing thread: {e}"), Vec::new()));
    }
    let result = loop {
        match finished.recv_timeout(Duration::from_millis(100)) {
            Ok(result) => break result,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let input = take_current(&current);
                break Err(("the fuzzing thread ended without a result".to_owned(), input));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let stuck = current.lock().ok().and_then(|slot| {
                    slot.as_ref()
                        .filter(|(since, _)| since.elapsed() > settings.hang_limit)
                        .map(|(_, input)| input.clone())
                });
                if let Some(input) = stuck {
                    // The worker is left running: a hung thread cannot be stopped, and the
                    // test process ends with the test.
                    break Err((
                        format!("one input ran longer than {:?} (a hang)", settings.hang_limit),
                        input,
                    ));
                }
            }
        }
    };
    result.map_err(|(reason, input)| {
        let saved = save(settings, target.name, &reason, &input);
        Failure {
            saved,
            ..fail(reason, input)
        }
    })
}

/// The worker: the corpus, then mutations until the time is up.
fn fuzz(
    target: &'static Target,
    seeds: &[Vec<u8>],
    settings: &Settings,
    seed: u64,
    current: &Current,
) -> Result<Summary, (String, Vec<u8>)> {
    let runs = AtomicU64::new(0);
    let accepted = AtomicU64::new(0);
    let trace_file = settings
        .trace
        .then(|| settings.failure_dir.join(target.name).join("current"));
    if let Some(parent) = trace_file.as_ref().and_then(|file| file.parent()) {
        let _ = std::fs::create_dir_all(parent);
    }
    let attempt = |input: &[u8]| -> Result<(), String> {
        if let Some(file) = &trace_file {
            let _ = std::fs::write(file, input);
        }
        if let Ok(mut slot) = current.lock() {
            *slot = Some((Instant::now(), input.to_vec()));
        }
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| (target.property)(input)));
        if let Ok(mut slot) = current.lock() {
            *slot = None;
        }
        runs.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(Ok(Outcome::Accepted)) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Ok(Ok(Outcome::Refused)) => Ok(()),
            Ok(Err(violation)) => Err(violation.0),
            Err(panic) => Err(format!("panicked: {}", panic_message(panic.as_ref()))),
        }
    };

    for (i, input) in seeds.iter().enumerate() {
        attempt(input).map_err(|reason| (format!("corpus input #{i}: {reason}"), input.clone()))?;
    }

    let material = Material {
        seeds,
        tokens: target.tokens,
    };
    let config = Config {
        failure_persistence: None,
        // Shrinking stops after a minute: a smaller input is nice, a finished test better.
        max_shrink_time: 60_000,
        ..Config::default()
    };
    let mut key = [0u8; 32];
    key.iter_mut()
        .zip(seed.to_le_bytes().iter().cycle())
        .for_each(|(k, s)| *k = *s);
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
    let strategy = recipe(settings.max_steps);
    let deadline = Instant::now() + settings.duration;
    while Instant::now() < deadline {
        let tree = strategy
            .new_tree(&mut runner)
            .map_err(|reason| (format!("cannot generate an input: {reason}"), Vec::new()))?;
        let result = runner.run_one(tree, |recipe| {
            attempt(&material.apply(&recipe)).map_err(TestCaseError::fail)
        });
        match result {
            Ok(_) => {}
            Err(TestError::Fail(reason, recipe)) => {
                return Err((
                    format!("{reason} (after shrinking: {recipe:?})"),
                    material.apply(&recipe),
                ));
            }
            Err(TestError::Abort(reason)) => return Err((format!("proptest gave up: {reason}"), Vec::new())),
        }
    }
    Ok(Summary {
        corpus: seeds.len(),
        runs: runs.into_inner(),
        accepted: accepted.into_inner(),
        seed,
    })
}

fn take_current(current: &Current) -> Vec<u8> {
    current
        .lock()
        .ok()
        .and_then(|mut slot| slot.take())
        .map(|(_, input)| input)
        .unwrap_or_default()
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".to_owned())
}

/// Writes a failing input to `<failure_dir>/<target>/<kind>-<first 16 hex of its SHA-256>`.
fn save(settings: &Settings, target: &str, reason: &str, input: &[u8]) -> Option<PathBuf> {
    let kind = if reason.contains("hang") {
        "hang"
    } else if reason.contains("panicked") {
        "crash"
    } else {
        "violation"
    };
    let digest = Sha256::digest(input);
    let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let dir = settings.failure_dir.join(target);
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("{kind}-{name}"));
    std::fs::write(&path, input).ok()?;
    Some(path)
}

/// A seed from the clock, for runs that were not given one.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    // Fold the 128-bit count; the low bits change fastest.
    (nanos as u64) ^ ((nanos >> 64) as u64) ^ u64::from(std::process::id()).rotate_left(32)
}
