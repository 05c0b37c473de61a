use sea_orm::entity::prelude::*;

/// 自定义字段: an administrator-defined field of customers or contacts. Values are kept
/// in the record's `custom` JSON object under `key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custom_fields")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// customer or contact
    pub entity: String,
    /// snake_case, unique per entity, never changes
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    /// text, long_text, number, decimal, date, single_select, multi_select, checkbox,
    /// url, email, phone
    pub field_type: String,
    pub required: bool,
    /// JSON array of strings (the choices of select fields)
    pub options: String,
    pub position: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
