//! Sign-in attempts, kept in the database so every app server enforces one rate limit.

use crate::entity::login_attempt::{self, Entity as Attempt};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};

pub async fn record<C: ConnectionTrait>(
    db: &C,
    username: &str,
    ip: &str,
    success: bool,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    login_attempt::ActiveModel {
        username: Set(username.chars().take(64).collect()),
        ip: Set(ip.chars().take(64).collect()),
        success: Set(success),
        at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Failed attempts for an account since `since`.
pub async fn failures_for_user<C: ConnectionTrait>(
    db: &C,
    username: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Attempt::find()
        .filter(login_attempt::Column::Username.eq(username))
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::At.gt(since))
        .count(db)
        .await
}

/// Failed attempts from an address since `since`.
pub async fn failures_for_ip<C: ConnectionTrait>(
    db: &C,
    ip: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Attempt::find()
        .filter(login_attempt::Column::Ip.eq(ip))
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::At.gt(since))
        .count(db)
        .await
}

/// Forgets attempts older than `before`.
pub async fn purge<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let res = Attempt::delete_many()
        .filter(login_attempt::Column::At.lt(before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
