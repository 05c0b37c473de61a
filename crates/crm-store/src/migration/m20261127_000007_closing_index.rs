//! A covering index for "likely to close": an owner's open opportunities in an
//! expected-close window, in (expected_close, id) order and filtered by probability, and
//! their totals, come from the index alone.

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
    Id,
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
                O::Id,
                O::Probability,
                O::Amount,
                O::DeletedAt,
            ],
        )
        .await
    }
}
