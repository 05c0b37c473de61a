//! What an order links to: the quote it was made from (claimed once, so a quote becomes at
//! most one order) and the opportunity it closes.

use crate::entity::{opportunity, quote, quote_line};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// A live quote.
pub async fn find_quote<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<quote::Model>, DbErr> {
    quote::Entity::find_by_id(id)
        .filter(quote::Column::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn quote_lines<C: ConnectionTrait>(
    db: &C,
    quote_id: i64,
) -> Result<Vec<quote_line::Model>, DbErr> {
    quote_line::Entity::find()
        .filter(quote_line::Column::QuoteId.eq(quote_id))
        .order_by_asc(quote_line::Column::LineNo)
        .all(db)
        .await
}

/// Marks a quote accepted and turned into `order_id`, unless it already was (or was
/// rejected or deleted meanwhile). True when this call claimed it.
pub async fn claim_quote<C: ConnectionTrait>(
    db: &C,
    quote_id: i64,
    order_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = quote::Entity::update_many()
        .col_expr(quote::Column::OrderId, Expr::value(Some(order_id)))
        .col_expr(quote::Column::Status, Expr::value("accepted"))
        .col_expr(quote::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            quote::Column::Version,
            Expr::col(quote::Column::Version).add(1),
        )
        .filter(quote::Column::Id.eq(quote_id))
        .filter(quote::Column::OrderId.is_null())
        .filter(quote::Column::Status.ne("rejected"))
        .filter(quote::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Frees the quote an order claimed (the order was deleted), so it can be turned into an
/// order again.
pub async fn release_quote<C: ConnectionTrait>(
    db: &C,
    quote_id: i64,
    order_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = quote::Entity::update_many()
        .col_expr(quote::Column::OrderId, Expr::value(Option::<i64>::None))
        .col_expr(quote::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            quote::Column::Version,
            Expr::col(quote::Column::Version).add(1),
        )
        .filter(quote::Column::Id.eq(quote_id))
        .filter(quote::Column::OrderId.eq(order_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// A live opportunity.
pub async fn find_opportunity<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<opportunity::Model>, DbErr> {
    opportunity::Entity::find_by_id(id)
        .filter(opportunity::Column::DeletedAt.is_null())
        .one(db)
        .await
}
