//! `/api/v1` endpoints: payments received against orders (回款), payment plans
//! (instalments) and the receivables list (应收款).

use super::orders::query_date;
use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use crm_domain::{Currency, Money};
use crm_service::payments::{
    self, Filter, InstalmentInput, Payment, PaymentInput, PlanView, Receivable, ReceivableFilter,
    ReceivableTotals,
};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{id}/payments", post(create))
        .route("/orders/{id}/payment-plan", get(plan).put(set_plan))
        .route("/payments", get(list))
        .route("/payments/{id}", get(show).delete(remove))
        .route("/receivables", get(receivables))
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(create, list, show, remove, plan, set_plan, receivables),
    components(schemas(
        PaymentDto,
        PaymentBody,
        PlanDto,
        InstalmentDto,
        PlanBody,
        InstalmentBody,
        ReceivableDto,
        ReceivableList,
        ReceivableSummary
    ))
)]
pub struct Doc;

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentDto {
    pub id: i64,
    pub order_id: i64,
    pub customer_id: i64,
    /// The order's owner.
    pub owner_id: i64,
    /// "1234.50"
    pub amount: String,
    /// YYYY-MM-DD
    pub paid_on: chrono::NaiveDate,
    /// bank_transfer, cash, cheque, card, alipay, wechat, other
    pub method: String,
    pub note: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl PaymentDto {
    pub fn of(p: Payment, c: &Currency) -> Self {
        Self {
            id: p.id,
            order_id: p.order_id,
            customer_id: p.customer_id,
            owner_id: p.owner_id,
            amount: c.to_decimal(Money(p.amount)),
            paid_on: p.paid_on,
            method: p.method,
            note: p.note,
            created_by: p.created_by,
            created_at: p.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    /// > 0 and at most what is outstanding (else `amount`: `exceeds_outstanding`).
    #[serde(deserialize_with = "super::decimal_text")]
    #[schema(value_type = String)]
    pub amount: String,
    /// YYYY-MM-DD, not in the future; default today.
    pub paid_on: Option<String>,
    /// bank_transfer (default), cash, cheque, card, alipay, wechat, other
    pub method: Option<String>,
    pub note: Option<String>,
}

/// Records a payment against an approved order (409 `order_not_approved` otherwise). The
/// amount may not exceed what is outstanding: 422 with `amount`: `exceeds_outstanding`,
/// and nothing is written.
#[utoipa::path(post, path = "/api/v1/orders/{id}/payments", tag = "payments",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = PaymentBody,
    responses((status = 201, body = PaymentDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<PaymentBody>,
) -> Result<(StatusCode, Json<PaymentDto>), ApiError> {
    let input = PaymentInput {
        amount: body.amount,
        paid_on: body.paid_on,
        method: body.method,
        note: body.note,
    };
    let pay = payments::add(&state.core, &p, id, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(PaymentDto::of(pay, &state.core.settings.currency)),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PaymentQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub order_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Paid on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Paid on or before (YYYY-MM-DD).
    pub to: Option<String>,
}

/// Payments on orders whose owner is in your scope, newest first.
#[utoipa::path(get, path = "/api/v1/payments", tag = "payments", security(("bearer" = [])),
    params(PaymentQuery),
    responses((status = 200, body = Page<PaymentDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<PaymentQuery>,
) -> Result<Json<Page<PaymentDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let filter = Filter {
        order_id: q.order_id,
        customer_id: q.customer_id,
        from: query_date(&q.from, "from")?,
        to: query_date(&q.to, "to")?,
    };
    let rows = payments::list(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    let c = &state.core.settings.currency;
    Ok(Json(super::page(
        rows,
        limit,
        |r| r.id,
        |r| PaymentDto::of(r, c),
    )))
}

#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "payments",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PaymentDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<PaymentDto>, ApiError> {
    let pay = payments::get(&state.core, &p, id).await?;
    Ok(Json(PaymentDto::of(pay, &state.core.settings.currency)))
}

/// Moves a payment to the recycle bin; the order's received amount goes down with it.
#[utoipa::path(delete, path = "/api/v1/payments/{id}", tag = "payments",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    payments::delete(&state.core, &p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstalmentDto {
    pub seq: i32,
    pub due_date: chrono::NaiveDate,
    pub amount: String,
    /// The part of the money received allocated to this instalment (in due order).
    pub paid: String,
    pub note: Option<String>,
    /// paid, partial, due, overdue
    pub state: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDto {
    pub order_id: i64,
    pub total: String,
    pub received: String,
    pub outstanding: String,
    /// In due order; empty when the order has no plan.
    pub instalments: Vec<InstalmentDto>,
}

impl PlanDto {
    fn of(v: PlanView, c: &Currency) -> Self {
        Self {
            order_id: v.order_id,
            total: c.to_decimal(v.total),
            received: c.to_decimal(v.received),
            outstanding: c.to_decimal(v.outstanding),
            instalments: v
                .instalments
                .into_iter()
                .map(|i| InstalmentDto {
                    seq: i.seq,
                    due_date: i.due_date,
                    amount: c.to_decimal(i.amount),
                    paid: c.to_decimal(i.paid),
                    note: i.note,
                    state: i.state.as_str().to_string(),
                })
                .collect(),
        }
    }
}

/// The payment plan of an order, each instalment with its state.
#[utoipa::path(get, path = "/api/v1/orders/{id}/payment-plan", tag = "payments",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PlanDto), (status = 404, body = ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<PlanDto>, ApiError> {
    let v = payments::plan(&state.core, &p, id).await?;
    Ok(Json(PlanDto::of(v, &state.core.settings.currency)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentBody {
    /// YYYY-MM-DD
    pub due_date: String,
    /// > 0
    #[serde(deserialize_with = "super::decimal_text")]
    #[schema(value_type = String)]
    pub amount: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// Replaces the plan; amounts must add up exactly to the order total (`instalments`:
    /// `sum_mismatch`). An empty list removes the plan.
    pub instalments: Vec<InstalmentBody>,
}

/// Replaces the payment plan of an order (not a cancelled one). Errors of an instalment
/// are keyed `instalments.<index>.<field>`.
#[utoipa::path(put, path = "/api/v1/orders/{id}/payment-plan", tag = "payments",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = PlanBody,
    responses((status = 200, body = PlanDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn set_plan(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<PlanBody>,
) -> Result<Json<PlanDto>, ApiError> {
    let items: Vec<InstalmentInput> = body
        .instalments
        .into_iter()
        .map(|i| InstalmentInput {
            due_date: i.due_date,
            amount: i.amount,
            note: i.note,
        })
        .collect();
    let v = payments::set_plan(&state.core, &p, id, &items).await?;
    Ok(Json(PlanDto::of(v, &state.core.settings.currency)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivableDto {
    pub order_id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub owner_id: i64,
    pub total: String,
    pub received: String,
    pub outstanding: String,
    pub due_date: Option<chrono::NaiveDate>,
    /// Past the due date, or an instalment due before today is not covered.
    pub overdue: bool,
    /// Days since the earliest due date not met (0 when not overdue).
    pub days_overdue: i64,
}

impl ReceivableDto {
    fn of(r: Receivable, c: &Currency) -> Self {
        Self {
            order_id: r.order.id,
            number: r.order.number,
            customer_id: r.order.customer_id,
            customer_name: r.customer_name,
            owner_id: r.order.owner_id,
            total: c.to_decimal(Money(r.order.total)),
            received: c.to_decimal(Money(r.order.received)),
            outstanding: c.to_decimal(r.outstanding),
            due_date: r.order.due_date,
            overdue: r.overdue,
            days_overdue: r.days_overdue,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivableSummary {
    /// Orders matching the filter (all pages).
    pub orders: i64,
    pub outstanding: String,
    pub overdue_orders: i64,
    pub overdue_outstanding: String,
}

impl ReceivableSummary {
    fn of(t: ReceivableTotals, c: &Currency) -> Self {
        Self {
            orders: t.orders,
            outstanding: c.to_decimal(Money(t.outstanding)),
            overdue_orders: t.overdue_orders,
            overdue_outstanding: c.to_decimal(Money(t.overdue_outstanding)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivableList {
    pub items: Vec<ReceivableDto>,
    pub next: Option<String>,
    /// Totals over every page.
    pub summary: ReceivableSummary,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReceivableQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Only overdue orders.
    pub overdue: Option<bool>,
}

/// Receivables: approved orders in your scope with money outstanding, newest first, with
/// totals over all pages.
#[utoipa::path(get, path = "/api/v1/receivables", tag = "payments", security(("bearer" = [])),
    params(ReceivableQuery),
    responses((status = 200, body = ReceivableList), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn receivables(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<ReceivableQuery>,
) -> Result<Json<ReceivableList>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let filter = ReceivableFilter {
        owner_id: q.owner_id,
        customer_id: q.customer_id,
        overdue: q.overdue.unwrap_or(false),
    };
    let rows = payments::receivables(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    let totals = payments::receivable_totals(&state.core, &p, &filter).await?;
    let c = &state.core.settings.currency;
    let page = super::page(rows, limit, |r| r.order.id, |r| ReceivableDto::of(r, c));
    Ok(Json(ReceivableList {
        items: page.items,
        next: page.next,
        summary: ReceivableSummary::of(totals, c),
    }))
}
