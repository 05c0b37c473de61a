//! Links between opportunities and competitors (`opportunity_competitors`, unique per
//! pair): the competitor's offered price and notes on one opportunity.

use crate::entity::competitor;
use crate::entity::opportunity_competitor::{self as oc, Entity as Link};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub use oc::Model as LinkModel;

/// The link of one pair, if any.
pub async fn find_link<C: ConnectionTrait>(
    db: &C,
    opportunity_id: i64,
    competitor_id: i64,
) -> Result<Option<LinkModel>, DbErr> {
    Link::find()
        .filter(oc::Column::OpportunityId.eq(opportunity_id))
        .filter(oc::Column::CompetitorId.eq(competitor_id))
        .one(db)
        .await
}

/// The links of one opportunity to live competitors, in the order they were added.
pub async fn links_of_opportunity<C: ConnectionTrait>(
    db: &C,
    opportunity_id: i64,
) -> Result<Vec<LinkModel>, DbErr> {
    let live = sea_orm::sea_query::Query::select()
        .column(competitor::Column::Id)
        .from(competitor::Entity)
        .and_where(competitor::Column::DeletedAt.is_null())
        .to_owned();
    Link::find()
        .filter(oc::Column::OpportunityId.eq(opportunity_id))
        .filter(oc::Column::CompetitorId.in_subquery(live))
        .order_by_asc(oc::Column::Id)
        .limit(500)
        .all(db)
        .await
}

pub async fn insert_link<C: ConnectionTrait>(
    db: &C,
    opportunity_id: i64,
    competitor_id: i64,
    their_price: Option<i64>,
    notes: Option<String>,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<LinkModel, DbErr> {
    oc::ActiveModel {
        opportunity_id: Set(opportunity_id),
        competitor_id: Set(competitor_id),
        their_price: Set(their_price),
        notes: Set(notes),
        created_by: Set(created_by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Changes the price and notes of a link.
pub async fn update_link<C: ConnectionTrait>(
    db: &C,
    current: &LinkModel,
    their_price: Option<i64>,
    notes: Option<String>,
) -> Result<LinkModel, DbErr> {
    let mut am: oc::ActiveModel = current.clone().into();
    am.their_price = Set(their_price);
    am.notes = Set(notes);
    am.update(db).await
}

/// Removes the link of one pair; false when there was none.
pub async fn delete_link<C: ConnectionTrait>(
    db: &C,
    opportunity_id: i64,
    competitor_id: i64,
) -> Result<bool, DbErr> {
    let res = Link::delete_many()
        .filter(oc::Column::OpportunityId.eq(opportunity_id))
        .filter(oc::Column::CompetitorId.eq(competitor_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}
