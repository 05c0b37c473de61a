//! `/api/v1` endpoints: competitors (竞争对手) with their win/loss record, and (in
//! [`links`]) the competitors linked to an opportunity.

use super::customers::VersionQuery;
use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use crm_domain::Currency;
use crm_service::competitors::{
    self, Competitor, CompetitorInput, CompetitorView, Filter, QuarterRecord, Record, Tally,
};
use crm_service::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub mod links;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/competitors", get(list).post(create))
        .route("/competitors/{id}", get(show).patch(update).delete(remove))
        .route("/competitors/{id}/opportunities", get(opportunities))
        .merge(links::router())
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
        opportunities,
        links::list,
        links::create,
        links::update,
        links::remove
    ),
    components(schemas(
        CompetitorDto,
        CompetitorBody,
        RecordDto,
        TallyDto,
        QuarterDto,
        LinkedOpportunityDto,
        CompetitorOpportunities,
        links::LinkDto,
        links::LinkBody
    ))
)]
pub struct Doc;

/// Count and amount of opportunities.
#[derive(Debug, Serialize, ToSchema)]
pub struct TallyDto {
    pub count: i64,
    /// "1234.50"
    pub amount: String,
}

impl TallyDto {
    fn of(t: Tally, c: &Currency) -> Self {
        Self {
            count: t.count,
            amount: c.to_decimal(t.amount),
        }
    }
}

/// The record against a competitor over the linked opportunities owned in your scope: won
/// counts as a win against the competitor, lost as a loss.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordDto {
    /// Linked opportunities in your scope (open + won + lost).
    pub opportunities: i64,
    pub open: TallyDto,
    pub won: TallyDto,
    pub lost: TallyDto,
    /// won / (won + lost) as a percent with one decimal ("66.7"); null while nothing is
    /// decided.
    pub win_rate: Option<String>,
}

impl RecordDto {
    pub fn of(r: Record, c: &Currency) -> Self {
        Self {
            opportunities: r.opportunities(),
            open: TallyDto::of(r.open, c),
            won: TallyDto::of(r.won, c),
            lost: TallyDto::of(r.lost, c),
            win_rate: r.win_rate_text(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompetitorDto {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub strengths: Option<String>,
    pub weaknesses: Option<String>,
    /// Their products and prices.
    pub products: Option<String>,
    /// Market share notes.
    pub market_share: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    /// The win/loss record in your scope; absent without `sales:view` and in the answers of
    /// writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordDto>,
}

impl CompetitorDto {
    pub fn of(c: Competitor, record: Option<Record>, cur: &Currency) -> Self {
        Self {
            id: c.id,
            name: c.name,
            website: c.website,
            strengths: c.strengths,
            weaknesses: c.weaknesses,
            products: c.products,
            market_share: c.market_share,
            notes: c.notes,
            created_by: c.created_by,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
            record: record.map(|r| RecordDto::of(r, cur)),
        }
    }

    fn view(v: CompetitorView, cur: &Currency) -> Self {
        Self::of(v.competitor, v.record, cur)
    }
}

/// Fields of a competitor. On create `name` is required; on PATCH omitted fields stay and
/// `null` or "" clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetitorBody {
    /// Required on PATCH.
    pub version: Option<i32>,
    /// ≤ 200 characters, unique among live competitors (ignoring case).
    pub name: Option<String>,
    /// A web address ("example.com" becomes "https://example.com").
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// ≤ 5000 characters each.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub strengths: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub weaknesses: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub products: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub market_share: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

impl CompetitorBody {
    fn input(self) -> CompetitorInput {
        let clear = |v: Option<Option<String>>| v.map(Option::unwrap_or_default);
        CompetitorInput {
            name: self.name,
            website: clear(self.website),
            strengths: clear(self.strengths),
            weaknesses: clear(self.weaknesses),
            products: clear(self.products),
            market_share: clear(self.market_share),
            notes: clear(self.notes),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CompetitorQuery {
    /// Part of the name or of the products text, ignoring case.
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Live competitors by name, each with its record over the opportunities in your scope
/// (one grouped query per page).
#[utoipa::path(get, path = "/api/v1/competitors", tag = "competitors", security(("bearer" = [])),
    params(CompetitorQuery),
    responses((status = 200, body = Page<CompetitorDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<CompetitorQuery>,
) -> Result<Json<Page<CompetitorDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = pq.limit()?;
    let filter = Filter { q: q.q };
    let rows = competitors::list(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    let c = &state.core.settings.currency;
    Ok(Json(super::page(
        rows,
        limit,
        |v| v.competitor.id,
        |v| CompetitorDto::view(v, c),
    )))
}

#[utoipa::path(get, path = "/api/v1/competitors/{id}", tag = "competitors",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CompetitorDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<CompetitorDto>, ApiError> {
    let v = competitors::get(&state.core, &p, id).await?;
    Ok(Json(CompetitorDto::view(v, &state.core.settings.currency)))
}

#[utoipa::path(post, path = "/api/v1/competitors", tag = "competitors", security(("bearer" = [])),
    request_body = CompetitorBody,
    responses((status = 201, body = CompetitorDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<CompetitorBody>,
) -> Result<(StatusCode, Json<CompetitorDto>), ApiError> {
    let c = competitors::create(&state.core, &p, body.input()).await?;
    let dto = CompetitorDto::of(c, None, &state.core.settings.currency);
    Ok((StatusCode::CREATED, Json(dto)))
}

#[utoipa::path(patch, path = "/api/v1/competitors/{id}", tag = "competitors",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = CompetitorBody,
    responses((status = 200, body = CompetitorDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<CompetitorBody>,
) -> Result<Json<CompetitorDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(ServiceError::field("version", "required", "Send the version you read").into());
    };
    let c = competitors::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(CompetitorDto::of(
        c,
        None,
        &state.core.settings.currency,
    )))
}

/// Moves the competitor to the recycle bin (its links to opportunities are kept).
#[utoipa::path(delete, path = "/api/v1/competitors/{id}", tag = "competitors",
    security(("bearer" = [])), params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    competitors::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A linked opportunity in your scope, with the competitor's price on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedOpportunityDto {
    pub opportunity_id: i64,
    pub name: String,
    pub customer_id: i64,
    pub stage_id: i64,
    /// open, won or lost
    pub status: String,
    pub amount: String,
    pub owner_id: i64,
    /// YYYY-MM-DD, for won or lost.
    pub closed_on: Option<chrono::NaiveDate>,
    pub their_price: Option<String>,
    pub notes: Option<String>,
}

/// Won and lost against the competitor in one quarter of closing.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarterDto {
    /// "2026-Q1"
    pub quarter: String,
    pub won: TallyDto,
    pub lost: TallyDto,
}

impl QuarterDto {
    fn of(q: QuarterRecord, c: &Currency) -> Self {
        Self {
            quarter: q.label,
            won: TallyDto::of(q.won, c),
            lost: TallyDto::of(q.lost, c),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompetitorOpportunities {
    /// Newest first, at most 200.
    pub items: Vec<LinkedOpportunityDto>,
    /// Won and lost per quarter of closing, oldest first, without gaps.
    pub quarters: Vec<QuarterDto>,
}

/// The competitor's linked opportunities in your scope and its record per quarter (needs
/// `sales:view` as well).
#[utoipa::path(get, path = "/api/v1/competitors/{id}/opportunities", tag = "competitors",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CompetitorOpportunities), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn opportunities(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<CompetitorOpportunities>, ApiError> {
    let rows = competitors::opportunities(&state.core, &p, id).await?;
    let quarters = competitors::by_quarter(&state.core, &p, id).await?;
    let c = &state.core.settings.currency;
    let money = |m: i64| c.to_decimal(crm_domain::Money(m));
    Ok(Json(CompetitorOpportunities {
        items: rows
            .into_iter()
            .map(|r| LinkedOpportunityDto {
                opportunity_id: r.opportunity.id,
                customer_id: r.opportunity.customer_id,
                stage_id: r.opportunity.stage_id,
                amount: money(r.opportunity.amount),
                owner_id: r.opportunity.owner_id,
                closed_on: r.opportunity.closed_on,
                their_price: r.their_price.map(money),
                notes: r.notes,
                status: r.opportunity.status,
                name: r.opportunity.name,
            })
            .collect(),
        quarters: quarters.into_iter().map(|q| QuarterDto::of(q, c)).collect(),
    }))
}
