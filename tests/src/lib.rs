//! `sigil-tests`: end-to-end and interop tests. They run the real Sigil binaries (and, for
//! interop, other people's libraries under `tests/interop/`) as separate processes, with a
//! fresh temporary directory each, nothing leaving the machine.
//!
//! The tests live in `tests/`; this library holds what they share.

use std::path::{Path, PathBuf};

/// The directory holding the workspace's built binaries (`target/debug`), found from the
/// test executable's own location (`target/debug/deps/…`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The path of a workspace binary, which must have been built (`cargo build --workspace
/// --bins`, as the README's test command does).
pub fn binary(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} is missing: build the binaries first with `cargo build --workspace --bins`",
        path.display()
    );
    path
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}
