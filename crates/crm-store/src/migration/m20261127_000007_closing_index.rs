//! A covering index for "likely to close": the totals of an owner's open opportunities in
//! an expected-close window, filtered by probability, come from the index alone.

use super::util::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Opportunities {
    Table,
    OwnerId,
    Status,
    ExpectedClose,
    Probability,
    Amount,
    DeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use Opportunities as O;
        index(
            m,
            "ix_opportunities_closing",
            O::Table,
            &[
                O::OwnerId,
                O::Status,
                O::ExpectedClose,
                O::Probability,
                O::Amount,
                O::DeletedAt,
            ],
        )
        .await
    }
}
