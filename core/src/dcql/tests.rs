//! DCQL: reading, refusing, matching and selecting, hostile input included.

use super::*;
use serde_json::json;

/// The query Sigil's verifier sends for its diploma policy.
fn diploma_query() -> Value {
    let degree = "https://w3id.org/sigil/vocab#UniversityDegreeCredential";
    json!({
        "credentials": [
            {"id": "ldp", "format": "ldp_vc", "meta": {"type_values": [[degree]]},
             "claims": [{"path": ["credentialSubject", "name"]}, {"path": ["credentialSubject", "degree", "name"]}]},
            {"id": "jwt", "format": "jwt_vc_json", "meta": {"type_values": [[degree]]},
             "claims": [{"path": ["credentialSubject", "name"]}, {"path": ["credentialSubject", "degree", "name"]}]},
            {"id": "sd", "format": "dc+sd-jwt",
             "meta": {"vct_values": ["https://w3id.org/sigil/types/UniversityDegreeCredential"]},
             "claims": [{"path": ["name"]}, {"path": ["degree", "name"]}]}
        ],
        "credential_sets": [{"options": [["ldp"], ["jwt"], ["sd"]]}]
    })
}

fn refusal(query: &Value) -> DcqlError {
    match Query::from_value(query) {
        Err(error) => error,
        Ok(parsed) => DcqlError::Malformed(format!("accepted: {parsed:?}")),
    }
}

#[test]
fn the_verifiers_query_reads_and_writes_back_unchanged() {
    let text = diploma_query();
    let query = Query::from_value(&text).unwrap();
    assert_eq!(query.credentials().len(), 3);
    assert_eq!(query.credential("jwt").unwrap().format, CredentialFormat::VcJwt);
    assert_eq!(serde_json::to_value(&query).unwrap(), text);
    let typed: Query = serde_json::from_value(text).unwrap();
    assert_eq!(typed, query);
}

#[test]
fn defaults_are_read_and_not_written() {
    let query = Query::from_value(&json!({"credentials": [
        {"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}, "multiple": true,
         "require_cryptographic_holder_binding": false}
    ]}))
    .unwrap();
    let credential = &query.credentials()[0];
    assert!(credential.multiple);
    assert!(!credential.require_cryptographic_holder_binding);
    let written = serde_json::to_value(&query).unwrap();
    assert_eq!(written["credentials"][0]["multiple"], true);
    assert_eq!(
        written["credentials"][0]["require_cryptographic_holder_binding"],
        false
    );
    let plain = CredentialQuery::new(
        QueryId::new("b").unwrap(),
        CredentialFormat::VcJwt,
        Meta::TypeValues(vec![vec!["T".into()]]),
    );
    assert_eq!(
        serde_json::to_value(Query::new(vec![plain], None).unwrap()).unwrap(),
        json!({"credentials": [{"id": "b", "format": "jwt_vc_json", "meta": {"type_values": [["T"]]}}]})
    );
}

#[test]
fn each_fault_is_named() {
    let sd = |extra: Value| {
        let mut query = json!({"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}});
        if let (Some(object), Some(extra)) = (query.as_object_mut(), extra.as_object()) {
            object.extend(extra.clone());
        }
        json!({ "credentials": [query] })
    };
    assert_eq!(
        refusal(&json!({"credentials": []})),
        DcqlError::NoCredentialQueries
    );
    assert_eq!(refusal(&sd(json!({"id": "a b"}))), DcqlError::BadId("a b".into()));
    assert_eq!(refusal(&sd(json!({"id": ""}))), DcqlError::BadId(String::new()));
    assert_eq!(
        refusal(&sd(json!({"format": "mso_mdoc"}))),
        DcqlError::UnknownFormat {
            query: "q".into(),
            format: "mso_mdoc".into()
        }
    );
    assert_eq!(
        refusal(&sd(json!({"meta": {"type_values": [["T"]]}}))),
        DcqlError::MissingMeta {
            query: "q".into(),
            member: "vct_values"
        }
    );
    assert_eq!(
        refusal(&json!({"credentials": [{"id": "q", "format": "ldp_vc"}]})),
        DcqlError::MissingMeta {
            query: "q".into(),
            member: "type_values"
        }
    );
    assert_eq!(
        refusal(&json!({"credentials": [{"id": "q", "format": "ldp_vc", "meta": {"type_values": [[]]}}]})),
        DcqlError::EmptyMeta {
            query: "q".into(),
            member: "type_values"
        }
    );
    assert_eq!(
        refusal(&sd(json!({"claims": [{"path": []}]}))),
        DcqlError::EmptyPath { query: "q".into() }
    );
    assert_eq!(
        refusal(&sd(json!({"claims": []}))),
        DcqlError::EmptyList {
            query: "q".into(),
            member: "claims"
        }
    );
    assert_eq!(
        refusal(&sd(json!({"claims": [{"path": ["a", -1]}]}))),
        DcqlError::BadPathElement {
            query: "q".into(),
            element: "-1".into()
        }
    );
    assert_eq!(
        refusal(&sd(json!({"claims": [{"path": [1.5]}]}))),
        DcqlError::BadPathElement {
            query: "q".into(),
            element: "1.5".into()
        }
    );
    assert_eq!(
        refusal(&sd(json!({"claims": [{"path": ["a"], "values": [{"x": 1}]}]}))),
        DcqlError::BadValues { query: "q".into() }
    );
    assert_eq!(
        refusal(&sd(
            json!({"claims": [{"id": "c", "path": ["a"]}, {"id": "c", "path": ["b"]}]})
        )),
        DcqlError::DuplicateClaimId {
            query: "q".into(),
            claim: "c".into()
        }
    );
    assert_eq!(
        refusal(&sd(
            json!({"claims": [{"id": "c", "path": ["a"]}], "claim_sets": [["d"]]})
        )),
        DcqlError::UnknownClaimId {
            query: "q".into(),
            claim: "d".into()
        }
    );
    let twice = json!({"credentials": [
        {"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}},
        {"id": "q", "format": "ldp_vc", "meta": {"type_values": [["T"]]}}
    ]});
    assert_eq!(refusal(&twice), DcqlError::DuplicateCredentialId("q".into()));
    let mut unknown_set = sd(json!({}));
    unknown_set["credential_sets"] = json!([{"options": [["other"]]}]);
    assert_eq!(
        refusal(&unknown_set),
        DcqlError::UnknownCredentialId("other".into())
    );
    let mut empty_set = sd(json!({}));
    empty_set["credential_sets"] = json!([{"options": []}]);
    assert_eq!(refusal(&empty_set), DcqlError::EmptyCredentialSet);
}

#[test]
fn hostile_shapes_are_refused_without_panicking() {
    for hostile in [
        json!(null),
        json!([]),
        json!("credentials"),
        json!({}),
        json!({"credentials": {}}),
        json!({"credentials": [null]}),
        json!({"credentials": [{"id": 7, "format": "ldp_vc", "meta": {"type_values": [["T"]]}}]}),
        json!({"credentials": [{"id": "q", "format": ["ldp_vc"], "meta": {}}]}),
        json!({"credentials": [{"id": "q", "format": "ldp_vc", "meta": {"type_values": ["T"]}}]}),
        json!({"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": "v"}}]}),
        json!({"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}, "claims": [{"path": "a"}]}]}),
        json!({"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}, "claims": [{"path": [1e300]}]}]}),
    ] {
        assert!(Query::from_value(&hostile).is_err(), "{hostile}");
    }
    assert!(matches!(
        Query::parse("{\"credentials\": ["),
        Err(DcqlError::Malformed(_))
    ));
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(matches!(Query::parse(&deep), Err(DcqlError::Malformed(_))));
}

#[test]
fn paths_select_keys_indices_and_every_element() {
    let claims = json!({"name": "Ada", "degrees": [{"name": "BSc"}, {"name": "MSc"}], "gap": null});
    let path = |elements: Value| {
        let elements: Vec<PathElement> = elements
            .as_array()
            .unwrap()
            .iter()
            .map(|e| PathElement::from_json(e).unwrap())
            .collect();
        ClaimPath::new(elements).unwrap()
    };
    assert_eq!(path(json!(["name"])).select(&claims), vec![&json!("Ada")]);
    assert_eq!(
        path(json!(["degrees", null, "name"])).select(&claims),
        vec![&json!("BSc"), &json!("MSc")]
    );
    assert_eq!(
        path(json!(["degrees", 1, "name"])).select(&claims),
        vec![&json!("MSc")]
    );
    assert!(
        path(json!(["degrees", u64::MAX, "name"]))
            .select(&claims)
            .is_empty()
    );
    assert!(path(json!(["name", 0])).select(&claims).is_empty());
    assert!(path(json!(["name", null])).select(&claims).is_empty());
    assert!(path(json!(["gap"])).select(&claims).is_empty());
    assert!(path(json!(["degrees", "name"])).select(&claims).is_empty());
    assert_eq!(ClaimPath::new(vec![]), None);
}

#[test]
fn subject_claims_are_addressed_per_format() {
    let w3c = ClaimPath::subject_claim(CredentialFormat::LdpVc, "degree.name");
    assert_eq!(
        serde_json::to_value(&w3c).unwrap(),
        json!(["credentialSubject", "degree", "name"])
    );
    assert_eq!(
        w3c.subject_dotted(CredentialFormat::LdpVc).as_deref(),
        Some("degree.name")
    );
    let sd = ClaimPath::subject_claim(CredentialFormat::SdJwt, "degree.name");
    assert_eq!(serde_json::to_value(&sd).unwrap(), json!(["degree", "name"]));
    assert_eq!(
        sd.subject_dotted(CredentialFormat::SdJwt).as_deref(),
        Some("degree.name")
    );
    let outside = ClaimPath::from_dotted("issuer");
    assert_eq!(outside.subject_relative(CredentialFormat::VcJwt), None);
    assert_eq!(
        ClaimPath::from_dotted("credentialSubject").subject_relative(CredentialFormat::LdpVc),
        None
    );
    let indexed = ClaimPath::new(vec![PathElement::Key("degrees".into()), PathElement::All]).unwrap();
    assert_eq!(indexed.subject_dotted(CredentialFormat::SdJwt), None);
}

#[test]
fn a_held_credential_answers_by_format_type_and_claims() {
    let query = Query::from_value(&diploma_query()).unwrap();
    let answers = |id: &str, candidate: Candidate<'_>| {
        query
            .credential(id)
            .is_some_and(|q| q.matches(&candidate).is_some())
    };
    let subject = json!({"name": "Ada", "degree": {"name": "BSc"}});
    let term = vec!["UniversityDegreeCredential".to_owned()];
    let ldp = Candidate {
        format: CredentialFormat::LdpVc,
        types: &term,
        subject: &subject,
    };
    assert_eq!(query.credential("ldp").unwrap().matches(&ldp).unwrap().len(), 2);
    assert!(!answers("jwt", ldp), "another format");
    assert!(!answers("sd", ldp));

    let vct = vec!["https://w3id.org/sigil/types/UniversityDegreeCredential".to_owned()];
    let sd = Candidate {
        format: CredentialFormat::SdJwt,
        types: &vct,
        subject: &subject,
    };
    assert!(answers("sd", sd));
    let other_vct = vec!["https://example.com/types/UniversityDegreeCredential".to_owned()];
    assert!(!answers(
        "sd",
        Candidate {
            types: &other_vct,
            ..sd
        }
    ));

    let other_type = vec!["ProductInspectionCertificate".to_owned()];
    assert!(!answers(
        "ldp",
        Candidate {
            types: &other_type,
            ..ldp
        }
    ));
    let other_iri = vec!["https://example.com/vocab#UniversityDegreeCredential".to_owned()];
    assert!(!answers(
        "ldp",
        Candidate {
            types: &other_iri,
            ..ldp
        }
    ));
    let no_degree = json!({"name": "Ada"});
    assert!(!answers(
        "ldp",
        Candidate {
            subject: &no_degree,
            ..ldp
        }
    ));
}

#[test]
fn claim_sets_and_values_choose_what_answers() {
    let query = Query::from_value(&json!({"credentials": [{
        "id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]},
        "claims": [
            {"id": "honours", "path": ["honours"], "values": ["cum laude", "magna cum laude"]},
            {"id": "name", "path": ["name"]},
            {"id": "student", "path": ["studentId"]}
        ],
        "claim_sets": [["name", "honours"], ["student"]]
    }]}))
    .unwrap();
    let credential = &query.credentials()[0];
    let types = vec!["v".to_owned()];
    let ask = |subject: Value| {
        credential
            .matches(&Candidate {
                format: CredentialFormat::SdJwt,
                types: &types,
                subject: &subject,
            })
            .map(|claims| {
                claims
                    .iter()
                    .filter_map(|c| c.id.as_ref().map(|id| id.to_string()))
                    .collect::<Vec<_>>()
            })
    };
    assert_eq!(
        ask(json!({"name": "Ada", "honours": "cum laude", "studentId": "1"})),
        Some(vec!["name".to_owned(), "honours".to_owned()])
    );
    assert_eq!(
        ask(json!({"name": "Ada", "honours": "none", "studentId": "1"})),
        Some(vec!["student".to_owned()])
    );
    assert_eq!(ask(json!({"name": "Ada", "honours": "none"})), None);
}

#[test]
fn a_query_without_claims_asks_for_the_credential_only() {
    let query = Query::from_value(&json!({"credentials": [
        {"id": "q", "format": "ldp_vc", "meta": {"type_values": [["https://www.w3.org/2018/credentials#VerifiableCredential", "https://w3id.org/sigil/vocab#UniversityDegreeCredential"]]}}
    ]}))
    .unwrap();
    let types = vec![
        "VerifiableCredential".to_owned(),
        "UniversityDegreeCredential".to_owned(),
    ];
    let subject = json!({});
    let candidate = Candidate {
        format: CredentialFormat::LdpVc,
        types: &types,
        subject: &subject,
    };
    assert_eq!(query.credentials()[0].matches(&candidate), Some(vec![]));
    let only_one = vec!["UniversityDegreeCredential".to_owned()];
    assert_eq!(
        query.credentials()[0].matches(&Candidate {
            types: &only_one,
            ..candidate
        }),
        None
    );
}
