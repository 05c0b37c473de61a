//! Queries: Opportunities (销售机会). Owner-scoped: every list, count and sum filters by the
//! visible owner set of [`RecordScope`] in SQL.

use crate::entity::opportunity::{self, Column as Col, Entity as Opportunity};
use crate::scope::RecordScope;
use crate::Versioned;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

mod list;
mod totals;
pub use list::*;
pub use totals::*;

pub use opportunity::Model;

pub const ENTITY: &str = "opportunity";
pub const OPEN: &str = "open";
pub const WON: &str = "won";
pub const LOST: &str = "lost";

/// Every editable field of an opportunity, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub customer_id: i64,
    pub name: String,
    pub amount: i64,
    pub stage_id: i64,
    pub probability: i32,
    pub expected_close: Option<NaiveDate>,
    pub source: Option<String>,
    pub owner_id: i64,
    pub notes: Option<String>,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            customer_id: m.customer_id,
            name: m.name.clone(),
            amount: m.amount,
            stage_id: m.stage_id,
            probability: m.probability,
            expected_close: m.expected_close,
            source: m.source.clone(),
            owner_id: m.owner_id,
            notes: m.notes.clone(),
        }
    }

    fn apply(self, am: &mut opportunity::ActiveModel) {
        am.customer_id = Set(self.customer_id);
        am.name = Set(self.name);
        am.amount = Set(self.amount);
        am.stage_id = Set(self.stage_id);
        am.probability = Set(self.probability);
        am.expected_close = Set(self.expected_close);
        am.source = Set(self.source);
        am.owner_id = Set(self.owner_id);
        am.notes = Set(self.notes);
    }
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    fields: Fields,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut am = opportunity::ActiveModel {
        status: Set(OPEN.to_string()),
        closed_on: Set(None),
        close_reason: Set(None),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    };
    fields.apply(&mut am);
    am.insert(db).await
}

/// A live opportunity, whoever owns it (callers check the scope).
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Opportunity::find_by_id(id)
        .filter(Col::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Opportunity::find_by_id(id).one(db).await
}

/// Live opportunities owned within `scope`.
pub fn visible(scope: &RecordScope) -> Condition {
    Condition::all()
        .add(scope.owned_by(Col::OwnerId))
        .add(Col::DeletedAt.is_null())
}

/// Writes `fields` if the opportunity is still open and at `version`.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut am: opportunity::ActiveModel = current.clone().into();
    fields.apply(&mut am);
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    let res = Opportunity::update_many()
        .set(am)
        .filter(Col::Id.eq(current.id))
        .filter(Col::Version.eq(version))
        .filter(Col::Status.eq(OPEN))
        .filter(Col::DeletedAt.is_null())
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, current.id).await?)
}

/// A change of status (close as won or lost, reopen).
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The status the row must have now.
    pub from: &'static str,
    pub to: &'static str,
    pub probability: i32,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
}

/// Moves an opportunity from one status to another; `Stale` when its status or (given)
/// version moved on meanwhile, so a double click closes once.
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: Option<i32>,
    change: StatusChange,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut q = Opportunity::update_many()
        .col_expr(Col::Status, Expr::value(change.to))
        .col_expr(Col::Probability, Expr::value(change.probability))
        .col_expr(Col::ClosedOn, Expr::value(change.closed_on))
        .col_expr(Col::CloseReason, Expr::value(change.close_reason))
        .col_expr(Col::UpdatedAt, Expr::value(now))
        .col_expr(Col::Version, Expr::col(Col::Version).add(1))
        .filter(Col::Id.eq(id))
        .filter(Col::Status.eq(change.from))
        .filter(Col::DeletedAt.is_null());
    if let Some(v) = version {
        q = q.filter(Col::Version.eq(v));
    }
    let res = q.exec(db).await?;
    Versioned::after_update(res.rows_affected, find(db, id).await?)
}

pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    crate::soft::delete::<crate::entity::opportunity::Entity, _>(
        db,
        id,
        version,
        now,
        Condition::all(),
    )
    .await
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<crate::entity::opportunity::Entity, _>(db, id).await
}
