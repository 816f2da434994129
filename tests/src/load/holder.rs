//! A light holder for the load programs' clients, in process: its own `did:key`, the OpenID4VCI
//! pre-authorized code flow (offer by reference, metadata, token with the PIN, nonce,
//! `openid4vci-proof+jwt`, credential) and the OpenID4VP `direct_post` answer (request object,
//! a presentation bound to the verifier's nonce and client id, in the credential's format).
//!
//! It is the wallet's protocol work without the wallet's storage, so that many clients can
//! share two cores (in the soak, the real wallet takes part through its UI). Unlike
//! `sigil_tests::wallet_client`, every step returns an error instead of panicking: the soak
//! counts errors, it does not stop at the first.

use anyhow::{Context as _, bail};
use serde_json::{Value, json};
use sigil_core::did::Did;
use sigil_core::key::SigningKey;
use sigil_core::{issue, jose, sd_jwt};

use super::http::{Http, text};

/// The formats the soak issues and presents, in turn.
pub const FORMATS: [&str; 3] = ["dc+sd-jwt", "vc+jwt", "ldp_vc"];

/// A credential the holder received.
#[derive(Debug, Clone)]
pub struct Held {
    /// The issuer's id for it (to revoke it).
    pub id: String,
    pub format: &'static str,
    /// The credential as issued: a string (JWT, SD-JWT) or a JSON object (Data Integrity).
    pub credential: Value,
}

/// One holder: a key and its `did:key`.
#[derive(Debug)]
pub struct Holder {
    key: SigningKey,
    did: Did,
    method: String,
    http: Http,
}

impl Holder {
    pub fn new(http: Http) -> Self {
        let key = SigningKey::generate();
        Holder {
            did: key.did_key(),
            method: key.did_key_method(),
            key,
            http,
        }
    }

    /// Walks the pre-authorized code flow from `offer_uri` with `pin`; returns the credential.
    pub async fn receive(&self, offer_uri: &str, pin: &str) -> anyhow::Result<Value> {
        let uri = url::Url::parse(offer_uri)?;
        let (_, by_reference) = uri
            .query_pairs()
            .find(|(k, _)| k == "credential_offer_uri")
            .context("the offer URI has no credential_offer_uri")?;
        let http = &self.http;
        let offer = http.json(http.client.get(by_reference.as_ref()), 200).await?;
        let issuer = text(&offer, "/credential_issuer")?;
        let metadata = http
            .json(
                http.client
                    .get(format!("{issuer}/.well-known/openid-credential-issuer")),
                200,
            )
            .await?;
        let code = text(
            &offer,
            "/grants/urn:ietf:params:oauth:grant-type:pre-authorized_code/pre-authorized_code",
        )?;
        let form = [
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            ),
            ("pre-authorized_code", code.as_str()),
            ("tx_code", pin),
        ];
        let token = http
            .json(http.client.post(format!("{issuer}/token")).form(&form), 200)
            .await?;
        let access_token = text(&token, "/access_token")?;
        let nonce = http
            .json(http.client.post(text(&metadata, "/nonce_endpoint")?), 200)
            .await?;
        let claims = json!({
            "aud": issuer,
            "iat": sigil_core::time::now().timestamp(),
            "nonce": text(&nonce, "/c_nonce")?,
        });
        let proof = jose::sign_compact(&claims, "openid4vci-proof+jwt", &self.method, &self.key)?;
        let body = json!({
            "credential_configuration_id": text(&offer, "/credential_configuration_ids/0")?,
            "proofs": {"jwt": [proof]},
        });
        let answer = http
            .json(
                http.client
                    .post(text(&metadata, "/credential_endpoint")?)
                    .bearer_auth(access_token)
                    .json(&body),
                200,
            )
            .await?;
        answer
            .pointer("/credentials/0/credential")
            .cloned()
            .with_context(|| format!("no credential in {answer}"))
    }

    /// Answers the request at `request_uri` (`openid4vp://…`) with `held`, by `direct_post`.
    pub async fn present(&self, request_uri: &str, held: &Held) -> anyhow::Result<()> {
        let uri = url::Url::parse(request_uri)?;
        let (_, object_url) = uri
            .query_pairs()
            .find(|(k, _)| k == "request_uri")
            .context("the request URI has no request_uri")?;
        let http = &self.http;
        let jwt = http.send(http.client.get(object_url.as_ref()), 200).await?.body;
        let object = jose::decode_unverified(jwt.trim())?.payload;
        let nonce = text(&object, "/nonce")?;
        let client_id = text(&object, "/client_id")?;
        let query_id = text(&object, "/dcql_query/credentials/0/id")?;
        let presentation = self.presentation(held, &nonce, &client_id).await?;
        let vp_token = json!({ query_id: [presentation] }).to_string();
        let mut form = vec![("vp_token", vp_token)];
        if let Ok(state) = text(&object, "/state") {
            form.push(("state", state));
        }
        http.send(http.client.post(text(&object, "/response_uri")?).form(&form), 200)
            .await?;
        Ok(())
    }

    /// A presentation of `held` bound to `nonce` and `audience`, in its own format; an SD-JWT
    /// discloses the name and the degree only.
    async fn presentation(&self, held: &Held, nonce: &str, audience: &str) -> anyhow::Result<Value> {
        let now = sigil_core::time::now();
        let as_text = || held.credential.as_str().context("the credential is not a string");
        Ok(match held.format {
            "dc+sd-jwt" => Value::String(sd_jwt::present(
                as_text()?,
                &["name", "degree"],
                &self.key,
                nonce,
                audience,
                now,
            )?),
            "vc+jwt" => Value::String(issue::jwt_presentation(
                &[as_text()?],
                &self.did,
                &self.key,
                &self.method,
                nonce,
                audience,
                now,
            )?),
            "ldp_vc" => {
                issue::data_integrity_presentation(
                    vec![held.credential.clone()],
                    &self.did,
                    &self.key,
                    &self.method,
                    nonce,
                    audience,
                    now,
                )
                .await?
            }
            other => bail!("the light holder does not present {other}"),
        })
    }
}
