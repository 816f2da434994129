//! Issuer profiles: identities the issuer service signs as besides the institution's
//! `did:sigil`. A profile is a name and a `did:key`, listed in `issuer.toml` (`[[profiles]]`),
//! whose Ed25519 key is generated here and sealed under the institution's passphrase:
//!
//! ```text
//! DATA_DIR/keys/profile-NAME.key    the profile's key (encrypted)
//! ```
//!
//! They exist for parties that resolve only `did:key` (the public W3C test suites, many
//! verifiers), which cannot reach Sigil's registry to resolve the `did:sigil`. A `did:key`
//! cannot be rotated or anchored to a registry and has no status lists on it, so the
//! institution's own identity stays the default, and a profile's credentials carry no status
//! entries (the VC API refuses `options.credentialStatus` for them).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sigil_core::did::Did;
use sigil_core::key::SigningKey;
use sigil_core::keystore::{self, KdfParams};

use crate::institution::Institution;

/// Longest profile name: it is a path segment of the VC API and part of a file name.
pub const MAX_NAME_LEN: usize = 40;

/// A profile as `issuer.toml` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// The name the VC API is reached by: `/profiles/{name}/credentials/issue`.
    pub name: String,
    /// The profile's `did:key`, derived from its key when it was added.
    pub did: String,
}

/// A profile with its key unlocked, as the running service signs with it.
#[derive(Debug)]
pub struct Profile {
    pub name: String,
    pub did: Did,
    pub key: SigningKey,
    /// The verification method, `did:key:z…#z…`.
    pub method: String,
}

/// Checks a profile name: lower-case ASCII letters, digits and `-`, starting with a letter,
/// so that it is the same in a URL, a file name and the portal.
pub fn check_name(name: &str) -> anyhow::Result<()> {
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let allowed = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !starts_with_letter || !allowed || name.len() > MAX_NAME_LEN {
        anyhow::bail!(
            "{name:?} is not a profile name: use lower-case letters, digits and '-', starting with a letter, at most {MAX_NAME_LEN} characters"
        );
    }
    Ok(())
}

/// Generates a profile's key, seals it under `passphrase` (which must be the one the
/// institution's keys are sealed under, or the service could not unlock it) and lists the
/// profile in `issuer.toml`. Returns its DID.
pub fn add(institution: &Institution, name: &str, passphrase: &str) -> anyhow::Result<Did> {
    check_name(name)?;
    let mut config = institution.config()?;
    if config.profiles.iter().any(|profile| profile.name == name) {
        anyhow::bail!("the profile {name:?} exists already");
    }
    institution.signer(passphrase).map_err(|e| {
        anyhow::anyhow!("the institution's keys could not be opened with this passphrase: {e}")
    })?;
    let key = SigningKey::generate();
    let did = key.did_key();
    keystore::write(
        &institution.profile_key_path(name),
        &key,
        passphrase,
        KdfParams::default(),
    )?;
    config.profiles.push(ProfileConfig {
        name: name.to_owned(),
        did: did.to_string(),
    });
    institution.write_config(&config)?;
    Ok(did)
}

/// Unlocks every profile `issuer.toml` lists, checking that each key is still the one its
/// DID names (a swapped key file would otherwise sign as another DID than the portal shows).
pub fn unlock(
    institution: &Institution,
    listed: &[ProfileConfig],
    passphrase: &str,
) -> anyhow::Result<Vec<Arc<Profile>>> {
    listed
        .iter()
        .map(|profile| {
            let key = keystore::read(&institution.profile_key_path(&profile.name), passphrase)
                .map_err(|e| anyhow::anyhow!("profile {:?}: {e}", profile.name))?;
            let did = key.did_key();
            if did.as_str() != profile.did {
                anyhow::bail!(
                    "profile {:?}: its key is {did}, but issuer.toml lists {}",
                    profile.name,
                    profile.did
                );
            }
            Ok(Arc::new(Profile {
                name: profile.name.clone(),
                method: key.did_key_method(),
                did,
                key,
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_url_and_file_safe() {
        for good in ["w3c", "test-suite", "a1"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        let too_long = "a".repeat(MAX_NAME_LEN + 1);
        for bad in [
            "",
            "1st",
            "-x",
            "A",
            "../keys",
            "a/b",
            "a b",
            "é",
            too_long.as_str(),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
