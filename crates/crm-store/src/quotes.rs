//! Queries: quotes (报价方案) and their lines. Quotes are owned records: lists filter by the
//! principal's owner scope in SQL ([`RecordScope::owned_by`]).

use crate::entity::quote::{self, Entity as Quote};
use crate::entity::quote_line::{self, Entity as QuoteLine};
use crate::scope::RecordScope;
use crate::{dialect, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use quote::Model;
pub use quote_line::Model as LineModel;

pub const ENTITY: &str = "quote";

/// The editable fields of a quote, validated, with the totals of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub customer_id: i64,
    pub opportunity_id: Option<i64>,
    pub title: String,
    pub valid_until: Option<NaiveDate>,
    pub notes: Option<String>,
    pub subtotal: i64,
    pub discount_total: i64,
    pub total: i64,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            customer_id: m.customer_id,
            opportunity_id: m.opportunity_id,
            title: m.title.clone(),
            valid_until: m.valid_until,
            notes: m.notes.clone(),
            subtotal: m.subtotal,
            discount_total: m.discount_total,
            total: m.total,
        }
    }

    fn apply(self, am: &mut quote::ActiveModel) {
        am.customer_id = Set(self.customer_id);
        am.opportunity_id = Set(self.opportunity_id);
        am.title = Set(self.title);
        am.valid_until = Set(self.valid_until);
        am.notes = Set(self.notes);
        am.subtotal = Set(self.subtotal);
        am.discount_total = Set(self.discount_total);
        am.total = Set(self.total);
    }
}

/// Inserts a quote with a provisional (unique) `number`; the caller sets the real one with
/// [`set_number`] once the id is known, in the same transaction.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    fields: Fields,
    provisional_number: String,
    owner_id: i64,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut am = quote::ActiveModel {
        number: Set(provisional_number),
        status: Set("draft".to_string()),
        owner_id: Set(owner_id),
        order_id: Set(None),
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

pub async fn set_number<C: ConnectionTrait>(db: &C, id: i64, number: &str) -> Result<(), DbErr> {
    Quote::update_many()
        .col_expr(quote::Column::Number, Expr::value(number))
        .filter(quote::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// A live quote, whoever owns it (callers check the scope).
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Quote::find_by_id(id)
        .filter(quote::Column::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Quote::find_by_id(id).one(db).await
}

/// The lines of a quote in order.
pub async fn lines_of<C: ConnectionTrait>(db: &C, quote_id: i64) -> Result<Vec<LineModel>, DbErr> {
    QuoteLine::find()
        .filter(quote_line::Column::QuoteId.eq(quote_id))
        .order_by_asc(quote_line::Column::LineNo)
        .all(db)
        .await
}

/// Replaces every line of a quote.
pub async fn replace_lines<C: ConnectionTrait>(
    db: &C,
    quote_id: i64,
    lines: Vec<quote_line::ActiveModel>,
) -> Result<(), DbErr> {
    QuoteLine::delete_many()
        .filter(quote_line::Column::QuoteId.eq(quote_id))
        .exec(db)
        .await?;
    if !lines.is_empty() {
        QuoteLine::insert_many(lines).exec(db).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub status: Option<String>,
    /// Part of the number (any case) or of the title (case-insensitive).
    pub q: Option<String>,
}

fn condition(scope: &RecordScope, filter: &Filter, backend: sea_orm::DbBackend) -> Condition {
    let mut cond = Condition::all()
        .add(scope.owned_by(quote::Column::OwnerId))
        .add(quote::Column::DeletedAt.is_null());
    if let Some(o) = filter.owner_id {
        cond = cond.add(quote::Column::OwnerId.eq(o));
    }
    if let Some(c) = filter.customer_id {
        cond = cond.add(quote::Column::CustomerId.eq(c));
    }
    if let Some(s) = &filter.status {
        cond = cond.add(quote::Column::Status.eq(s.as_str()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        cond = cond.add(
            Condition::any()
                .add(dialect::contains(
                    backend,
                    Expr::col(quote::Column::Number).into(),
                    q.to_uppercase(),
                ))
                .add(dialect::contains(
                    backend,
                    Func::lower(Expr::col(quote::Column::Title)).into(),
                    q.to_lowercase(),
                )),
        );
    }
    cond
}

/// One page of quotes in scope, newest first; `after` is the last id of the previous page.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = condition(scope, filter, db.get_database_backend());
    if let Some(a) = after {
        cond = cond.add(quote::Column::Id.lt(a));
    }
    Quote::find()
        .filter(cond)
        .order_by_desc(quote::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Writes `fields` if the version still matches.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut am: quote::ActiveModel = current.clone().into();
    fields.apply(&mut am);
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    let res = Quote::update_many()
        .set(am)
        .filter(quote::Column::Id.eq(current.id))
        .filter(quote::Column::Version.eq(version))
        .filter(quote::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, current.id).await?)
}

/// Moves a quote from status `from` to `to` if the version still matches.
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let res = Quote::update_many()
        .col_expr(quote::Column::Status, Expr::value(to))
        .col_expr(quote::Column::UpdatedAt, Expr::value(now))
        .col_expr(quote::Column::Version, Expr::value(version + 1))
        .filter(quote::Column::Id.eq(id))
        .filter(quote::Column::Version.eq(version))
        .filter(quote::Column::Status.eq(from))
        .filter(quote::Column::DeletedAt.is_null())
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
    // A quote that became an order stays.
    let extra = Condition::all().add(quote::Column::OrderId.is_null());
    crate::soft::delete::<Quote, _>(db, id, version, now, extra).await
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<Quote, _>(db, id).await
}
