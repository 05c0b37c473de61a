//! Queries: campaigns (市场活动). Campaigns are company-wide records: every user with
//! `market:view` sees all of them; the owner only decides who may change one (the service
//! checks it). Their figures ([`results`]) follow from the leads that name the campaign.

use crate::entity::campaign::{self, Entity as Campaign};
use crate::Versioned;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub mod results;
pub mod secret;

pub use campaign::Model;

pub const ENTITY: &str = "campaign";

impl crate::soft::SoftDeletable for Campaign {
    const ID: Self::Column = campaign::Column::Id;
    const VERSION: Self::Column = campaign::Column::Version;
    const DELETED_AT: Self::Column = campaign::Column::DeletedAt;
}

/// The editable fields of a campaign, validated (money in minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    pub kind: String,
    pub status: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub budget: i64,
    pub actual_cost: i64,
    pub expected_leads: Option<i32>,
    pub expected_revenue: Option<i64>,
    pub actual_results: Option<String>,
    pub description: Option<String>,
    pub owner_id: i64,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            name: m.name.clone(),
            kind: m.kind.clone(),
            status: m.status.clone(),
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            budget: m.budget,
            actual_cost: m.actual_cost,
            expected_leads: m.expected_leads,
            expected_revenue: m.expected_revenue,
            actual_results: m.actual_results.clone(),
            description: m.description.clone(),
            owner_id: m.owner_id,
        }
    }

    fn apply(self, am: &mut campaign::ActiveModel) {
        am.name = Set(self.name);
        am.kind = Set(self.kind);
        am.status = Set(self.status);
        am.starts_on = Set(self.starts_on);
        am.ends_on = Set(self.ends_on);
        am.budget = Set(self.budget);
        am.actual_cost = Set(self.actual_cost);
        am.expected_leads = Set(self.expected_leads);
        am.expected_revenue = Set(self.expected_revenue);
        am.actual_results = Set(self.actual_results);
        am.description = Set(self.description);
        am.owner_id = Set(self.owner_id);
    }
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    fields: Fields,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut am = campaign::ActiveModel {
        form_enabled: Set(false),
        form_key: Set(None),
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

/// A live campaign.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Campaign::find_by_id(id)
        .filter(campaign::Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// A campaign, live or deleted.
pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Campaign::find_by_id(id).one(db).await
}

/// The live campaign whose public web form is enabled under `form_key`.
pub async fn find_by_form_key<C: ConnectionTrait>(
    db: &C,
    form_key: &str,
) -> Result<Option<Model>, DbErr> {
    Campaign::find()
        .filter(campaign::Column::FormKey.eq(form_key))
        .filter(campaign::Column::FormEnabled.eq(true))
        .filter(campaign::Column::DeletedAt.is_null())
        .one(db)
        .await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub owner_id: Option<i64>,
    /// Dated campaigns still running on or after this day (ending on or after it, or
    /// without an end date).
    pub from: Option<NaiveDate>,
    /// Campaigns starting on or before this day (undated ones never match a date filter).
    pub to: Option<NaiveDate>,
    /// Part of the name (case-insensitive for Latin letters).
    pub q: Option<String>,
}

fn condition(filter: &Filter) -> Condition {
    let mut cond = Condition::all().add(campaign::Column::DeletedAt.is_null());
    if let Some(s) = &filter.status {
        cond = cond.add(campaign::Column::Status.eq(s.as_str()));
    }
    if let Some(k) = &filter.kind {
        cond = cond.add(campaign::Column::Kind.eq(k.as_str()));
    }
    if let Some(o) = filter.owner_id {
        cond = cond.add(campaign::Column::OwnerId.eq(o));
    }
    if let Some(d) = filter.from {
        cond = cond.add(campaign::Column::StartsOn.is_not_null()).add(
            Condition::any()
                .add(campaign::Column::EndsOn.is_null())
                .add(campaign::Column::EndsOn.gte(d)),
        );
    }
    if let Some(d) = filter.to {
        cond = cond.add(campaign::Column::StartsOn.lte(d));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_', '\\'], ""));
        cond = cond.add(Expr::expr(Func::lower(Expr::col(campaign::Column::Name))).like(pattern));
    }
    cond
}

/// One page of live campaigns matching the filter, newest first; `after` is the id of the
/// last row of the previous page.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = condition(filter);
    if let Some(a) = after {
        cond = cond.add(campaign::Column::Id.lt(a));
    }
    Campaign::find()
        .filter(cond)
        .order_by_desc(campaign::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut am: campaign::ActiveModel = current.clone().into();
    fields.apply(&mut am);
    write(db, current.id, version, am, now).await
}

/// Switches the public web form on or off and sets its key (version-checked).
pub async fn set_form<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    enabled: bool,
    form_key: Option<String>,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut am: campaign::ActiveModel = current.clone().into();
    am.form_enabled = Set(enabled);
    am.form_key = Set(form_key);
    write(db, current.id, version, am, now).await
}

async fn write<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    mut am: campaign::ActiveModel,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    let res = Campaign::update_many()
        .set(am)
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::Version.eq(version))
        .filter(campaign::Column::DeletedAt.is_null())
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
    crate::soft::delete::<Campaign, _>(db, id, version, now, Condition::all()).await
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<Campaign, _>(db, id).await
}

/// Names of campaigns by id (deleted ones included, so old leads still show theirs).
pub async fn names<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<Vec<(i64, String)>, DbErr> {
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
