//! Customers: queries. Visibility comes from [`crate::scope::RecordScope`], always in SQL.

use crate::custom_fields::{self, Match};
use crate::entity::contact;
use crate::entity::customer::{self, Entity as Customer};
use crate::scope::RecordScope;
use crate::{dialect, page, search, Versioned};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use customer::Model;

pub const ENTITY: &str = "customer";

/// Every editable field of a customer, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    pub nature: Option<String>,
    pub size: Option<String>,
    pub industry: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub region: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub source: Option<String>,
    pub status: String,
    pub notes: Option<String>,
    pub custom: String,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            name: m.name.clone(),
            nature: m.nature.clone(),
            size: m.size.clone(),
            industry: m.industry.clone(),
            province: m.province.clone(),
            city: m.city.clone(),
            district: m.district.clone(),
            street: m.street.clone(),
            postal_code: m.postal_code.clone(),
            region: m.region.clone(),
            phone: m.phone.clone(),
            website: m.website.clone(),
            source: m.source.clone(),
            status: m.status.clone(),
            notes: m.notes.clone(),
            custom: m.custom.clone(),
        }
    }

    fn apply(self, am: &mut customer::ActiveModel) {
        am.name = Set(self.name);
        am.nature = Set(self.nature);
        am.size = Set(self.size);
        am.industry = Set(self.industry);
        am.province = Set(self.province);
        am.city = Set(self.city);
        am.district = Set(self.district);
        am.street = Set(self.street);
        am.postal_code = Set(self.postal_code);
        am.region = Set(self.region);
        am.phone = Set(self.phone);
        am.website = Set(self.website);
        am.source = Set(self.source);
        am.status = Set(self.status);
        am.notes = Set(self.notes);
        am.custom = Set(self.custom);
    }
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    fields: Fields,
    owner_id: i64,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut am = customer::ActiveModel {
        owner_id: Set(owner_id),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    };
    fields.apply(&mut am);
    let m = am.insert(db).await?;
    reindex(db, m.id).await?;
    Ok(m)
}

/// A live customer, whoever owns it (callers check visibility).
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Customer::find_by_id(id)
        .filter(customer::Column::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Customer::find_by_id(id).one(db).await
}

/// The SQL condition of the customers visible in `scope`.
pub fn visible(scope: &RecordScope) -> Condition {
    Condition::all()
        .add(scope.condition(
            ENTITY,
            customer::Column::OwnerId,
            (customer::Entity, customer::Column::Id),
        ))
        .add(customer::Column::DeletedAt.is_null())
}

/// `SELECT id FROM customers WHERE <visible>`: for records that inherit a customer's
/// visibility (contacts, activities, and later quotes, orders…).
pub fn visible_ids(scope: &RecordScope) -> SelectStatement {
    Query::select()
        .column((customer::Entity, customer::Column::Id))
        .from(customer::Entity)
        .cond_where(visible(scope))
        .to_owned()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    Name,
    RecentlyUpdated,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "newest" | "-id" | "-created_at" => Some(Sort::Newest),
            "name" => Some(Sort::Name),
            "-updated_at" | "updated" => Some(Sort::RecentlyUpdated),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Name => "name",
            Sort::RecentlyUpdated => "updated",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub q: Option<String>,
    pub owner_id: Option<i64>,
    pub region: Option<String>,
    pub nature: Option<String>,
    pub industry: Option<String>,
    pub status: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// `cf.<key>=<value>` filters on custom fields, all of which must match.
    pub custom: Vec<custom_fields::Filter>,
}

/// The condition of one custom-field filter on `customers.custom`.
fn custom_condition(backend: sea_orm::DbBackend, f: &custom_fields::Filter) -> SimpleExpr {
    let Some(value) = dialect::json_text(backend, "customers", "custom", &f.key) else {
        // Not a key at all: matches nothing.
        return Expr::val(1).eq(0);
    };
    match &f.matcher {
        Match::Equals(v) => Expr::expr(value).eq(v.as_str()),
        Match::Contains(v) => {
            dialect::contains(backend, Func::lower(value).into(), v.to_lowercase())
        }
        // A multiple choice reads as its JSON array text: look for the quoted option.
        Match::HasOption(v) => dialect::contains(
            backend,
            value,
            serde_json::Value::from(v.as_str()).to_string(),
        ),
    }
}

fn filtered(scope: &RecordScope, filter: &Filter, backend: sea_orm::DbBackend) -> Condition {
    filtered_in(visible(scope), filter, backend)
}

/// The visibility parts of [`RecordScope::parts`] for customers, each with the deleted
/// check.
fn visible_parts(scope: &RecordScope) -> Vec<Condition> {
    scope
        .parts(
            ENTITY,
            customer::Column::OwnerId,
            (customer::Entity, customer::Column::Id),
        )
        .into_iter()
        .map(|p| {
            Condition::all()
                .add(p)
                .add(customer::Column::DeletedAt.is_null())
        })
        .collect()
}

fn filtered_in(visibility: Condition, filter: &Filter, backend: sea_orm::DbBackend) -> Condition {
    let mut cond = visibility;
    if let Some(o) = filter.owner_id {
        cond = cond.add(customer::Column::OwnerId.eq(o));
    }
    if let Some(v) = &filter.region {
        cond = cond.add(customer::Column::Region.eq(v.as_str()));
    }
    if let Some(v) = &filter.nature {
        cond = cond.add(customer::Column::Nature.eq(v.as_str()));
    }
    if let Some(v) = &filter.industry {
        cond = cond.add(customer::Column::Industry.eq(v.as_str()));
    }
    if let Some(v) = &filter.status {
        cond = cond.add(customer::Column::Status.eq(v.as_str()));
    }
    if let Some(v) = filter.created_from {
        cond = cond.add(customer::Column::CreatedAt.gte(v));
    }
    if let Some(v) = filter.created_to {
        cond = cond.add(customer::Column::CreatedAt.lt(v));
    }
    for f in &filter.custom {
        cond = cond.add(custom_condition(backend, f));
    }
    if let Some(q) = &filter.q {
        match search::customer_match(backend, q) {
            Some(m) => cond = cond.add(m),
            // Nothing searchable (only punctuation): no match rather than everything.
            None => cond = cond.add(Expr::val(1).eq(0)),
        }
    }
    cond
}

/// The order of a list sort, ending with the id (a total order).
fn sort_order(sort: Sort) -> Vec<(customer::Column, Order)> {
    use customer::Column as C;
    match sort {
        Sort::Newest => vec![(C::Id, Order::Desc)],
        Sort::Name => vec![(C::Name, Order::Asc), (C::Id, Order::Asc)],
        Sort::RecentlyUpdated => vec![(C::UpdatedAt, Order::Desc), (C::Id, Order::Desc)],
    }
}

/// One page of visible customers. `after` is the id of the last row of the previous page
/// (keyset pagination: no OFFSET, no COUNT). A team's list in name or update order is read
/// per owner ([`crate::page`]).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    sort: Sort,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use customer::Column as Col;
    let backend = db.get_database_backend();
    // Rows after the previous page's last row, as a row-value comparison that an index
    // range answers: (name, id) > (…, …).
    let keyset = match after {
        Some(after) => find_any(db, after).await?.map(|last| {
            let tuple =
                |cols: [Col; 2]| Expr::tuple(cols.map(|c| Expr::col((customer::Entity, c)).into()));
            match sort {
                Sort::Newest => Col::Id.lt(after),
                Sort::Name => tuple([Col::Name, Col::Id]).gt(Expr::tuple([
                    Expr::val(last.name).into(),
                    Expr::val(after).into(),
                ])),
                Sort::RecentlyUpdated => tuple([Col::UpdatedAt, Col::Id]).lt(Expr::tuple([
                    Expr::val(last.updated_at).into(),
                    Expr::val(after).into(),
                ])),
            }
        }),
        None => None,
    };
    let order = sort_order(sort);
    let live = |visibility: Condition| {
        let cond = filtered_in(visibility.add(Col::DeletedAt.is_null()), filter, backend);
        match &keyset {
            Some(k) => cond.add(k.clone()),
            None => cond,
        }
    };
    let ordered = |mut q: sea_orm::Select<Customer>| {
        for (col, dir) in &order {
            q = q.order_by(*col, dir.clone());
        }
        q
    };
    // Newest first, the databases walk (owner, id) per owner or the primary key; a search
    // starts from its own index; PostgreSQL plans team sorts well by itself.
    let per_owner =
        sort != Sort::Newest && filter.q.is_none() && dialect::team_sorts_per_owner(backend);
    let (parts, overlapping) = match per_owner.then(|| scope.owner_runs(Col::OwnerId)).flatten() {
        Some(mut runs) if (2..=page::MAX_OWNER_RUNS).contains(&runs.len()) => {
            let shared = scope.shared_part(ENTITY, (customer::Entity, Col::Id));
            let overlapping = shared.is_some();
            runs.extend(shared);
            (runs, overlapping)
        }
        _ => (
            scope.parts(ENTITY, Col::OwnerId, (customer::Entity, Col::Id)),
            true,
        ),
    };
    // Several parts (owners, or owned and shared rows) merge in the database, in its own
    // order (its collation for names), which the next page's keyset continues.
    let rows = match parts.as_slice() {
        [one] => {
            let q = Customer::find().filter(live(one.clone())).limit(limit);
            ordered(q).all(db).await?
        }
        parts => {
            let ids = page::ids_in_order::<Customer>(
                Col::Id,
                parts,
                overlapping,
                &live(Condition::all()),
                &order,
                limit,
            );
            page::rows_in_order::<_, Customer>(db, &ids, Col::Id, |c| c.id).await?
        }
    };
    Ok(rows)
}

/// Every visible customer matching the filter, in id order, streamed in batches (export).
pub async fn batch_after<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    after: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let backend = db.get_database_backend();
    let mut rows: Vec<Model> = Vec::new();
    for part in visible_parts(scope) {
        rows.extend(
            Customer::find()
                .filter(filtered_in(part, filter, backend))
                .filter(customer::Column::Id.gt(after))
                .order_by_asc(customer::Column::Id)
                .limit(limit)
                .all(db)
                .await?,
        );
    }
    rows.sort_by_key(|r| r.id);
    rows.dedup_by_key(|r| r.id);
    rows.truncate(limit as usize);
    Ok(rows)
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut am: customer::ActiveModel = current.clone().into();
    fields.apply(&mut am);
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    // The version check: write only if nobody changed the row since it was read.
    let res = Customer::update_many()
        .set(am)
        .filter(customer::Column::Id.eq(current.id))
        .filter(customer::Column::Version.eq(version))
        .filter(customer::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    let out = Versioned::after_update(res.rows_affected, find(db, current.id).await?)?;
    if matches!(out, Versioned::Done(_)) {
        reindex(db, current.id).await?;
    }
    Ok(out)
}

/// Hands customers to a new owner (version-checked per row when `version` is given).
pub async fn set_owner<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: Option<i32>,
    owner_id: i64,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut q = Customer::update_many()
        .col_expr(customer::Column::OwnerId, Expr::value(owner_id))
        .col_expr(customer::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            customer::Column::Version,
            Expr::col(customer::Column::Version).add(1),
        )
        .filter(customer::Column::Id.eq(id))
        .filter(customer::Column::DeletedAt.is_null());
    if let Some(v) = version {
        q = q.filter(customer::Column::Version.eq(v));
    }
    let res = q.exec(db).await?;
    Versioned::after_update(res.rows_affected, find(db, id).await?)
}

pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    let done = crate::soft::delete::<Customer, _>(db, id, version, now, Condition::all()).await?;
    if done == Versioned::Done(()) {
        search::remove_customer(db, id).await?;
    }
    Ok(done)
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    let restored = crate::soft::restore::<Customer, _>(db, id).await?;
    if restored {
        reindex(db, id).await?;
    }
    Ok(restored)
}

/// Rebuilds the search tokens of a customer from its fields and its live contacts.
pub async fn reindex<C: ConnectionTrait>(db: &C, id: i64) -> Result<(), DbErr> {
    let Some(c) = find(db, id).await? else {
        return search::remove_customer(db, id).await;
    };
    let contacts = contact::Entity::find()
        .filter(contact::Column::CustomerId.eq(id))
        .filter(contact::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let mut texts: Vec<&str> = vec![c.name.as_str()];
    texts.extend(c.phone.as_deref());
    texts.extend(c.website.as_deref());
    for k in &contacts {
        texts.push(k.name.as_str());
        texts.extend(k.mobile.as_deref());
        texts.extend(k.phone.as_deref());
        texts.extend(k.email.as_deref());
    }
    search::index_customer(db, id, &search::document_tokens(texts)).await
}

/// Names of customers by id (for lists and exports of related records).
pub async fn names<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<Vec<(i64, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Customer::find()
        .select_only()
        .column(customer::Column::Id)
        .column(customer::Column::Name)
        .filter(customer::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}

/// How many visible customers match a filter (for an export's progress bar only; lists
/// never count).
pub async fn count<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Customer::find()
        .filter(filtered(scope, filter, db.get_database_backend()))
        .count(db)
        .await
}
