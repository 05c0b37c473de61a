//! Contacts (联系人): visible exactly when their customer is.

use crate::entity::contact::{self, Entity as Contact};
use crate::scope::RecordScope;
use crate::{customers, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use contact::Model;

pub const ENTITY: &str = "contact";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    pub title: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub notes: Option<String>,
    pub is_primary: bool,
    pub custom: String,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            name: m.name.clone(),
            title: m.title.clone(),
            mobile: m.mobile.clone(),
            phone: m.phone.clone(),
            email: m.email.clone(),
            address: m.address.clone(),
            birthday: m.birthday,
            notes: m.notes.clone(),
            is_primary: m.is_primary,
            custom: m.custom.clone(),
        }
    }

    fn apply(self, am: &mut contact::ActiveModel) {
        am.name = Set(self.name);
        am.title = Set(self.title);
        am.mobile = Set(self.mobile);
        am.phone = Set(self.phone);
        am.email = Set(self.email);
        am.address = Set(self.address);
        am.birthday = Set(self.birthday);
        am.notes = Set(self.notes);
        am.is_primary = Set(self.is_primary);
        am.custom = Set(self.custom);
    }
}

/// Only one primary contact per customer: clears the flag on the others.
async fn clear_primary<C: ConnectionTrait>(
    db: &C,
    customer_id: i64,
    keep: i64,
) -> Result<(), DbErr> {
    Contact::update_many()
        .col_expr(contact::Column::IsPrimary, Expr::value(false))
        .filter(contact::Column::CustomerId.eq(customer_id))
        .filter(contact::Column::Id.ne(keep))
        .filter(contact::Column::IsPrimary.eq(true))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    customer_id: i64,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let primary = fields.is_primary;
    let mut am = contact::ActiveModel {
        customer_id: Set(customer_id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    };
    fields.apply(&mut am);
    let m = am.insert(db).await?;
    if primary {
        clear_primary(db, customer_id, m.id).await?;
    }
    customers::reindex(db, customer_id).await?;
    Ok(m)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Contact::find_by_id(id)
        .filter(contact::Column::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Contact::find_by_id(id).one(db).await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub customer_id: Option<i64>,
    pub q: Option<String>,
}

/// The condition of the contacts visible in `scope` (through their customer).
pub fn visible(scope: &RecordScope) -> Condition {
    Condition::all()
        .add(contact::Column::DeletedAt.is_null())
        .add(contact::Column::CustomerId.in_subquery(customers::visible_ids(scope)))
}

fn filtered(scope: &RecordScope, filter: &Filter) -> Condition {
    let mut cond = visible(scope);
    if let Some(c) = filter.customer_id {
        cond = cond.add(contact::Column::CustomerId.eq(c));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", q.replace(['%', '_', '\\'], ""));
        cond = cond.add(
            Condition::any()
                .add(contact::Column::Name.like(pattern.clone()))
                .add(contact::Column::Mobile.like(pattern.clone()))
                .add(contact::Column::Phone.like(pattern.clone()))
                .add(contact::Column::Email.like(pattern)),
        );
    }
    cond
}

/// Visible contacts, newest first, keyset by id.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut q = Contact::find().filter(filtered(scope, filter));
    if let Some(b) = before {
        q = q.filter(contact::Column::Id.lt(b));
    }
    q.order_by_desc(contact::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Visible contacts in id order after `after` (export batches).
pub async fn batch_after<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    after: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Contact::find()
        .filter(filtered(scope, filter))
        .filter(contact::Column::Id.gt(after))
        .order_by_asc(contact::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The live contacts of one customer, primary first.
pub async fn of_customer<C: ConnectionTrait>(
    db: &C,
    customer_id: i64,
) -> Result<Vec<Model>, DbErr> {
    Contact::find()
        .filter(contact::Column::CustomerId.eq(customer_id))
        .filter(contact::Column::DeletedAt.is_null())
        .order_by_desc(contact::Column::IsPrimary)
        .order_by_asc(contact::Column::Id)
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
    let primary = fields.is_primary;
    let mut am: contact::ActiveModel = current.clone().into();
    fields.apply(&mut am);
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    let res = Contact::update_many()
        .set(am)
        .filter(contact::Column::Id.eq(current.id))
        .filter(contact::Column::Version.eq(version))
        .filter(contact::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    let out = Versioned::after_update(res.rows_affected, find(db, current.id).await?)?;
    if matches!(out, Versioned::Done(_)) {
        if primary {
            clear_primary(db, current.customer_id, current.id).await?;
        }
        customers::reindex(db, current.customer_id).await?;
    }
    Ok(out)
}

pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    let done =
        crate::soft::delete::<Contact, _>(db, current.id, version, now, Condition::all()).await?;
    if done == Versioned::Done(()) {
        customers::reindex(db, current.customer_id).await?;
    }
    Ok(done)
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    let Some(c) = find_any(db, id).await? else {
        return Ok(false);
    };
    let restored = crate::soft::restore::<Contact, _>(db, id).await?;
    if restored {
        customers::reindex(db, c.customer_id).await?;
    }
    Ok(restored)
}

/// How many live contacts each of these customers has.
pub async fn count_for<C: ConnectionTrait>(
    db: &C,
    customer_ids: &[i64],
) -> Result<Vec<(i64, i64)>, DbErr> {
    if customer_ids.is_empty() {
        return Ok(vec![]);
    }
    Contact::find()
        .select_only()
        .column(contact::Column::CustomerId)
        .column_as(contact::Column::Id.count(), "n")
        .filter(contact::Column::CustomerId.is_in(customer_ids.iter().copied()))
        .filter(contact::Column::DeletedAt.is_null())
        .group_by(contact::Column::CustomerId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await
}
