//! What a lead refers to: live campaigns (for validation and the campaign select).

use crate::entity::campaign::{self, Entity as Campaign};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// True when `id` is a campaign that is not deleted.
pub async fn campaign_live<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    Ok(Campaign::find_by_id(id)
        .filter(campaign::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .is_some())
}

/// (id, name) of the live campaigns, newest first, at most `limit`.
pub async fn campaign_choices<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<(i64, String)>, DbErr> {
    Campaign::find()
        .select_only()
        .column(campaign::Column::Id)
        .column(campaign::Column::Name)
        .filter(campaign::Column::DeletedAt.is_null())
        .order_by_desc(campaign::Column::Id)
        .limit(limit)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}

/// Names of campaigns by id (deleted ones included: a lead keeps showing where it came from).
pub async fn campaign_names<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Campaign::find()
        .select_only()
        .column(campaign::Column::Id)
        .column(campaign::Column::Name)
        .filter(campaign::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}
