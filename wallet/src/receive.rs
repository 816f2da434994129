//! Receiving a credential over OpenID4VCI 1.0 (pre-authorized code flow): from the offer URI
//! to the issuer's metadata, the token (with the PIN), a nonce, a proof of possession of the
//! holder key, and the credential — which is verified (signature, issuer key as of signing,
//! status, that it is bound to this holder) before it is stored exactly as received. Every URL
//! the offer and the issuer name goes through [`Targets`].

use serde_json::{Value, json};
use sigil_core::http_client::{self, FetchError, MAX_RESPONSE_BYTES};
use sigil_core::jose;
use sigil_core::verify::{Expectations, Outcome, VerificationReport, check_id};

pub mod labels;

use crate::holder::Holder;
use crate::store::{CheckLine, CredentialRecord, HistoryEntry, HistoryEvent, Store, credential};
use crate::targets::{Refused, SendError, Targets};
use crate::verification;

/// The grant type of the pre-authorized code flow.
const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

/// Why a credential was not received.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// The offer URI or something the issuer sent is not what OpenID4VCI says.
    #[error("{0}")]
    Protocol(String),
    /// The issuer refused (an OAuth error with its description).
    #[error("the issuer refused: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        error: String,
        description: Option<String>,
    },
    /// The issuer or registry could not be reached.
    #[error("{0}")]
    Unavailable(String),
    /// The credential does not verify; nothing was stored.
    #[error("the credential was refused and not stored: {0}")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<FetchError> for ReceiveError {
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::Unavailable(reason) => ReceiveError::Unavailable(reason),
            FetchError::Invalid(reason) => ReceiveError::Protocol(reason),
        }
    }
}

impl From<Refused> for ReceiveError {
    fn from(error: Refused) -> Self {
        ReceiveError::Protocol(error.to_string())
    }
}

impl From<SendError> for ReceiveError {
    fn from(error: SendError) -> Self {
        match error {
            SendError::Unreachable(reason) => ReceiveError::Unavailable(reason),
            refused @ (SendError::Refused(_) | SendError::Redirected { .. }) => {
                ReceiveError::Protocol(refused.to_string())
            }
        }
    }
}

/// What was received.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub type_name: String,
    pub issuer: String,
    pub issuer_name: String,
    pub accreditation: Option<String>,
    pub claims: Value,
}

/// An offer, resolved: the offer object and the issuer's metadata.
#[derive(Debug, Clone)]
pub struct OfferDetails {
    pub credential_issuer: String,
    pub issuer_name: String,
    pub configuration_id: String,
    pub configuration: Value,
    pub pre_authorized_code: String,
    pub needs_tx_code: bool,
    metadata: Value,
}

/// Reads a JSON answer, turning an OAuth error body into [`ReceiveError::Refused`].
async fn json_answer(response: reqwest::Response) -> Result<Value, ReceiveError> {
    let status = response.status();
    let body = http_client::read_limited(response, MAX_RESPONSE_BYTES).await?;
    let text = String::from_utf8_lossy(&body);
    let value = sigil_core::json::parse(&text).ok();
    if status.is_success() {
        return value.ok_or_else(|| {
            ReceiveError::Protocol(format!(
                "the issuer sent something that is not JSON (HTTP {status})"
            ))
        });
    }
    match value
        .as_ref()
        .and_then(|v| v.get("error"))
        .and_then(Value::as_str)
    {
        Some(error) => Err(ReceiveError::Refused {
            error: error.to_owned(),
            description: value
                .as_ref()
                .and_then(|v| v.get("error_description"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        }),
        None if status.is_server_error() => Err(ReceiveError::Unavailable(format!(
            "the issuer answered HTTP {status}"
        ))),
        None => Err(ReceiveError::Protocol(format!(
            "the issuer answered HTTP {status}"
        ))),
    }
}

async fn get(targets: &Targets, url: url::Url) -> Result<Value, ReceiveError> {
    json_answer(targets.send(targets.http().get(url)).await?).await
}

fn text_at<'a>(value: &'a Value, pointer: &str, what: &str) -> Result<&'a str, ReceiveError> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| ReceiveError::Protocol(format!("the issuer's {what} lacks {pointer}")))
}

/// Fetches the offer and the issuer's metadata.
pub async fn open_offer(targets: &Targets, offer_uri: &str) -> Result<OfferDetails, ReceiveError> {
    let uri = url::Url::parse(offer_uri.trim())
        .map_err(|e| ReceiveError::Protocol(format!("not a credential offer URI: {e}")))?;
    if uri.scheme() != "openid-credential-offer" {
        return Err(ReceiveError::Protocol(format!(
            "a credential offer starts with openid-credential-offer://, not {}://",
            uri.scheme()
        )));
    }
    let pair = |name: &str| {
        uri.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let offer = match (pair("credential_offer_uri"), pair("credential_offer")) {
        (Some(by_reference), None) => get(targets, targets.url(&by_reference)?).await?,
        (None, Some(by_value)) => sigil_core::json::parse(&by_value)
            .map_err(|e| ReceiveError::Protocol(format!("credential_offer: {e}")))?,
        _ => {
            return Err(ReceiveError::Protocol(
                "the offer URI must carry credential_offer_uri or credential_offer".into(),
            ));
        }
    };
    let credential_issuer = text_at(&offer, "/credential_issuer", "offer")?
        .trim_end_matches('/')
        .to_owned();
    let issuer_url = targets.url(&credential_issuer)?;
    let metadata = get(targets, well_known(&issuer_url, "openid-credential-issuer")?).await?;
    if text_at(&metadata, "/credential_issuer", "metadata")?.trim_end_matches('/') != credential_issuer {
        return Err(ReceiveError::Protocol(
            "the issuer's metadata names another credential issuer than the offer".into(),
        ));
    }
    let configuration_id = text_at(&offer, "/credential_configuration_ids/0", "offer")?.to_owned();
    let configuration = metadata
        .get("credential_configurations_supported")
        .and_then(|c| c.get(&configuration_id))
        .cloned()
        .ok_or_else(|| {
            ReceiveError::Protocol(format!(
                "the issuer's metadata does not describe {configuration_id}"
            ))
        })?;
    let grant = offer
        .pointer(&format!(
            "/grants/{}",
            PRE_AUTHORIZED_GRANT.replace('~', "~0").replace('/', "~1")
        ))
        .ok_or_else(|| ReceiveError::Protocol("the offer has no pre-authorized code grant".into()))?;
    let pre_authorized_code = text_at(grant, "/pre-authorized_code", "offer")?.to_owned();
    let issuer_name = metadata
        .pointer("/display/0/name")
        .and_then(Value::as_str)
        .unwrap_or(&credential_issuer)
        .to_owned();
    Ok(OfferDetails {
        credential_issuer,
        issuer_name,
        configuration_id,
        configuration,
        pre_authorized_code,
        needs_tx_code: grant.get("tx_code").is_some(),
        metadata,
    })
}

/// `https://host/.well-known/NAME/path` for an identifier `https://host/path` (RFC 8414 §3).
fn well_known(identifier: &url::Url, name: &str) -> Result<url::Url, ReceiveError> {
    let mut url = identifier.clone();
    let path = identifier.path().trim_end_matches('/');
    url.set_path(&format!("/.well-known/{name}{path}"));
    Ok(url)
}

/// Walks the flow for `offer` with `tx_code`, verifies what comes back and stores it.
pub async fn receive(
    targets: &Targets,
    holder: &Holder,
    store: &Store,
    offer: &OfferDetails,
    tx_code: Option<&str>,
) -> Result<Received, ReceiveError> {
    if offer.needs_tx_code && tx_code.is_none() {
        return Err(ReceiveError::Protocol(
            "this offer needs the PIN the issuer gave you (--tx-code)".into(),
        ));
    }
    // The issuer's own URL must be one the wallet may reach, whoever serves its tokens.
    targets.url(&offer.credential_issuer)?;
    let access_token = redeem(targets, offer, tx_code).await?;
    let proof = key_proof(targets, holder, offer).await?;
    let credential_endpoint = targets.url(text_at(&offer.metadata, "/credential_endpoint", "metadata")?)?;
    let request = targets
        .http()
        .post(credential_endpoint)
        .bearer_auth(access_token)
        .json(&json!({
            "credential_configuration_id": offer.configuration_id,
            "proofs": {"jwt": [proof]},
        }));
    let answer = json_answer(targets.send(request).await?).await?;
    let credential = match answer.pointer("/credentials/0/credential") {
        Some(Value::String(text)) => text.clone(),
        Some(object @ Value::Object(_)) => {
            serde_json::to_string_pretty(object).map_err(|e| ReceiveError::Internal(e.into()))?
        }
        _ => {
            return Err(ReceiveError::Protocol(
                "the credential response holds no credential".into(),
            ));
        }
    };
    accept(holder, store, &credential, offer).await
}

/// The token endpoint: the first authorization server's, else the issuer's own (OpenID4VCI
/// 1.0 §12.2.4, RFC 8414).
async fn token_endpoint(targets: &Targets, offer: &OfferDetails) -> Result<url::Url, ReceiveError> {
    let server = match offer
        .metadata
        .pointer("/authorization_servers/0")
        .and_then(Value::as_str)
    {
        Some(server) => targets.url(server)?,
        None => targets.url(&offer.credential_issuer)?,
    };
    let metadata = get(targets, well_known(&server, "oauth-authorization-server")?).await?;
    Ok(targets.url(text_at(
        &metadata,
        "/token_endpoint",
        "authorization server metadata",
    )?)?)
}

/// Exchanges the offer's pre-authorized code (and PIN) for an access token.
async fn redeem(
    targets: &Targets,
    offer: &OfferDetails,
    tx_code: Option<&str>,
) -> Result<String, ReceiveError> {
    let token_endpoint = token_endpoint(targets, offer).await?;
    let mut form = vec![
        ("grant_type", PRE_AUTHORIZED_GRANT),
        ("pre-authorized_code", offer.pre_authorized_code.as_str()),
    ];
    if let Some(tx_code) = tx_code {
        form.push(("tx_code", tx_code));
    }
    let token = json_answer(
        targets
            .send(targets.http().post(token_endpoint).form(&form))
            .await?,
    )
    .await?;
    Ok(text_at(&token, "/access_token", "token response")?.to_owned())
}

/// The proof of possession of the holder's key, over a fresh nonce from the issuer.
async fn key_proof(targets: &Targets, holder: &Holder, offer: &OfferDetails) -> Result<String, ReceiveError> {
    let nonce_endpoint = targets.url(text_at(&offer.metadata, "/nonce_endpoint", "metadata")?)?;
    let nonce = json_answer(targets.send(targets.http().post(nonce_endpoint)).await?).await?;
    let nonce = text_at(&nonce, "/c_nonce", "nonce response")?;
    let claims = json!({
        "aud": offer.credential_issuer,
        "iat": sigil_core::time::now().timestamp(),
        "nonce": nonce,
    });
    jose::sign_compact(&claims, "openid4vci-proof+jwt", &holder.method, &holder.key)
        .map_err(|e| ReceiveError::Internal(e.into()))
}

/// Verifies a received credential and stores it, or refuses it with the reason.
async fn accept(
    holder: &Holder,
    store: &Store,
    credential: &str,
    offer: &OfferDetails,
) -> Result<Received, ReceiveError> {
    let report = verification::verify(holder, credential, &Expectations::default())
        .await
        .map_err(|e| match e {
            verification::Failure::CouldNotCheck(reason) => ReceiveError::Unavailable(format!(
                "the credential could not be checked, so it was not stored: {reason}"
            )),
        })?;
    judge(&report, credential, holder)?;
    let accreditation = report
        .checks
        .iter()
        .find(|c| c.id == check_id::TRUST && c.outcome == Outcome::Passed)
        .map(|c| c.message.clone());
    let type_name = report
        .types
        .iter()
        .find(|t| *t != "VerifiableCredential")
        .cloned()
        .unwrap_or_default();
    let issuer = report.issuer.clone().unwrap_or_default();
    let id = uuid::Uuid::new_v4().to_string();
    let record = CredentialRecord {
        credential: credential.to_owned(),
        claims: report.claims.clone().unwrap_or(Value::Null),
        accreditation: accreditation.clone(),
        issuer_legal_name: report
            .issuer_name
            .as_ref()
            .filter(|shown| shown.is_vouched())
            .map(|shown| shown.name.clone()),
        accreditor_name: report.accredited_by.as_ref().and_then(|by| by.name.clone()),
        claim_labels: labels::claims(&offer.configuration),
        type_names: labels::type_names(&offer.configuration),
        checks: check_lines(&report),
    };
    let now = sigil_core::time::now().timestamp();
    let row = credential::Model {
        id: id.clone(),
        format: report.format.name().to_owned(),
        type_name: type_name.clone(),
        issuer: issuer.clone(),
        issuer_name: offer.issuer_name.clone(),
        received_at: now,
        valid_until: verification::valid_until(credential),
        sealed: String::new(),
    };
    store
        .insert_credential(&holder.vault, row, &record)
        .await
        .map_err(anyhow::Error::from)?;
    store
        .add_history(
            &holder.vault,
            &HistoryEntry {
                at: now,
                event: HistoryEvent::Received,
                party: offer.credential_issuer.clone(),
                credential_id: Some(id.clone()),
                claims: vec![],
            },
        )
        .await
        .map_err(anyhow::Error::from)?;
    Ok(Received {
        id,
        type_name,
        issuer,
        issuer_name: offer.issuer_name.clone(),
        accreditation,
        claims: record.claims,
    })
}

/// Whether a verified credential may be stored: every check passed — the wallet judges the
/// credential, not the issuer's standing, so accreditation is shown and left to verifiers'
/// policies — and it is issued to this wallet.
fn judge(report: &VerificationReport, credential: &str, holder: &Holder) -> Result<(), ReceiveError> {
    let failures: Vec<String> = report
        .failures()
        .into_iter()
        .filter(|(_, check)| check.id != check_id::TRUST)
        .map(|(_, check)| check.message.clone())
        .collect();
    if !failures.is_empty() {
        return Err(ReceiveError::Invalid(failures.join(" ")));
    }
    if !verification::is_bound_to(report, credential, holder) {
        return Err(ReceiveError::Invalid(format!(
            "the credential is not issued to this wallet ({})",
            holder.did
        )));
    }
    Ok(())
}

/// The report's checks, as stored.
pub fn check_lines(report: &VerificationReport) -> Vec<CheckLine> {
    report
        .checks
        .iter()
        .map(|check| CheckLine {
            id: check.id.to_owned(),
            outcome: serde_json::to_value(check.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            sentence: check.message.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls_insert_the_name_before_the_path() {
        let base = url::Url::parse("https://uni.example/issuer").unwrap();
        assert_eq!(
            well_known(&base, "openid-credential-issuer").unwrap().as_str(),
            "https://uni.example/.well-known/openid-credential-issuer/issuer"
        );
        let root = url::Url::parse("https://uni.example").unwrap();
        assert_eq!(
            well_known(&root, "oauth-authorization-server").unwrap().as_str(),
            "https://uni.example/.well-known/oauth-authorization-server"
        );
    }

    #[tokio::test]
    async fn an_offer_by_reference_on_this_computer_is_refused_before_any_request() {
        let targets = Targets::new(false).unwrap();
        for offer in [
            "openid-credential-offer://?credential_offer_uri=http%3A%2F%2F127.0.0.1%3A7401%2Foffers%2F1",
            "openid-credential-offer://?credential_offer_uri=https%3A%2F%2F192.168.1.1%2Foffers%2F1",
        ] {
            let error = open_offer(&targets, offer).await.unwrap_err();
            assert!(matches!(error, ReceiveError::Protocol(_)), "{error}");
        }
        let by_value =
            r#"{"credential_issuer":"https://10.0.0.1","credential_configuration_ids":["x"],"grants":{}}"#;
        let encoded: String = url::form_urlencoded::byte_serialize(by_value.as_bytes()).collect();
        let error = open_offer(
            &targets,
            &format!("openid-credential-offer://?credential_offer={encoded}"),
        )
        .await
        .unwrap_err();
        assert!(error.to_string().contains("10.0.0.1"), "{error}");
    }
}

#[cfg(test)]
mod acceptance_tests {
    use super::*;
    use crate::holder::{DidMethod, WalletDir};
    use sigil_core::issue::{CredentialFormat, CredentialRequest};
    use sigil_core::key::SigningKey;
    use sigil_core::model::CredentialType;

    const FAST: sigil_core::keystore::KdfParams = sigil_core::keystore::KdfParams {
        m_cost: 64,
        t_cost: 1,
        p_cost: 1,
    };

    async fn wallet(dir: &std::path::Path) -> (Holder, Store) {
        let dir = WalletDir(dir.to_owned());
        crate::holder::init(&dir, None, DidMethod::Key, "pw", FAST)
            .await
            .unwrap();
        let holder = crate::holder::unlock(&dir, "pw").unwrap();
        let store = Store::open(&dir.database_path()).await.unwrap();
        (holder, store)
    }

    async fn diploma_for(holder: &Holder) -> String {
        let university = SigningKey::generate();
        let claims = serde_json::from_str(include_str!("../../examples/diploma-claims.json")).unwrap();
        let request = CredentialRequest {
            credential_type: CredentialType::find_builtin("UniversityDegreeCredential").unwrap(),
            issuer: university.did_key(),
            subject: Some(holder.did.clone()),
            claims,
            valid_from: sigil_core::time::now(),
            valid_until: None,
            status: None,
            schema: None,
            holder_key: Some(holder.key.public_key()),
        };
        request
            .issue(
                CredentialFormat::VcJwt,
                &university,
                &university.did_key_method(),
                sigil_core::time::now(),
            )
            .await
            .unwrap()
    }

    fn offer() -> OfferDetails {
        OfferDetails {
            credential_issuer: "https://uni.example".into(),
            issuer_name: "Example University".into(),
            configuration_id: "UniversityDegreeCredential_jwt_vc_json".into(),
            configuration: Value::Null,
            pre_authorized_code: "code".into(),
            needs_tx_code: true,
            metadata: Value::Null,
        }
    }

    #[tokio::test]
    async fn a_genuine_credential_is_stored_exactly_as_received() {
        let temp = tempfile::tempdir().unwrap();
        let (holder, store) = wallet(temp.path()).await;
        let diploma = diploma_for(&holder).await;
        let received = accept(&holder, &store, &diploma, &offer()).await.unwrap();
        let held = store.get(&holder.vault, &received.id).await.unwrap().unwrap();
        assert_eq!(held.record.credential, diploma);
        assert_eq!(held.record.claims["name"], "Ada Lovelace");
    }

    #[tokio::test]
    async fn a_tampered_credential_is_refused_and_nothing_is_stored() {
        let temp = tempfile::tempdir().unwrap();
        let (holder, store) = wallet(temp.path()).await;
        let diploma = diploma_for(&holder).await;
        let mut parts: Vec<String> = diploma.split('.').map(str::to_owned).collect();
        let payload = jose::decode_unverified(&diploma)
            .unwrap()
            .payload
            .to_string()
            .replace("First Class", "Summa cum laude");
        parts[1] = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload);
        let tampered = parts.join(".");
        let error = accept(&holder, &store, &tampered, &offer()).await.unwrap_err();
        assert!(matches!(error, ReceiveError::Invalid(_)), "{error}");
        assert!(store.list().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_credential_for_someone_else_is_refused() {
        let temp = tempfile::tempdir().unwrap();
        let (holder, store) = wallet(temp.path()).await;
        let other = tempfile::tempdir().unwrap();
        let (stranger, _) = wallet(other.path()).await;
        let diploma = diploma_for(&stranger).await;
        let error = accept(&holder, &store, &diploma, &offer()).await.unwrap_err();
        assert!(error.to_string().contains("not issued to this wallet"), "{error}");
    }
}
