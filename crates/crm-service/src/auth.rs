//! Sign-in, sessions, API tokens, passwords and the rate limit on sign-in attempts.

use crate::error::ServiceError;
use crate::{Core, Result};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use crm_domain::{DataScope, DepartmentId, Principal, Role, RolePolicy, UserId};
use crm_store::{login_attempts, roles, sessions, tokens, users};
use rand::RngCore;
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Browser sessions last this long after the last request.
pub const SESSION_IDLE: Duration = Duration::hours(12);
/// Tokens from `POST /api/v1/auth/login` last this long.
pub const LOGIN_TOKEN_TTL: Duration = Duration::days(30);
/// The window in which failed sign-ins are counted.
pub const ATTEMPT_WINDOW: Duration = Duration::minutes(15);
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
pub const MAX_FAILURES_PER_IP: u64 = 30;

/// A random secret for cookies and tokens (256 bits, hex).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a secret.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id (off the async runtime: it is deliberately slow).
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| ServiceError::Internal(sea_orm::DbErr::Custom(format!("hash task: {e}"))))?
    .map_err(|e| ServiceError::Internal(sea_orm::DbErr::Custom(format!("hash: {e}"))))
}

/// A hash of a password nobody has, to spend the same time when the account is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Yq0fKkW3bqGQm1n8cJXo0D3Fv3vXb1HqkU2d7bqKc0Q";

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || match PasswordHash::new(&hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// The policy of a role as the administrator left it (the default when the row is absent).
pub async fn policy_of<C: ConnectionTrait>(db: &C, role: Role) -> Result<RolePolicy> {
    let Some(row) = roles::find(db, role.as_str()).await? else {
        return Ok(role.default_policy());
    };
    let scope: DataScope = row.scope.parse().unwrap_or(DataScope::Own);
    let modules: BTreeMap<crm_domain::Module, crm_domain::ActionSet> =
        serde_json::from_str(&row.modules).unwrap_or_default();
    Ok(RolePolicy { scope, modules })
}

/// The principal of an active user for a request: like [`principal_of`], with the role's
/// policy reused until this server writes anything (see [`crate::cache`]).
async fn current_principal(core: &Core, user: &users::Model) -> Result<Principal> {
    let role: Role = user.role.parse().map_err(|_| ServiceError::Unauthorized)?;
    let generation = core.writes.current();
    let policy = match core.policies.get(role.as_str(), generation) {
        Some(p) => p,
        None => {
            let p = policy_of(&core.db, role).await?;
            core.policies
                .put(role.as_str().to_string(), generation, p.clone());
            p
        }
    };
    Ok(Principal {
        user_id: UserId(user.id),
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role,
        department_id: user.department_id.map(DepartmentId),
        policy,
    })
}

/// Builds the principal of an active user.
pub async fn principal_of<C: ConnectionTrait>(db: &C, user: &users::Model) -> Result<Principal> {
    let role: Role = user.role.parse().map_err(|_| ServiceError::Unauthorized)?;
    let policy = policy_of(db, role).await?;
    Ok(Principal {
        user_id: UserId(user.id),
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role,
        department_id: user.department_id.map(DepartmentId),
        policy,
    })
}

/// Checks a username and password, enforcing the per-account and per-IP limits.
/// Every attempt is recorded; the answer never says which of the two was wrong.
pub async fn authenticate(
    core: &Core,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<users::Model> {
    let now = core.now();
    // Control characters never belong to a username (and PostgreSQL refuses NUL in text):
    // such an attempt is recorded without them and fails like an unknown account.
    let has_control = username.chars().any(char::is_control);
    let name: String = username
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let since = now - ATTEMPT_WINDOW;
    let db = &core.db;
    if login_attempts::failures_for_user(db, &name, since).await? >= MAX_FAILURES_PER_ACCOUNT
        || login_attempts::failures_for_ip(db, ip, since).await? >= MAX_FAILURES_PER_IP
    {
        return Err(ServiceError::RateLimited {
            retry_after_secs: ATTEMPT_WINDOW.num_seconds() as u64,
        });
    }
    let user = if name.is_empty() || name.len() > 64 || has_control {
        None
    } else {
        users::find_by_username(db, &name).await?
    };
    let ok = match &user {
        Some(u) => verify_password(password.to_string(), u.password_hash.clone()).await && u.active,
        None => {
            verify_password(password.to_string(), DUMMY_HASH.to_string()).await;
            false
        }
    };
    login_attempts::record(db, &name, ip, ok, now).await?;
    match user {
        Some(u) if ok => Ok(u),
        _ => Err(ServiceError::conflict(
            "invalid_credentials",
            "Wrong username or password",
        )),
    }
}

/// A new browser session: (cookie secret, CSRF token).
pub struct NewSession {
    pub secret: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn start_session(
    core: &Core,
    user: &users::Model,
    locale: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
) -> Result<NewSession> {
    let now = core.now();
    let secret = random_secret();
    let csrf_token = random_secret();
    let expires_at = now + SESSION_IDLE;
    sessions::insert(
        &core.db,
        sessions::NewSession {
            id_hash: hash_secret(&secret),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            locale,
            expires_at,
            ip,
            user_agent,
        },
        now,
    )
    .await?;
    Ok(NewSession {
        secret,
        csrf_token,
        expires_at,
    })
}

/// A signed-in browser: the principal and the session row (for CSRF and locale).
pub struct SessionPrincipal {
    pub principal: Principal,
    pub session: sessions::Model,
}

/// Resolves a session cookie; slides its expiry (at most once a minute).
pub async fn resume_session(core: &Core, secret: &str) -> Result<Option<SessionPrincipal>> {
    let now = core.now();
    let id = hash_secret(secret);
    let Some((session, user)) = sessions::find_valid_with_user(&core.db, &id, now).await? else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    if now - session.last_seen_at > Duration::minutes(1) {
        sessions::touch(&core.db, &id, now, now + SESSION_IDLE).await?;
    }
    let principal = current_principal(core, &user).await?;
    Ok(Some(SessionPrincipal { principal, session }))
}

pub async fn end_session(core: &Core, secret: &str) -> Result<()> {
    sessions::delete(&core.db, &hash_secret(secret)).await?;
    Ok(())
}

pub async fn set_session_locale(core: &Core, secret: &str, locale: &str) -> Result<()> {
    sessions::set_locale(&core.db, &hash_secret(secret), locale).await?;
    Ok(())
}

/// Ends every browser session and revokes every API token of the principal.
pub async fn sign_out_everywhere(core: &Core, p: &Principal) -> Result<()> {
    let now = core.now();
    let txn = core.begin_write().await?;
    sessions::delete_for_user(&txn, p.user_id.0).await?;
    tokens::revoke_all(&txn, p.user_id.0, None, now).await?;
    audit_self(
        &txn,
        now,
        p.user_id.0,
        "sign_out_everywhere",
        p.user_id.0.to_string(),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Issues a bearer token; the secret is shown once, only its hash is kept.
pub async fn issue_token(
    core: &Core,
    user_id: UserId,
    name: &str,
    kind: &str,
    ttl: Option<Duration>,
) -> Result<(String, tokens::Model)> {
    let now = core.now();
    let secret = format!("crm_{}", random_secret());
    let row = tokens::insert(
        &core.db,
        user_id.0,
        name,
        &hash_secret(&secret),
        kind,
        ttl.map(|t| now + t),
        now,
    )
    .await?;
    Ok((secret, row))
}

/// Resolves a bearer token to its principal.
pub async fn resume_token(core: &Core, secret: &str) -> Result<Option<Principal>> {
    let now = core.now();
    let Some((token, user)) =
        tokens::find_valid_with_user(&core.db, &hash_secret(secret), now).await?
    else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    if token
        .last_used_at
        .is_none_or(|t| now - t > Duration::minutes(1))
    {
        tokens::touch(&core.db, token.id, now).await?;
    }
    Ok(Some(current_principal(core, &user).await?))
}

pub async fn revoke_token_secret(core: &Core, secret: &str) -> Result<bool> {
    Ok(tokens::revoke_hash(&core.db, &hash_secret(secret), core.now()).await?)
}

/// The principal's personal access tokens.
pub async fn list_personal_tokens(core: &Core, p: &Principal) -> Result<Vec<tokens::Model>> {
    Ok(tokens::list_for_user(&core.db, p.user_id.0, tokens::KIND_PERSONAL).await?)
}

pub async fn create_personal_token(
    core: &Core,
    p: &Principal,
    name: &str,
) -> Result<(String, tokens::Model)> {
    let name = crm_domain::validate::required_text(name, 100)
        .map_err(|(code, msg)| ServiceError::field("name", code, msg))?;
    let (secret, row) = issue_token(core, p.user_id, &name, tokens::KIND_PERSONAL, None).await?;
    audit_self(
        &core.db,
        core.now(),
        p.user_id.0,
        "token_create",
        row.id.to_string(),
    )
    .await?;
    Ok((secret, row))
}

pub async fn revoke_personal_token(core: &Core, p: &Principal, id: i64) -> Result<()> {
    let now = core.now();
    let txn = core.begin_write().await?;
    if !tokens::revoke(&txn, id, p.user_id.0, now).await? {
        return Err(ServiceError::NotFound);
    }
    audit_self(&txn, now, p.user_id.0, "token_revoke", id.to_string()).await?;
    txn.commit().await?;
    Ok(())
}

/// An audit entry about a user's own credentials (no values: secrets stay out of the log).
async fn audit_self<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    user_id: i64,
    action: &'static str,
    entity_id: String,
) -> Result<()> {
    let entity_type = if action.starts_with("token") {
        "api_token"
    } else {
        "user"
    };
    crm_store::audit::record(
        db,
        now,
        crm_store::audit::Entry {
            actor_id: Some(user_id),
            action,
            entity_type,
            entity_id,
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// Changes the principal's own password after checking the current one; every other
/// session and every API token of the user ends (`keep_session`: the cookie secret of the
/// browser that made the change, if any).
pub async fn change_password(
    core: &Core,
    p: &Principal,
    current: &str,
    new: &str,
    keep_session: Option<&str>,
) -> Result<()> {
    let user = users::find(&core.db, p.user_id.0)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !verify_password(current.to_string(), user.password_hash.clone()).await {
        return Err(ServiceError::field(
            "current_password",
            "wrong_password",
            "The current password is wrong",
        ));
    }
    let new = crm_domain::validate::password(new)
        .map_err(|(code, msg)| ServiceError::field("new_password", code, msg))?;
    let hash = hash_password(new).await?;
    let now = core.now();
    let txn = core.begin_write().await?;
    users::update(
        &txn,
        user.id,
        None,
        users::Changes {
            password_hash: Some(hash),
            ..Default::default()
        },
        now,
    )
    .await?;
    sessions::delete_for_user_except(&txn, user.id, keep_session.map(hash_secret)).await?;
    tokens::revoke_all(&txn, user.id, None, now).await?;
    audit_self(&txn, now, user.id, "password_change", user.id.to_string()).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_and_verify() {
        let h = hash_password("correct horse".into())
            .await
            .unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), h.clone()).await);
        assert!(!verify_password("wrong horse".into(), h).await);
        assert!(!verify_password("x".into(), DUMMY_HASH.into()).await);
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = random_secret();
        let b = random_secret();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), a);
    }
}
