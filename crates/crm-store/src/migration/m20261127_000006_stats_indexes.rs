//! Covering indexes for rep statistics over the customer tables: a period's figures for a
//! set of people are read from the index alone, never from the table rows.

use super::util::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Activities {
    Table,
    AuthorId,
    OccurredAt,
    CustomerId,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    OwnerId,
    CreatedAt,
    DeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use Activities as A;
        index(
            m,
            "ix_activities_author_stats",
            A::Table,
            &[A::AuthorId, A::OccurredAt, A::CustomerId, A::DeletedAt],
        )
        .await?;
        use Customers as C;
        index(
            m,
            "ix_customers_owner_created",
            C::Table,
            &[C::OwnerId, C::CreatedAt, C::DeletedAt],
        )
        .await?;
        Ok(())
    }
}
