//! Property tests of the encodings and canonical forms the parsers rest on, where generating
//! values fits better than mutating inputs: keys in Multikey, JWK, `did:key` and `did:jwk`
//! forms; JCS canonical JSON; bounded JSON against `serde_json`; Bitstring Status Lists;
//! RFC 6962 audit paths; DIDs written by the ABNF.

use proptest::prelude::*;
use serde_json::Value;
use sigil_core::did::{Did, DidUrl};
use sigil_core::key::{PublicKey, SigningKey};
use sigil_core::merkle;
use sigil_core::model::status_list::{Bitstring, MIN_LIST_BYTES};

/// JSON values: scalars (with numbers past `f64` and `u64`), strings with any character,
/// arrays and objects, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1.0e300f64..1.0e300).prop_map(Value::from),
        "[0-9]{1,40}".prop_map(|digits| serde_json::from_str(&digits).unwrap_or(Value::Null)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// A key survives every form Sigil writes it in.
    #[test]
    fn keys_round_trip_through_multikey_jwk_and_did_forms(seed in any::<[u8; 32]>()) {
        let key = SigningKey::from_seed(&seed).public_key();
        prop_assert_eq!(PublicKey::from_multikey(&key.to_multikey()).unwrap(), key);
        prop_assert_eq!(PublicKey::from_jwk(&key.to_jwk()).unwrap(), key);
        let did_key = key.did_key();
        prop_assert_eq!(&Did::parse(did_key.as_str()).unwrap(), &did_key);
        let document = sigil_core::did::key::resolve(&did_key).unwrap();
        prop_assert!(document.verification_method.iter().any(|m| m.public_key().ok() == Some(key)));
        let did_jwk = sigil_core::did::jwk::did_for(&key);
        let document = sigil_core::did::jwk::resolve(&did_jwk).unwrap();
        prop_assert!(document.verification_method.iter().any(|m| m.public_key().ok() == Some(key)));
    }

    /// Changing one character of a Multikey never yields the same key (no two spellings).
    #[test]
    fn a_changed_multikey_is_another_key_or_none(seed in any::<[u8; 32]>(), at in any::<prop::sample::Index>(), to in "[1-9A-HJ-NP-Za-km-z]") {
        let key = SigningKey::from_seed(&seed).public_key();
        let text = key.to_multikey();
        let at = 1 + at.index(text.len() - 1);
        let changed = format!("{}{}{}", &text[..at], to, &text[at + 1..]);
        if changed != text {
            prop_assert_ne!(PublicKey::from_multikey(&changed).ok(), Some(key));
        }
    }

    /// JCS is a canonical form: canonicalising its own output changes nothing, and Sigil's
    /// bounded parser reads it as the value it came from.
    #[test]
    fn jcs_is_idempotent_and_reads_back_as_the_value(value in json_value()) {
        let canonical = serde_jcs::to_string(&value).unwrap();
        let reread = sigil_core::json::parse(&canonical).unwrap();
        prop_assert_eq!(serde_jcs::to_string(&reread).unwrap(), canonical);
    }

    /// What `serde_json` writes, Sigil's bounded parser reads back unchanged (it refuses only
    /// what is too big, too deep or has a duplicate key, none of which `serde_json` writes).
    #[test]
    fn bounded_json_reads_what_serde_json_writes(value in json_value()) {
        prop_assert_eq!(&sigil_core::json::parse(&value.to_string()).unwrap(), &value);
        prop_assert_eq!(sigil_core::json::parse(&serde_json::to_string_pretty(&value).unwrap()).unwrap(), value);
    }

    /// A status list keeps every entry through encoding, and setting one entry changes no other.
    #[test]
    fn status_lists_keep_their_entries_through_encoding(
        size in prop_oneof![Just(1u32), Just(2), Just(4), Just(8)],
        entries in proptest::collection::btree_map(0u64..4096, any::<u32>(), 0..32),
    ) {
        let mut list = Bitstring::new();
        for (&index, &value) in &entries {
            list.set(index, size, value & ((1u32 << size) - 1)).unwrap();
        }
        let decoded = Bitstring::decode(&list.encode().unwrap()).unwrap();
        prop_assert_eq!(&decoded, &list);
        for index in 0..4096u64 {
            let expected = entries.get(&index).map_or(0, |value| value & ((1u32 << size) - 1));
            prop_assert_eq!(decoded.get(index, size).unwrap(), expected);
        }
        let entries_in_list = (MIN_LIST_BYTES as u64 * 8) / u64::from(size);
        prop_assert!(decoded.get(entries_in_list, size).is_err());
    }

    /// Every leaf of an RFC 6962 tree verifies with its audit path; another leaf does not.
    #[test]
    fn every_leaf_verifies_with_its_audit_path_and_no_other_leaf_does(count in 1usize..40, data in any::<u8>()) {
        let leaves: Vec<merkle::Hash> = (0..count).map(|i| merkle::leaf_hash(&[data, i as u8])).collect();
        let root = merkle::root(&leaves);
        let stranger = merkle::leaf_hash(&[data, 255]);
        for (index, leaf) in leaves.iter().enumerate() {
            let path = merkle::audit_path(&leaves, index);
            prop_assert!(merkle::verify_inclusion(leaf, index, count, &path, &root));
            prop_assert!(!merkle::verify_inclusion(&stranger, index, count, &path, &root));
            prop_assert!(!merkle::verify_inclusion(leaf, index, count, &path, &stranger));
        }
    }

    /// A DID written by the ABNF of DID Core §3.1 parses, as itself, and so does a DID URL
    /// made of it.
    #[test]
    fn dids_written_by_the_abnf_parse_as_themselves(
        method in "[a-z0-9]{1,10}",
        segments in proptest::collection::vec("([A-Za-z0-9._-]|%[0-9A-Fa-f]{2}){1,12}", 1..4),
        fragment in "[A-Za-z0-9._~!$&'()*+,;=:@/?-]{0,16}",
    ) {
        let text = format!("did:{method}:{}", segments.join(":"));
        let did = Did::parse(&text).unwrap();
        prop_assert_eq!(did.method(), method.as_str());
        prop_assert_eq!(did.method_specific_id(), segments.join(":"));
        let url = DidUrl::parse(&format!("{text}#{fragment}")).unwrap();
        prop_assert_eq!(url.did(), &did);
        prop_assert_eq!(url.fragment(), Some(fragment.as_str()));
    }
}
