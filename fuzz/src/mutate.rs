//! The mutation engine: an edit script ([`Recipe`]) that turns one seed of a target's corpus
//! into a new input.
//!
//! Structured formats — JSON, compact JWS, SD-JWT, CSV — are reached far more deeply by
//! editing real inputs than by random bytes, which almost never get past the first syntax
//! check. proptest generates the scripts, so a failing input shrinks to the fewest and
//! smallest edits that still fail. An edit may also work *inside* a base64url segment of a
//! token (decode, edit, encode again), so that the JSON inside a JWS header or an SD-JWT
//! disclosure is mutated too, not only its encoding.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;

/// Largest input a recipe produces: a little over [`sigil_core::json::MAX_INPUT_BYTES`], so
/// the size limits are reached and crossed but time goes into inputs that are parsed.
pub const MAX_INPUT: usize = sigil_core::json::MAX_INPUT_BYTES + 4096;

/// Tokens every target's inputs are made of: JSON punctuation and literals, the separators
/// of compact tokens, and values that have broken parsers before (huge numbers, lone
/// surrogates, NUL, overlong UTF-8, percent-encoding, CSV quoting).
pub const COMMON_TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"null",
    b"true",
    b"false",
    b"0",
    b"-0",
    b"-1",
    b"1e999",
    b"-1e-999",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"0.0000000001",
    b"\"\\ud800\"",
    b"\"\\u0000\"",
    b"\\",
    b"\\u",
    b"\xc0\x80",
    b"\xff",
    b"\xf0\x9f\x92\xa9",
    b".",
    b"~",
    b"#",
    b"?",
    b"/",
    b"%",
    b"%zz",
    b"%00",
    b"did:",
    b"did:key:",
    b"did:sigil:",
    b"=",
    b"\r\n",
    b"\n",
    b" ",
    b"\t",
    b"\"\"",
    b"[]",
    b"{}",
    b"[[[[[[[[",
    b"]]]]]]]]",
    b"{\"a\":",
    b"\"@context\"",
    b"\"type\"",
    b"\"id\"",
    b"\"proof\"",
    b"\"_sd\"",
    b"\"...\"",
];

/// A choice among however many things there turn out to be: a fraction of the way along
/// (`0` is the first, `u32::MAX` the last), so that it means something for any length and
/// shrinks towards the start. Never out of range, and `0` for an empty collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index(pub u32);

impl Index {
    /// The position this choice names among `size` things (`0` when there are none).
    pub fn index(self, size: usize) -> usize {
        let size = u64::try_from(size).unwrap_or(u64::MAX);
        usize::try_from((size * u64::from(self.0)) >> 32).unwrap_or_default()
    }
}

fn index() -> impl Strategy<Value = Index> {
    any::<u32>().prop_map(Index)
}

/// One edit.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Flips one bit of one byte.
    FlipBit { at: Index, bit: u8 },
    /// Overwrites one byte.
    SetByte { at: Index, byte: u8 },
    /// Inserts a token of the dictionary (the target's, then [`COMMON_TOKENS`]).
    InsertToken { at: Index, token: Index },
    /// Replaces an occurrence of one dictionary token with another.
    ReplaceToken {
        occurrence: Index,
        from: Index,
        to: Index,
    },
    /// Inserts a few arbitrary bytes.
    InsertBytes { at: Index, bytes: Vec<u8> },
    /// Removes up to `len` bytes.
    Delete { at: Index, len: u8 },
    /// Repeats a chunk: deep nesting, long strings, many members.
    Repeat { at: Index, len: u8, times: u16 },
    /// Copies a chunk of another seed here (crossover).
    Splice {
        at: Index,
        seed: Index,
        from: Index,
        len: u16,
    },
    /// Cuts the input short.
    Truncate { at: Index },
}

/// An edit, applied to the whole input or, when `segment` is set, to the decoded bytes of
/// one of its base64url segments (between `.`, `~` and `&`).
#[derive(Debug, Clone)]
pub struct Step {
    pub segment: Option<Index>,
    pub edit: Edit,
}

/// A seed and the steps that turn it into a new input.
#[derive(Debug, Clone)]
pub struct Recipe {
    pub seed: Index,
    pub steps: Vec<Step>,
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = index;
    prop_oneof![
        3 => (at(), 0u8..8).prop_map(|(at, bit)| Edit::FlipBit { at, bit }),
        2 => (at(), any::<u8>()).prop_map(|(at, byte)| Edit::SetByte { at, byte }),
        4 => (at(), at()).prop_map(|(at, token)| Edit::InsertToken { at, token }),
        4 => (at(), at(), at()).prop_map(|(occurrence, from, to)| Edit::ReplaceToken { occurrence, from, to }),
        2 => (at(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Edit::InsertBytes { at, bytes }),
        3 => (at(), 1u8..32).prop_map(|(at, len)| Edit::Delete { at, len }),
        1 => (at(), 1u8..32, 1u16..2048).prop_map(|(at, len, times)| Edit::Repeat { at, len, times }),
        2 => (at(), at(), at(), 1u16..512).prop_map(|(at, seed, from, len)| Edit::Splice { at, seed, from, len }),
        1 => at().prop_map(|at| Edit::Truncate { at }),
    ]
}

/// Recipes of one to `max_steps` steps; about a third of the steps work inside a segment.
pub fn recipe(max_steps: usize) -> impl Strategy<Value = Recipe> {
    let step = (proptest::option::weighted(0.35, index()), edit())
        .prop_map(|(segment, edit)| Step { segment, edit });
    (index(), proptest::collection::vec(step, 1..=max_steps.max(1)))
        .prop_map(|(seed, steps)| Recipe { seed, steps })
}

/// What a recipe is applied with: the seeds and the dictionary of tokens.
#[derive(Debug, Clone, Copy)]
pub struct Material<'a> {
    pub seeds: &'a [Vec<u8>],
    pub tokens: &'a [&'a [u8]],
}

impl Material<'_> {
    fn token(&self, index: Index) -> &[u8] {
        let count = self.tokens.len() + COMMON_TOKENS.len();
        let i = index.index(count);
        self.tokens
            .get(i)
            .or_else(|| COMMON_TOKENS.get(i.saturating_sub(self.tokens.len())))
            .copied()
            .unwrap_or_default()
    }

    /// The input `recipe` makes (empty when there are no seeds).
    pub fn apply(&self, recipe: &Recipe) -> Vec<u8> {
        if self.seeds.is_empty() {
            return Vec::new();
        }
        let mut input = self
            .seeds
            .get(recipe.seed.index(self.seeds.len()))
            .cloned()
            .unwrap_or_default();
        for step in &recipe.steps {
            match &step.segment {
                None => self.edit(&mut input, &step.edit),
                Some(segment) => self.edit_segment(&mut input, *segment, &step.edit),
            }
            input.truncate(MAX_INPUT);
        }
        input
    }

    /// Applies `edit` to the decoded bytes of one base64url segment, if the input has one.
    fn edit_segment(&self, input: &mut Vec<u8>, segment: Index, edit: &Edit) {
        let segments = base64_segments(input);
        if segments.is_empty() {
            return self.edit(input, edit);
        }
        let Some(&(start, end)) = segments.get(segment.index(segments.len())) else {
            return;
        };
        let Some(mut decoded) = input
            .get(start..end)
            .and_then(|text| URL_SAFE_NO_PAD.decode(text).ok())
        else {
            return;
        };
        self.edit(&mut decoded, edit);
        let encoded = URL_SAFE_NO_PAD.encode(&decoded);
        input.splice(start..end, encoded.into_bytes());
    }

    fn edit(&self, input: &mut Vec<u8>, edit: &Edit) {
        let len = input.len();
        // A position in 0..=len (an insertion point).
        let point = |at: &Index| at.index(len + 1);
        match edit {
            Edit::FlipBit { at, bit } => {
                if len > 0 {
                    if let Some(byte) = input.get_mut(at.index(len)) {
                        *byte ^= 1 << (bit % 8);
                    }
                }
            }
            Edit::SetByte { at, byte } => {
                if len > 0 {
                    if let Some(slot) = input.get_mut(at.index(len)) {
                        *slot = *byte;
                    }
                }
            }
            Edit::InsertToken { at, token } => {
                let token = self.token(*token).to_vec();
                input.splice(point(at)..point(at), token);
            }
            Edit::ReplaceToken { occurrence, from, to } => {
                let from = self.token(*from);
                let to = self.token(*to).to_vec();
                let found = find_all(input, from);
                if let Some(&start) = found.get(occurrence.index(found.len().max(1))) {
                    input.splice(start..start + from.len(), to);
                }
            }
            Edit::InsertBytes { at, bytes } => {
                input.splice(point(at)..point(at), bytes.iter().copied());
            }
            Edit::Delete { at, len: count } => {
                let start = point(at);
                let end = (start + usize::from(*count)).min(len);
                input.drain(start..end);
            }
            Edit::Repeat {
                at,
                len: count,
                times,
            } => {
                let start = point(at);
                let end = (start + usize::from(*count)).min(len);
                let chunk = input.get(start..end).unwrap_or_default().to_vec();
                let room = MAX_INPUT.saturating_sub(len);
                let repeated: Vec<u8> = chunk
                    .iter()
                    .copied()
                    .cycle()
                    .take((chunk.len() * usize::from(*times)).min(room))
                    .collect();
                input.splice(start..start, repeated);
            }
            Edit::Splice {
                at,
                seed,
                from,
                len: count,
            } => {
                let Some(other) = self.seeds.get(seed.index(self.seeds.len().max(1))) else {
                    return;
                };
                let start = from.index(other.len() + 1);
                let end = (start + usize::from(*count)).min(other.len());
                let chunk = other.get(start..end).unwrap_or_default().to_vec();
                input.splice(point(at)..point(at), chunk);
            }
            Edit::Truncate { at } => input.truncate(point(at)),
        }
    }
}

/// Where `needle` starts in `haystack` (never for an empty needle).
fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    if needle.is_empty() {
        return Vec::new();
    }
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, window)| *window == needle)
        .map(|(i, _)| i)
        .collect()
}

/// The byte ranges of the runs of base64url characters at least 4 long, between separators:
/// the segments of a compact JWS or SD-JWT, or of a form body's values.
fn base64_segments(input: &[u8]) -> Vec<(usize, usize)> {
    let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    let mut segments = Vec::new();
    let mut start = None;
    for (i, byte) in input.iter().enumerate() {
        match (is_b64(byte), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= 4 {
                    segments.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        if input.len() - s >= 4 {
            segments.push((s, input.len()));
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use proptest::strategy::ValueTree as _;
    use proptest::test_runner::TestRunner;

    #[test]
    fn segments_are_the_base64url_runs_of_a_compact_token() {
        assert_eq!(
            base64_segments(b"eyJh.eyJi.c2ln~ZGlz~"),
            vec![(0, 4), (5, 9), (10, 14), (15, 19)]
        );
        assert_eq!(base64_segments(b"{\"a\": 1}"), vec![]);
    }

    #[test]
    fn an_edit_inside_a_segment_keeps_the_token_shape() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"EdDSA"}"#);
        let seed = format!("{header}.e30.c2ln").into_bytes();
        let seeds = [seed];
        let material = Material {
            seeds: &seeds,
            tokens: &[],
        };
        let recipe = Recipe {
            seed: Index(0),
            steps: vec![Step {
                segment: Some(Index(0)),
                edit: Edit::Truncate { at: Index(0) },
            }],
        };
        assert_eq!(material.apply(&recipe), b".e30.c2ln");
    }

    #[test]
    fn recipes_never_grow_an_input_past_the_limit() {
        let seeds = [vec![b'['; 64]];
        let material = Material {
            seeds: &seeds,
            tokens: &[],
        };
        let mut runner = TestRunner::deterministic();
        for _ in 0..200 {
            let recipe = recipe(8).new_tree(&mut runner).unwrap().current();
            assert!(material.apply(&recipe).len() <= MAX_INPUT);
        }
    }
}
