//! Queries of lead conversion (线索转化) and duplicate detection (查重) over leads: the
//! conditional claim of a lead, its follow-up history, and leads matching duplicate keys.
//! Reads the lead tables directly (`entity::lead`, `entity::lead_activity`).

use crate::entity::lead::{self, Column as L, Entity as Lead};
use crate::entity::lead_activity::{self, Entity as LeadActivity};
use crate::entity::{contact, record_share};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub use lead::Model as LeadModel;
pub use lead_activity::Model as LeadActivityModel;

pub const LEAD_ENTITY: &str = "lead";
pub const CONVERTED: &str = "converted";

/// A live lead, whoever owns it (callers check visibility).
pub async fn find_lead<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<LeadModel>, DbErr> {
    Lead::find_by_id(id)
        .filter(L::DeletedAt.is_null())
        .one(db)
        .await
}

/// Marks a live, unconverted lead converted: `UPDATE … WHERE status <> 'converted' AND
/// deleted_at IS NULL`. False when nothing matched (already converted, deleted or
/// missing). Of two transactions converting one lead, the second waits for the first
/// row lock (PostgreSQL) or the write lock (SQLite) and then matches nothing.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Lead::update_many()
        .col_expr(L::Status, Expr::value(CONVERTED))
        .col_expr(L::ConvertedAt, Expr::value(now))
        .col_expr(L::ConvertedBy, Expr::value(by))
        .col_expr(L::UpdatedAt, Expr::value(now))
        .col_expr(L::Version, Expr::col(L::Version).add(1))
        .filter(L::Id.eq(id))
        .filter(L::Status.ne(CONVERTED))
        .filter(L::DeletedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records what a claimed lead became.
pub async fn link_result<C: ConnectionTrait>(
    db: &C,
    id: i64,
    customer_id: i64,
    contact_id: i64,
    opportunity_id: Option<i64>,
) -> Result<(), DbErr> {
    Lead::update_many()
        .col_expr(L::CustomerId, Expr::value(customer_id))
        .col_expr(L::ContactId, Expr::value(contact_id))
        .col_expr(L::OpportunityId, Expr::value(opportunity_id))
        .filter(L::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// A lead's live follow-up history, oldest first.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    lead_id: i64,
) -> Result<Vec<LeadActivityModel>, DbErr> {
    LeadActivity::find()
        .filter(lead_activity::Column::LeadId.eq(lead_id))
        .filter(lead_activity::Column::DeletedAt.is_null())
        .order_by_asc(lead_activity::Column::OccurredAt)
        .order_by_asc(lead_activity::Column::Id)
        .all(db)
        .await
}

/// Which normalised column of `leads` a duplicate key kind is compared with.
fn norm_column(kind: &str) -> Option<L> {
    match kind {
        crate::match_keys::PHONE => Some(L::PhoneNorm),
        crate::match_keys::EMAIL => Some(L::EmailNorm),
        crate::match_keys::COMPANY => Some(L::CompanyNorm),
        _ => None,
    }
}

/// Live, unconverted leads whose key of `kind` is one of `keys` (one `IN` query on the
/// `*_norm` index), at most [`crate::match_keys::MAX_LOOKUP_ROWS`].
pub async fn leads_matching<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    keys: &[String],
) -> Result<Vec<LeadModel>, DbErr> {
    let Some(col) = norm_column(kind) else {
        return Ok(vec![]);
    };
    if keys.is_empty() {
        return Ok(vec![]);
    }
    Lead::find()
        .filter(col.is_in(keys.iter().map(String::as_str)))
        .filter(L::Status.ne(CONVERTED))
        .filter(L::DeletedAt.is_null())
        .order_by_asc(L::Id)
        .limit(crate::match_keys::MAX_LOOKUP_ROWS)
        .all(db)
        .await
}

/// The customers among `ids` shared with `user_id`, with the share's access.
pub async fn customer_shares<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    record_share::Entity::find()
        .select_only()
        .column(record_share::Column::EntityId)
        .column(record_share::Column::Access)
        .filter(record_share::Column::EntityType.eq(crate::customers::ENTITY))
        .filter(record_share::Column::UserId.eq(user_id))
        .filter(record_share::Column::EntityId.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}

/// Names of contacts by id.
pub async fn contact_names<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .column(contact::Column::Name)
        .filter(contact::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}
