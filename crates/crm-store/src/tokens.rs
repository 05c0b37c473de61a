//! API bearer tokens (login tokens and personal access tokens). Only hashes are stored.

use crate::entity::api_token::{self, Entity as Token};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

pub use api_token::Model;

pub const KIND_LOGIN: &str = "login";
pub const KIND_PERSONAL: &str = "personal";

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    name: &str,
    token_hash: &str,
    kind: &str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_string()),
        token_hash: Set(token_hash.to_string()),
        kind: Set(kind.to_string()),
        created_at: Set(now),
        last_used_at: Set(None),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A live token and its user in one query (every API request authenticates with it).
pub async fn find_valid_with_user<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Model, crate::users::Model)>, DbErr> {
    use crate::entity::user;
    use sea_orm::{JoinType, QuerySelect};
    // The entity declares no relations; the join is built here.
    let to_user: sea_orm::RelationDef = Token::belongs_to(user::Entity)
        .from(api_token::Column::UserId)
        .to(user::Column::Id)
        .into();
    let row = Token::find()
        .select_also(user::Entity)
        .join(JoinType::InnerJoin, to_user)
        .filter(api_token::Column::TokenHash.eq(token_hash))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(api_token::Column::ExpiresAt.is_null())
                .add(api_token::Column::ExpiresAt.gt(now)),
        )
        .one(db)
        .await?;
    Ok(row.and_then(|(t, u)| u.map(|u| (t, u))))
}

pub async fn touch<C: ConnectionTrait>(db: &C, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    Token::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(now)))
        .filter(api_token::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// A user's live tokens of one kind, newest first.
pub async fn list_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    kind: &str,
) -> Result<Vec<Model>, DbErr> {
    Token::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::Kind.eq(kind))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await
}

/// Revokes one of the user's tokens; true when it was live.
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Token::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Revokes one token by hash (sign-out of an API client).
pub async fn revoke_hash<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Token::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::TokenHash.eq(token_hash))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Revokes every token of a user; `kind` limits it to one kind.
pub async fn revoke_all<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    kind: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut q = Token::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null());
    if let Some(k) = kind {
        q = q.filter(api_token::Column::Kind.eq(k));
    }
    Ok(q.exec(db).await?.rows_affected)
}
