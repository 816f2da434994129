//! The three credential formats Sigil issues and verifies, and the one place that knows what
//! each protocol calls them. Sigil's own interfaces (command line, JSON API, VC API, its
//! databases) say `ldp_vc`, `vc+jwt` and `dc+sd-jwt`; OpenID4VCI 1.0 (credential format
//! identifiers, Appendix A) and OpenID4VP 1.0 (DCQL `format`, Appendix B) say `ldp_vc`,
//! `jwt_vc_json` and `dc+sd-jwt`; OpenID4VCI credential configuration ids end in `ldp_vc`,
//! `jwt_vc_json` or `sd_jwt`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A credential format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialFormat {
    /// Data Integrity, `eddsa-rdfc-2022` (`ldp_vc`).
    LdpVc,
    /// A credential secured as a JWT (`vc+jwt`; OpenID4VCI and DCQL call it `jwt_vc_json`):
    /// Sigil issues VC-JOSE-COSE (`typ` `vc+jwt`) and verifies that and the VC-JWT of VCDM 1.1
    /// §6.3.1 (`typ` `JWT`, the credential under `vc`), which is what `jwt_vc_json` first named.
    VcJwt,
    /// SD-JWT VC (`dc+sd-jwt`).
    SdJwt,
}

impl CredentialFormat {
    /// Every format, in Sigil's order of preference.
    pub const ALL: [CredentialFormat; 3] = [
        CredentialFormat::LdpVc,
        CredentialFormat::VcJwt,
        CredentialFormat::SdJwt,
    ];

    /// Reads a format by any of its names: Sigil's own or the OpenID protocols'.
    pub fn parse(name: &str) -> Option<Self> {
        CredentialFormat::ALL
            .into_iter()
            .find(|format| format.name() == name || format.protocol_name() == name)
    }

    /// Sigil's name: the command line, the JSON and VC APIs, storage.
    pub fn name(self) -> &'static str {
        match self {
            CredentialFormat::LdpVc => "ldp_vc",
            CredentialFormat::VcJwt => "vc+jwt",
            CredentialFormat::SdJwt => "dc+sd-jwt",
        }
    }

    /// How an OpenID4VCI credential configuration id of a type ends in this format
    /// (`UniversityDegreeCredential_sd_jwt`): the protocol name, with `sd_jwt` for SD-JWT VC so
    /// that ids stay plain words.
    pub fn configuration_suffix(self) -> &'static str {
        match self {
            CredentialFormat::LdpVc => "ldp_vc",
            CredentialFormat::VcJwt => "jwt_vc_json",
            CredentialFormat::SdJwt => "sd_jwt",
        }
    }

    /// The OpenID4VCI credential format identifier, which DCQL (OpenID4VP) uses too.
    pub fn protocol_name(self) -> &'static str {
        match self {
            CredentialFormat::LdpVc => "ldp_vc",
            CredentialFormat::VcJwt => "jwt_vc_json",
            CredentialFormat::SdJwt => "dc+sd-jwt",
        }
    }
}

impl std::fmt::Display for CredentialFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Written by Sigil's name.
impl Serialize for CredentialFormat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Read by any of its names.
impl<'de> Deserialize<'de> for CredentialFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        CredentialFormat::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown credential format {name:?}; Sigil knows ldp_vc, vc+jwt (jwt_vc_json) and dc+sd-jwt"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_of_a_format_reads_back_as_it() {
        for format in CredentialFormat::ALL {
            assert_eq!(CredentialFormat::parse(format.name()), Some(format));
            assert_eq!(CredentialFormat::parse(format.protocol_name()), Some(format));
            let json = serde_json::to_string(&format).unwrap();
            assert_eq!(serde_json::from_str::<CredentialFormat>(&json).unwrap(), format);
        }
        assert_eq!(CredentialFormat::VcJwt.protocol_name(), "jwt_vc_json");
        assert_eq!(
            CredentialFormat::parse("jwt_vc_json"),
            Some(CredentialFormat::VcJwt)
        );
        assert_eq!(CredentialFormat::parse("mso_mdoc"), None);
        assert!(serde_json::from_str::<CredentialFormat>("\"mso_mdoc\"").is_err());
    }
}
