//! Purchase records (购买记录) and turning a quote into an order.

use super::{detail, ApiAuth, ApiError, AppState, ErrorBody, OrderDto, PathId};
use crate::api::ApiQuery;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use crm_domain::{Currency, Money};
use crm_service::orders::{self, purchases};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseRecordDto {
    pub id: i64,
    pub customer_id: i64,
    pub order_id: i64,
    pub order_line_id: i64,
    pub product_id: i64,
    pub product_name: String,
    /// "1.5"
    pub quantity: String,
    /// The line total, "1234.50".
    pub amount: String,
    pub purchased_at: chrono::DateTime<chrono::Utc>,
    /// Set when the order was cancelled after approval.
    pub reversed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl PurchaseRecordDto {
    fn of(r: purchases::PurchaseRecord, c: &Currency) -> Self {
        Self {
            id: r.id,
            customer_id: r.customer_id,
            order_id: r.order_id,
            order_line_id: r.order_line_id,
            product_id: r.product_id,
            product_name: r.product_name,
            quantity: crm_domain::Quantity(r.quantity).to_decimal(),
            amount: c.to_decimal(Money(r.amount)),
            purchased_at: r.purchased_at,
            reversed_at: r.reversed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseRecordList {
    pub items: Vec<PurchaseRecordDto>,
}

fn record_list(rows: Vec<purchases::PurchaseRecord>, c: &Currency) -> PurchaseRecordList {
    PurchaseRecordList {
        items: rows
            .into_iter()
            .map(|r| PurchaseRecordDto::of(r, c))
            .collect(),
    }
}

/// The purchase records an order's approval wrote (reversed ones included).
#[utoipa::path(get, path = "/api/v1/orders/{id}/purchase-records", tag = "orders",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PurchaseRecordList), (status = 404, body = ErrorBody)))]
pub async fn order_records(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<PurchaseRecordList>, ApiError> {
    let rows = purchases::of_order(&state.core, &p, id).await?;
    Ok(Json(record_list(rows, &state.core.settings.currency)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecordQuery {
    /// The customer whose purchase history to show (required).
    pub customer_id: i64,
}

/// A customer's purchase history (购买记录): records of approved orders not reversed,
/// newest first. The customer must be visible to you.
#[utoipa::path(get, path = "/api/v1/purchase-records", tag = "orders",
    security(("bearer" = [])), params(RecordQuery),
    responses((status = 200, body = PurchaseRecordList), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn customer_records(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<RecordQuery>,
) -> Result<Json<PurchaseRecordList>, ApiError> {
    let rows = purchases::for_customer(&state.core, &p, q.customer_id).await?;
    Ok(Json(record_list(rows, &state.core.settings.currency)))
}

/// Turns a quote into a draft order without re-entry (customer, opportunity and lines at
/// the quoted prices). The quote becomes `accepted` and linked; converting it again is 409
/// `quote_already_converted`, a rejected quote 409 `quote_rejected`.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/convert", tag = "orders",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = OrderDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn convert(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<(StatusCode, Json<OrderDto>), ApiError> {
    let o = orders::create_from_quote(&state.core, &p, id).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &p, o.id).await?)))
}
