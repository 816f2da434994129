//! W3C Bitstring Status List v1.0: the compressed bitstring inside a
//! `BitstringStatusListCredential`, the list as its credential describes it
//! ([`StatusList`]), and the verifier's side of the "Validate Algorithm" (§3.2) as a pure
//! function, [`validate`], from a credential's entry and its (already verified) list to the
//! entry's value.
//!
//! `encodedList` is the multibase base64url (no padding, prefix `u`) of the GZIP-compressed
//! bitstring; bit 0 is the most significant bit of the first byte (§3.2).

use std::io::Read as _;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StatusEntry;

/// The smallest list the specification allows: 16 KiB, for herd privacy (§2.1).
pub const MIN_LIST_BYTES: usize = 16 * 1024;
/// The fewest entries a list may have, whatever its `statusSize` (§3.2 step 2: the
/// `minimumNumberOfEntries` of 131,072).
pub const MIN_ENTRIES: u64 = 131_072;
/// The widest entry Sigil reads, in bits: 2⁸ values, each with its own message.
pub const MAX_STATUS_SIZE: u32 = 8;
/// Largest decompressed list Sigil accepts (a guard against decompression bombs).
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

/// Why a status list could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum StatusListError {
    /// `encodedList` is not multibase base64url of GZIP data.
    #[error("status list is not encoded as specified: {0}")]
    Encoding(String),
    /// The list decompresses to more than [`MAX_LIST_BYTES`].
    #[error("status list is larger than {MAX_LIST_BYTES} bytes")]
    TooLarge,
    /// The entry points outside the list.
    #[error("status index {index} is outside the list of {entries} entries")]
    OutOfRange { index: u64, entries: u64 },
    /// The entry's index or size is malformed.
    #[error("malformed status entry: {0}")]
    BadEntry(String),
    /// The credential is not a well-formed `BitstringStatusListCredential` (§2.2).
    #[error("not a BitstringStatusListCredential: {0}")]
    NotAList(String),
    /// The list is not for the entry's purpose (§3.2 step 5, STATUS_VERIFICATION_ERROR).
    #[error("the list is not a {purpose} list (it is for {listed})")]
    PurposeMismatch { purpose: String, listed: String },
    /// The list states another entry size than the entry does.
    #[error("the entry's statusSize is {entry}, the list's is {list}")]
    SizeMismatch { entry: u32, list: u32 },
    /// The entry's `statusMessage` breaks §2.1: missing while `statusSize` > 1, not one
    /// message per possible value, or a message whose `status` is not a value.
    #[error("statusMessage: {0}")]
    BadMessages(String),
    /// The list has fewer than [`MIN_ENTRIES`] entries (§3.2 step 10, STATUS_LIST_LENGTH_ERROR).
    #[error("the list has {entries} entries of {size} bits; at least {MIN_ENTRIES} are required")]
    TooShort { entries: u64, size: u32 },
}

/// A `statusMessage` item (§2.1): a value, written in hexadecimal with a `0x` prefix, and
/// what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMessage {
    pub status: String,
    pub message: String,
}

impl StatusMessage {
    /// The value this message describes, if `status` is hexadecimal with a `0x` prefix.
    pub fn value(&self) -> Option<u32> {
        let digits = self
            .status
            .strip_prefix("0x")
            .or_else(|| self.status.strip_prefix("0X"))?;
        if digits.is_empty() || digits.len() > 8 {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    }
}

/// Which specification a status list (and the entries pointing into it) follows. Bitstring
/// Status List v1.0 is the W3C Recommendation; StatusList2021 is its predecessor, which VCDM
/// 1.1 issuers still publish: the same bitstring (GZIP, at least 131,072 entries, the first
/// bit the most significant of the first byte), one bit per entry, `encodedList` in plain
/// base64url rather than multibase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// `BitstringStatusListEntry` → `BitstringStatusListCredential` / `BitstringStatusList`.
    Bitstring,
    /// `StatusList2021Entry` → `StatusList2021Credential` / `StatusList2021`.
    StatusList2021,
}

impl ListKind {
    /// The kind of list a `credentialStatus` entry of this `type` points into, if Sigil reads it.
    pub fn of_entry(entry_type: &str) -> Option<ListKind> {
        match entry_type {
            "BitstringStatusListEntry" => Some(ListKind::Bitstring),
            "StatusList2021Entry" => Some(ListKind::StatusList2021),
            _ => None,
        }
    }

    /// The entry types Sigil reads, for messages.
    pub const ENTRY_TYPES: &'static str = "BitstringStatusListEntry or StatusList2021Entry";

    fn credential_type(self) -> &'static str {
        match self {
            ListKind::Bitstring => "BitstringStatusListCredential",
            ListKind::StatusList2021 => "StatusList2021Credential",
        }
    }

    fn subject_type(self) -> &'static str {
        match self {
            ListKind::Bitstring => "BitstringStatusList",
            ListKind::StatusList2021 => "StatusList2021",
        }
    }
}

/// A `BitstringStatusListCredential` (§2.2), or a `StatusList2021Credential`, as the verifier
/// reads it once its proof and issuer are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    /// Which specification the list follows.
    pub kind: ListKind,
    /// The purposes the list serves (`credentialSubject.statusPurpose`, one or several).
    pub purposes: Vec<String>,
    /// The entry size the list states, if it states one.
    pub status_size: Option<u32>,
    /// How long the list may be reused (`credentialSubject.ttl`, in milliseconds).
    pub ttl: Option<Duration>,
    /// The decoded bitstring.
    pub bits: Bitstring,
}

impl StatusList {
    /// Reads a status list credential's JSON (or a JWT's `vc` claim flattened by the
    /// caller): its `type` includes `BitstringStatusListCredential`, its subject is a
    /// `BitstringStatusList` with a purpose and an `encodedList`.
    pub fn from_credential(credential: &Value) -> Result<Self, StatusListError> {
        let not_a_list = |reason: &str| StatusListError::NotAList(reason.to_owned());
        let types = strings(credential.get("type"));
        let kind = [ListKind::Bitstring, ListKind::StatusList2021]
            .into_iter()
            .find(|kind| types.iter().any(|t| t == kind.credential_type()))
            .ok_or_else(|| {
                not_a_list(
                    "its type includes neither BitstringStatusListCredential nor StatusList2021Credential",
                )
            })?;
        let subject = match credential.get("credentialSubject") {
            Some(Value::Object(subject)) => subject,
            Some(Value::Array(subjects)) if subjects.len() == 1 => subjects
                .first()
                .and_then(Value::as_object)
                .ok_or_else(|| not_a_list("its credentialSubject is not an object"))?,
            _ => return Err(not_a_list("it has not exactly one credentialSubject")),
        };
        if !strings(subject.get("type"))
            .iter()
            .any(|t| t == kind.subject_type())
        {
            return Err(StatusListError::NotAList(format!(
                "its credentialSubject is not a {}",
                kind.subject_type()
            )));
        }
        let purposes = strings(subject.get("statusPurpose"));
        if purposes.is_empty() {
            return Err(not_a_list("it names no statusPurpose"));
        }
        let status_size = match subject.get("statusSize") {
            None => None,
            Some(size) => Some(
                size.as_u64()
                    .and_then(|size| u32::try_from(size).ok())
                    .ok_or_else(|| not_a_list("its statusSize is not a positive integer"))?,
            ),
        };
        let ttl = match subject.get("ttl") {
            None => None,
            Some(ttl) => {
                Some(Duration::from_millis(ttl.as_u64().ok_or_else(|| {
                    not_a_list("its ttl is not a number of milliseconds")
                })?))
            }
        };
        let encoded = subject
            .get("encodedList")
            .and_then(Value::as_str)
            .ok_or_else(|| not_a_list("it has no encodedList"))?;
        let bits = match kind {
            ListKind::Bitstring => Bitstring::decode(encoded)?,
            ListKind::StatusList2021 => Bitstring::decode_status_list_2021(encoded)?,
        };
        Ok(StatusList {
            kind,
            purposes,
            status_size,
            ttl,
            bits,
        })
    }
}

/// One string or an array of strings, as a list (anything else is an empty list).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// What an entry says, read from its list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryStatus {
    /// The entry's value: 0 is "not set" for every purpose.
    pub value: u32,
    /// The entry's `statusMessage` for that value, if it has messages.
    pub message: Option<String>,
}

/// The verifier's steps of the Validate Algorithm (§3.2) after the list credential is
/// fetched and verified: the purpose is one of the list's (step 5), the entry is well formed
/// (§2.1: a non-negative decimal index; `statusSize` a positive integer, the list's if it
/// states one; `statusMessage` present when `statusSize` > 1, with one message for each
/// possible value), the list has at least [`MIN_ENTRIES`] entries of that size (step 10),
/// and the index is inside it (step 11, RANGE_ERROR).
pub fn validate(entry: &StatusEntry, list: &StatusList) -> Result<EntryStatus, StatusListError> {
    let bad = |reason: String| StatusListError::BadEntry(reason);
    let purpose = entry
        .status_purpose
        .as_deref()
        .ok_or_else(|| bad("no statusPurpose".into()))?;
    let index = entry
        .status_list_index
        .as_deref()
        .ok_or_else(|| bad("no statusListIndex".into()))?;
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!(
            "statusListIndex {:?} is not a non-negative decimal integer",
            index.chars().take(40).collect::<String>()
        )));
    }
    // All digits: the only failure left is a number too large for any list.
    let index = index.parse::<u64>().unwrap_or(u64::MAX);
    let size = entry.status_size.unwrap_or(1);
    if !(1..=MAX_STATUS_SIZE).contains(&size) {
        return Err(bad(format!(
            "statusSize {size} is not between 1 and {MAX_STATUS_SIZE}"
        )));
    }
    if !list.purposes.iter().any(|p| p == purpose) {
        return Err(StatusListError::PurposeMismatch {
            purpose: purpose.to_owned(),
            listed: list.purposes.join(", "),
        });
    }
    if let Some(listed) = list.status_size.filter(|listed| *listed != size) {
        return Err(StatusListError::SizeMismatch {
            entry: size,
            list: listed,
        });
    }
    let messages = check_messages(entry.status_message.as_deref(), size)?;
    let entries = list.bits.entries(size);
    if entries < MIN_ENTRIES {
        return Err(StatusListError::TooShort { entries, size });
    }
    let value = list.bits.get(index, size)?;
    let message = messages.and_then(|messages| {
        messages
            .iter()
            .find(|m| m.value() == Some(value))
            .map(|m| m.message.clone())
    });
    Ok(EntryStatus { value, message })
}

/// `messages`, if they are what §2.1 requires of an entry of `size` bits: present when
/// `size` > 1, one for each of the 2^`size` values, each value once.
fn check_messages(
    messages: Option<&[StatusMessage]>,
    size: u32,
) -> Result<Option<&[StatusMessage]>, StatusListError> {
    let bad = |reason: String| StatusListError::BadMessages(reason);
    let possible = 1usize << size;
    let Some(messages) = messages else {
        return if size > 1 {
            Err(bad(format!(
                "statusSize is {size}, so the entry must say what each of its {possible} values means"
            )))
        } else {
            Ok(None)
        };
    };
    if messages.len() != possible {
        return Err(bad(format!(
            "{} messages for the {possible} values of a {size}-bit entry",
            messages.len()
        )));
    }
    let mut seen = vec![false; possible];
    for message in messages {
        let value = message.value().ok_or_else(|| {
            bad(format!(
                "status {:?} is not a 0x-prefixed hexadecimal value",
                message.status
            ))
        })?;
        match seen.get_mut(value as usize) {
            Some(slot) if !*slot => *slot = true,
            Some(_) => return Err(bad(format!("status {} is described twice", message.status))),
            None => {
                return Err(bad(format!(
                    "status {} is not a value of a {size}-bit entry",
                    message.status
                )));
            }
        }
    }
    Ok(Some(messages))
}

/// A decoded status bitstring.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitstring(Vec<u8>);

impl std::fmt::Debug for Bitstring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bitstring({} bytes)", self.0.len())
    }
}

impl Bitstring {
    /// An all-zero list of the minimum size.
    pub fn new() -> Self {
        Bitstring(vec![0; MIN_LIST_BYTES])
    }

    /// An all-zero list of the minimum number of entries of `size` bits each.
    pub fn for_entries_of(size: u32) -> Self {
        let bytes = (MIN_ENTRIES as usize / 8).saturating_mul(size.clamp(1, MAX_STATUS_SIZE) as usize);
        Bitstring(vec![0; bytes])
    }

    /// How many entries of `size` bits the list holds.
    pub fn entries(&self, size: u32) -> u64 {
        (self.0.len() as u64 * 8) / u64::from(size.max(1))
    }

    /// How many entries of `size` bits are not zero: for one-bit entries, the bits set.
    pub fn count_nonzero(&self, size: u32) -> u64 {
        if size <= 1 {
            return self.0.iter().map(|byte| u64::from(byte.count_ones())).sum();
        }
        (0..self.entries(size))
            .filter(|index| self.get(*index, size).is_ok_and(|value| value != 0))
            .count() as u64
    }

    /// Decodes `encodedList`.
    pub fn decode(encoded: &str) -> Result<Self, StatusListError> {
        let base64 = encoded
            .strip_prefix('u')
            .ok_or_else(|| StatusListError::Encoding("expected multibase base64url (prefix `u`)".into()))?;
        let compressed = URL_SAFE_NO_PAD
            .decode(base64)
            .map_err(|e| StatusListError::Encoding(e.to_string()))?;
        Self::decompress(&compressed)
    }

    /// Decodes a StatusList2021 `encodedList`: base64url of the GZIP bitstring, without the
    /// multibase prefix. Issuers of that draft also wrote padded or standard base64, so both
    /// alphabets are read, with or without padding — the list's signature is what vouches for
    /// the bytes.
    pub fn decode_status_list_2021(encoded: &str) -> Result<Self, StatusListError> {
        let unpadded = encoded.trim_end_matches('=');
        let compressed = URL_SAFE_NO_PAD
            .decode(unpadded)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(unpadded))
            .map_err(|e| StatusListError::Encoding(format!("encodedList is not base64url: {e}")))?;
        Self::decompress(&compressed)
    }

    fn decompress(compressed: &[u8]) -> Result<Self, StatusListError> {
        let mut bytes = Vec::new();
        GzDecoder::new(compressed)
            .take(MAX_LIST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| StatusListError::Encoding(e.to_string()))?;
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusListError::TooLarge);
        }
        Ok(Bitstring(bytes))
    }

    /// Encodes as `encodedList`. (Compressing into memory fails only on a bug; it is still an
    /// error, never an empty list that would clear every revocation.)
    pub fn encode(&self) -> Result<String, StatusListError> {
        use std::io::Write as _;
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder
            .write_all(&self.0)
            .map_err(|e| StatusListError::Encoding(e.to_string()))?;
        let compressed = encoder
            .finish()
            .map_err(|e| StatusListError::Encoding(e.to_string()))?;
        Ok(format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
    }

    /// Reads the `size`-bit value of entry `index` (§3.3, "validate algorithm").
    pub fn get(&self, index: u64, size: u32) -> Result<u32, StatusListError> {
        let (start, size) = self.locate(index, size)?;
        let mut value = 0u32;
        for bit in start..start + u64::from(size) {
            value = (value << 1) | u32::from(self.bit(bit));
        }
        Ok(value)
    }

    /// Sets the `size`-bit value of entry `index`.
    pub fn set(&mut self, index: u64, size: u32, value: u32) -> Result<(), StatusListError> {
        let (start, size) = self.locate(index, size)?;
        for offset in 0..size {
            let on = (value >> (size - 1 - offset)) & 1 == 1;
            let bit = start + u64::from(offset);
            let mask = 0x80u8 >> (bit % 8);
            if let Some(byte) = self.0.get_mut((bit / 8) as usize) {
                if on { *byte |= mask } else { *byte &= !mask }
            }
        }
        Ok(())
    }

    fn locate(&self, index: u64, size: u32) -> Result<(u64, u32), StatusListError> {
        if !(1..=MAX_STATUS_SIZE).contains(&size) {
            return Err(StatusListError::BadEntry(format!(
                "statusSize {size} is not between 1 and {MAX_STATUS_SIZE}"
            )));
        }
        let entries = self.entries(size);
        if index >= entries {
            return Err(StatusListError::OutOfRange { index, entries });
        }
        Ok((index * u64::from(size), size))
    }

    fn bit(&self, bit: u64) -> bool {
        self.0
            .get((bit / 8) as usize)
            .is_some_and(|byte| byte & (0x80 >> (bit % 8)) != 0)
    }
}

impl Default for Bitstring {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_bit_survives_encoding() {
        let mut list = Bitstring::new();
        list.set(94567, 1, 1).unwrap();
        let decoded = Bitstring::decode(&list.encode().unwrap()).unwrap();
        assert_eq!(decoded.get(94567, 1), Ok(1));
        assert_eq!(decoded.get(94566, 1), Ok(0));
        assert_eq!(decoded.get(94568, 1), Ok(0));
    }

    #[test]
    fn bit_zero_is_the_most_significant_bit_of_the_first_byte() {
        let mut list = Bitstring::new();
        list.set(0, 1, 1).unwrap();
        assert_eq!(list.0[0], 0x80);
    }

    #[test]
    fn entries_set_are_counted_whatever_their_size() {
        let mut list = Bitstring::new();
        for index in [0, 7, 8, 94567] {
            list.set(index, 1, 1).unwrap();
        }
        assert_eq!(list.count_nonzero(1), 4);
        let mut wide = Bitstring::for_entries_of(2);
        wide.set(3, 2, 0b01).unwrap();
        wide.set(9, 2, 0b11).unwrap();
        assert_eq!(wide.count_nonzero(2), 2, "an entry of two set bits counts once");
    }

    #[test]
    fn multi_bit_entries_read_back() {
        let mut list = Bitstring::new();
        list.set(5, 2, 0b10).unwrap();
        assert_eq!(list.get(5, 2), Ok(0b10));
    }

    #[test]
    fn an_index_past_the_end_is_an_error() {
        let list = Bitstring::new();
        assert!(matches!(
            list.get(MIN_LIST_BYTES as u64 * 8, 1),
            Err(StatusListError::OutOfRange { .. })
        ));
    }

    fn entry(purpose: &str, index: &str, size: Option<u32>) -> StatusEntry {
        StatusEntry {
            id: None,
            type_: "BitstringStatusListEntry".into(),
            status_purpose: Some(purpose.into()),
            status_list_index: Some(index.into()),
            status_list_credential: Some("https://uni.example/status/1".into()),
            status_size: size,
            status_message: None,
            status_reference: None,
        }
    }

    fn messages(count: u32) -> Vec<StatusMessage> {
        (0..count)
            .map(|value| StatusMessage {
                status: format!("{value:#x}"),
                message: format!("meaning {value}"),
            })
            .collect()
    }

    fn list(purposes: &[&str], bits: Bitstring) -> StatusList {
        StatusList {
            kind: ListKind::Bitstring,
            purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
            status_size: None,
            ttl: None,
            bits,
        }
    }

    #[test]
    fn a_set_entry_reads_as_its_value() {
        let mut bits = Bitstring::new();
        bits.set(7, 1, 1).unwrap();
        let revocations = list(&["revocation"], bits);
        assert_eq!(
            validate(&entry("revocation", "7", None), &revocations)
                .unwrap()
                .value,
            1
        );
        assert_eq!(
            validate(&entry("revocation", "8", None), &revocations)
                .unwrap()
                .value,
            0
        );
    }

    #[test]
    fn the_purpose_must_be_one_of_the_lists() {
        let both = list(&["revocation", "suspension"], Bitstring::new());
        assert!(validate(&entry("suspension", "1", None), &both).is_ok());
        let error = validate(
            &entry("suspension", "1", None),
            &list(&["revocation"], Bitstring::new()),
        );
        assert!(
            matches!(error, Err(StatusListError::PurposeMismatch { .. })),
            "{error:?}"
        );
    }

    #[test]
    fn a_multi_bit_entry_needs_one_message_per_value_and_reads_its_message() {
        let mut bits = Bitstring::for_entries_of(2);
        bits.set(3, 2, 0b10).unwrap();
        let lists = list(&["message"], bits);
        let missing = validate(&entry("message", "3", Some(2)), &lists);
        assert!(
            matches!(missing, Err(StatusListError::BadMessages(_))),
            "{missing:?}"
        );
        let mut too_few = entry("message", "3", Some(2));
        too_few.status_message = Some(messages(3));
        assert!(matches!(
            validate(&too_few, &lists),
            Err(StatusListError::BadMessages(_))
        ));
        let mut repeated = entry("message", "3", Some(2));
        repeated.status_message = Some(messages(4));
        if let Some(last) = repeated.status_message.as_mut().and_then(|m| m.last_mut()) {
            last.status = "0x0".into();
        }
        assert!(matches!(
            validate(&repeated, &lists),
            Err(StatusListError::BadMessages(_))
        ));
        let mut out_of_range = entry("message", "3", Some(2));
        out_of_range.status_message = Some(messages(4));
        if let Some(last) = out_of_range.status_message.as_mut().and_then(|m| m.last_mut()) {
            last.status = "0x4".into();
        }
        assert!(matches!(
            validate(&out_of_range, &lists),
            Err(StatusListError::BadMessages(_))
        ));
        let mut not_hex = entry("message", "3", Some(2));
        not_hex.status_message = Some(messages(4));
        if let Some(last) = not_hex.status_message.as_mut().and_then(|m| m.last_mut()) {
            last.status = "3".into();
        }
        assert!(matches!(
            validate(&not_hex, &lists),
            Err(StatusListError::BadMessages(_))
        ));
        let mut complete = entry("message", "3", Some(2));
        complete.status_message = Some(messages(4));
        assert_eq!(
            validate(&complete, &lists).unwrap(),
            EntryStatus {
                value: 2,
                message: Some("meaning 2".into())
            }
        );
    }

    #[test]
    fn the_entry_and_the_list_must_agree_on_the_size() {
        let mut stated = list(&["message"], Bitstring::for_entries_of(2));
        stated.status_size = Some(4);
        let mut two_bits = entry("message", "0", Some(2));
        two_bits.status_message = Some(messages(4));
        assert_eq!(
            validate(&two_bits, &stated),
            Err(StatusListError::SizeMismatch { entry: 2, list: 4 })
        );
    }

    #[test]
    fn a_list_shorter_than_131072_entries_is_refused() {
        // 16 KiB holds 131,072 one-bit entries but only 65,536 two-bit ones.
        let short = list(&["message"], Bitstring::new());
        let mut two_bits = entry("message", "0", Some(2));
        two_bits.status_message = Some(messages(4));
        assert_eq!(
            validate(&two_bits, &short),
            Err(StatusListError::TooShort {
                entries: 65_536,
                size: 2
            })
        );
        let tiny = list(&["revocation"], Bitstring(vec![0; 16]));
        assert!(matches!(
            validate(&entry("revocation", "0", None), &tiny),
            Err(StatusListError::TooShort { .. })
        ));
    }

    #[test]
    fn an_index_outside_the_list_or_malformed_is_refused() {
        let revocations = list(&["revocation"], Bitstring::new());
        for (index, out_of_range) in [
            ("131072", true),
            ("99999999999999999999999", true),
            ("-1", false),
            ("1.5", false),
            ("0x10", false),
            ("", false),
        ] {
            let error = validate(&entry("revocation", index, None), &revocations).unwrap_err();
            assert_eq!(
                matches!(error, StatusListError::OutOfRange { .. }),
                out_of_range,
                "{index:?}: {error}"
            );
        }
        for size in [0, 9] {
            assert!(matches!(
                validate(&entry("revocation", "0", Some(size)), &revocations),
                Err(StatusListError::BadEntry(_))
            ));
        }
    }

    #[test]
    fn a_list_credential_must_say_what_it_is() {
        let encoded = Bitstring::new().encode().unwrap();
        let good = serde_json::json!({
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "credentialSubject": {
                "type": "BitstringStatusList", "statusPurpose": ["revocation", "suspension"],
                "encodedList": encoded, "ttl": 60000, "statusSize": 1
            }
        });
        let read = StatusList::from_credential(&good).unwrap();
        assert_eq!(read.purposes, ["revocation", "suspension"]);
        assert_eq!(read.ttl, Some(Duration::from_secs(60)));
        assert_eq!(read.status_size, Some(1));
        for (pointer, broken) in [
            ("/type", serde_json::json!("VerifiableCredential")),
            ("/credentialSubject/type", serde_json::json!("StatusList2021")),
            ("/credentialSubject/statusPurpose", serde_json::json!([])),
            ("/credentialSubject/encodedList", serde_json::json!(7)),
            ("/credentialSubject/statusSize", serde_json::json!(-1)),
            ("/credentialSubject/ttl", serde_json::json!("soon")),
        ] {
            let mut credential = good.clone();
            *credential.pointer_mut(pointer).unwrap() = broken;
            assert!(StatusList::from_credential(&credential).is_err(), "{pointer}");
        }
        let mut not_base64url = good;
        not_base64url["credentialSubject"]["encodedList"] = "zNotMultibaseBase64url".into();
        assert!(matches!(
            StatusList::from_credential(&not_base64url),
            Err(StatusListError::Encoding(_))
        ));
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let bomb = Bitstring(vec![0; MAX_LIST_BYTES + 1]).encode().unwrap();
        assert_eq!(Bitstring::decode(&bomb), Err(StatusListError::TooLarge));
    }
}
