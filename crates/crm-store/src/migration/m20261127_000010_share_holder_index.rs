//! Which entity types a user holds shares of is read whenever a data scope is resolved
//! (`RecordScope::load`): lists skip the "shared with me" part when there is none. The
//! unique index starts with the entity type, so this one starts with the user.

use super::util::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum RecordShares {
    Table,
    UserId,
    EntityType,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use RecordShares as S;
        index(
            m,
            "ix_record_shares_holder",
            S::Table,
            &[S::UserId, S::EntityType],
        )
        .await
    }
}
