//! `/stats`: rep statistics per period (业绩统计) and their trend.

use super::{ApiAuth, ApiQuery};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use crm_domain::{Currency, Money, Period, PeriodKind};
use crm_service::ServiceError;
use crm_store::stats::RepFigures;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stats/reps", get(reps))
        .route("/stats/trend", get(trend))
}

#[derive(OpenApi)]
#[openapi(paths(reps, trend))]
pub struct Doc;

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodDto {
    /// day, week, month, quarter or year.
    pub kind: String,
    /// First local date of the period.
    pub start: NaiveDate,
    /// First local date after the period.
    pub end: NaiveDate,
    /// "2026-03-02", "2026-W10", "2026-03", "2026-Q1", "2026".
    pub label: String,
}

impl From<&Period> for PeriodDto {
    fn from(p: &Period) -> Self {
        Self {
            kind: p.kind.as_str().into(),
            start: p.start,
            end: p.end,
            label: p.label(),
        }
    }
}

/// Figures of one person (or a total) in a period. Amounts are decimal strings in major units.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresDto {
    pub customers_followed: i64,
    pub new_customers: i64,
    pub opportunities_created: i64,
    pub opportunities_won: i64,
    pub opportunities_lost: i64,
    pub orders_approved: i64,
    pub sales_amount: String,
    pub payments_received: String,
}

impl FiguresDto {
    fn of(f: &RepFigures, c: &Currency) -> Self {
        Self {
            customers_followed: f.customers_followed,
            new_customers: f.new_customers,
            opportunities_created: f.opportunities_created,
            opportunities_won: f.opportunities_won,
            opportunities_lost: f.opportunities_lost,
            orders_approved: f.orders_approved,
            sales_amount: c.to_decimal(Money(f.sales_amount)),
            payments_received: c.to_decimal(Money(f.payments_received)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepRowDto {
    pub rank: usize,
    pub user_id: i64,
    pub name: String,
    pub active: bool,
    #[serde(flatten)]
    pub figures: FiguresDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepStatsDto {
    pub period: PeriodDto,
    pub currency: String,
    /// Everyone in the caller's scope, ranked by sales amount.
    pub rows: Vec<RepRowDto>,
    pub totals: FiguresDto,
    /// When the figures were computed: they are reused for up to 30 seconds unless
    /// `fresh=true`.
    pub as_of: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RepsQuery {
    /// day, week, month (default), quarter, year.
    pub period: Option<String>,
    /// Any local date inside the period (default today).
    pub date: Option<String>,
    /// Compute anew instead of reusing figures up to 30 seconds old.
    pub fresh: Option<bool>,
}

fn kind(v: Option<&str>) -> Result<PeriodKind, ServiceError> {
    match v {
        None | Some("") => Ok(PeriodKind::Month),
        Some(s) => PeriodKind::parse(s).ok_or_else(|| {
            ServiceError::field(
                "period",
                "invalid_choice",
                "must be day, week, month, quarter or year",
            )
        }),
    }
}

fn date(v: Option<&str>) -> Result<Option<NaiveDate>, ServiceError> {
    match v {
        None | Some("") => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ServiceError::field("date", "invalid_date", "must be YYYY-MM-DD")),
    }
}

/// The figures of every person in the caller's scope for one period, ranked.
#[utoipa::path(get, path = "/api/v1/stats/reps", tag = "stats", security(("bearer" = [])),
    params(RepsQuery),
    responses((status = 200, body = RepStatsDto), (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn reps(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<RepsQuery>,
) -> Result<Json<RepStatsDto>, ApiError> {
    let k = kind(q.period.as_deref())?;
    let d = date(q.date.as_deref())?;
    let s = crm_service::stats::reps(&state.core, &p, k, d, q.fresh.unwrap_or(false)).await?;
    let c = &state.core.settings.currency;
    Ok(Json(RepStatsDto {
        period: PeriodDto::from(&s.period),
        currency: c.code.clone(),
        rows: s
            .rows
            .iter()
            .map(|r| RepRowDto {
                rank: r.rank,
                user_id: r.user_id,
                name: r.name.clone(),
                active: r.active,
                figures: FiguresDto::of(&r.figures, c),
            })
            .collect(),
        totals: FiguresDto::of(&s.totals, c),
        as_of: s.as_of,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrendQuery {
    /// day, week, month (default), quarter, year.
    pub period: Option<String>,
    /// Any local date inside the last period (default today).
    pub date: Option<String>,
    /// Number of periods, 1–24 (default 12).
    pub count: Option<u32>,
    /// One person in scope; everyone in scope when absent.
    pub user_id: Option<i64>,
    /// Compute anew instead of reusing figures up to 30 seconds old.
    pub fresh: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrendPointDto {
    pub period: PeriodDto,
    #[serde(flatten)]
    pub figures: FiguresDto,
}

/// Figures over consecutive periods, oldest first.
#[utoipa::path(get, path = "/api/v1/stats/trend", tag = "stats", security(("bearer" = [])),
    params(TrendQuery),
    responses((status = 200, body = [TrendPointDto]), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn trend(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<TrendQuery>,
) -> Result<Json<Vec<TrendPointDto>>, ApiError> {
    let k = kind(q.period.as_deref())?;
    let d = date(q.date.as_deref())?;
    let points = crm_service::stats::trend(
        &state.core,
        &p,
        k,
        q.count.unwrap_or(12),
        d,
        q.user_id,
        q.fresh.unwrap_or(false),
    )
    .await?;
    let c = &state.core.settings.currency;
    Ok(Json(
        points
            .iter()
            .map(|t| TrendPointDto {
                period: PeriodDto::from(&t.period),
                figures: FiguresDto::of(&t.figures, c),
            })
            .collect(),
    ))
}
