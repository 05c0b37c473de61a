//! `/api/v1` endpoints: sales orders (销售订单) with the approval flow (`/submit`,
//! `/approve`, `/reject`, `/cancel`), purchase records (购买记录), and the conversion of a
//! quote into an order (`POST /quotes/{id}/convert`).

mod flow;
mod records;
pub use flow::*;
pub use records::*;

use super::customers::parse_when_pub;
use super::quotes::{LineBody, LineDto};
use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use crm_domain::{Currency, Money};
use crm_service::lines::Line;
use crm_service::orders::{self, Filter, Order, OrderInput, OrderView, Status};
use crm_service::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list).post(create))
        .route("/orders/{id}", get(show).patch(update).delete(remove))
        .route("/orders/{id}/submit", post(submit))
        .route("/orders/{id}/approve", post(approve))
        .route("/orders/{id}/reject", post(reject))
        .route("/orders/{id}/cancel", post(cancel))
        .route("/orders/{id}/purchase-records", get(order_records))
        .route("/purchase-records", get(customer_records))
        .route("/quotes/{id}/convert", post(convert))
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        show,
        create,
        update,
        remove,
        submit,
        approve,
        reject,
        cancel,
        order_records,
        customer_records,
        convert
    ),
    components(schemas(
        OrderDto,
        OrderBody,
        SubmitBody,
        DecisionBody,
        CancelBody,
        PurchaseRecordDto,
        PurchaseRecordList
    ))
)]
pub struct Doc;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDto {
    pub id: i64,
    /// "SO20260302-000001"
    pub number: String,
    pub customer_id: i64,
    pub customer_name: Option<String>,
    pub opportunity_id: Option<i64>,
    /// The quote this order was made from.
    pub quote_id: Option<i64>,
    pub owner_id: i64,
    /// draft, submitted, approved, rejected, cancelled
    pub status: String,
    /// YYYY-MM-DD
    pub order_date: chrono::NaiveDate,
    /// Payment due date, YYYY-MM-DD.
    pub due_date: Option<chrono::NaiveDate>,
    /// Sum of quantity × unit price before discounts.
    pub subtotal: String,
    pub discount_total: String,
    /// Sum of the line totals.
    pub total: String,
    /// Sum of the payments recorded.
    pub received: String,
    /// total − received.
    pub outstanding: String,
    pub notes: Option<String>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub submitted_by: Option<i64>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decided_by: Option<i64>,
    /// The approver's comment (required when rejecting).
    pub decision_comment: Option<String>,
    pub cancelled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub cancelled_by: Option<i64>,
    pub cancel_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    /// The lines (single order responses only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineDto>>,
}

impl OrderDto {
    pub fn of(o: Order, c: &Currency, customer_name: Option<String>) -> Self {
        Self {
            id: o.id,
            number: o.number,
            customer_id: o.customer_id,
            customer_name,
            opportunity_id: o.opportunity_id,
            quote_id: o.quote_id,
            owner_id: o.owner_id,
            status: o.status,
            order_date: o.order_date,
            due_date: o.due_date,
            subtotal: c.to_decimal(Money(o.subtotal)),
            discount_total: c.to_decimal(Money(o.discount_total)),
            total: c.to_decimal(Money(o.total)),
            received: c.to_decimal(Money(o.received)),
            outstanding: c.to_decimal(Money(o.total - o.received)),
            notes: o.notes,
            submitted_at: o.submitted_at,
            submitted_by: o.submitted_by,
            decided_at: o.decided_at,
            decided_by: o.decided_by,
            decision_comment: o.decision_comment,
            cancelled_at: o.cancelled_at,
            cancelled_by: o.cancelled_by,
            cancel_reason: o.cancel_reason,
            created_by: o.created_by,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
            lines: None,
        }
    }

    fn detail(v: OrderView, c: &Currency) -> Self {
        let lines = v
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineDto::of(i, &Line::from_order_line(l), c))
            .collect();
        let mut dto = Self::of(v.order, c, Some(v.customer_name));
        dto.lines = Some(lines);
        dto
    }
}

/// The order as the caller now sees it, with its lines.
pub(super) async fn detail(
    state: &AppState,
    p: &crm_domain::Principal,
    id: i64,
) -> Result<OrderDto, ApiError> {
    let v = orders::get(&state.core, p, id)
        .await
        .map_err(ApiError::from)?;
    Ok(OrderDto::detail(v, &state.core.settings.currency))
}

/// Fields of an order. On create `customer_id` and `lines` are required (`order_date`
/// defaults to today); on PATCH omitted fields stay, `null` clears an optional one, and
/// `lines` (when sent) replaces every line. Line errors are keyed `lines.<index>.<field>`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBody {
    /// Required on PATCH.
    pub version: Option<i32>,
    pub customer_id: Option<i64>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub opportunity_id: Option<Option<i64>>,
    /// Create only: the quote this order is made from (it must not be an order already).
    pub quote_id: Option<i64>,
    /// YYYY-MM-DD
    pub order_date: Option<String>,
    /// Payment due date, YYYY-MM-DD.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub due_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    pub lines: Option<Vec<LineBody>>,
}

impl OrderBody {
    fn input(self) -> OrderInput {
        OrderInput {
            customer_id: self.customer_id,
            opportunity_id: self.opportunity_id,
            quote_id: self.quote_id,
            order_date: self.order_date,
            due_date: self.due_date.map(Option::unwrap_or_default),
            notes: self.notes.map(Option::unwrap_or_default),
            lines: self
                .lines
                .map(|ls| ls.into_iter().map(LineBody::input).collect()),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrderQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// draft, submitted, approved, rejected, cancelled
    pub status: Option<String>,
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Order date from (YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    /// Order date to (YYYY-MM-DD, inclusive).
    pub to: Option<String>,
    /// Only submitted orders in your scope that you may approve (not your own).
    pub awaiting_approval: Option<bool>,
}

pub fn query_date(v: &Option<String>, field: &str) -> Result<Option<chrono::NaiveDate>, ApiError> {
    Ok(parse_when_pub(v, field)?.map(|d| d.date_naive()))
}

fn bad_query(msg: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", msg)
}

/// Orders whose owner is in your scope, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])),
    params(OrderQuery),
    responses((status = 200, body = Page<OrderDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<OrderQuery>,
) -> Result<Json<Page<OrderDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            bad_query("status must be draft, submitted, approved, rejected or cancelled")
        })?),
    };
    let filter = Filter {
        status,
        owner_id: q.owner_id,
        customer_id: q.customer_id,
        from: query_date(&q.from, "from")?,
        to: query_date(&q.to, "to")?,
        awaiting: q.awaiting_approval.unwrap_or(false).then_some(p.user_id.0),
    };
    let rows = orders::list(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    let mut ids: Vec<i64> = rows.iter().map(|o| o.customer_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: std::collections::BTreeMap<i64, String> =
        crm_store::customers::names(&state.core.db, &ids)
            .await
            .map_err(ServiceError::from)?
            .into_iter()
            .collect();
    let c = &state.core.settings.currency;
    Ok(Json(super::page(
        rows,
        limit,
        |o| o.id,
        |o| {
            let n = names.get(&o.customer_id).cloned();
            OrderDto::of(o, c, n)
        },
    )))
}

/// An order with its lines.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<OrderDto>, ApiError> {
    Ok(Json(detail(&state, &p, id).await?))
}

/// Creates a draft order owned by you; totals are computed from the lines.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])),
    request_body = OrderBody,
    responses((status = 201, body = OrderDto), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<OrderBody>,
) -> Result<(StatusCode, Json<OrderDto>), ApiError> {
    let o = orders::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &p, o.id).await?)))
}

/// Changes a draft or rejected order (409 `order_locked` once submitted, approved or
/// cancelled; 409 `stale_version` when someone changed it since you read it).
#[utoipa::path(patch, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = OrderBody,
    responses((status = 200, body = OrderDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<OrderBody>,
) -> Result<Json<OrderDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(ServiceError::field("version", "required", "Send the version you read").into());
    };
    orders::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(detail(&state, &p, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OptVersionQuery {
    /// The version you read (optional).
    pub version: Option<i32>,
}

/// Moves a draft order to the recycle bin (409 `order_not_draft` otherwise: withdraw or
/// cancel it instead). The quote it was made from can be converted again.
#[utoipa::path(delete, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path), OptVersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<OptVersionQuery>,
) -> Result<StatusCode, ApiError> {
    orders::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
