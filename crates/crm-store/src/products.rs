//! Queries: Product catalogue: categories and products. The catalogue is not owner-scoped:
//! callers check the module permission, every live row is visible.

use crate::dialect;
use crate::entity::product::{self, Entity as Product};
use crate::entity::product_category;
use crate::Versioned;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

pub use categories::*;
pub use product::Model;
pub use product_category::Model as CategoryModel;

mod categories;

pub const ENTITY: &str = "product";
pub const CATEGORY_ENTITY: &str = "product_category";

pub const ON_SALE: &str = "on_sale";
pub const DISCONTINUED: &str = "discontinued";

/// Every editable field of a product, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub category_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub spec: Option<String>,
    pub unit: String,
    pub cost_price: Option<i64>,
    pub guide_price: i64,
    pub status: String,
    pub description: Option<String>,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            category_id: m.category_id,
            code: m.code.clone(),
            name: m.name.clone(),
            spec: m.spec.clone(),
            unit: m.unit.clone(),
            cost_price: m.cost_price,
            guide_price: m.guide_price,
            status: m.status.clone(),
            description: m.description.clone(),
        }
    }

    fn apply(self, am: &mut product::ActiveModel) {
        am.category_id = Set(self.category_id);
        am.code = Set(self.code);
        am.name = Set(self.name);
        am.spec = Set(self.spec);
        am.unit = Set(self.unit);
        am.cost_price = Set(self.cost_price);
        am.guide_price = Set(self.guide_price);
        am.status = Set(self.status);
        am.description = Set(self.description);
    }
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    fields: Fields,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut am = product::ActiveModel {
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

/// A live product.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Product::find_by_id(id)
        .filter(product::Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// A product, deleted or not.
pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Product::find_by_id(id).one(db).await
}

/// The product holding `code`, deleted or not (the unique index covers deleted rows too).
pub async fn find_by_code<C: ConnectionTrait>(db: &C, code: &str) -> Result<Option<Model>, DbErr> {
    Product::find()
        .filter(product::Column::Code.eq(code))
        .one(db)
        .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Code,
    Name,
    /// Recently updated first.
    Updated,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "code" => Some(Sort::Code),
            "name" => Some(Sort::Name),
            "updated" | "-updated_at" => Some(Sort::Updated),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Code => "code",
            Sort::Name => "name",
            Sort::Updated => "updated",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the code or of the name, case-insensitive.
    pub q: Option<String>,
    /// Products in any of these categories (a category and its descendants).
    pub category_ids: Option<Vec<i64>>,
    pub status: Option<String>,
}

fn text_match(backend: sea_orm::DbBackend, q: &str) -> Condition {
    let needle = q.trim().to_lowercase();
    Condition::any()
        .add(dialect::contains(
            backend,
            Func::lower(Expr::col((Product, product::Column::Code))).into(),
            needle.clone(),
        ))
        .add(dialect::contains(
            backend,
            Func::lower(Expr::col((Product, product::Column::Name))).into(),
            needle,
        ))
}

fn filtered(backend: sea_orm::DbBackend, filter: &Filter) -> Condition {
    let mut cond = Condition::all().add(product::Column::DeletedAt.is_null());
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        cond = cond.add(text_match(backend, q));
    }
    if let Some(ids) = &filter.category_ids {
        cond = cond.add(product::Column::CategoryId.is_in(ids.iter().copied()));
    }
    if let Some(s) = &filter.status {
        cond = cond.add(product::Column::Status.eq(s.as_str()));
    }
    cond
}

/// One page of live products. `after` is the id of the last row of the previous page
/// (keyset pagination: no OFFSET, no COUNT).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    sort: Sort,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = filtered(db.get_database_backend(), filter);
    if let Some(after) = after {
        if let Some(last) = find_any(db, after).await? {
            let (col, value) = match sort {
                Sort::Code => (product::Column::Code, last.code),
                Sort::Name => (product::Column::Name, last.name),
                Sort::Updated => {
                    cond = cond.add(
                        Condition::any()
                            .add(product::Column::UpdatedAt.lt(last.updated_at))
                            .add(
                                Condition::all()
                                    .add(product::Column::UpdatedAt.eq(last.updated_at))
                                    .add(product::Column::Id.lt(after)),
                            ),
                    );
                    (product::Column::Id, String::new())
                }
            };
            if sort != Sort::Updated {
                cond = cond.add(
                    Condition::any().add(col.gt(value.clone())).add(
                        Condition::all()
                            .add(col.eq(value))
                            .add(product::Column::Id.gt(after)),
                    ),
                );
            }
        }
    }
    let q = Product::find().filter(cond);
    let q = match sort {
        Sort::Code => q
            .order_by_asc(product::Column::Code)
            .order_by_asc(product::Column::Id),
        Sort::Name => q
            .order_by_asc(product::Column::Name)
            .order_by_asc(product::Column::Id),
        Sort::Updated => q
            .order_by_desc(product::Column::UpdatedAt)
            .order_by_desc(product::Column::Id),
    };
    q.limit(limit).all(db).await
}

/// On-sale products matching `q` (code or name), by code: for line editors.
pub async fn on_sale<C: ConnectionTrait>(
    db: &C,
    q: Option<&str>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let filter = Filter {
        q: q.map(str::to_string),
        category_ids: None,
        status: Some(ON_SALE.to_string()),
    };
    list(db, &filter, Sort::Code, None, limit).await
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut am: product::ActiveModel = current.clone().into();
    fields.apply(&mut am);
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    let res = Product::update_many()
        .set(am)
        .filter(product::Column::Id.eq(current.id))
        .filter(product::Column::Version.eq(version))
        .filter(product::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, current.id).await?)
}

pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    crate::soft::delete::<crate::entity::product::Entity, _>(db, id, version, now, Condition::all())
        .await
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<crate::entity::product::Entity, _>(db, id).await
}

/// How many live products are filed under `category_id` (directly).
pub async fn count_in_category<C: ConnectionTrait>(db: &C, category_id: i64) -> Result<u64, DbErr> {
    Product::find()
        .filter(product::Column::CategoryId.eq(category_id))
        .filter(product::Column::DeletedAt.is_null())
        .count(db)
        .await
}
