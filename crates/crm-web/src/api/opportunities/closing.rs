//! `/opportunities/closing-soon`: "likely to close soon" (即将成交) with weighted amounts.

use super::{currency, OpportunityDto};
use crate::api::{ApiAuth, ApiQuery};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use crm_domain::{Currency, Money};
use crm_service::opportunities::{self, ClosingQuery, Totals};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ClosingSoonQuery {
    /// From today through today + days (0–366, default 30).
    pub days: Option<i64>,
    /// Lowest probability in percent (0–100, default 60).
    pub min_probability: Option<i32>,
    /// Only this owner's (within your scope).
    pub owner_id: Option<i64>,
    /// How many items to return, 1–500 (default 100); the summary counts them all.
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsDto {
    pub count: i64,
    /// Sum of the amounts.
    pub amount: String,
    /// Sum of the weighted amounts (each rounded half up first).
    pub weighted: String,
}

impl TotalsDto {
    pub fn of(c: &Currency, t: Totals) -> Self {
        Self {
            count: t.count,
            amount: c.to_decimal(Money(t.amount)),
            weighted: c.to_decimal(Money(t.weighted)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosingSoonDto {
    /// Today (local date).
    pub from: NaiveDate,
    /// Today + days.
    pub to: NaiveDate,
    pub days: i64,
    pub min_probability: i32,
    /// Soonest expected close first; each has its `weighted_amount`.
    pub items: Vec<OpportunityDto>,
    pub summary: TotalsDto,
}

/// "Likely to close soon" (即将成交): open opportunities in your scope expected to close
/// between today and today + `days` with a probability of at least `min_probability`, with
/// weighted amounts and totals.
#[utoipa::path(get, path = "/api/v1/opportunities/closing-soon", tag = "opportunities",
    security(("bearer" = [])), params(ClosingSoonQuery),
    responses((status = 200, body = ClosingSoonDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn closing_soon(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<ClosingSoonQuery>,
) -> Result<Json<ClosingSoonDto>, ApiError> {
    let d = ClosingQuery::default();
    let query = ClosingQuery {
        days: q.days.unwrap_or(d.days),
        min_probability: q.min_probability.unwrap_or(d.min_probability),
        owner_id: q.owner_id,
        limit: q.limit.unwrap_or(d.limit),
    };
    let r = opportunities::closing_soon(&state.core, &p, &query).await?;
    let c = currency(&state);
    Ok(Json(ClosingSoonDto {
        from: r.from,
        to: r.to,
        days: r.days,
        min_probability: r.min_probability,
        items: r
            .items
            .into_iter()
            .map(|w| OpportunityDto::of(c, w.opportunity))
            .collect(),
        summary: TotalsDto::of(c, r.totals),
    }))
}
