//! Issuing one credential through a form built from the type's claims.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sigil_core::issue::CredentialFormat;
use sigil_service::language::{Lang, PageLang};
use sigil_templates::issuer::{FieldView, IssuePage, IssuerText};

use super::Portal;
use super::offers::offers_page;
use super::pages::{error_page, forbidden, frame, internal, page, type_choices};
use super::session::Registrar;
use crate::credential_types::{Input, TypeDefinition};
use crate::issuance::{OfferError, OfferRequest};

#[derive(Debug, Deserialize)]
pub struct TypeQuery {
    #[serde(rename = "type")]
    type_name: Option<String>,
}

/// The form for `definition` in `lang`, filled with `values`, and what was wrong with them.
fn issue_page(
    portal: &Portal,
    registrar: &Registrar,
    lang: Lang,
    definition: &TypeDefinition,
    values: &BTreeMap<String, String>,
    format: &str,
    errors: Vec<String>,
) -> IssuePage {
    let t = IssuerText::for_lang(lang);
    IssuePage {
        lang,
        t,
        frame: frame(portal, registrar, "issue"),
        types: type_choices(portal, lang, definition.name()),
        type_name: definition.name().to_owned(),
        fields: definition
            .claims
            .iter()
            .map(|claim| FieldView {
                key: claim.key(),
                label: claim.label.in_language(lang.tag()).to_owned(),
                input: match claim.input {
                    Input::Text => "text",
                    Input::Date => "date",
                    Input::Choice => "choice",
                }
                .to_owned(),
                choices: claim.choices.clone(),
                mandatory: claim.mandatory,
                value: values.get(&claim.key()).cloned().unwrap_or_default(),
            })
            .collect(),
        formats: t.formats(),
        format_name: format.to_owned(),
        errors,
    }
}

fn definition_or_first<'a>(portal: &'a Portal, name: Option<&str>) -> Option<&'a TypeDefinition> {
    name.and_then(|n| portal.issuer.types.get(n))
        .or_else(|| portal.issuer.types.iter().next())
}

/// `GET /portal/issue?type=T`
pub async fn issue_form(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    Query(query): Query<TypeQuery>,
) -> Response {
    let Some(definition) = definition_or_first(&portal, query.type_name.as_deref()) else {
        return internal(&portal, lang, "no credential types are configured");
    };
    page(
        lang,
        StatusCode::OK,
        &issue_page(
            &portal,
            &registrar,
            lang,
            definition,
            &BTreeMap::new(),
            "ldp_vc",
            vec![],
        ),
    )
}

/// `POST /portal/issue`: the form's fields are the claims' dotted keys, plus `csrf`, `type`
/// and `format`. A type or format the issuer does not have (the form offers none) is
/// answered with the error page; claims the type's checks refuse, with the form again.
pub async fn issue(
    State(portal): State<Arc<Portal>>,
    registrar: Registrar,
    PageLang(lang): PageLang,
    Form(mut fields): Form<BTreeMap<String, String>>,
) -> Response {
    if !registrar.check_csrf(&fields.remove("csrf").unwrap_or_default()) {
        return forbidden(&portal, lang);
    }
    let t = IssuerText::for_lang(lang);
    let type_name = fields.remove("type").unwrap_or_default();
    let format_name = fields.remove("format").unwrap_or_else(|| "ldp_vc".into());
    let Some(definition) = portal.issuer.types.get(&type_name) else {
        return error_page(
            &portal,
            lang,
            StatusCode::BAD_REQUEST,
            t.unknown_type_title,
            &type_name,
        );
    };
    let Some(format) = CredentialFormat::parse(&format_name) else {
        return error_page(
            &portal,
            lang,
            StatusCode::BAD_REQUEST,
            t.unknown_format_title,
            &format_name,
        );
    };
    let request = OfferRequest {
        type_name,
        claims: definition.claims_from_fields(&fields),
        format,
    };
    match portal
        .issuer
        .create_offers(vec![request], &registrar.actor(), None, sigil_core::time::now())
        .await
    {
        Ok(offers) => offers_page(&portal, &registrar, lang, &offers, None),
        Err(OfferError::Invalid(problems)) => {
            let errors = problems.into_iter().flat_map(|(_, errors)| errors).collect();
            page(
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                &issue_page(
                    &portal,
                    &registrar,
                    lang,
                    definition,
                    &fields,
                    &format_name,
                    errors,
                ),
            )
        }
        Err(OfferError::Internal(e)) => internal(&portal, lang, format!("{e:#}")),
    }
}
