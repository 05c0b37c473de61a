//! Leads (销售线索): queries. A lead with an owner is visible to the owner's scope
//! ([`RecordScope::owned_by`], no shares); a lead without one sits in the shared pool
//! (线索池) and is visible to everyone who may see leads. Every write of the contact fields
//! sets the duplicate keys `phone_norm`, `email_norm` and `company_norm`
//! ([`crm_domain::dedupe`]), so no caller can forget them.

pub mod activities;
mod query;
pub mod refs;

pub use query::{count, list, Filter, OwnerFilter, Sort};

use crate::entity::lead::{self, Entity as Lead};
use crate::scope::RecordScope;
use crate::Versioned;
use chrono::{DateTime, NaiveDate, Utc};
use crm_domain::dedupe::{company_key, email_key, phone_key};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set,
};

pub use lead::Model;

pub const ENTITY: &str = "lead";
/// The status only the conversion sets; a converted lead is read-only.
pub const CONVERTED: &str = "converted";

impl crate::soft::SoftDeletable for Lead {
    const ID: Self::Column = lead::Column::Id;
    const VERSION: Self::Column = lead::Column::Version;
    const DELETED_AT: Self::Column = lead::Column::DeletedAt;
}

/// Every editable field of a lead, already validated. The duplicate keys are derived from
/// `phone`, `email` and `company` when the fields are written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    pub company: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub industry: Option<String>,
    pub source: Option<String>,
    pub campaign_id: Option<i64>,
    pub status: String,
    pub notes: Option<String>,
    pub next_follow_up: Option<NaiveDate>,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            name: m.name.clone(),
            company: m.company.clone(),
            title: m.title.clone(),
            phone: m.phone.clone(),
            email: m.email.clone(),
            province: m.province.clone(),
            city: m.city.clone(),
            address: m.address.clone(),
            industry: m.industry.clone(),
            source: m.source.clone(),
            campaign_id: m.campaign_id,
            status: m.status.clone(),
            notes: m.notes.clone(),
            next_follow_up: m.next_follow_up,
        }
    }

    fn apply(self, am: &mut lead::ActiveModel) {
        am.phone_norm = Set(self.phone.as_deref().and_then(phone_key));
        am.email_norm = Set(self.email.as_deref().and_then(email_key));
        am.company_norm = Set(self.company.as_deref().and_then(company_key));
        am.name = Set(self.name);
        am.company = Set(self.company);
        am.title = Set(self.title);
        am.phone = Set(self.phone);
        am.email = Set(self.email);
        am.province = Set(self.province);
        am.city = Set(self.city);
        am.address = Set(self.address);
        am.industry = Set(self.industry);
        am.source = Set(self.source);
        am.campaign_id = Set(self.campaign_id);
        am.status = Set(self.status);
        am.notes = Set(self.notes);
        am.next_follow_up = Set(self.next_follow_up);
    }
}

/// A lead to insert: its fields, its owner (`None`: the pool), who made it, and for an
/// import the row's key (unique, so a re-run import inserts each row once).
#[derive(Debug, Clone, Default)]
pub struct NewLead {
    pub fields: Fields,
    pub owner_id: Option<i64>,
    pub created_by: Option<i64>,
    pub import_key: Option<String>,
}

/// The row of a new lead, duplicate keys included (for bulk inserts: the importer).
pub fn new_active_model(new: NewLead, now: DateTime<Utc>) -> lead::ActiveModel {
    let mut am = lead::ActiveModel {
        owner_id: Set(new.owner_id),
        created_by: Set(new.created_by),
        import_key: Set(new.import_key),
        last_contacted_at: Set(None),
        converted_at: Set(None),
        converted_by: Set(None),
        customer_id: Set(None),
        contact_id: Set(None),
        opportunity_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    };
    new.fields.apply(&mut am);
    am
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewLead,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    new_active_model(new, now).insert(db).await
}

/// A live lead, whoever owns it (callers check visibility).
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Lead::find_by_id(id)
        .filter(lead::Column::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Lead::find_by_id(id).one(db).await
}

/// The SQL condition of the live leads visible in `scope`: owned within it, or in the pool
/// ([`RecordScope::owned_or_pooled`]). Every read of leads uses it.
pub fn visible(scope: &RecordScope) -> Condition {
    Condition::all()
        .add(lead::Column::DeletedAt.is_null())
        .add(scope.owned_or_pooled(lead::Column::OwnerId))
}

/// Writes new field values at `version` (never on a converted lead).
pub async fn update<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut am: lead::ActiveModel = current.clone().into();
    fields.apply(&mut am);
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    let res = Lead::update_many()
        .set(am)
        .filter(lead::Column::Id.eq(current.id))
        .filter(lead::Column::Version.eq(version))
        .filter(lead::Column::DeletedAt.is_null())
        .filter(lead::Column::Status.ne(CONVERTED))
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, current.id).await?)
}

/// Moves a lead from owner `from` to owner `to` (`None`: the pool) in one conditional
/// `UPDATE … WHERE owner_id = from` (or `IS NULL`), so of two racing claims exactly one
/// wins; `Stale` when the owner (or the version, when given) moved on or the lead was
/// converted meanwhile.
pub async fn move_owner<C: ConnectionTrait>(
    db: &C,
    id: i64,
    from: Option<i64>,
    to: Option<i64>,
    version: Option<i32>,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut q = Lead::update_many()
        .col_expr(lead::Column::OwnerId, Expr::value(to))
        .col_expr(lead::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            lead::Column::Version,
            Expr::col(lead::Column::Version).add(1),
        )
        .filter(lead::Column::Id.eq(id))
        .filter(lead::Column::DeletedAt.is_null())
        .filter(lead::Column::Status.ne(CONVERTED))
        .filter(match from {
            Some(o) => lead::Column::OwnerId.eq(o),
            None => lead::Column::OwnerId.is_null(),
        });
    if let Some(v) = version {
        q = q.filter(lead::Column::Version.eq(v));
    }
    let res = q.exec(db).await?;
    Versioned::after_update(res.rows_affected, find(db, id).await?)
}

/// After a follow-up: the lead was last contacted at `at` (unless a later contact is
/// already recorded), its next follow-up is `next`, and a new lead is now being contacted.
/// False when the lead is gone or converted.
pub async fn record_contact<C: ConnectionTrait>(
    db: &C,
    id: i64,
    at: DateTime<Utc>,
    next: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let last = Expr::case(
        Condition::any()
            .add(lead::Column::LastContactedAt.is_null())
            .add(lead::Column::LastContactedAt.lt(at)),
        Expr::value(Some(at)),
    )
    .finally(Expr::col(lead::Column::LastContactedAt));
    let status = Expr::case(lead::Column::Status.eq("new"), Expr::value("contacting"))
        .finally(Expr::col(lead::Column::Status));
    let res = Lead::update_many()
        .col_expr(lead::Column::LastContactedAt, last.into())
        .col_expr(lead::Column::Status, status.into())
        .col_expr(lead::Column::NextFollowUp, Expr::value(next))
        .col_expr(lead::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            lead::Column::Version,
            Expr::col(lead::Column::Version).add(1),
        )
        .filter(lead::Column::Id.eq(id))
        .filter(lead::Column::DeletedAt.is_null())
        .filter(lead::Column::Status.ne(CONVERTED))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Deletes a live, unconverted lead at `version`.
pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    let extra = Condition::all().add(lead::Column::Status.ne(CONVERTED));
    crate::soft::delete::<Lead, _>(db, id, version, now, extra).await
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<Lead, _>(db, id).await
}

/// Names of leads by id.
pub async fn names<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<Vec<(i64, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Lead::find()
        .select_only()
        .column(lead::Column::Id)
        .column(lead::Column::Name)
        .filter(lead::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}
