//! A minimal OpenID4VCI wallet for the issuer's tests: it walks the pre-authorized code flow
//! from an offer URI as a wallet would — offer by reference, metadata, token with the PIN,
//! nonce, `openid4vci-proof+jwt`, credential — and lets tests send each request on its own
//! to provoke each refusal.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::new_without_default,
    reason = "a test client fails the test by panicking"
)]

use serde_json::{Value, json};
use sigil_core::jose;
use sigil_core::key::SigningKey;

/// The wallet side of the flow, as a wallet would walk it from the offer URI.
#[derive(Debug)]
pub struct TestWallet {
    pub key: SigningKey,
    http: reqwest::Client,
}

/// Where the flow stands after the token request.
#[derive(Debug)]
pub struct Granted {
    pub metadata: Value,
    pub configuration_id: String,
    pub access_token: String,
}

impl TestWallet {
    pub fn new() -> Self {
        TestWallet {
            key: SigningKey::generate(),
            http: reqwest::Client::new(),
        }
    }

    /// Resolves the offer URI and fetches the offer and the issuer's metadata.
    pub async fn open_offer(&self, offer_uri: &str) -> (Value, Value) {
        let uri = url::Url::parse(offer_uri).unwrap();
        assert_eq!(uri.scheme(), "openid-credential-offer");
        let (_, by_reference) = uri
            .query_pairs()
            .find(|(k, _)| k == "credential_offer_uri")
            .unwrap();
        let offer: Value = self
            .http
            .get(by_reference.as_ref())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let issuer = offer["credential_issuer"].as_str().unwrap();
        let metadata: Value = self
            .http
            .get(format!("{issuer}/.well-known/openid-credential-issuer"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (offer, metadata)
    }

    /// The token request; returns the HTTP status and body.
    pub async fn token(&self, metadata: &Value, form: &[(&str, &str)]) -> (u16, Value) {
        let issuer = metadata["credential_issuer"].as_str().unwrap();
        let response = self
            .http
            .post(format!("{issuer}/token"))
            .form(form)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    pub async fn redeem(&self, offer_uri: &str, pin: &str) -> Granted {
        let (offer, metadata) = self.open_offer(offer_uri).await;
        let code =
            offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
                .as_str()
                .unwrap();
        let (status, token) = self
            .token(
                &metadata,
                &[
                    (
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                    ),
                    ("pre-authorized_code", code),
                    ("tx_code", pin),
                ],
            )
            .await;
        assert_eq!(status, 200, "{token:#}");
        Granted {
            configuration_id: offer["credential_configuration_ids"][0]
                .as_str()
                .unwrap()
                .to_owned(),
            metadata,
            access_token: token["access_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn nonce(&self, metadata: &Value) -> String {
        let answer: Value = self
            .http
            .post(metadata["nonce_endpoint"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["c_nonce"].as_str().unwrap().to_owned()
    }

    pub fn proof(&self, audience: &str, nonce: &str) -> String {
        let claims = json!({"aud": audience, "iat": sigil_core::time::now().timestamp(), "nonce": nonce});
        jose::sign_compact(
            &claims,
            "openid4vci-proof+jwt",
            &self.key.did_key_method(),
            &self.key,
        )
        .unwrap()
    }

    /// The credential request with `proof`; returns the HTTP status and body.
    pub async fn request(&self, granted: &Granted, proof: &str) -> (u16, Value) {
        let response = self
            .http
            .post(granted.metadata["credential_endpoint"].as_str().unwrap())
            .bearer_auth(&granted.access_token)
            .json(&json!({
                "credential_configuration_id": granted.configuration_id,
                "proofs": {"jwt": [proof]},
            }))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// The whole flow: offer, token, nonce, proof, credential.
    pub async fn receive(&self, offer_uri: &str, pin: &str) -> Value {
        let granted = self.redeem(offer_uri, pin).await;
        let nonce = self.nonce(&granted.metadata).await;
        let audience = granted.metadata["credential_issuer"].as_str().unwrap();
        let (status, answer) = self.request(&granted, &self.proof(audience, &nonce)).await;
        assert_eq!(status, 200, "{answer:#}");
        answer["credentials"][0]["credential"].clone()
    }
}
