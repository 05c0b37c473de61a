//! Connecting to SQLite or PostgreSQL and bringing the schema up to date.

use crate::migration::Migrator;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::prelude::*;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (use sqlite://… or postgres://…)")]
    UnsupportedUrl,
    #[error(
        "the database schema is newer than this binary (it has migration {0} which this \
         version does not know); upgrade the crm binary"
    )]
    SchemaTooNew(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(db: &impl ConnectionTrait) -> Self {
        match db.get_database_backend() {
            DbBackend::Postgres => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }
}

/// Opens a pool. SQLite files are created when missing and put in WAL mode with full
/// fsync on commit, so an acknowledged write survives a crash.
pub async fn connect(url: &str) -> Result<DatabaseConnection, StoreError> {
    let mut opts;
    if url.starts_with("sqlite:") {
        let url = if url.contains('?') || url.contains(":memory:") {
            url.to_string()
        } else {
            format!("{url}?mode=rwc")
        };
        opts = ConnectOptions::new(url);
        opts.max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        opts = ConnectOptions::new(url.to_string());
        opts.max_connections(20).min_connections(1);
    } else {
        return Err(StoreError::UnsupportedUrl);
    }
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(15))
        .connect_timeout(Duration::from_secs(10));
    Ok(Database::connect(opts).await?)
}

/// Applies pending migrations; refuses a database that has migrations this binary lacks.
/// On PostgreSQL an advisory lock serializes app servers that start at the same time.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), StoreError> {
    if db.get_database_backend() == DbBackend::Postgres {
        let pool = db.get_postgres_connection_pool();
        let mut conn = pool.acquire().await.map_err(sqlx_err)?;
        sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await
            .map_err(sqlx_err)?;
        let result = migrate_unlocked(db).await;
        let _ = sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await;
        return result;
    }
    migrate_unlocked(db).await
}

/// Arbitrary key of the PostgreSQL advisory lock held while migrating.
const MIGRATION_LOCK: i64 = 0x43524d_4d4947;

fn sqlx_err(e: sea_orm::sqlx::Error) -> StoreError {
    StoreError::Db(DbErr::Custom(format!("migration lock: {e}")))
}

async fn migrate_unlocked(db: &DatabaseConnection) -> Result<(), StoreError> {
    let manager = SchemaManager::new(db);
    if manager.has_table("seaql_migrations").await? {
        let known: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        let stmt = Query::select()
            .column(Alias::new("version"))
            .from(Alias::new("seaql_migrations"))
            .to_owned();
        let rows = db.query_all(db.get_database_backend().build(&stmt)).await?;
        for row in rows {
            let version: String = row.try_get("", "version")?;
            if !known.contains(&version) {
                return Err(StoreError::SchemaTooNew(version));
            }
        }
    }
    Migrator::up(db, None).await?;
    Ok(())
}

/// Begins a transaction that will write. On SQLite the write lock is taken at once (like
/// `BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later fails with
/// `SQLITE_BUSY` when another writer committed in between, which the busy timeout cannot
/// cure. On PostgreSQL this is a plain `BEGIN`.
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // A statement that writes nothing but still takes the RESERVED lock, waiting for
        // it under the busy timeout.
        txn.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE 1 = 0")
            .await?;
    }
    Ok(txn)
}

/// After inserting explicit ids, moves PostgreSQL's id sequence past them (SQLite's
/// AUTOINCREMENT follows on its own).
pub async fn sync_sequence<C: sea_orm::ConnectionTrait>(db: &C, table: &str) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    db.execute(sea_orm::Statement::from_string(
        DbBackend::Postgres,
        format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
        ),
    ))
    .await?;
    Ok(())
}

/// Keeps the query planner's statistics fresh. SQLite has none until `ANALYZE` runs, and
/// without them it sorts a whole team's customers instead of walking the primary key: run
/// `ANALYZE` when there are no statistics yet, else a sampled `PRAGMA optimize` (which
/// re-analyzes only what changed a lot). PostgreSQL's autovacuum does this by itself;
/// after a bulk load (`full`), both get an explicit `ANALYZE`.
pub async fn optimize(db: &DatabaseConnection, full: bool) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            if full {
                db.execute_unprepared("ANALYZE").await?;
            }
        }
        _ => {
            let has_stats = has_statistics(db).await?;
            // One string: a pooled connection runs both (the limit is per connection).
            // A whole ANALYZE after a bulk load (8 s for 1M customers with 5M activities):
            // a sampled one reads the first 2,000 entries of an index, which for an index
            // led by the owner all belong to one owner, and takes a team of 77,000
            // customers for 26,000.
            if full || !has_stats {
                db.execute_unprepared("PRAGMA analysis_limit = 0; ANALYZE")
                    .await?;
            } else {
                db.execute_unprepared("PRAGMA analysis_limit = 2000; PRAGMA optimize")
                    .await?;
            }
            reload_statistics(db).await?;
        }
    }
    Ok(())
}

/// Whether an SQLite database has planner statistics (`ANALYZE` ran on it once).
pub(crate) async fn has_statistics<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    Ok(db
        .query_one(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT 1 AS x FROM sqlite_master WHERE name = 'sqlite_stat1'",
        ))
        .await?
        .is_some())
}

/// SQLite loads the planner's statistics with the schema, once per connection: `ANALYZE`
/// on one pooled connection leaves the others planning with the old figures, or with none
/// for an index created since, which the planner takes for a very selective one (after
/// migration 11 one connection in eight sorted a rep's 77,000 customers for a page). A
/// change of schema makes every connection reload both at its next statement; re-creating
/// this one-row view is that change.
async fn reload_statistics(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared(
        "DROP VIEW IF EXISTS crm_statistics_epoch; \
         CREATE VIEW crm_statistics_epoch AS SELECT 1 AS reloaded",
    )
    .await?;
    Ok(())
}
