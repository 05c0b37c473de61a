//! Queries: Pipeline stages (销售阶段). Built-in stages have a `code` and no `name` until an
//! administrator renames them; added stages have a name and no code.

use crate::entity::opportunity;
use crate::entity::pipeline_stage::{self, Entity as Stage};
use crate::Versioned;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

pub use pipeline_stage::Model;

pub const ENTITY: &str = "pipeline_stage";

/// The editable fields of a stage, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub name: Option<String>,
    pub probability: i32,
    pub sort_order: i32,
    pub active: bool,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            name: m.name.clone(),
            probability: m.probability,
            sort_order: m.sort_order,
            active: m.active,
        }
    }
}

/// Every stage (or only the active ones) in pipeline order.
pub async fn list<C: ConnectionTrait>(db: &C, only_active: bool) -> Result<Vec<Model>, DbErr> {
    let mut q = Stage::find();
    if only_active {
        q = q.filter(pipeline_stage::Column::Active.eq(true));
    }
    q.order_by_asc(pipeline_stage::Column::SortOrder)
        .order_by_asc(pipeline_stage::Column::Id)
        .all(db)
        .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Stage::find_by_id(id).one(db).await
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    name: String,
    probability: i32,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let last = Stage::find()
        .order_by_desc(pipeline_stage::Column::SortOrder)
        .one(db)
        .await?
        .map_or(0, |s| s.sort_order);
    pipeline_stage::ActiveModel {
        code: Set(None),
        name: Set(Some(name)),
        probability: Set(probability),
        sort_order: Set(last.saturating_add(10)),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Writes `fields` if the stage is still at `version`.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let res = Stage::update_many()
        .col_expr(pipeline_stage::Column::Name, Expr::value(fields.name))
        .col_expr(
            pipeline_stage::Column::Probability,
            Expr::value(fields.probability),
        )
        .col_expr(
            pipeline_stage::Column::SortOrder,
            Expr::value(fields.sort_order),
        )
        .col_expr(pipeline_stage::Column::Active, Expr::value(fields.active))
        .col_expr(pipeline_stage::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            pipeline_stage::Column::Version,
            Expr::col(pipeline_stage::Column::Version).add(1),
        )
        .filter(pipeline_stage::Column::Id.eq(id))
        .filter(pipeline_stage::Column::Version.eq(version))
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, id).await?)
}

/// Sets the sort order of one stage without a version check (renumbering after a move;
/// the moved stage itself is version-checked by the caller).
pub async fn set_sort_order<C: ConnectionTrait>(
    db: &C,
    id: i64,
    sort_order: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Stage::update_many()
        .col_expr(pipeline_stage::Column::SortOrder, Expr::value(sort_order))
        .col_expr(pipeline_stage::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            pipeline_stage::Column::Version,
            Expr::col(pipeline_stage::Column::Version).add(1),
        )
        .filter(pipeline_stage::Column::Id.eq(id))
        .filter(pipeline_stage::Column::SortOrder.ne(sort_order))
        .exec(db)
        .await?;
    Ok(())
}

/// How many live open opportunities sit in a stage (walks `ix_opportunities_stage`).
pub async fn open_count<C: ConnectionTrait>(db: &C, stage_id: i64) -> Result<u64, DbErr> {
    opportunity::Entity::find()
        .filter(opportunity::Column::StageId.eq(stage_id))
        .filter(opportunity::Column::Status.eq("open"))
        .filter(opportunity::Column::DeletedAt.is_null())
        .count(db)
        .await
}

/// How many stages are active.
pub async fn active_count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    Stage::find()
        .filter(pipeline_stage::Column::Active.eq(true))
        .count(db)
        .await
}
