//! `/customers`: records, transfer (移交), shares (共享), history.

use super::{ApiAuth, ApiJson, ApiQuery, Page, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use crm_service::customers::{self, Customer, CustomerInput, Filter, Sort};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list).post(create))
        .route("/customers/transfer", post(transfer_many))
        .route("/customers/{id}", get(show).patch(update).delete(remove))
        .route("/customers/{id}/transfer", post(transfer))
        .route("/customers/{id}/shares", get(shares).post(share))
        .route("/customers/{id}/shares/{user_id}", delete(unshare))
        .route("/customers/{id}/history", get(history))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDto {
    pub id: i64,
    pub name: String,
    /// enterprise, individual, government, other
    pub nature: Option<String>,
    /// micro, small, medium, large, huge
    pub size: Option<String>,
    pub industry: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub region: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// referral, website, exhibition, cold_call, campaign, advertising, partner, other
    pub source: Option<String>,
    /// potential, following, deal, dormant, lost
    pub status: String,
    pub owner_id: i64,
    pub notes: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    /// Your access: `edit` or `read` (a read-only share).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    /// Values of the active custom fields by key (see `/api/v1/custom-fields`): numbers
    /// as integers, decimals as strings ("12.5"), dates as "YYYY-MM-DD", checkboxes as
    /// booleans, multiple choices as arrays. Fields without a value are absent.
    #[schema(value_type = Object)]
    pub custom_fields: BTreeMap<String, serde_json::Value>,
}

/// The `custom` column of a record as the `custom_fields` object of its DTO.
pub fn custom_values(custom: &str) -> BTreeMap<String, serde_json::Value> {
    crm_service::custom_fields::values(custom)
        .into_iter()
        .collect()
}

impl From<Customer> for CustomerDto {
    fn from(c: Customer) -> Self {
        Self {
            id: c.id,
            name: c.name,
            nature: c.nature,
            size: c.size,
            industry: c.industry,
            province: c.province,
            city: c.city,
            district: c.district,
            street: c.street,
            postal_code: c.postal_code,
            region: c.region,
            phone: c.phone,
            website: c.website,
            source: c.source,
            status: c.status,
            owner_id: c.owner_id,
            notes: c.notes,
            created_by: c.created_by,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
            access: None,
            custom_fields: custom_values(&c.custom),
        }
    }
}

/// Fields of a customer. On create `name` is required; on update (PATCH) omitted fields
/// stay as they are and `null` or `""` clears a field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerBody {
    pub version: Option<i32>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub nature: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub size: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub province: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub city: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub district: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub street: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub postal_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// Create only: give the customer to someone in your scope.
    pub owner_id: Option<i64>,
    /// Custom field values by key; on PATCH they are merged over the stored ones and
    /// `null` clears one. Unknown keys are refused (`custom_fields.<key>`: unknown_field).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<BTreeMap<String, serde_json::Value>>,
}

fn cleared(v: Option<Option<String>>) -> Option<String> {
    v.map(|o| o.unwrap_or_default())
}

impl CustomerBody {
    fn input(self) -> CustomerInput {
        CustomerInput {
            name: self.name,
            nature: cleared(self.nature),
            size: cleared(self.size),
            industry: cleared(self.industry),
            province: cleared(self.province),
            city: cleared(self.city),
            district: cleared(self.district),
            street: cleared(self.street),
            postal_code: cleared(self.postal_code),
            region: cleared(self.region),
            phone: cleared(self.phone),
            website: cleared(self.website),
            source: cleared(self.source),
            status: self.status,
            notes: cleared(self.notes),
            owner_id: self.owner_id,
            custom_fields: self.custom_fields.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CustomerQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// Search name, phone, website and contacts' names, phones and emails (2-character
    /// Chinese names and partial numbers work).
    pub q: Option<String>,
    pub owner_id: Option<i64>,
    pub region: Option<String>,
    pub nature: Option<String>,
    pub industry: Option<String>,
    pub status: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (inclusive)
    pub created_from: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (exclusive)
    pub created_to: Option<String>,
    /// newest (default), name, updated
    pub sort: Option<String>,
}

pub fn parse_when_pub(
    v: &Option<String>,
    field: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(Some(d.with_timezone(&chrono::Utc)));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| Some(d.and_utc()))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                format!("{field} must be a date (YYYY-MM-DD) or RFC 3339 time"),
            )
        })
}

/// The customer list's query string: the parameters of [`CustomerQuery`] plus any number of
/// `cf.<key>=<value>` custom-field filters (which a derived query type cannot take).
pub struct CustomerListQuery {
    pub query: CustomerQuery,
    /// The `cf.<key>` pairs, as given.
    pub custom: Vec<(String, String)>,
}

impl FromRequestParts<AppState> for CustomerListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let bad = |e: &dyn std::fmt::Display| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                format!("Failed to deserialize query string: {e}"),
            )
        };
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).map_err(|e| bad(&e))?;
        let (custom, rest): (Vec<_>, Vec<_>) =
            pairs.into_iter().partition(|(k, _)| k.starts_with("cf."));
        let rest = serde_urlencoded::to_string(&rest).map_err(|e| bad(&e))?;
        let query = serde_urlencoded::from_str(&rest).map_err(|e| bad(&e))?;
        Ok(Self { query, custom })
    }
}

impl CustomerListQuery {
    /// The list filter, custom-field filters checked against the active definitions
    /// (an unknown key or impossible value is a 422 under `cf.<key>`).
    pub async fn filter(&self, state: &AppState) -> Result<Filter, ApiError> {
        let mut f = self.query.filter()?;
        f.custom = customers::custom_filters(&state.core, &self.custom, true).await?;
        Ok(f)
    }
}

impl CustomerQuery {
    pub fn filter(&self) -> Result<Filter, ApiError> {
        let s = |v: &Option<String>| v.clone().filter(|x| !x.trim().is_empty());
        Ok(Filter {
            q: s(&self.q).map(|q| q.chars().take(100).collect()),
            owner_id: self.owner_id,
            region: s(&self.region),
            nature: s(&self.nature),
            industry: s(&self.industry),
            status: s(&self.status),
            created_from: parse_when_pub(&self.created_from, "created_from")?,
            created_to: parse_when_pub(&self.created_to, "created_to")?,
            custom: Vec::new(),
        })
    }
}

/// Customers you may see (yours, your subordinates', your department's or all, plus those
/// shared with you), newest first unless `sort` says otherwise. Custom fields filter with
/// `cf.<key>=<value>`: an exact match for choices (a multiple choice that includes the
/// option), checkboxes (`true`/`false`), numbers, decimals and dates; a case-insensitive
/// substring for text, URL, email and phone fields.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])),
    params(CustomerQuery,
        ("cf.{key}" = Option<String>, Query,
         description = "Filter on the custom field `key`, e.g. `cf.tier=A` (repeatable with other keys)")),
    responses((status = 200, body = Page<CustomerDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    lq: CustomerListQuery,
) -> Result<Json<Page<CustomerDto>>, ApiError> {
    let q = &lq.query;
    let pq = super::PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let sort = match q.sort.as_deref() {
        None | Some("") => Sort::default(),
        Some(s) => Sort::parse(s).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                "sort must be newest, name or updated",
            )
        })?,
    };
    let filter = lq.filter(&state).await?;
    let rows = customers::list(&state.core, &p, &filter, sort, pq.cursor()?, limit + 1).await?;
    Ok(Json(super::page(rows, limit, |c| c.id, CustomerDto::from)))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CustomerDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<CustomerDto>, ApiError> {
    let v = customers::get(&state.core, &p, id).await?;
    let mut dto = CustomerDto::from(v.customer);
    dto.access = Some(v.access.as_str().to_string());
    Ok(Json(dto))
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])),
    request_body = CustomerBody,
    responses((status = 201, body = CustomerDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<CustomerBody>,
) -> Result<(StatusCode, Json<CustomerDto>), ApiError> {
    let c = customers::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CustomerBody,
    responses((status = 200, body = CustomerDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<CustomerBody>,
) -> Result<Json<CustomerDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(crm_service::ServiceError::field(
            "version",
            "required",
            "Send the version you read",
        )
        .into());
    };
    if body.owner_id.is_some() {
        return Err(crm_service::ServiceError::field(
            "owner_id",
            "immutable",
            "Use the transfer endpoint",
        )
        .into());
    }
    let c = customers::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(c.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    pub version: i32,
}

/// Moves the customer to the recycle bin.
#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    customers::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    pub to_user_id: i64,
    /// The version you read (optional: without it the transfer applies to the latest).
    pub version: Option<i32>,
}

/// 移交: hand the customer (with its contacts and open follow-ups) to another user.
#[utoipa::path(post, path = "/api/v1/customers/{id}/transfer", tag = "customers",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = TransferBody,
    responses((status = 200, body = CustomerDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<TransferBody>,
) -> Result<Json<CustomerDto>, ApiError> {
    let c = customers::transfer(&state.core, &p, id, body.version, body.to_user_id).await?;
    Ok(Json(c.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTransferBody {
    /// 1–1000 customer ids; all are transferred or none.
    pub ids: Vec<i64>,
    pub to_user_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkTransferResult {
    pub transferred: usize,
}

/// Bulk transfer (for managers): all or nothing.
#[utoipa::path(post, path = "/api/v1/customers/transfer", tag = "customers",
    security(("bearer" = [])), request_body = BulkTransferBody,
    responses((status = 200, body = BulkTransferResult), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer_many(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<BulkTransferBody>,
) -> Result<Json<BulkTransferResult>, ApiError> {
    let n = customers::transfer_many(&state.core, &p, &body.ids, body.to_user_id).await?;
    Ok(Json(BulkTransferResult { transferred: n }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShareDto {
    pub user_id: i64,
    /// read or edit
    pub access: String,
    pub granted_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<crm_store::entity::record_share::Model> for ShareDto {
    fn from(s: crm_store::entity::record_share::Model) -> Self {
        Self {
            user_id: s.user_id,
            access: s.access,
            granted_by: s.granted_by,
            created_at: s.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShareList {
    pub items: Vec<ShareDto>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareBody {
    pub user_id: i64,
    /// read or edit
    pub access: String,
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/shares", tag = "customers",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ShareList), (status = 404, body = ErrorBody)))]
pub async fn shares(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<ShareList>, ApiError> {
    let items = customers::shares(&state.core, &p, id).await?;
    Ok(Json(ShareList {
        items: items.into_iter().map(Into::into).collect(),
        next: None,
    }))
}

/// 共享: let another user read or edit this customer (again with another access changes it).
#[utoipa::path(post, path = "/api/v1/customers/{id}/shares", tag = "customers",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = ShareBody,
    responses((status = 201, body = ShareDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn share(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ShareBody>,
) -> Result<(StatusCode, Json<ShareDto>), ApiError> {
    let s = customers::share(&state.core, &p, id, body.user_id, &body.access).await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

#[utoipa::path(delete, path = "/api/v1/customers/{id}/shares/{user_id}", tag = "customers",
    security(("bearer" = [])), params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unshare(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (Ok(id), Ok(user_id)) = (id.parse::<i64>(), user_id.parse::<i64>()) else {
        return Err(ApiError::not_found());
    };
    customers::unshare(&state.core, &p, id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit trail of one customer (create, updates, transfers, shares…).
#[utoipa::path(get, path = "/api/v1/customers/{id}/history", tag = "customers",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Page<super::audit::AuditDto>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<Page<super::audit::AuditDto>>, ApiError> {
    let rows = customers::history(&state.core, &p, id).await?;
    Ok(Json(Page {
        items: rows.into_iter().map(Into::into).collect(),
        next: None,
    }))
}
