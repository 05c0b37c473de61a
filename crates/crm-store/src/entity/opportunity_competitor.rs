use sea_orm::entity::prelude::*;

/// A competitor met on an opportunity (unique per pair); win/loss against the competitor
/// follows from the opportunity's outcome.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunity_competitors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub opportunity_id: i64,
    pub competitor_id: i64,
    /// Their offered price, minor units.
    pub their_price: Option<i64>,
    pub notes: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
