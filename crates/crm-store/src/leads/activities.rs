//! A lead's follow-up history (跟进记录): calls, visits, emails, meetings and notes. An
//! entry is visible exactly when its lead is (callers load the lead through its scope
//! first); deleting one only stamps `deleted_at`.

use crate::entity::lead_activity::{self, Entity as LeadActivity};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use lead_activity::Model;

pub const ENTITY: &str = "lead_activity";

/// A validated follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub content: String,
    pub next_follow_up: Option<NaiveDate>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    lead_id: i64,
    author_id: Option<i64>,
    f: Fields,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    lead_activity::ActiveModel {
        lead_id: Set(lead_id),
        kind: Set(f.kind),
        occurred_at: Set(f.occurred_at),
        content: Set(f.content),
        next_follow_up: Set(f.next_follow_up),
        author_id: Set(author_id),
        created_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A live entry.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    LeadActivity::find_by_id(id)
        .filter(lead_activity::Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// The live entries of one lead, most recent first (keyset on (occurred_at, id); `before`
/// is the id of the last entry of the previous page).
pub async fn of_lead<C: ConnectionTrait>(
    db: &C,
    lead_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = Condition::all()
        .add(lead_activity::Column::LeadId.eq(lead_id))
        .add(lead_activity::Column::DeletedAt.is_null());
    if let Some(b) = before {
        if let Some(last) = LeadActivity::find_by_id(b).one(db).await? {
            cond = cond.add(
                Condition::any()
                    .add(lead_activity::Column::OccurredAt.lt(last.occurred_at))
                    .add(
                        Condition::all()
                            .add(lead_activity::Column::OccurredAt.eq(last.occurred_at))
                            .add(lead_activity::Column::Id.lt(b)),
                    ),
            );
        }
    }
    LeadActivity::find()
        .filter(cond)
        .order_by_desc(lead_activity::Column::OccurredAt)
        .order_by_desc(lead_activity::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Stamps `deleted_at`; false when the entry was already gone.
pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = LeadActivity::update_many()
        .col_expr(lead_activity::Column::DeletedAt, Expr::value(Some(now)))
        .filter(lead_activity::Column::Id.eq(id))
        .filter(lead_activity::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
