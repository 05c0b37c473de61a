//! Custom field definitions (自定义字段). Deleting one only deactivates it: the values stay
//! in the records' `custom` JSON and come back if it is activated again.

use crate::entity::custom_field::{self, Entity as CustomField};
use crate::Versioned;
use chrono::{DateTime, Utc};
use crm_domain::custom_field::FieldType;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub use custom_field::Model;

impl Model {
    /// The options of a select field (empty for other types).
    pub fn option_list(&self) -> Vec<String> {
        serde_json::from_str(&self.options).unwrap_or_default()
    }
    /// The field type; unknown stored values read as text.
    pub fn kind(&self) -> FieldType {
        FieldType::parse(&self.field_type).unwrap_or(FieldType::Text)
    }
    /// The label in Chinese or English.
    pub fn label(&self, chinese: bool) -> &str {
        if chinese {
            &self.label_zh
        } else {
            &self.label_en
        }
    }
}

/// The changeable part of a definition, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub label_zh: String,
    pub label_en: String,
    pub required: bool,
    pub options: Vec<String>,
    pub position: i32,
    pub active: bool,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            label_zh: m.label_zh.clone(),
            label_en: m.label_en.clone(),
            required: m.required,
            options: m.option_list(),
            position: m.position,
            active: m.active,
        }
    }
}

fn options_json(options: &[String]) -> String {
    serde_json::Value::from(options.to_vec()).to_string()
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    key: &str,
    field_type: FieldType,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    custom_field::ActiveModel {
        entity: Set(entity.to_string()),
        key: Set(key.to_string()),
        field_type: Set(field_type.as_str().to_string()),
        label_zh: Set(fields.label_zh),
        label_en: Set(fields.label_en),
        required: Set(fields.required),
        options: Set(options_json(&fields.options)),
        position: Set(fields.position),
        active: Set(fields.active),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    CustomField::find_by_id(id).one(db).await
}

/// The definition of `key` for `entity`, active or not.
pub async fn find_by_key<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    key: &str,
) -> Result<Option<Model>, DbErr> {
    CustomField::find()
        .filter(custom_field::Column::Entity.eq(entity))
        .filter(custom_field::Column::Key.eq(key))
        .one(db)
        .await
}

/// Definitions in display order (entity, position, id); `entity` None means both.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    entity: Option<&str>,
    active_only: bool,
) -> Result<Vec<Model>, DbErr> {
    let mut q = CustomField::find();
    if let Some(e) = entity {
        q = q.filter(custom_field::Column::Entity.eq(e));
    }
    if active_only {
        q = q.filter(custom_field::Column::Active.eq(true));
    }
    q.order_by_asc(custom_field::Column::Entity)
        .order_by_asc(custom_field::Column::Position)
        .order_by_asc(custom_field::Column::Id)
        .all(db)
        .await
}

/// The position after the last field of `entity` (new fields go last).
pub async fn next_position<C: ConnectionTrait>(db: &C, entity: &str) -> Result<i32, DbErr> {
    let max: Option<Option<i32>> = CustomField::find()
        .select_only()
        .column_as(custom_field::Column::Position.max(), "m")
        .filter(custom_field::Column::Entity.eq(entity))
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().map_or(1, |m| m.saturating_add(1)))
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let res = CustomField::update_many()
        .col_expr(custom_field::Column::LabelZh, Expr::value(fields.label_zh))
        .col_expr(custom_field::Column::LabelEn, Expr::value(fields.label_en))
        .col_expr(custom_field::Column::Required, Expr::value(fields.required))
        .col_expr(
            custom_field::Column::Options,
            Expr::value(options_json(&fields.options)),
        )
        .col_expr(custom_field::Column::Position, Expr::value(fields.position))
        .col_expr(custom_field::Column::Active, Expr::value(fields.active))
        .col_expr(custom_field::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            custom_field::Column::Version,
            Expr::col(custom_field::Column::Version).add(1),
        )
        .filter(custom_field::Column::Id.eq(id))
        .filter(custom_field::Column::Version.eq(version))
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, id).await?)
}

/// How a list filter on a custom field matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The value equals this text (see [`crate::dialect::json_text`] for how values read
    /// as text).
    Equals(String),
    /// The value contains this text, ignoring case.
    Contains(String),
    /// A multiple-choice value includes this option.
    HasOption(String),
}

/// One `cf.<key>=<value>` filter of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub key: String,
    pub matcher: Match,
}
