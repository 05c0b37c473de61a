//! Contact history (联络历史). An activity is visible when its customer is, or when its
//! author is in the viewer's scope (a manager sees every subordinate's contact log).

use crate::entity::activity::{self, Entity as Activity};
use crate::scope::RecordScope;
use crate::{customers, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use activity::Model;

pub const ENTITY: &str = "activity";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub contact_id: Option<i64>,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub content: String,
    pub next_follow_up: Option<NaiveDate>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    customer_id: i64,
    author_id: i64,
    owner_id: i64,
    f: Fields,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    activity::ActiveModel {
        customer_id: Set(customer_id),
        contact_id: Set(f.contact_id),
        kind: Set(f.kind),
        occurred_at: Set(f.occurred_at),
        author_id: Set(author_id),
        owner_id: Set(owner_id),
        content: Set(f.content),
        next_follow_up: Set(f.next_follow_up),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Activity::find_by_id(id)
        .filter(activity::Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// The condition of the activities visible in `scope`.
pub fn visible(scope: &RecordScope) -> Condition {
    Condition::all()
        .add(activity::Column::DeletedAt.is_null())
        .add(
            Condition::any()
                .add(activity::Column::CustomerId.in_subquery(customers::visible_ids(scope)))
                .add(scope.owned_by(activity::Column::AuthorId)),
        )
}

/// One activity if `scope` may see it (the same rule as the lists).
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    id: i64,
) -> Result<Option<Model>, DbErr> {
    Activity::find_by_id(id)
        .filter(visible(scope))
        .one(db)
        .await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub customer_id: Option<i64>,
    pub author_id: Option<i64>,
    pub kind: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Visible activities, most recent first (keyset on (occurred_at, id)).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = visible(scope);
    if let Some(c) = filter.customer_id {
        cond = cond.add(activity::Column::CustomerId.eq(c));
    }
    if let Some(a) = filter.author_id {
        cond = cond.add(activity::Column::AuthorId.eq(a));
    }
    if let Some(k) = &filter.kind {
        cond = cond.add(activity::Column::Kind.eq(k.as_str()));
    }
    if let Some(f) = filter.from {
        cond = cond.add(activity::Column::OccurredAt.gte(f));
    }
    if let Some(t) = filter.to {
        cond = cond.add(activity::Column::OccurredAt.lt(t));
    }
    if let Some(b) = before {
        if let Some(last) = Activity::find_by_id(b).one(db).await? {
            cond = cond.add(
                Condition::any()
                    .add(activity::Column::OccurredAt.lt(last.occurred_at))
                    .add(
                        Condition::all()
                            .add(activity::Column::OccurredAt.eq(last.occurred_at))
                            .add(activity::Column::Id.lt(b)),
                    ),
            );
        }
    }
    Activity::find()
        .filter(cond)
        .order_by_desc(activity::Column::OccurredAt)
        .order_by_desc(activity::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    f: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let res = Activity::update_many()
        .col_expr(activity::Column::ContactId, Expr::value(f.contact_id))
        .col_expr(activity::Column::Kind, Expr::value(f.kind))
        .col_expr(activity::Column::OccurredAt, Expr::value(f.occurred_at))
        .col_expr(activity::Column::Content, Expr::value(f.content))
        .col_expr(
            activity::Column::NextFollowUp,
            Expr::value(f.next_follow_up),
        )
        .col_expr(activity::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            activity::Column::Version,
            Expr::col(activity::Column::Version).add(1),
        )
        .filter(activity::Column::Id.eq(id))
        .filter(activity::Column::Version.eq(version))
        .filter(activity::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, id).await?)
}

pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    crate::soft::delete::<crate::entity::activity::Entity, _>(
        db,
        id,
        version,
        now,
        Condition::all(),
    )
    .await
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<crate::entity::activity::Entity, _>(db, id).await
}

/// Moves the open follow-ups (next follow-up today or later) of a customer to a new owner.
pub async fn reassign_open<C: ConnectionTrait>(
    db: &C,
    customer_id: i64,
    new_owner: i64,
    today: NaiveDate,
) -> Result<u64, DbErr> {
    let res = Activity::update_many()
        .col_expr(activity::Column::OwnerId, Expr::value(new_owner))
        .filter(activity::Column::CustomerId.eq(customer_id))
        .filter(activity::Column::DeletedAt.is_null())
        .filter(activity::Column::NextFollowUp.gte(today))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Latest activity time per customer (for list columns).
pub async fn last_contact_for<C: ConnectionTrait>(
    db: &C,
    customer_ids: &[i64],
) -> Result<Vec<(i64, Option<DateTime<Utc>>)>, DbErr> {
    if customer_ids.is_empty() {
        return Ok(vec![]);
    }
    Activity::find()
        .select_only()
        .column(activity::Column::CustomerId)
        .column_as(activity::Column::OccurredAt.max(), "last")
        .filter(activity::Column::CustomerId.is_in(customer_ids.iter().copied()))
        .filter(activity::Column::DeletedAt.is_null())
        .group_by(activity::Column::CustomerId)
        .into_tuple::<(i64, Option<DateTime<Utc>>)>()
        .all(db)
        .await
}
