//! A university on a registry, as most end-to-end tests need it: a registry process, an
//! institution set up with `sigil-issuer init` and accredited by the registry's root of trust
//! for both built-in types, its service running, and an API token; and, as in
//! `scripts/run.sh`, the verifier whose data directory is `verifier/` accredited as a verifier
//! for diplomas.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test helper fails the test by panicking"
)]

use serde_json::{Value, json};
use sigil_core::did::Did;
use sigil_core::issue::{CredentialFormat, CredentialRequest};
use sigil_core::key::SigningKey;
use sigil_core::model::CredentialType;
use sigil_core::time::Timestamp;

use crate::{IssuerProcess, Outcome, RegistryProcess, Scratch, TEST_PASSPHRASE, binary, run};

/// A registry, an accredited university set up on it, its service and an API token, and an
/// accredited verifier's key in `verifier/`.
#[derive(Debug)]
pub struct Stack {
    pub scratch: Scratch,
    pub registry: RegistryProcess,
    pub issuer: IssuerProcess,
    pub token: String,
    pub http: reqwest::Client,
}

/// Runs a Sigil binary with the test passphrase.
pub fn command(name: &str, args: &[&str]) -> Outcome {
    run(std::process::Command::new(binary(name))
        .args(args)
        .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE))
}

impl Stack {
    pub fn start() -> Stack {
        Self::start_with("")
    }

    /// Starts the stack with `setting` (`key = value`) replacing that key's line in the
    /// `[service]` table of `issuer.toml`.
    pub fn start_with(setting: &str) -> Stack {
        Self::start_on(setting, 1)
    }

    /// Starts the stack on a registry of `nodes` nodes (docs/consensus.md); the university's
    /// issuer is given every node.
    pub fn start_on_nodes(nodes: usize) -> Stack {
        Self::start_on("", nodes)
    }

    fn start_on(setting: &str, nodes: usize) -> Stack {
        let scratch = Scratch::new();
        let registry_dir = scratch.path("registry");
        let registry = match nodes {
            1 => RegistryProcess::start(&registry_dir),
            _ => RegistryProcess::start_nodes(&registry_dir, nodes),
        };
        let university = scratch.path("university");
        let university = university.to_str().unwrap();
        let did = command(
            "sigil-issuer",
            &[
                "init",
                "--data-dir",
                university,
                "--registry",
                &registry.nodes,
                "--name",
                "Example University",
            ],
        )
        .expect_code(0)
        .stdout
        .trim()
        .to_owned();
        command(
            "sigil-registry",
            &[
                "accredit",
                "--registry",
                registry.url.as_str(),
                "--keys",
                registry_dir.to_str().unwrap(),
                "--issuer",
                &did,
                "--name",
                "Example University",
                "--name",
                "zh-CN=示例大学",
                "--types",
                "UniversityDegreeCredential,https://w3id.org/sigil/types/UniversityDegreeCredential,\
                 ProductInspectionCertificate,https://w3id.org/sigil/types/ProductInspectionCertificate",
                "--from",
                "2026-01-01T00:00:00Z",
            ],
        )
        .expect_code(0);
        let token = command(
            "sigil-issuer",
            &["token", "create", "--data-dir", university, "--label", "tests"],
        )
        .expect_code(0)
        .stdout
        .trim()
        .to_owned();
        if let Some((key, _)) = setting.split_once(" = ") {
            let config: Vec<String> = scratch
                .read("university/issuer.toml")
                .lines()
                .map(|line| {
                    if line.starts_with(&format!("{key} =")) {
                        setting.to_owned()
                    } else {
                        line.to_owned()
                    }
                })
                .collect();
            scratch.write("university/issuer.toml", &config.join("\n"));
        }
        let issuer = IssuerProcess::start(&scratch.path("university"));
        let stack = Stack {
            scratch,
            registry,
            issuer,
            token,
            http: reqwest::Client::new(),
        };
        // The verifier the tests start in `verifier/` is accredited, as run.sh's employer is.
        stack.accredit_verifier(&stack.scratch.path("verifier"));
        stack
    }

    /// Accredits the verifier whose data directory is `verifier_dir` (its key made there if
    /// missing, as `sigil-verifier did` does) as a verifier for diplomas, as `scripts/run.sh`
    /// does for the employer's verifier; returns its DID.
    pub fn accredit_verifier(&self, verifier_dir: &std::path::Path) -> String {
        let verifier_dir = verifier_dir.to_str().unwrap();
        let did = command("sigil-verifier", &["did", "--data-dir", verifier_dir])
            .expect_code(0)
            .stdout
            .trim()
            .to_owned();
        let registry_dir = self.scratch.path("registry");
        command(
            "sigil-registry",
            &[
                "accredit",
                "--registry",
                self.registry.url.as_str(),
                "--keys",
                registry_dir.to_str().unwrap(),
                "--verifier",
                &did,
                "--name",
                "Example Employer",
                "--name",
                "zh-CN=示例雇主",
                "--types",
                "UniversityDegreeCredential,https://w3id.org/sigil/types/UniversityDegreeCredential",
                "--from",
                "2026-01-01T00:00:00Z",
            ],
        )
        .expect_code(0);
        did
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer.url.as_str().trim_end_matches('/'), path)
    }

    /// POSTs JSON to the API with the token; returns status and body.
    pub async fn api(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    pub async fn get_api(&self, path: &str) -> Value {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Offers the sample diploma in `format`; returns the API's answer.
    pub async fn offer(&self, format: &str) -> Value {
        let claims: Value = serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
        self.offer_of("UniversityDegreeCredential", &claims, format).await
    }

    pub async fn offer_of(&self, type_name: &str, claims: &Value, format: &str) -> Value {
        let (status, offer) = self
            .api(
                "/api/offers",
                &json!({"type": type_name, "claims": claims, "format": format}),
            )
            .await;
        assert_eq!(status, 201, "{offer:#}");
        offer
    }

    /// Verifies a credential file with `sigil-verifier verify --registry`.
    pub fn verify(&self, name: &str, credential: &Value) -> Outcome {
        let text = match credential {
            Value::String(text) => text.clone(),
            other => serde_json::to_string_pretty(other).unwrap(),
        };
        let file = self.scratch.write(name, &text);
        command(
            "sigil-verifier",
            &[
                "verify",
                file.to_str().unwrap(),
                "--registry",
                self.registry.url.as_str(),
            ],
        )
    }

    /// The university's DID, from its `issuer.toml`.
    pub fn university_did(&self) -> Did {
        let config = self.scratch.read("university/issuer.toml");
        let line = config.lines().find(|l| l.starts_with("did = ")).unwrap();
        Did::parse(line.trim_start_matches("did = ").trim_matches('"')).unwrap()
    }

    /// The fragment of the key the university signs with now.
    pub fn university_signing_fragment(&self) -> String {
        let config = self.scratch.read("university/issuer.toml");
        let line = config.lines().find(|l| l.starts_with("signing_key = ")).unwrap();
        line.trim_start_matches("signing_key = ")
            .trim_matches('"')
            .to_owned()
    }

    /// The university's cold pre-rotation key, which `init` wrote beside its data directory.
    pub fn university_cold_key(&self) -> SigningKey {
        sigil_core::keystore::read(&self.scratch.path("university.next.key"), TEST_PASSPHRASE).unwrap()
    }

    /// One of the university's key files (`keys/key-1.key`, `keys/controller.key`, …),
    /// opened with the test passphrase.
    pub fn university_key(&self, file: &str) -> SigningKey {
        sigil_core::keystore::read(&self.scratch.path(&format!("university/{file}")), TEST_PASSPHRASE)
            .unwrap()
    }

    /// The sample diploma for `subject`, signed outside the issuer service with `key` as the
    /// university's `#fragment` — to make credentials the service would not (backdated,
    /// expired, signed with a stolen key).
    pub async fn diploma_signed_with(
        &self,
        key: &SigningKey,
        fragment: &str,
        subject: &Did,
        format: CredentialFormat,
        valid: (Timestamp, Option<Timestamp>),
        signed_at: Timestamp,
    ) -> Value {
        let did = self.university_did();
        let request = CredentialRequest {
            credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
            issuer: did.clone(),
            subject: Some(subject.clone()),
            claims: serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap(),
            valid_from: valid.0,
            valid_until: valid.1,
            status: None,
            schema: None,
            holder_key: None,
        };
        let text = request
            .issue(format, key, &format!("{did}#{fragment}"), signed_at)
            .await
            .unwrap();
        match format {
            CredentialFormat::LdpVc => serde_json::from_str(&text).unwrap(),
            _ => Value::String(text),
        }
    }
}
