//! The other side of the interop tests: the scripts in `tests/interop/` that sign and verify
//! with libraries nobody here wrote (Digital Bazaar, panva `jose`, the OpenWallet
//! Foundation's `sd-jwt`), run from one place so that every interop test finds them alike.

use std::path::PathBuf;
use std::process::Command;

use crate::{Outcome, Scratch, repo_root, run};

/// `tests/interop/`, once `tests/interop/setup.sh` has installed its libraries.
pub fn dir() -> PathBuf {
    let dir = repo_root().join("tests/interop");
    let installed =
        dir.join("node_modules/.sigil-lock.sha256").is_file() && dir.join(".venv/bin/python").is_file();
    if !installed {
        panic!(
            "the interop libraries are not installed: run `bash tests/interop/setup.sh` (scripts/test.sh does)"
        );
    }
    dir
}

/// `node ARGS…` in `tests/interop/` (the first argument names the script).
pub fn node(args: &[&str]) -> Outcome {
    run(Command::new("node").args(args).current_dir(dir()))
}

/// `sdjwt.py ARGS…` with the interop virtualenv's Python.
pub fn sdjwt(args: &[&str]) -> Outcome {
    let dir = dir();
    run(Command::new(dir.join(".venv/bin/python"))
        .arg("sdjwt.py")
        .args(args)
        .current_dir(dir))
}

/// A file in the scratch directory, as the string a script's argument needs.
pub fn path(scratch: &Scratch, name: &str) -> String {
    scratch.path(name).to_string_lossy().into_owned()
}

/// Exports Sigil's bundled contexts for the JavaScript side's offline document loader; the
/// directory they are in.
pub fn export_contexts(scratch: &Scratch) -> String {
    let dir = path(scratch, "contexts");
    scratch
        .sigil("sigil-verifier", &["contexts", "--export", &dir])
        .expect_code(0);
    dir
}
