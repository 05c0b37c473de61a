//! Custom field definitions (自定义字段) of customers and contacts. The values live in the
//! `custom` JSON column those tables already have.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CustomFields {
    Table,
    Id,
    Entity,
    Key,
    LabelZh,
    LabelEn,
    FieldType,
    Required,
    Options,
    Position,
    Active,
    CreatedAt,
    UpdatedAt,
    Version,
}

/// The tables whose `custom` column holds custom field values.
#[derive(DeriveIden, Clone, Copy)]
enum Valued {
    Customers,
    Contacts,
    Custom,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use CustomFields as F;
        m.create_table(
            Table::create()
                .table(F::Table)
                .col(
                    ColumnDef::new(F::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(string_len(F::Entity, 16))
                .col(string_len(F::Key, 40))
                .col(string_len(F::LabelZh, 100))
                .col(string_len(F::LabelEn, 100))
                .col(string_len(F::FieldType, 16))
                .col(boolean(F::Required).default(false))
                .col(text(F::Options).default("[]"))
                .col(integer(F::Position).default(0))
                .col(boolean(F::Active).default(true))
                .col(
                    ColumnDef::new(F::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(F::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(integer(F::Version).default(1))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_custom_fields_entity_key")
                .table(F::Table)
                .col(F::Entity)
                .col(F::Key)
                .unique()
                .to_owned(),
        )
        .await?;
        // Records saved before this migration may hold '' rather than a JSON object;
        // the custom-field filters read the column as JSON, so every row gets one.
        for table in [Valued::Customers, Valued::Contacts] {
            m.exec_stmt(
                Query::update()
                    .table(table)
                    .value(Valued::Custom, "{}")
                    .cond_where(
                        Condition::any()
                            .add(Expr::col(Valued::Custom).is_null())
                            .add(Expr::col(Valued::Custom).eq("")),
                    )
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
