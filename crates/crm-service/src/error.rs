//! The one error type of the service boundary. The web layer maps it to HTTP in one place.

use crm_domain::{Denied, FieldErrors};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not signed in")]
    Unauthorized,
    #[error("you do not have permission to do this")]
    Forbidden,
    /// A permission rule refused this particular action, with a stable code (403), e.g.
    /// `own_order`: nobody approves their own order.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(FieldErrors),
    /// Someone else changed the record since it was read.
    #[error("the record was changed by someone else; reload and try again")]
    StaleVersion,
    /// A state conflict with a stable code (e.g. `department_in_use`).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] DbErr),
}

impl From<DbErr> for ServiceError {
    fn from(e: DbErr) -> Self {
        ServiceError::Internal(e)
    }
}

impl From<Denied> for ServiceError {
    fn from(_: Denied) -> Self {
        ServiceError::Forbidden
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(e: FieldErrors) -> Self {
        ServiceError::Validation(e)
    }
}

impl ServiceError {
    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Validation(FieldErrors::single(field, code, message))
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Conflict {
            code,
            message: message.into(),
        }
    }
}

/// Turns a store version-check outcome into a service result.
pub fn versioned<T>(v: crm_store::Versioned<T>) -> Result<T, ServiceError> {
    match v {
        crm_store::Versioned::Done(t) => Ok(t),
        crm_store::Versioned::Stale => Err(ServiceError::StaleVersion),
        crm_store::Versioned::Missing => Err(ServiceError::NotFound),
    }
}
