use sea_orm::entity::prelude::*;

/// 市场活动. `kind`: exhibition / seminar / online_ad / email / telemarketing / other;
/// `status`: planned / active / completed / cancelled; money in minor units. With
/// `form_enabled`, the public web form at `/f/{form_key}` adds leads to this campaign.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub budget: i64,
    pub actual_cost: i64,
    pub expected_leads: Option<i32>,
    pub expected_revenue: Option<i64>,
    pub actual_results: Option<String>,
    pub description: Option<String>,
    pub owner_id: i64,
    pub form_enabled: bool,
    pub form_key: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
