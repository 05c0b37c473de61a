//! `/api/v1` endpoints: duplicate detection (查重) and lead conversion (线索转化).

use super::{ApiAuth, ApiJson, ApiQuery, PathId};
use crate::error::{ApiError, ErrorBody, FieldMessage};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use crm_service::conversion::{
    self, ConvertInput, Converted, Match, OpportunityInput, Outcome, Probe,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads/{id}/duplicates", get(lead_duplicates))
        .route("/leads/{id}/convert", post(convert))
        .route("/duplicates", get(duplicates))
        .route("/duplicates/batch", post(duplicates_batch))
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(lead_duplicates, duplicates, duplicates_batch, convert),
    components(schemas(
        MatchDto,
        MatchesDto,
        BatchBody,
        ProbeBody,
        BatchDto,
        ConvertBody,
        CustomerChoice,
        OpportunityBody,
        ConvertedDto,
        DuplicatesBody
    ))
)]
pub struct Doc;

/// One likely duplicate. A match outside your scope has only `kind`, `visible: false`,
/// `owner_name` and `reasons`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchDto {
    /// customer, contact or lead; in import previews and reports also `import_row`: an
    /// earlier row of the same file (`id` is its row number)
    pub kind: &'static str,
    pub visible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The customer itself, or the contact's customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<i64>,
    /// null for a lead in the shared pool.
    pub owner_name: Option<String>,
    /// Visible customers and contacts: whether you may edit the customer (link / merge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub editable: Option<bool>,
    /// phone, email, company
    pub reasons: Vec<&'static str>,
}

impl MatchDto {
    pub fn of(m: Match) -> Self {
        Self {
            kind: m.kind.as_str(),
            visible: m.visible,
            id: m.id,
            name: m.name,
            customer_id: m.customer_id,
            customer_name: m.customer_name,
            owner_id: m.owner_id,
            owner_name: m.owner_name,
            editable: (m.visible && m.kind != conversion::MatchKind::Lead).then_some(m.editable),
            reasons: m.reasons.iter().map(|r| r.as_str()).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchesDto {
    pub items: Vec<MatchDto>,
}

fn matches(list: Vec<Match>) -> MatchesDto {
    MatchesDto {
        items: list.into_iter().map(MatchDto::of).collect(),
    }
}

/// Customers, contacts and other leads that look like this lead (same phone or email,
/// same company name without legal-form suffixes).
#[utoipa::path(get, path = "/api/v1/leads/{id}/duplicates", tag = "conversion",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MatchesDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn lead_duplicates(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<MatchesDto>, ApiError> {
    let list = conversion::for_lead(&state.core, &p, id).await?;
    Ok(Json(matches(list)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DuplicateQuery {
    /// One or more phone numbers, comma-separated, any format.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// A company name (有限公司 / Co., Ltd. and the like are ignored).
    pub company: Option<String>,
}

fn phones(v: Option<&str>) -> Vec<String> {
    v.unwrap_or("")
        .split([',', ';', '，', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Duplicate check for a record being typed or imported. Needs `customers:view` or
/// `market:view`.
#[utoipa::path(get, path = "/api/v1/duplicates", tag = "conversion",
    security(("bearer" = [])), params(DuplicateQuery),
    responses((status = 200, body = MatchesDto), (status = 403, body = ErrorBody)))]
pub async fn duplicates(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<DuplicateQuery>,
) -> Result<Json<MatchesDto>, ApiError> {
    let probe = Probe {
        phones: phones(q.phone.as_deref()),
        email: q.email,
        company: q.company,
        exclude_lead: None,
    };
    let list = conversion::find(&state.core, &p, &probe).await?;
    Ok(Json(matches(list)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeBody {
    /// Comma-separated phone numbers.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub company: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// At most 1,000.
    pub probes: Vec<ProbeBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchDto {
    /// The matches of each probe, in the probes' order.
    pub results: Vec<Vec<MatchDto>>,
}

/// Duplicate check of up to 1,000 records at once (an import): a few index lookups for
/// the whole batch.
#[utoipa::path(post, path = "/api/v1/duplicates/batch", tag = "conversion",
    security(("bearer" = [])), request_body = BatchBody,
    responses((status = 200, body = BatchDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn duplicates_batch(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<BatchBody>,
) -> Result<Json<BatchDto>, ApiError> {
    let probes: Vec<Probe> = body
        .probes
        .into_iter()
        .map(|b| Probe {
            phones: phones(b.phone.as_deref()),
            email: b.email,
            company: b.company,
            exclude_lead: None,
        })
        .collect();
    let all = conversion::find_many(&state.core, &p, &probes).await?;
    Ok(Json(BatchDto {
        results: all
            .into_iter()
            .map(|l| l.into_iter().map(MatchDto::of).collect())
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerChoice {
    /// create (a new customer), link (add the person to an existing customer) or merge
    /// (link, and fill the customer's empty fields from the lead).
    pub mode: String,
    /// The existing customer, for link and merge (one you may edit).
    pub customer_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityBody {
    /// Default: the customer's name.
    pub name: Option<String>,
    /// ≥ 0, a number or a decimal string.
    #[serde(default, deserialize_with = "super::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub amount: Option<String>,
    /// An active pipeline stage.
    pub stage_id: Option<i64>,
    /// YYYY-MM-DD
    pub expected_close: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertBody {
    /// Default: `{"mode": "create"}`.
    pub customer: Option<CustomerChoice>,
    /// Also open an opportunity for the customer (needs `sales:create`).
    pub opportunity: Option<OpportunityBody>,
    /// Create the customer even though matching customers or contacts exist.
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConvertedDto {
    pub lead_id: i64,
    pub customer_id: i64,
    pub contact_id: i64,
    pub opportunity_id: Option<i64>,
    /// false for link and merge.
    pub customer_created: bool,
    /// Follow-ups copied into the customer's contact history.
    pub activities_copied: usize,
}

impl ConvertedDto {
    fn of(c: Converted) -> Self {
        Self {
            lead_id: c.lead_id,
            customer_id: c.customer_id,
            contact_id: c.contact_id,
            opportunity_id: c.opportunity_id,
            customer_created: c.customer_created,
            activities_copied: c.activities_copied,
        }
    }
}

/// The 409 answer of a `create` that found matching customers or contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicatesBody {
    /// `duplicates_found`
    pub error: &'static str,
    pub message: &'static str,
    pub fields: BTreeMap<String, FieldMessage>,
    pub matches: Vec<MatchDto>,
}

/// Converts a lead: a new customer (create) or an existing one (link / merge), its
/// contact, optionally an opportunity, and its follow-up history, in one transaction.
/// 409 `already_converted` when it was converted before (or by someone else just now);
/// 409 `duplicates_found` (with `matches`) when `create` without `force` finds matching
/// customers or contacts — nothing is written then.
#[utoipa::path(post, path = "/api/v1/leads/{id}/convert", tag = "conversion",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = ConvertBody,
    responses((status = 200, body = ConvertedDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = DuplicatesBody),
              (status = 422, body = ErrorBody)))]
pub async fn convert(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ConvertBody>,
) -> Result<Response, ApiError> {
    let (mode, customer_id) = match body.customer {
        Some(c) => (c.mode, c.customer_id),
        None => ("create".to_string(), None),
    };
    let input = ConvertInput {
        mode,
        customer_id,
        opportunity: body.opportunity.map(|o| OpportunityInput {
            name: o.name,
            amount: o.amount,
            stage_id: o.stage_id,
            expected_close: o.expected_close,
        }),
        force: body.force,
    };
    match conversion::convert(&state.core, &p, id, input).await? {
        Outcome::Converted(c) => Ok(Json(ConvertedDto::of(c)).into_response()),
        Outcome::Duplicates(list) => Ok((
            StatusCode::CONFLICT,
            Json(DuplicatesBody {
                error: "duplicates_found",
                message: "Matching customers or contacts exist: link, merge, or create anyway \
                          with force",
                fields: BTreeMap::new(),
                matches: list.into_iter().map(MatchDto::of).collect(),
            }),
        )
            .into_response()),
    }
}
