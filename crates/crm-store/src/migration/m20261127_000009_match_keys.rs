//! Duplicate-detection keys (查重) of customers and contacts: `match_keys` holds the
//! `crm_domain::dedupe` keys (phone, email, company) of every live customer and contact,
//! with the customer and its owner, so a duplicate check is a few index lookups whatever
//! the number of customers. Existing rows get their keys here, in batches
//! ([`crate::match_keys::backfill`]); from then on every customer and contact write keeps
//! them in step in its own transaction.
//!
//! Re-runnable: the table and indexes are created only when missing and the backfill
//! starts by emptying the table, so an upgrade interrupted half-way completes on the next
//! start.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum MatchKeys {
    Table,
    Id,
    Kind,
    Key,
    EntityType,
    EntityId,
    CustomerId,
    OwnerId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use MatchKeys as K;
        m.create_table(
            Table::create()
                .table(K::Table)
                .if_not_exists()
                .col(
                    ColumnDef::new(K::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(string_len(K::Kind, 16))
                .col(string_len(K::Key, 254))
                .col(string_len(K::EntityType, 16))
                .col(big_integer(K::EntityId))
                .col(big_integer(K::CustomerId))
                .col(big_integer(K::OwnerId))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_match_keys_key", [K::Kind, K::Key]),
            ("ix_match_keys_entity", [K::EntityType, K::EntityId]),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(K::Table)
                    .col(cols[0])
                    .col(cols[1])
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        }
        crate::match_keys::backfill(m.get_connection()).await?;
        Ok(())
    }
}
