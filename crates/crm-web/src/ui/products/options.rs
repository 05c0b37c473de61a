//! `GET /products/options?q=…`: on-sale products as JSON for the quote and order line
//! editors (signed-in browser; products:view or sales:view).

use crate::ui::UiSession;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crm_service::products;
use crm_service::ServiceError;
use serde::Deserialize;

/// At most this many options per answer.
pub const OPTIONS_LIMIT: u64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct OptionsQuery {
    pub q: Option<String>,
}

pub async fn options(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<OptionsQuery>,
) -> Response {
    let text = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    match products::on_sale_options(&st.core, &s.principal, text, OPTIONS_LIMIT).await {
        Ok(rows) => Json(rows).into_response(),
        Err(ServiceError::Forbidden) => (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({"error": "forbidden"})),
        )
            .into_response(),
        Err(e) => crate::ui::error_page(s.tr, e),
    }
}
