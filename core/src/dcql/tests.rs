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

/// A query for an identity card and a diploma in either of two formats, plus an optional
/// transcript: two required credential sets and an optional one.
fn two_credentials_query() -> Query {
    Query::from_value(&json!({
        "credentials": [
            {"id": "id_card", "format": "dc+sd-jwt", "meta": {"vct_values": ["IdCard"]}},
            {"id": "diploma_ldp", "format": "ldp_vc", "meta": {"type_values": [["Diploma"]]}},
            {"id": "diploma_sd", "format": "dc+sd-jwt", "meta": {"vct_values": ["Diploma"]}},
            {"id": "transcript", "format": "ldp_vc", "meta": {"type_values": [["Transcript"]]}}
        ],
        "credential_sets": [
            {"options": [["id_card"]]},
            {"options": [["diploma_sd"], ["diploma_ldp"]]},
            {"options": [["transcript"]], "required": false}
        ]
    }))
    .unwrap()
}

fn ids(chosen: &[&CredentialQuery]) -> Vec<String> {
    chosen.iter().map(|query| query.id.to_string()).collect()
}

#[test]
fn the_wallet_answers_every_required_set_with_its_first_answerable_option() {
    let query = two_credentials_query();
    let holding = |held: &'static [&'static str]| move |q: &CredentialQuery| held.contains(&q.id.as_str());
    assert_eq!(
        ids(&query
            .select(holding(&["id_card", "diploma_ldp", "diploma_sd"]))
            .unwrap()),
        vec!["id_card", "diploma_sd"],
        "the verifier's first option wins; the optional set is left out when it cannot be answered"
    );
    assert_eq!(
        ids(&query
            .select(holding(&["id_card", "diploma_ldp", "transcript"]))
            .unwrap()),
        vec!["id_card", "diploma_ldp", "transcript"]
    );
    assert_eq!(
        query.select(holding(&["diploma_ldp"])).unwrap_err(),
        Unsatisfied::RequiredSet {
            set: 0,
            options: vec![vec!["id_card".into()]]
        }
    );
    let refusal = query.select(holding(&["id_card", "transcript"])).unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "required credential set 1 is not answered: it needs diploma_sd, or diploma_ldp"
    );
}

#[test]
fn the_verifier_refuses_an_answer_to_part_of_a_required_set() {
    let query = two_credentials_query();
    assert_eq!(query.satisfied_by(&["id_card", "diploma_ldp"]), Ok(()));
    assert_eq!(
        query.satisfied_by(&["id_card", "diploma_sd", "transcript"]),
        Ok(())
    );
    assert!(matches!(
        query.satisfied_by(&["id_card"]),
        Err(Unsatisfied::RequiredSet { set: 1, .. })
    ));
    assert!(matches!(
        query.satisfied_by(&["diploma_ldp", "transcript"]),
        Err(Unsatisfied::RequiredSet { set: 0, .. })
    ));
    // An option of two credentials is answered only by both.
    let pair = Query::from_value(&json!({
        "credentials": [
            {"id": "a", "format": "ldp_vc", "meta": {"type_values": [["A"]]}},
            {"id": "b", "format": "ldp_vc", "meta": {"type_values": [["B"]]}}
        ],
        "credential_sets": [{"options": [["a", "b"]]}]
    }))
    .unwrap();
    assert_eq!(pair.satisfied_by(&["a", "b"]), Ok(()));
    assert_eq!(
        pair.satisfied_by(&["a"]).unwrap_err().to_string(),
        "required credential set 0 is not answered: it needs a and b"
    );
    assert!(pair.select(|q| q.id.as_str() == "b").is_err());
}

#[test]
fn without_credential_sets_every_credential_is_required() {
    let query = Query::from_value(&json!({"credentials": [
        {"id": "a", "format": "ldp_vc", "meta": {"type_values": [["A"]]}},
        {"id": "b", "format": "dc+sd-jwt", "meta": {"vct_values": ["B"]}}
    ]}))
    .unwrap();
    assert_eq!(query.satisfied_by(&["b", "a"]), Ok(()));
    assert_eq!(
        query.satisfied_by(&["a"]),
        Err(Unsatisfied::MissingCredentials(vec!["b".into()]))
    );
    assert_eq!(ids(&query.select(|_| true).unwrap()), vec!["a", "b"]);
    assert_eq!(
        query.select(|q| q.id.as_str() == "b").unwrap_err().to_string(),
        "every credential asked for is required, and a is not answered"
    );
}

#[test]
fn claim_sets_need_claim_ids() {
    let query = json!({"credentials": [{
        "id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]},
        "claims": [{"id": "name", "path": ["name"]}, {"path": ["degree"]}],
        "claim_sets": [["name"]]
    }]});
    assert_eq!(refusal(&query), DcqlError::MissingClaimId { query: "q".into() });
    let no_claims = json!({"credentials": [{
        "id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}, "claim_sets": [["name"]]
    }]});
    assert_eq!(
        refusal(&no_claims),
        DcqlError::UnknownClaimId {
            query: "q".into(),
            claim: "name".into()
        }
    );
    let mut empty_option = serde_json::to_value(two_credentials_query()).unwrap();
    empty_option["credential_sets"][1]["options"] = json!([["diploma_sd"], []]);
    assert_eq!(refusal(&empty_option), DcqlError::EmptyCredentialSet);
}

#[test]
fn values_match_strings_integers_and_booleans_however_a_number_is_written() {
    let query = Query::from_value(&json!({"credentials": [{
        "id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]},
        "claims": [
            {"path": ["level"], "values": [6, 7]},
            {"path": ["accredited"], "values": [true]},
            {"path": ["degree", "type"], "values": ["BachelorDegree", "MasterDegree"]}
        ]
    }]}))
    .unwrap();
    let credential = &query.credentials()[0];
    let types = vec!["v".to_owned()];
    let check = |subject: Value| {
        credential
            .check_candidate(&Candidate {
                format: CredentialFormat::SdJwt,
                types: &types,
                subject: &subject,
            })
            .map(|claims| claims.len())
    };
    let good = json!({"level": 6, "accredited": true, "degree": {"type": "MasterDegree"}});
    assert_eq!(check(good), Ok(3));
    assert_eq!(
        check(json!({"level": 7.0, "accredited": true, "degree": {"type": "BachelorDegree"}})),
        Ok(3)
    );
    let wrong = check(json!({"level": "6", "accredited": "true", "degree": {"type": "PhD"}})).unwrap_err();
    assert_eq!(
        wrong,
        Mismatch::Claims {
            missing: vec![
                "level (one of 6, 7)".into(),
                "accredited (one of true)".into(),
                "degree.type (one of \"BachelorDegree\", \"MasterDegree\")".into()
            ],
            claim_sets: false
        }
    );
    assert!(
        wrong
            .to_string()
            .starts_with("it does not disclose level (one of 6, 7)")
    );
    // Integers compare exactly, beyond what a float can tell apart.
    let exact = Query::from_value(&json!({"credentials": [{"id": "q", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["v"]}, "claims": [{"path": ["n"], "values": [9_007_199_254_740_993_u64]}]}]}))
    .unwrap();
    let near = json!({"n": 9_007_199_254_740_992_u64});
    let candidate = Candidate {
        format: CredentialFormat::SdJwt,
        types: &types,
        subject: &near,
    };
    assert!(exact.credentials()[0].matches(&candidate).is_none());
    assert!(matches!(
        Query::from_value(&json!({"credentials": [{"id": "q", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["v"]}, "claims": [{"path": ["a"], "values": [1.5]}]}]})),
        Err(DcqlError::BadValues { .. })
    ));
    assert!(matches!(
        Query::from_value(&json!({"credentials": [{"id": "q", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["v"]}, "claims": [{"path": ["a"], "values": []}]}]})),
        Err(DcqlError::BadValues { .. })
    ));
}

#[test]
fn a_mismatch_names_the_format_the_type_or_the_claim_set() {
    let query = Query::from_value(&diploma_query()).unwrap();
    let ldp = query.credential("ldp").unwrap();
    let subject = json!({"name": "Ada"});
    let degree = vec!["UniversityDegreeCredential".to_owned()];
    let candidate = Candidate {
        format: CredentialFormat::VcJwt,
        types: &degree,
        subject: &subject,
    };
    assert_eq!(
        ldp.check_candidate(&candidate).unwrap_err().to_string(),
        "it is jwt_vc_json, and ldp_vc was asked for"
    );
    let other = vec!["ProductInspectionCertificate".to_owned()];
    assert!(matches!(
        ldp.check_candidate(&Candidate {
            format: CredentialFormat::LdpVc,
            types: &other,
            ..candidate
        }),
        Err(Mismatch::Type { .. })
    ));
    assert_eq!(
        ldp.check_candidate(&Candidate {
            format: CredentialFormat::LdpVc,
            ..candidate
        })
        .unwrap_err()
        .to_string(),
        "it does not disclose degree.name"
    );
    let sets = Query::from_value(&json!({"credentials": [{
        "id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]},
        "claims": [{"id": "a", "path": ["a"]}, {"id": "b", "path": ["b"]}],
        "claim_sets": [["a"], ["b"]]
    }]}))
    .unwrap();
    let types = vec!["v".to_owned()];
    let none = json!({"c": 1});
    assert_eq!(
        sets.credentials()[0]
            .check_candidate(&Candidate {
                format: CredentialFormat::SdJwt,
                types: &types,
                subject: &none,
            })
            .unwrap_err()
            .to_string(),
        "it does not disclose a (nor any other claim set asked for)"
    );
}
