//! Queries: product categories (a tree by `parent_id`; the tree is laid out by the caller).

use crate::entity::product_category::{self, Entity as Category, Model as CategoryModel};
use crate::Versioned;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// Every live category, by sort order then name (the tree is built by the caller).
pub async fn categories<C: ConnectionTrait>(db: &C) -> Result<Vec<CategoryModel>, DbErr> {
    Category::find()
        .filter(product_category::Column::DeletedAt.is_null())
        .order_by_asc(product_category::Column::SortOrder)
        .order_by_asc(product_category::Column::Name)
        .order_by_asc(product_category::Column::Id)
        .all(db)
        .await
}

pub async fn find_category<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<CategoryModel>, DbErr> {
    Category::find_by_id(id)
        .filter(product_category::Column::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn find_category_any<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<CategoryModel>, DbErr> {
    Category::find_by_id(id).one(db).await
}

/// Category names by id, deleted or not (to label products).
pub async fn category_names<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Category::find()
        .select_only()
        .column(product_category::Column::Id)
        .column(product_category::Column::Name)
        .filter(product_category::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}

pub async fn insert_category<C: ConnectionTrait>(
    db: &C,
    parent_id: Option<i64>,
    name: String,
    sort_order: i32,
    now: DateTime<Utc>,
) -> Result<CategoryModel, DbErr> {
    product_category::ActiveModel {
        parent_id: Set(parent_id),
        name: Set(name),
        sort_order: Set(sort_order),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn update_category<C: ConnectionTrait>(
    db: &C,
    current: &CategoryModel,
    version: i32,
    parent_id: Option<i64>,
    name: String,
    sort_order: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<CategoryModel>, DbErr> {
    let mut am: product_category::ActiveModel = current.clone().into();
    am.parent_id = Set(parent_id);
    am.name = Set(name);
    am.sort_order = Set(sort_order);
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    let res = Category::update_many()
        .set(am)
        .filter(product_category::Column::Id.eq(current.id))
        .filter(product_category::Column::Version.eq(version))
        .filter(product_category::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find_category(db, current.id).await?)
}

/// How many live categories sit directly under `id`.
pub async fn child_count<C: ConnectionTrait>(db: &C, id: i64) -> Result<u64, DbErr> {
    Category::find()
        .filter(product_category::Column::ParentId.eq(id))
        .filter(product_category::Column::DeletedAt.is_null())
        .count(db)
        .await
}

pub async fn soft_delete_category<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    crate::soft::delete::<crate::entity::product_category::Entity, _>(
        db,
        id,
        version,
        now,
        sea_orm::Condition::all(),
    )
    .await
}

pub async fn restore_category<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<crate::entity::product_category::Entity, _>(db, id).await
}
