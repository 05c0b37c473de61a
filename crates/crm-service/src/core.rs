//! What every use-case needs: the database, the clock and the installation settings
//! (currency, time zone, week start).

use crate::cache::{ReadCache, WriteGeneration};
use crate::Clock;
use crm_domain::{Principal, RolePolicy, Settings};
use crm_store::scope::RecordScope;
use sea_orm::prelude::async_trait::async_trait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement,
};
use std::sync::Arc;

/// A "likely to close" page and the totals of its whole window.
pub type ClosingPage = (
    Vec<crm_store::opportunities::Model>,
    crm_store::opportunities::Totals,
);

/// Longest reuse of a scope, role policy or field definition list (bounds staleness against
/// changes made by another process, e.g. `crm user` commands or a second app server).
const SETUP_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Longest reuse of a "likely to close" window (bounds staleness against other processes).
const CLOSING_TTL: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
pub struct Core {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// Recently computed rep statistics (see [`crate::stats::CACHE_TTL`]).
    pub stats_cache: Arc<crate::stats::StatsCache>,
    /// Recently computed "likely to close" windows, per owner set and window.
    pub closing_cache: Arc<ReadCache<ClosingPage>>,
    /// Quota actuals: one metric per person over a period ([`crate::stats::metric`]).
    pub metric_cache: Arc<ReadCache<Arc<std::collections::HashMap<i64, i64>>>>,
    /// Resolved data scopes, role policies and custom field definitions: read on nearly
    /// every request, written rarely (and only through [`Core::begin_write`]).
    pub scopes: Arc<ReadCache<RecordScope>>,
    pub policies: Arc<ReadCache<RolePolicy>>,
    pub field_defs: Arc<ReadCache<Arc<Vec<crm_store::custom_fields::Model>>>>,
    /// Moves with every write transaction; caches keyed by it never serve a value computed
    /// before one of this server's writes (see [`crate::cache`]).
    pub writes: Arc<WriteGeneration>,
}

impl Core {
    /// A core with the default settings (CNY, Asia/Shanghai, weeks start on Monday).
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>) -> Self {
        Self::with_settings(db, clock, Settings::default())
    }
    pub fn with_settings(
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Self {
        Self {
            db,
            clock,
            settings: Arc::new(settings),
            stats_cache: Arc::new(crate::stats::new_cache()),
            closing_cache: Arc::new(ReadCache::new(CLOSING_TTL, 256)),
            metric_cache: Arc::new(ReadCache::new(crate::stats::CACHE_TTL, 512)),
            scopes: Arc::new(ReadCache::new(SETUP_TTL, 4096)),
            policies: Arc::new(ReadCache::new(SETUP_TTL, 64)),
            field_defs: Arc::new(ReadCache::new(SETUP_TTL, 8)),
            writes: Arc::default(),
        }
    }
    /// Today in the installation's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.settings.today(self.clock.now())
    }
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The principal's resolved data scope ([`RecordScope::load`]), reused until this
    /// server writes anything.
    pub async fn scope(&self, p: &Principal) -> Result<RecordScope, DbErr> {
        let key = format!(
            "{}|{}|{:?}",
            p.user_id.0,
            p.scope().as_str(),
            p.department_id.map(|d| d.0)
        );
        let generation = self.writes.current();
        if let Some(s) = self.scopes.get(&key, generation) {
            return Ok(s);
        }
        let s = RecordScope::load(&self.db, p).await?;
        self.scopes.put(key, generation, s.clone());
        Ok(s)
    }
}

impl Core {
    /// A transaction for a use-case that writes (see [`crm_store::begin_write`]). The write
    /// generation moves now and again on commit, so a value cached while the transaction
    /// was open is not served after it.
    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        self.writes.bump();
        Ok(WriteTxn {
            txn: crm_store::begin_write(&self.db).await?,
            writes: self.writes.clone(),
        })
    }
}

/// A write transaction of a use-case: a [`DatabaseTransaction`] that moves the write
/// generation when it commits. Pass `&txn` wherever a connection is expected.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    writes: Arc<WriteGeneration>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        let r = self.txn.commit().await;
        self.writes.bump();
        r
    }
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }
    async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }
    async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one(stmt).await
    }
    async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}
