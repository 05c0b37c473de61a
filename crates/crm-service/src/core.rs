//! What every use-case needs: the database and the clock.

use crate::Clock;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct Core {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
}

impl Core {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
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
