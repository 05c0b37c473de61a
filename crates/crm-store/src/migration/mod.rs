//! Forward-only migrations, one Rust source for SQLite and PostgreSQL.
//! Never edit a migration that has shipped: add a new one.

use sea_orm_migration::prelude::*;

mod m20261127_000001_platform;
mod m20261127_000002_customers;
mod m20261127_000003_jobs;
mod m20261127_000004_custom_fields;
mod m20261127_000005_sales;
mod m20261127_000006_stats_indexes;
mod m20261127_000007_closing_index;
mod m20261127_000008_market;
mod m20261127_000009_match_keys;
mod m20261127_000010_share_holder_index;
mod m20261127_000011_customer_owner_order;
mod util;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_platform::Migration),
            Box::new(m20261127_000002_customers::Migration),
            Box::new(m20261127_000003_jobs::Migration),
            Box::new(m20261127_000004_custom_fields::Migration),
            Box::new(m20261127_000005_sales::Migration),
            Box::new(m20261127_000006_stats_indexes::Migration),
            Box::new(m20261127_000007_closing_index::Migration),
            Box::new(m20261127_000008_market::Migration),
            Box::new(m20261127_000009_match_keys::Migration),
            Box::new(m20261127_000010_share_holder_index::Migration),
            Box::new(m20261127_000011_customer_owner_order::Migration),
        ]
    }
}
