//! Who may use the issuer: registrars (portal accounts with argon2id password hashes) and API
//! tokens (random 256-bit secrets, stored as digests, printed once).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};

use crate::store::Store;
use crate::store::records::AuditEntry;
use sigil_service::tokens::{digest, random_secret};

/// Shortest registrar password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Hashes a password with argon2id (the crate's defaults: OWASP's recommended parameters).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// Whether `password` matches a stored hash.
pub fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A hash of a password nobody has, to spend the same time on unknown usernames as on known
/// ones (so response times do not reveal which accounts exist).
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_secret()).unwrap_or_default())
}

/// Creates or resets a registrar account.
pub async fn add_registrar(store: &Store, username: &str, password: &str) -> anyhow::Result<()> {
    let valid_name = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if !valid_name {
        anyhow::bail!("a username is 1 to 64 letters, digits or . - _ @");
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        anyhow::bail!("a registrar password has at least {MIN_PASSWORD_CHARS} characters");
    }
    let hash = hash_password(password)?;
    store
        .put_registrar(username, &hash, sigil_core::time::now().timestamp())
        .await?;
    store
        .audit(AuditEntry::new(
            sigil_core::time::now().timestamp(),
            "operator",
            "set registrar",
            username,
            "account created or password reset",
        ))
        .await?;
    Ok(())
}

/// Makes a new API token labelled `label`; returns the token (shown once, never stored).
pub async fn create_token(store: &Store, label: &str) -> anyhow::Result<String> {
    let token = format!("sigil_{}", random_secret());
    let now = sigil_core::time::now().timestamp();
    store.insert_api_token(&digest(&token), label, now).await?;
    store
        .audit(AuditEntry::new(now, "operator", "create API token", label, ""))
        .await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_check_against_their_hash_only() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery staple", &hash));
        assert!(!password_matches("correct horse battery stapler", &hash));
        assert!(!password_matches("anything", "not a hash"));
    }

    #[tokio::test]
    async fn short_passwords_and_odd_usernames_are_refused() {
        let store = Store::in_memory().await.unwrap();
        assert!(add_registrar(&store, "registrar", "short").await.is_err());
        assert!(
            add_registrar(&store, "<script>", "long enough password")
                .await
                .is_err()
        );
        add_registrar(&store, "registrar", "long enough password")
            .await
            .unwrap();
        assert!(store.registrar("registrar").await.unwrap().is_some());
    }
}
