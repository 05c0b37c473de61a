//! Jobs: long-running work with progress and a downloadable result.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    UserId,
    Status,
    Done,
    Total,
    Message,
    Result,
    ResultName,
    ResultType,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(
                    ColumnDef::new(Jobs::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(string_len(Jobs::Kind, 32))
                .col(big_integer(Jobs::UserId))
                .col(string_len(Jobs::Status, 16))
                .col(big_integer(Jobs::Done).default(0))
                .col(big_integer_null(Jobs::Total))
                .col(text_null(Jobs::Message))
                .col(ColumnDef::new(Jobs::Result).blob().null())
                .col(string_len_null(Jobs::ResultName, 200))
                .col(string_len_null(Jobs::ResultType, 100))
                .col(
                    ColumnDef::new(Jobs::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Jobs::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Jobs::FinishedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_jobs_user")
                .table(Jobs::Table)
                .col(Jobs::UserId)
                .col(Jobs::Id)
                .to_owned(),
        )
        .await
    }
}
