//! Interop for the older JWT dialects: VC-JWTs in the VCDM 1.1 shape (`typ` `JWT`, the
//! credential under `vc`) and ES256 `vc+jwt` from panva's `jose`, and an ES256 SD-JWT VC with
//! an ES256 key-binding JWT from the OpenWallet Foundation's `sd-jwt` — each verifies in
//! Sigil, and a one-character change to its payload, signature or header does not.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sigil_tests::interop::{node, path, sdjwt};
use sigil_tests::{Outcome, Scratch};

fn jose(args: &[&str]) -> Outcome {
    node(&[&["jose.mjs"], args].concat())
}

/// Runs `sigil-verifier verify --json` on `text`; the exit code and the report.
fn verify_in_sigil(scratch: &Scratch, text: &str, extra: &[&str]) -> (Option<i32>, Value) {
    scratch.write("input.txt", text);
    let file = path(scratch, "input.txt");
    let mut args = vec!["verify", file.as_str(), "--json"];
    args.extend_from_slice(extra);
    let out = scratch.sigil("sigil-verifier", &args);
    let report = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    (out.code, report)
}

/// The outcome of check `id` in a `--json` report.
fn outcome(report: &Value, id: &str) -> String {
    let checks = report["report"]["checks"]
        .as_array()
        .or_else(|| report["checks"].as_array())
        .cloned()
        .unwrap_or_default();
    checks
        .iter()
        .find(|check| check["id"] == id)
        .map(|check| check["outcome"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

/// A key made by the library itself (`keygen`), written to `name`.
fn library_key(scratch: &Scratch, tool: fn(&[&str]) -> Outcome, alg: &str, name: &str) {
    let out = tool(&["keygen", "--alg", alg]).expect_code(0);
    scratch.write(name, out.stdout.trim());
}

/// Which part of a compact JWS a forgery changes.
#[derive(Debug, Clone, Copy)]
enum Part {
    Header,
    Payload,
    Signature,
}

/// Changes one character of one part of the compact JWS `jws`. In the header and payload it
/// is a character of the decoded JSON (`from` → `to`, the same text but for one character),
/// so the token still decodes and only the signature can tell; in the signature it is the
/// first base64url character, which always changes the bytes.
fn change_one_character(jws: &str, part: Part, from: &str, to: &str) -> String {
    let mut parts: Vec<String> = jws.split('.').map(str::to_owned).collect();
    assert_eq!(parts.len(), 3, "{jws}");
    let index = match part {
        Part::Header => 0,
        Part::Payload => 1,
        Part::Signature => 2,
    };
    if let Part::Signature = part {
        let first = parts[2].remove(0);
        parts[2].insert(0, if first == 'A' { 'B' } else { 'A' });
    } else {
        let json = String::from_utf8(URL_SAFE_NO_PAD.decode(&parts[index]).unwrap()).unwrap();
        assert!(json.contains(from), "{from} is not in {json}");
        let differing = from.chars().zip(to.chars()).filter(|(a, b)| a != b).count();
        assert!(
            from.chars().count() == to.chars().count() && differing == 1,
            "{from} → {to} is not a one-character change"
        );
        parts[index] = URL_SAFE_NO_PAD.encode(json.replacen(from, to, 1));
    }
    parts.join(".")
}

/// Each one-character forgery of `jwt` must fail its proof in Sigil.
fn assert_every_forgery_fails(scratch: &Scratch, jwt: &str, forgeries: [(Part, &str, &str); 3]) {
    for (part, from, to) in forgeries {
        let forged = change_one_character(jwt, part, from, to);
        let (code, report) = verify_in_sigil(scratch, &forged, &[]);
        assert_eq!(code, Some(1), "{part:?}: {report:#}");
        assert_eq!(outcome(&report, "proof"), "failed", "{part:?}: {report:#}");
    }
}

/// A VCDM 1.1 diploma, as most VC-JWT 1.1 issuers start from.
const DIPLOMA_V1: &str = r#"{
  "@context": ["https://www.w3.org/2018/credentials/v1"],
  "id": "urn:uuid:5d9a1c2e-0a4b-4f7e-9d61-3c1f00000001",
  "type": ["VerifiableCredential", "UniversityDegreeCredential"],
  "issuer": "did:example:replaced-by-the-signer",
  "issuanceDate": "2026-01-15T09:00:00Z",
  "credentialSubject": {
    "id": "did:example:ada",
    "name": "Ada Lovelace",
    "degree": {"type": "BachelorDegree", "name": "BSc Mathematics"}
  }
}"#;

/// The same diploma in VCDM 2.0.
const DIPLOMA_V2: &str = r#"{
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  "id": "urn:uuid:5d9a1c2e-0a4b-4f7e-9d61-3c1f00000002",
  "type": ["VerifiableCredential", "UniversityDegreeCredential"],
  "issuer": "did:example:replaced-by-the-signer",
  "validFrom": "2026-01-15T09:00:00Z",
  "credentialSubject": {
    "id": "did:example:ada",
    "name": "Ada Lovelace",
    "degree": {"type": "BachelorDegree", "name": "BSc Mathematics"}
  }
}"#;

/// Signs `credential` with panva `jose` (`command` is `sign` or `sign-jwt`) and returns the JWT.
fn panva(scratch: &Scratch, command: &str, key: &str, did: &str, credential: &str) -> String {
    scratch.write("credential.json", credential);
    let out = jose(&[
        command,
        "--key",
        &path(scratch, key),
        "--did",
        did,
        &path(scratch, "credential.json"),
    ])
    .expect_code(0);
    out.stdout.trim().to_owned()
}

fn claims_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[test]
fn a_panva_vc_jwt_of_vcdm_1_1_verifies_in_sigil_and_every_forgery_fails() {
    let scratch = Scratch::new();
    for (alg, did) in [("EdDSA", "key"), ("ES256", "key"), ("ES256", "jwk")] {
        library_key(&scratch, jose, alg, "issuer.jwk");
        let jwt = panva(&scratch, "sign-jwt", "issuer.jwk", did, DIPLOMA_V1);
        // The library wrote the 1.1 shape: the properties are claims, and not in `vc`.
        let claims = claims_of(&jwt);
        assert_eq!(claims["sub"], "did:example:ada", "{claims:#}");
        assert!(claims["vc"].get("issuer").is_none(), "{claims:#}");
        assert!(claims["vc"].get("issuanceDate").is_none(), "{claims:#}");

        let (code, report) = verify_in_sigil(&scratch, &jwt, &[]);
        assert_eq!(code, Some(0), "{alg} did:{did}: {report:#}");
        assert_eq!(report["issuer"], claims["iss"], "{report:#}");
        assert_eq!(report["claims"]["name"], "Ada Lovelace", "{report:#}");

        let forged_alg = if alg == "EdDSA" { "EdDSB" } else { "ES257" };
        assert_every_forgery_fails(
            &scratch,
            &jwt,
            [
                (Part::Payload, "Ada Lovelace", "Ada Lovelacf"),
                (Part::Signature, "", ""),
                (Part::Header, alg, forged_alg),
            ],
        );
    }
}

#[test]
fn a_panva_vc_jwt_of_vcdm_1_1_holding_a_vcdm_2_0_credential_verifies_in_sigil() {
    let scratch = Scratch::new();
    library_key(&scratch, jose, "ES256", "issuer.jwk");
    let jwt = panva(&scratch, "sign-jwt", "issuer.jwk", "jwk", DIPLOMA_V2);
    assert!(claims_of(&jwt)["vc"].get("validFrom").is_none());
    let (code, report) = verify_in_sigil(&scratch, &jwt, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(outcome(&report, "validity"), "passed", "{report:#}");
}

#[test]
fn panva_es256_vc_jwts_verify_in_sigil_and_every_forgery_fails() {
    let scratch = Scratch::new();
    library_key(&scratch, jose, "ES256", "issuer.jwk");
    for did in ["key", "jwk"] {
        let jwt = panva(&scratch, "sign", "issuer.jwk", did, DIPLOMA_V2);
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["typ"], "vc+jwt");

        let (code, report) = verify_in_sigil(&scratch, &jwt, &[]);
        assert_eq!(code, Some(0), "did:{did}: {report:#}");
        assert!(
            report["issuer"]
                .as_str()
                .unwrap()
                .starts_with(&format!("did:{did}:")),
            "{report:#}"
        );
        assert_every_forgery_fails(
            &scratch,
            &jwt,
            [
                (Part::Payload, "Ada Lovelace", "Ada Lovelacf"),
                (Part::Signature, "", ""),
                (Part::Header, "ES256", "ES257"),
            ],
        );
    }
}

#[test]
fn an_openwallet_es256_sd_jwt_vc_with_an_es256_key_binding_verifies_in_sigil_and_every_forgery_fails() {
    let scratch = Scratch::new();
    library_key(&scratch, sdjwt, "ES256", "issuer.jwk");
    library_key(&scratch, sdjwt, "ES256", "holder.jwk");
    let mut holder_public: Value = serde_json::from_str(&scratch.read("holder.jwk")).unwrap();
    holder_public.as_object_mut().unwrap().remove("d");
    scratch.write("holder.pub.jwk", &holder_public.to_string());
    scratch.write(
        "claims.json",
        &json!({"name": "Grace Hopper", "studentId": "S-1906", "dateOfBirth": "1906-12-09"}).to_string(),
    );
    let issued = sdjwt(&[
        "issue",
        "--issuer-key",
        &path(&scratch, "issuer.jwk"),
        "--holder-jwk",
        &path(&scratch, "holder.pub.jwk"),
        "--claims",
        &path(&scratch, "claims.json"),
        "--sd",
        "studentId,dateOfBirth",
        "--vct",
        "https://w3id.org/sigil/types/UniversityDegreeCredential",
    ])
    .expect_code(0);
    scratch.write("issued.sd-jwt", issued.stdout.trim());
    let presented = sdjwt(&[
        "present",
        "--holder-key",
        &path(&scratch, "holder.jwk"),
        "--disclose",
        "studentId",
        "--nonce",
        "nonce-es256",
        "--aud",
        "https://verifier.example",
        &path(&scratch, "issued.sd-jwt"),
    ])
    .expect_code(0);
    let presentation = presented.stdout.trim().to_owned();
    let binding = ["--nonce", "nonce-es256", "--audience", "https://verifier.example"];

    let (code, report) = verify_in_sigil(&scratch, &presentation, &binding);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["claims"]["studentId"], "S-1906", "{report:#}");
    assert!(report["claims"].get("dateOfBirth").is_none(), "{report:#}");
    assert!(
        report["issuer"].as_str().unwrap().starts_with("did:key:zDn"),
        "{report:#}"
    );
    assert_eq!(outcome(&report, "holder_binding"), "passed", "{report:#}");

    // The issuer-signed JWT: payload, signature and header.
    let (issuer_jwt, rest) = presentation.split_once('~').unwrap();
    for (part, from, to) in [
        (
            Part::Payload,
            "UniversityDegreeCredential",
            "UniversityDegreeCredentiaX",
        ),
        (Part::Signature, "", ""),
        (Part::Header, "ES256", "ES257"),
    ] {
        let forged = format!("{}~{rest}", change_one_character(issuer_jwt, part, from, to));
        let (code, report) = verify_in_sigil(&scratch, &forged, &binding);
        assert_eq!(code, Some(1), "{part:?}: {report:#}");
        assert_eq!(outcome(&report, "proof"), "failed", "{part:?}: {report:#}");
    }
    // The holder's KB-JWT: payload, signature and header.
    let (presented_part, kb_jwt) = presentation.rsplit_once('~').unwrap();
    for (part, from, to) in [
        (Part::Payload, "nonce-es256", "nonce-es257"),
        (Part::Signature, "", ""),
        (Part::Header, "ES256", "ES257"),
    ] {
        let forged = format!(
            "{presented_part}~{}",
            change_one_character(kb_jwt, part, from, to)
        );
        let (code, report) = verify_in_sigil(&scratch, &forged, &binding);
        assert_eq!(code, Some(1), "{part:?}: {report:#}");
        assert_eq!(
            outcome(&report, "holder_binding"),
            "failed",
            "{part:?}: {report:#}"
        );
    }
}
