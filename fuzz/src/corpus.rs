//! The seed corpus in the repository: `fuzz/corpus/<target>/<file>`, one input per file,
//! real valid inputs to mutate from and, next to them, every input that once broke a
//! target, kept as a regression case.

use std::path::{Path, PathBuf};

/// The directory of the whole corpus (`fuzz/corpus`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// One input of a target's corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file name (`valid-diploma.json`, `regression-….bin`).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The corpus of `target`, in file-name order. Hidden files are skipped.
pub fn load(target: &str) -> std::io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for file in std::fs::read_dir(root().join(target))? {
        let file = file?;
        let name = file.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !file.file_type()?.is_file() {
            continue;
        }
        entries.push(Entry {
            bytes: std::fs::read(file.path())?,
            name,
        });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}
