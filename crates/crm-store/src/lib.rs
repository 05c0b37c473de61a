//! Storage: SeaORM entities, migrations and the queries of each aggregate.
//!
//! One query path serves SQLite and PostgreSQL; only [`db`] (connection set-up),
//! [`search`] (the full-text index) and [`dialect`] (JSON extraction and the like) branch
//! on the backend.

pub mod activities;
pub mod audit;
pub mod bulk;
pub mod campaigns;
pub mod competitors;
pub mod contacts;
pub mod conversion;
pub mod custom_fields;
pub mod customers;
pub mod db;
pub mod departments;
pub mod dialect;
pub mod entity;
pub mod expenses;
pub mod jobs;
pub mod lead_import;
pub mod leads;
pub mod login_attempts;
pub mod match_keys;
pub mod migration;
pub mod opportunities;
pub mod orders;
pub mod page;
pub mod payments;
pub mod pipeline;
pub mod products;
pub mod quotas;
pub mod quotes;
pub mod recycle;
pub mod roles;
pub mod scope;
pub mod search;
pub mod sessions;
pub mod soft;
pub mod stats;
pub mod tokens;
pub mod users;

pub use db::{begin_write, connect, migrate, optimize, Backend, StoreError};
pub use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait,
};

/// The outcome of a version-checked write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Versioned<T> {
    /// Written; the record as it is now.
    Done(T),
    /// The record exists but its version moved on: nothing was written.
    Stale,
    /// No such (live) record.
    Missing,
}

impl<T> Versioned<T> {
    /// Interprets an `UPDATE … WHERE id = ? AND version = ?` by its row count and the row
    /// read back afterwards.
    pub fn after_update(rows_affected: u64, current: Option<T>) -> Result<Self, DbErr> {
        Ok(match (rows_affected, current) {
            (1, Some(v)) => Versioned::Done(v),
            (1, None) => {
                return Err(DbErr::RecordNotFound(
                    "record vanished after update".to_string(),
                ))
            }
            (_, Some(_)) => Versioned::Stale,
            (_, None) => Versioned::Missing,
        })
    }
}
