//! Where the benchmarks write what they measured: `BENCHMARKS.md` at the workspace root, one
//! section per benchmark between markers, so that every figure the repository quotes is the
//! one the last run produced and no person copies numbers by hand.

use std::path::{Path, PathBuf};

/// The file the benchmarks write, at the root of the workspace holding `crate_dir`.
pub fn file(crate_dir: &Path) -> PathBuf {
    crate_dir.parent().unwrap_or(crate_dir).join("BENCHMARKS.md")
}

/// Replaces the section `name` of the benchmarks file (or adds it at the end) with `body`,
/// a Markdown fragment; `command` is how to run the benchmark again.
pub fn record(crate_dir: &Path, name: &str, command: &str, body: &str) -> std::io::Result<PathBuf> {
    let path = file(crate_dir);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => HEADER.to_owned(),
        Err(e) => return Err(e),
    };
    let section = format!(
        "{}\n## {name}\n\nWritten by `{command}` on {}.\n\n{}\n{}\n",
        begin(name),
        crate::time::format_datetime(crate::time::now()),
        body.trim_end(),
        end(name)
    );
    std::fs::write(&path, replace_section(&existing, name, &section))?;
    Ok(path)
}

const HEADER: &str = "# Benchmarks\n\nEach section below is written by the benchmark it names; run that command again to\nrefresh it. The figures are from the machine that ran it last (two cores here).\n";

fn begin(name: &str) -> String {
    format!("<!-- begin: {name} -->")
}

fn end(name: &str) -> String {
    format!("<!-- end: {name} -->")
}

fn replace_section(text: &str, name: &str, section: &str) -> String {
    let (begin, end) = (begin(name), end(name));
    match (text.find(&begin), text.find(&end)) {
        (Some(start), Some(stop)) if stop > start => {
            let after = text.get(stop + end.len()..).unwrap_or_default();
            let after = after.strip_prefix('\n').unwrap_or(after);
            format!("{}{section}{after}", text.get(..start).unwrap_or_default())
        }
        _ => format!("{}\n\n{section}", text.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_added_then_replaced_leaving_the_others() {
        let text = HEADER.to_owned();
        let one = replace_section(&text, "a", &format!("{}\nA1\n{}\n", begin("a"), end("a")));
        let two = replace_section(&one, "b", &format!("{}\nB1\n{}\n", begin("b"), end("b")));
        let three = replace_section(&two, "a", &format!("{}\nA2\n{}\n", begin("a"), end("a")));
        assert!(
            three.contains("A2") && !three.contains("A1") && three.contains("B1"),
            "{three}"
        );
        assert!(three.starts_with("# Benchmarks"));
    }
}
