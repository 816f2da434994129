//! What a fuzz target is: a name (its corpus directory), the tokens its inputs are made of,
//! and the property every input must keep.

use std::fmt;

/// What the code under test made of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Read, and as far as the target goes, accepted.
    Accepted,
    /// Refused with an error — the right answer to almost every mutated input.
    Refused,
}

impl Outcome {
    /// `Accepted` when `result` is `Ok`.
    pub fn of<T, E>(result: &Result<T, E>) -> Outcome {
        if result.is_ok() {
            Outcome::Accepted
        } else {
            Outcome::Refused
        }
    }
}

/// A broken property: what the code did that it must never do (a panic is caught and
/// reported by the runner; this is for the rest — a round trip that changes the value, a
/// replay accepted, a changed token that still verifies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Fails with `message` unless `holds`.
pub fn ensure(holds: bool, message: impl FnOnce() -> String) -> Result<(), Violation> {
    if holds { Ok(()) } else { Err(Violation(message())) }
}

/// A fuzz target.
#[derive(Clone, Copy)]
pub struct Target {
    /// Its name, and the directory of its corpus under `fuzz/corpus/`.
    pub name: &'static str,
    /// The entry point it drives, for people.
    pub entry_point: &'static str,
    /// Tokens of the format that mutations insert and swap.
    pub tokens: &'static [&'static [u8]],
    /// The property: returns how the input was taken, or the violation. Must not panic or
    /// hang for any input.
    pub property: fn(&[u8]) -> Result<Outcome, Violation>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("entry_point", &self.entry_point)
            .finish()
    }
}

/// Text input as a service reads it: invalid UTF-8 replaced rather than refused, so that a
/// mutation that breaks one byte still reaches the parser.
pub fn text(input: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(input)
}
