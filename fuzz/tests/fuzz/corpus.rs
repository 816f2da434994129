//! The seed corpus itself: every target has one, and its valid seeds are still valid — a
//! format change that made them all fail would leave the fuzzer mutating garbage.

use sigil_fuzz::corpus;
use sigil_fuzz::target::Outcome;
use sigil_fuzz::targets;

#[test]
fn every_target_has_seeds_and_its_valid_seeds_are_accepted() {
    for target in targets::ALL {
        let entries = corpus::load(target.name).unwrap();
        let valid: Vec<_> = entries.iter().filter(|e| e.name.starts_with("valid-")).collect();
        assert!(
            !valid.is_empty(),
            "fuzz/corpus/{} has no valid- seed",
            target.name
        );
        for entry in valid {
            assert_eq!(
                (target.property)(&entry.bytes),
                Ok(Outcome::Accepted),
                "fuzz/corpus/{}/{} is no longer accepted",
                target.name,
                entry.name
            );
        }
    }
}

/// The corpus directories are exactly the targets: no stray corpus a target no longer reads.
#[test]
fn every_corpus_directory_belongs_to_a_target() {
    for dir in std::fs::read_dir(corpus::root()).unwrap() {
        let dir = dir.unwrap();
        if !dir.file_type().unwrap().is_dir() {
            continue;
        }
        let name = dir.file_name().to_string_lossy().into_owned();
        assert!(
            targets::ALL.iter().any(|target| target.name == name),
            "fuzz/corpus/{name} belongs to no target"
        );
    }
}
