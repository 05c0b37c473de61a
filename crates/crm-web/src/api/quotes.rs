//! `/api/v1` endpoints: quotes (报价方案) with their product lines. Conversion into an order
//! (`POST /quotes/{id}/convert`) lives with the orders endpoints.

use super::customers::VersionQuery;
use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use crm_domain::{Currency, Money};
use crm_service::lines::{Line, LineInput};
use crm_service::quotes::{self, Filter, Quote, QuoteDetail, QuoteInput};
use crm_service::ServiceError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quotes", get(list).post(create))
        .route("/quotes/{id}", get(show).patch(update).delete(remove))
        .route("/quotes/{id}/status", post(set_status))
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(list, show, create, update, remove, set_status),
    components(schemas(QuoteDto, LineDto, QuoteBody, LineBody, StatusBody))
)]
pub struct Doc;

/// One product line. Money as decimal strings in major units, quantity as a decimal,
/// discount as a percentage.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineDto {
    /// 1-based position.
    pub line_no: i32,
    pub product_id: i64,
    pub product_code: String,
    pub product_name: String,
    pub spec: Option<String>,
    pub unit: String,
    /// "1.5"
    pub quantity: String,
    /// "1234.50"
    pub unit_price: String,
    /// Percent, "12.5"
    pub discount: String,
    /// quantity × unit price less the discount, rounded half up to the cent.
    pub total: String,
}

impl LineDto {
    pub fn of(i: usize, l: &Line, c: &Currency) -> Self {
        Self {
            line_no: i as i32 + 1,
            product_id: l.product_id,
            product_code: l.product_code.clone(),
            product_name: l.product_name.clone(),
            spec: l.spec.clone(),
            unit: l.unit.clone(),
            quantity: l.quantity.to_decimal(),
            unit_price: c.to_decimal(l.unit_price),
            discount: l.discount.to_percent(),
            total: c.to_decimal(l.total),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteDto {
    pub id: i64,
    /// "QT20260302-000001"
    pub number: String,
    pub customer_id: i64,
    pub customer_name: Option<String>,
    pub opportunity_id: Option<i64>,
    pub title: String,
    /// draft, sent, accepted, rejected
    pub status: String,
    /// YYYY-MM-DD
    pub valid_until: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
    /// Sum of quantity × unit price before discounts.
    pub subtotal: String,
    pub discount_total: String,
    /// Sum of the line totals.
    pub total: String,
    pub owner_id: i64,
    /// The order made from this quote, if any.
    pub order_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    /// The lines (single quote responses only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineDto>>,
}

impl QuoteDto {
    pub fn of(q: Quote, c: &Currency, customer_name: Option<String>) -> Self {
        Self {
            id: q.id,
            number: q.number,
            customer_id: q.customer_id,
            customer_name,
            opportunity_id: q.opportunity_id,
            title: q.title,
            status: q.status,
            valid_until: q.valid_until,
            notes: q.notes,
            subtotal: c.to_decimal(Money(q.subtotal)),
            discount_total: c.to_decimal(Money(q.discount_total)),
            total: c.to_decimal(Money(q.total)),
            owner_id: q.owner_id,
            order_id: q.order_id,
            created_by: q.created_by,
            created_at: q.created_at,
            updated_at: q.updated_at,
            version: q.version,
            lines: None,
        }
    }
}

async fn customer_names(
    state: &AppState,
    ids: impl Iterator<Item = i64>,
) -> Result<BTreeMap<i64, String>, ApiError> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(crm_store::customers::names(&state.core.db, &ids)
        .await
        .map_err(ServiceError::from)?
        .into_iter()
        .collect())
}

async fn detail_dto(state: &AppState, d: QuoteDetail) -> Result<QuoteDto, ApiError> {
    let c = &state.core.settings.currency;
    let names = customer_names(state, std::iter::once(d.quote.customer_id)).await?;
    let name = names.get(&d.quote.customer_id).cloned();
    let mut dto = QuoteDto::of(d.quote, c, name);
    dto.lines = Some(
        d.lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineDto::of(i, l, c))
            .collect(),
    );
    Ok(dto)
}

/// A line as sent: numbers or decimal strings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    pub product_id: i64,
    /// > 0, at most 3 decimals.
    #[serde(deserialize_with = "super::decimal_text")]
    #[schema(value_type = String)]
    pub quantity: String,
    /// ≥ 0; omitted or null: the product's guide price.
    #[serde(default, deserialize_with = "super::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub unit_price: Option<String>,
    /// Percent 0–100, at most 2 decimals; omitted: none.
    #[serde(default, deserialize_with = "super::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub discount: Option<String>,
}

impl LineBody {
    pub fn input(self) -> LineInput {
        LineInput {
            product_id: self.product_id,
            quantity: self.quantity,
            unit_price: self.unit_price,
            discount: self.discount,
        }
    }
}

/// Fields of a quote. On create `customer_id`, `title` and `lines` are required; on PATCH
/// omitted fields stay, `null` clears an optional one, and `lines` (when sent) replaces
/// every line. Errors of a line are keyed `lines.<index>.<field>` (index from 0).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteBody {
    /// Required on PATCH.
    pub version: Option<i32>,
    pub customer_id: Option<i64>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub opportunity_id: Option<Option<i64>>,
    pub title: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub valid_until: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    pub lines: Option<Vec<LineBody>>,
}

impl QuoteBody {
    fn input(self) -> QuoteInput {
        QuoteInput {
            customer_id: self.customer_id,
            opportunity_id: self.opportunity_id,
            title: self.title,
            valid_until: self.valid_until.map(Option::unwrap_or_default),
            notes: self.notes.map(Option::unwrap_or_default),
            lines: self
                .lines
                .map(|ls| ls.into_iter().map(LineBody::input).collect()),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QuoteQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// draft, sent, accepted, rejected
    pub status: Option<String>,
    /// Part of the number or the title.
    pub q: Option<String>,
}

/// Quotes whose owner is in your scope, newest first.
#[utoipa::path(get, path = "/api/v1/quotes", tag = "quotes", security(("bearer" = [])),
    params(QuoteQuery),
    responses((status = 200, body = Page<QuoteDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<QuoteQuery>,
) -> Result<Json<Page<QuoteDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let s = |v: &Option<String>| v.clone().filter(|x| !x.trim().is_empty());
    let status = s(&q.status);
    if let Some(st) = &status {
        if !quotes::STATUSES.contains(&st.as_str()) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                "status must be draft, sent, accepted or rejected",
            ));
        }
    }
    let filter = Filter {
        owner_id: q.owner_id,
        customer_id: q.customer_id,
        status,
        q: s(&q.q).map(|v| v.chars().take(100).collect()),
    };
    let rows = quotes::list(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    let names = customer_names(&state, rows.iter().map(|r| r.customer_id)).await?;
    let c = &state.core.settings.currency;
    Ok(Json(super::page(
        rows,
        limit,
        |r| r.id,
        |r| {
            let n = names.get(&r.customer_id).cloned();
            QuoteDto::of(r, c, n)
        },
    )))
}

/// A quote with its lines.
#[utoipa::path(get, path = "/api/v1/quotes/{id}", tag = "quotes", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = QuoteDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<QuoteDto>, ApiError> {
    let d = quotes::get(&state.core, &p, id).await?;
    Ok(Json(detail_dto(&state, d).await?))
}

/// Creates a draft quote owned by you; totals are computed from the lines.
#[utoipa::path(post, path = "/api/v1/quotes", tag = "quotes", security(("bearer" = [])),
    request_body = QuoteBody,
    responses((status = 201, body = QuoteDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<QuoteBody>,
) -> Result<(StatusCode, Json<QuoteDto>), ApiError> {
    let d = quotes::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(detail_dto(&state, d).await?)))
}

/// Changes a draft or sent quote (409 `quote_locked` otherwise).
#[utoipa::path(patch, path = "/api/v1/quotes/{id}", tag = "quotes", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = QuoteBody,
    responses((status = 200, body = QuoteDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<QuoteBody>,
) -> Result<Json<QuoteDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(ServiceError::field("version", "required", "Send the version you read").into());
    };
    let d = quotes::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(detail_dto(&state, d).await?))
}

/// Moves a draft, sent or rejected quote to the recycle bin (not once it became an order).
#[utoipa::path(delete, path = "/api/v1/quotes/{id}", tag = "quotes", security(("bearer" = [])),
    params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    quotes::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// sent (from draft), accepted or rejected (from sent).
    pub status: String,
    pub version: i32,
}

/// Moves a quote along draft → sent → accepted | rejected (409 `invalid_transition`).
#[utoipa::path(post, path = "/api/v1/quotes/{id}/status", tag = "quotes",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = StatusBody,
    responses((status = 200, body = QuoteDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<QuoteDto>, ApiError> {
    quotes::set_status(&state.core, &p, id, body.version, &body.status).await?;
    let d = quotes::get(&state.core, &p, id).await?;
    Ok(Json(detail_dto(&state, d).await?))
}
