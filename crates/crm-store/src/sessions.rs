//! Browser sessions, stored in the database so several app servers can share them.

use crate::entity::session::{self, Entity as Session};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

pub use session::Model;

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub locale: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewSession,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    session::ActiveModel {
        id: Set(new.id_hash),
        user_id: Set(new.user_id),
        csrf_token: Set(new.csrf_token),
        locale: Set(new.locale),
        created_at: Set(now),
        expires_at: Set(new.expires_at),
        last_seen_at: Set(now),
        ip: Set(new.ip.map(|s| s.chars().take(64).collect())),
        user_agent: Set(new.user_agent.map(|s| s.chars().take(300).collect())),
    }
    .insert(db)
    .await
}

/// A session that has not expired and its user, in one query (every page view resumes
/// its session with it).
pub async fn find_valid_with_user<C: ConnectionTrait>(
    db: &C,
    id_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Model, crate::users::Model)>, DbErr> {
    use crate::entity::user;
    use sea_orm::{JoinType, QuerySelect};
    // The entity declares no relations; the join is built here.
    let to_user: sea_orm::RelationDef = Session::belongs_to(user::Entity)
        .from(session::Column::UserId)
        .to(user::Column::Id)
        .into();
    let row = Session::find_by_id(id_hash.to_string())
        .select_also(user::Entity)
        .join(JoinType::InnerJoin, to_user)
        .filter(session::Column::ExpiresAt.gt(now))
        .one(db)
        .await?;
    Ok(row.and_then(|(s, u)| u.map(|u| (s, u))))
}

/// Slides the expiry forward.
pub async fn touch<C: ConnectionTrait>(
    db: &C,
    id_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    Session::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
        .filter(session::Column::Id.eq(id_hash))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_locale<C: ConnectionTrait>(
    db: &C,
    id_hash: &str,
    locale: &str,
) -> Result<(), DbErr> {
    Session::update_many()
        .col_expr(session::Column::Locale, Expr::value(locale))
        .filter(session::Column::Id.eq(id_hash))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete<C: ConnectionTrait>(db: &C, id_hash: &str) -> Result<(), DbErr> {
    Session::delete_by_id(id_hash.to_string()).exec(db).await?;
    Ok(())
}

/// Ends every session of a user ("sign out everywhere", deactivation, password change).
pub async fn delete_for_user<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<u64, DbErr> {
    let res = Session::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

pub async fn purge_expired<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let res = Session::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Ends every session of a user but one.
pub async fn delete_for_user_except<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    keep_hash: Option<String>,
) -> Result<u64, DbErr> {
    let mut q = Session::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(k) = keep_hash {
        q = q.filter(session::Column::Id.ne(k));
    }
    Ok(q.exec(db).await?.rows_affected)
}
