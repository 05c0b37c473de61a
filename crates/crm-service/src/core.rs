//! What every use-case needs: the database, the clock and the installation settings
//! (currency, time zone, week start).

use crate::Clock;
use crm_domain::Settings;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct Core {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// Recently computed rep statistics (see [`crate::stats::CACHE_TTL`]).
    pub stats_cache: Arc<crate::stats::StatsCache>,
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
            stats_cache: Arc::default(),
        }
    }
    /// Today in the installation's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.settings.today(self.clock.now())
    }
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

impl Core {
    /// A transaction for a use-case that writes (see [`crm_store::begin_write`]).
    pub async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
        crm_store::begin_write(&self.db).await
    }
}
