//! Reading a query: JSON is first read into a raw form (ids, formats and paths still untyped),
//! then checked into a [`Query`] — every fault a [`DcqlError`].

use super::{
    ClaimPath, ClaimsQuery, CredentialQuery, CredentialSetQuery, DcqlError, Meta, PathElement, Query, QueryId,
};
use crate::format::CredentialFormat;

/// The query as JSON has it, before its checks.
pub(super) mod raw {
    use serde::Deserialize;
    use serde_json::Value;

    fn yes() -> bool {
        true
    }

    #[derive(Debug, Deserialize)]
    pub struct Query {
        pub credentials: Vec<CredentialQuery>,
        pub credential_sets: Option<Vec<CredentialSet>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct CredentialQuery {
        pub id: String,
        pub format: String,
        #[serde(default)]
        pub multiple: bool,
        pub meta: Option<Meta>,
        pub claims: Option<Vec<ClaimsQuery>>,
        pub claim_sets: Option<Vec<Vec<String>>>,
        #[serde(default = "yes")]
        pub require_cryptographic_holder_binding: bool,
    }

    #[derive(Debug, Deserialize)]
    pub struct Meta {
        pub type_values: Option<Vec<Vec<String>>>,
        pub vct_values: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct ClaimsQuery {
        pub id: Option<String>,
        pub path: Vec<Value>,
        pub values: Option<Vec<Value>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct CredentialSet {
        pub options: Vec<Vec<String>>,
        #[serde(default = "yes")]
        pub required: bool,
    }
}

impl TryFrom<raw::Query> for Query {
    type Error = DcqlError;

    fn try_from(wire: raw::Query) -> Result<Query, DcqlError> {
        let ids = |list: Vec<String>| {
            list.iter()
                .map(|id| QueryId::new(id))
                .collect::<Result<Vec<_>, _>>()
        };
        let credentials = wire
            .credentials
            .into_iter()
            .map(CredentialQuery::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let credential_sets = wire
            .credential_sets
            .map(|sets| {
                sets.into_iter()
                    .map(|set| {
                        Ok(CredentialSetQuery {
                            options: set.options.into_iter().map(ids).collect::<Result<_, _>>()?,
                            required: set.required,
                        })
                    })
                    .collect::<Result<Vec<_>, DcqlError>>()
            })
            .transpose()?;
        Query::new(credentials, credential_sets)
    }
}

impl TryFrom<raw::CredentialQuery> for CredentialQuery {
    type Error = DcqlError;

    fn try_from(wire: raw::CredentialQuery) -> Result<CredentialQuery, DcqlError> {
        let id = QueryId::new(&wire.id)?;
        let query = || wire.id.clone();
        let format = CredentialFormat::parse(&wire.format).ok_or_else(|| DcqlError::UnknownFormat {
            query: query(),
            format: wire.format.clone(),
        })?;
        let member = Meta::member_for(format);
        let missing = || DcqlError::MissingMeta {
            query: query(),
            member,
        };
        let meta = wire.meta.ok_or_else(missing)?;
        let meta = match format {
            CredentialFormat::SdJwt => Meta::VctValues(meta.vct_values.ok_or_else(missing)?),
            CredentialFormat::LdpVc | CredentialFormat::VcJwt => {
                Meta::TypeValues(meta.type_values.ok_or_else(missing)?)
            }
        };
        let claims = wire
            .claims
            .map(|claims| {
                claims
                    .into_iter()
                    .map(|claim| {
                        let path = claim
                            .path
                            .iter()
                            .map(|element| {
                                PathElement::from_json(element).ok_or_else(|| DcqlError::BadPathElement {
                                    query: query(),
                                    element: element.to_string(),
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok(ClaimsQuery {
                            id: claim.id.as_deref().map(QueryId::new).transpose()?,
                            path: ClaimPath(path),
                            values: claim.values,
                        })
                    })
                    .collect::<Result<Vec<_>, DcqlError>>()
            })
            .transpose()?;
        let claim_sets = wire
            .claim_sets
            .map(|sets| {
                sets.iter()
                    .map(|set| set.iter().map(|id| QueryId::new(id)).collect())
                    .collect::<Result<Vec<Vec<_>>, _>>()
            })
            .transpose()?;
        Ok(CredentialQuery {
            id,
            format,
            multiple: wire.multiple,
            meta,
            claims,
            claim_sets,
            require_cryptographic_holder_binding: wire.require_cryptographic_holder_binding,
        })
    }
}
