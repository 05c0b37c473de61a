//! Queries: sales expenses (销售费用). Owned records: lists and totals filter by the
//! principal's owner scope in SQL ([`RecordScope::owned_by`]).

use crate::entity::expense::{self, Entity as Expense};
use crate::scope::RecordScope;
use crate::Versioned;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use expense::Model;

pub const ENTITY: &str = "expense";

/// The editable fields of an expense, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub customer_id: i64,
    pub opportunity_id: Option<i64>,
    pub category: String,
    pub amount: i64,
    pub spent_on: NaiveDate,
    pub note: Option<String>,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            customer_id: m.customer_id,
            opportunity_id: m.opportunity_id,
            category: m.category.clone(),
            amount: m.amount,
            spent_on: m.spent_on,
            note: m.note.clone(),
        }
    }

    fn apply(self, am: &mut expense::ActiveModel) {
        am.customer_id = Set(self.customer_id);
        am.opportunity_id = Set(self.opportunity_id);
        am.category = Set(self.category);
        am.amount = Set(self.amount);
        am.spent_on = Set(self.spent_on);
        am.note = Set(self.note);
    }
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    fields: Fields,
    owner_id: i64,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut am = expense::ActiveModel {
        owner_id: Set(owner_id),
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

/// A live expense, whoever owns it (callers check the scope).
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Expense::find_by_id(id)
        .filter(expense::Column::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Expense::find_by_id(id).one(db).await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub category: Option<String>,
    /// Spent on or after (inclusive).
    pub from: Option<NaiveDate>,
    /// Spent on or before (inclusive).
    pub to: Option<NaiveDate>,
}

fn condition(scope: &RecordScope, filter: &Filter) -> Condition {
    let mut cond = Condition::all()
        .add(scope.owned_by(expense::Column::OwnerId))
        .add(expense::Column::DeletedAt.is_null());
    if let Some(o) = filter.owner_id {
        cond = cond.add(expense::Column::OwnerId.eq(o));
    }
    if let Some(c) = filter.customer_id {
        cond = cond.add(expense::Column::CustomerId.eq(c));
    }
    if let Some(c) = &filter.category {
        cond = cond.add(expense::Column::Category.eq(c.as_str()));
    }
    if let Some(d) = filter.from {
        cond = cond.add(expense::Column::SpentOn.gte(d));
    }
    if let Some(d) = filter.to {
        cond = cond.add(expense::Column::SpentOn.lte(d));
    }
    cond
}

/// One page of expenses in scope, latest spending first (then newest id); `after` is the
/// id of the last row of the previous page.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = condition(scope, filter);
    if let Some(a) = after {
        if let Some(last) = find_any(db, a).await? {
            cond = cond.add(
                Condition::any()
                    .add(expense::Column::SpentOn.lt(last.spent_on))
                    .add(
                        Condition::all()
                            .add(expense::Column::SpentOn.eq(last.spent_on))
                            .add(expense::Column::Id.lt(a)),
                    ),
            );
        }
    }
    Expense::find()
        .filter(cond)
        .order_by_desc(expense::Column::SpentOn)
        .order_by_desc(expense::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// What expenses are grouped by in [`totals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Customer,
    Owner,
}

/// (group id, number of expenses, sum of amounts) of the expenses in scope matching the
/// filter, largest sum first.
pub async fn totals<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    group: Group,
) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    let col = match group {
        Group::Customer => expense::Column::CustomerId,
        Group::Owner => expense::Column::OwnerId,
    };
    // PostgreSQL counts and sums BIGINT into BIGINT / NUMERIC: cast both back.
    let count = Expr::col(expense::Column::Id)
        .count()
        .cast_as(Alias::new("BIGINT"));
    let sum = Expr::expr(Func::coalesce([
        Expr::col(expense::Column::Amount).sum(),
        Expr::val(0i64).into(),
    ]))
    .cast_as(Alias::new("BIGINT"));
    let mut rows: Vec<(i64, i64, i64)> = Expense::find()
        .select_only()
        .column(col)
        .column_as(count, "n")
        .column_as(sum, "amount")
        .filter(condition(scope, filter))
        .group_by(col)
        .into_tuple::<(i64, i64, i64)>()
        .all(db)
        .await?;
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    Ok(rows)
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    fields: Fields,
    owner_id: i64,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut am: expense::ActiveModel = current.clone().into();
    fields.apply(&mut am);
    am.owner_id = Set(owner_id);
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    let res = Expense::update_many()
        .set(am)
        .filter(expense::Column::Id.eq(current.id))
        .filter(expense::Column::Version.eq(version))
        .filter(expense::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, current.id).await?)
}

pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    crate::soft::delete::<crate::entity::expense::Entity, _>(db, id, version, now, Condition::all())
        .await
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<crate::entity::expense::Entity, _>(db, id).await
}
