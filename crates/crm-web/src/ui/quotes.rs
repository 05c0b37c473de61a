//! Quotes pages (filled in by the sales issue work).

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
