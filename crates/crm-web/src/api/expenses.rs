//! `/api/v1` endpoints: sales expenses (销售费用) and their totals per customer or rep.

use super::customers::VersionQuery;
use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use crm_domain::{Currency, Money};
use crm_service::expenses::{self, Expense, ExpenseInput, Filter, Group};
use crm_service::ServiceError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/expenses", get(list).post(create))
        .route("/expenses/totals", get(totals))
        .route("/expenses/{id}", get(show).patch(update).delete(remove))
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(list, show, create, update, remove, totals),
    components(schemas(ExpenseDto, ExpenseBody, TotalDto))
)]
pub struct Doc;

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpenseDto {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: Option<String>,
    pub opportunity_id: Option<i64>,
    /// travel, entertainment, gifts, transport, communication, samples, other
    pub category: String,
    /// "128.50"
    pub amount: String,
    /// YYYY-MM-DD
    pub spent_on: chrono::NaiveDate,
    pub note: Option<String>,
    /// Who spent it.
    pub owner_id: i64,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl ExpenseDto {
    pub fn of(x: Expense, c: &Currency, customer_name: Option<String>) -> Self {
        Self {
            id: x.id,
            customer_id: x.customer_id,
            customer_name,
            opportunity_id: x.opportunity_id,
            category: x.category,
            amount: c.to_decimal(Money(x.amount)),
            spent_on: x.spent_on,
            note: x.note,
            owner_id: x.owner_id,
            created_by: x.created_by,
            created_at: x.created_at,
            updated_at: x.updated_at,
            version: x.version,
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

async fn dto(state: &AppState, x: Expense) -> Result<ExpenseDto, ApiError> {
    let names = customer_names(state, std::iter::once(x.customer_id)).await?;
    let name = names.get(&x.customer_id).cloned();
    Ok(ExpenseDto::of(x, &state.core.settings.currency, name))
}

/// Fields of an expense. On create `customer_id`, `category` and `amount` are required and
/// `spent_on` defaults to today; on PATCH omitted fields stay and `null` clears an optional
/// one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpenseBody {
    /// Required on PATCH.
    pub version: Option<i32>,
    pub customer_id: Option<i64>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub opportunity_id: Option<Option<i64>>,
    pub category: Option<String>,
    /// > 0, a number or a decimal string.
    #[serde(default, deserialize_with = "super::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub amount: Option<String>,
    /// YYYY-MM-DD, not in the future.
    pub spent_on: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
    /// Who spent it (default: you); a user in your scope.
    pub owner_id: Option<i64>,
}

impl ExpenseBody {
    fn input(self) -> ExpenseInput {
        ExpenseInput {
            customer_id: self.customer_id,
            opportunity_id: self.opportunity_id,
            category: self.category,
            amount: self.amount,
            spent_on: self.spent_on,
            note: self.note.map(Option::unwrap_or_default),
            owner_id: self.owner_id,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExpenseQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub category: Option<String>,
    /// YYYY-MM-DD, inclusive.
    pub from: Option<String>,
    /// YYYY-MM-DD, inclusive.
    pub to: Option<String>,
}

fn filter_of(
    owner_id: Option<i64>,
    customer_id: Option<i64>,
    category: &Option<String>,
    from: &Option<String>,
    to: &Option<String>,
) -> Result<Filter, ApiError> {
    let category = category.clone().filter(|c| !c.trim().is_empty());
    if let Some(c) = &category {
        if !expenses::CATEGORIES.contains(&c.as_str()) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                "category is not one of the expense categories",
            ));
        }
    }
    Ok(Filter {
        owner_id,
        customer_id,
        category,
        from: expenses::date_bound(from.as_deref(), "from")?,
        to: expenses::date_bound(to.as_deref(), "to")?,
    })
}

/// Expenses whose spender is in your scope, latest first.
#[utoipa::path(get, path = "/api/v1/expenses", tag = "expenses", security(("bearer" = [])),
    params(ExpenseQuery),
    responses((status = 200, body = Page<ExpenseDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<ExpenseQuery>,
) -> Result<Json<Page<ExpenseDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let filter = filter_of(q.owner_id, q.customer_id, &q.category, &q.from, &q.to)?;
    let rows = expenses::list(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    let names = customer_names(&state, rows.iter().map(|r| r.customer_id)).await?;
    let c = &state.core.settings.currency;
    Ok(Json(super::page(
        rows,
        limit,
        |r| r.id,
        |r| {
            let n = names.get(&r.customer_id).cloned();
            ExpenseDto::of(r, c, n)
        },
    )))
}

#[utoipa::path(get, path = "/api/v1/expenses/{id}", tag = "expenses", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ExpenseDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<ExpenseDto>, ApiError> {
    let x = expenses::get(&state.core, &p, id).await?;
    Ok(Json(dto(&state, x).await?))
}

#[utoipa::path(post, path = "/api/v1/expenses", tag = "expenses", security(("bearer" = [])),
    request_body = ExpenseBody,
    responses((status = 201, body = ExpenseDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<ExpenseBody>,
) -> Result<(StatusCode, Json<ExpenseDto>), ApiError> {
    let x = expenses::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(dto(&state, x).await?)))
}

#[utoipa::path(patch, path = "/api/v1/expenses/{id}", tag = "expenses", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ExpenseBody,
    responses((status = 200, body = ExpenseDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ExpenseBody>,
) -> Result<Json<ExpenseDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(ServiceError::field("version", "required", "Send the version you read").into());
    };
    let x = expenses::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(dto(&state, x).await?))
}

/// Moves the expense to the recycle bin.
#[utoipa::path(delete, path = "/api/v1/expenses/{id}", tag = "expenses", security(("bearer" = [])),
    params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    expenses::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TotalsQuery {
    /// customer (default) or owner
    pub group: Option<String>,
    /// YYYY-MM-DD, inclusive.
    pub from: Option<String>,
    /// YYYY-MM-DD, inclusive.
    pub to: Option<String>,
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub category: Option<String>,
}

/// One customer's or rep's expenses in the range.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalDto {
    /// The customer id or user id.
    pub id: i64,
    pub name: String,
    pub count: i64,
    /// "1280.00"
    pub amount: String,
}

/// Expenses in your scope summed per customer or per rep (owner), largest first.
#[utoipa::path(get, path = "/api/v1/expenses/totals", tag = "expenses",
    security(("bearer" = [])), params(TotalsQuery),
    responses((status = 200, body = Vec<TotalDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn totals(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<TotalsQuery>,
) -> Result<Json<Vec<TotalDto>>, ApiError> {
    let group = match q.group.as_deref().map(str::trim) {
        None | Some("") | Some("customer") => Group::Customer,
        Some("owner") => Group::Owner,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                "group must be customer or owner",
            ))
        }
    };
    let filter = filter_of(q.owner_id, q.customer_id, &q.category, &q.from, &q.to)?;
    let rows = expenses::totals(&state.core, &p, &filter, group).await?;
    let c = &state.core.settings.currency;
    Ok(Json(
        rows.into_iter()
            .map(|t| TotalDto {
                id: t.id,
                name: t.name,
                count: t.count,
                amount: c.to_decimal(t.amount),
            })
            .collect(),
    ))
}
