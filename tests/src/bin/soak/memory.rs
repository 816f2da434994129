//! Each service's resident memory (`VmRSS` in `/proc/PID/status`), and what "flat" means.

use anyhow::Context as _;

/// Memory is flat when, after the warm-up, the end is at most [`GROWTH_FACTOR`] times the start
/// plus [`ALLOWANCE_KB`].
///
/// Why this tolerance: after warm-up a healthy service still grows for a while without
/// leaking — SQLite's page cache fills up to its bound on each pooled connection (2 MB each by
/// default), glibc's per-thread malloc arenas reach their high-water marks as more tokio
/// workers and blocking threads take turns, and hash maps (the registry's answer cache, the
/// rate limiters' client states) grow to their working size once. Those are bounded, roughly
/// proportional to the process (the factor) plus a fixed part (the allowance). A leak is not:
/// a few kilobytes per request at the soak's rate is hundreds of megabytes in five minutes, far
/// past the bound. A short run only catches gross leaks; the long run recorded in
/// `docs/soak.md` is the real check.
pub const GROWTH_FACTOR: f64 = 1.5;

/// The fixed part of the tolerance, in kB (20 MB).
pub const ALLOWANCE_KB: u64 = 20 * 1024;

/// Resident memory of process `pid`, in kB.
pub fn resident_kb(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| path.clone())?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .with_context(|| format!("{path}: no VmRSS (has the process exited?)"))?;
    line.trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .with_context(|| format!("{path}: {line}"))
}

/// The most the end may be for a start of `start_kb`.
pub fn limit_kb(start_kb: u64) -> u64 {
    (start_kb as f64 * GROWTH_FACTOR) as u64 + ALLOWANCE_KB
}

/// One service's memory over the measured window.
#[derive(Debug, Clone)]
pub struct Watched {
    pub name: &'static str,
    pub pid: u32,
    /// After the warm-up.
    pub start_kb: u64,
    /// The highest reading during the window.
    pub peak_kb: u64,
    pub end_kb: u64,
}

impl Watched {
    pub fn new(name: &'static str, pid: u32) -> anyhow::Result<Self> {
        let now = resident_kb(pid)?;
        Ok(Watched {
            name,
            pid,
            start_kb: now,
            peak_kb: now,
            end_kb: now,
        })
    }

    /// Reads the memory again: the latest reading is the end.
    pub fn sample(&mut self) -> anyhow::Result<()> {
        self.end_kb = resident_kb(self.pid)?;
        self.peak_kb = self.peak_kb.max(self.end_kb);
        Ok(())
    }

    pub fn flat(&self) -> bool {
        self.end_kb <= limit_kb(self.start_kb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_process_has_resident_memory_and_a_limit_above_it() {
        let kb = resident_kb(std::process::id()).unwrap();
        assert!(kb > 0);
        assert_eq!(limit_kb(100 * 1024), 150 * 1024 + ALLOWANCE_KB);
        let mut watched = Watched::new("this test", std::process::id()).unwrap();
        watched.end_kb = limit_kb(watched.start_kb) + 1;
        assert!(!watched.flat());
    }
}
