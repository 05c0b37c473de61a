//! Jobs: progress and results of long-running work, shared by every app server.

use crate::entity::job::{self, Entity as Job};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable, QueryFilter,
    QuerySelect, Select, SelectModel, Selector, Set,
};

pub use job::Model;

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    user_id: i64,
    total: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    job::ActiveModel {
        kind: Set(kind.to_string()),
        user_id: Set(user_id),
        status: Set("running".into()),
        done: Set(0),
        total: Set(total),
        message: Set(None),
        result: Set(None),
        result_name: Set(None),
        result_type: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A job without its result bytes (`result` is `None`): what progress pages poll.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    without_result(Job::find_by_id(id)).one(db).await
}

/// A job with its result bytes (a download).
pub async fn find_with_result<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Job::find_by_id(id).one(db).await
}

/// `select` reading every column but the result bytes, which come back as `None` (an
/// export's file can be a hundred megabytes).
pub fn without_result(select: Select<Job>) -> Selector<SelectModel<Model>> {
    select
        .select_only()
        .columns(job::Column::iter().filter(|c| !matches!(c, job::Column::Result)))
        .column_as(Expr::val(Option::<Vec<u8>>::None), "result")
        .into_model::<Model>()
}

pub async fn progress<C: ConnectionTrait>(
    db: &C,
    id: i64,
    done: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Job::update_many()
        .col_expr(job::Column::Done, Expr::value(done))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.eq("running"))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn finish<C: ConnectionTrait>(
    db: &C,
    id: i64,
    done: i64,
    result: Vec<u8>,
    name: &str,
    content_type: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Job::update_many()
        .col_expr(job::Column::Status, Expr::value("done"))
        .col_expr(job::Column::Done, Expr::value(done))
        .col_expr(job::Column::Result, Expr::value(result))
        .col_expr(job::Column::ResultName, Expr::value(name))
        .col_expr(job::Column::ResultType, Expr::value(content_type))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .col_expr(job::Column::FinishedAt, Expr::value(Some(now)))
        .filter(job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn fail<C: ConnectionTrait>(
    db: &C,
    id: i64,
    message: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Job::update_many()
        .col_expr(job::Column::Status, Expr::value("failed"))
        .col_expr(job::Column::Message, Expr::value(message))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .col_expr(job::Column::FinishedAt, Expr::value(Some(now)))
        .filter(job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Running jobs whose heartbeat stopped before `stale_before` died with their server.
pub async fn fail_interrupted<C: ConnectionTrait>(
    db: &C,
    stale_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = Job::update_many()
        .col_expr(job::Column::Status, Expr::value("failed"))
        .col_expr(job::Column::Message, Expr::value("interrupted"))
        .col_expr(job::Column::FinishedAt, Expr::value(Some(now)))
        .filter(job::Column::Status.eq("running"))
        .filter(job::Column::UpdatedAt.lt(stale_before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Forgets finished jobs (and their files) older than `before`.
pub async fn purge<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let res = Job::delete_many()
        .filter(job::Column::FinishedAt.lt(before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
