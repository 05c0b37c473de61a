//! `/contacts`: people at customers; visible when their customer is.

use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use crm_service::contacts::{self, Contact, ContactInput, Filter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list).post(create))
        .route("/contacts/{id}", get(show).patch(update).delete(remove))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub birthday: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
    pub is_primary: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    /// Values of the active custom fields of contacts by key (as for customers).
    #[schema(value_type = Object)]
    pub custom_fields: BTreeMap<String, serde_json::Value>,
}

impl From<Contact> for ContactDto {
    fn from(c: Contact) -> Self {
        Self {
            id: c.id,
            customer_id: c.customer_id,
            name: c.name,
            title: c.title,
            mobile: c.mobile,
            phone: c.phone,
            email: c.email,
            address: c.address,
            birthday: c.birthday,
            notes: c.notes,
            is_primary: c.is_primary,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
            custom_fields: super::customers::custom_values(&c.custom),
        }
    }
}

/// Contact fields: `customer_id` and `name` on create; PATCH keeps omitted fields and
/// clears those sent as `null` or `""`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    pub version: Option<i32>,
    pub customer_id: Option<i64>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub mobile: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub birthday: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    pub is_primary: Option<bool>,
    /// Custom field values by key; on PATCH merged over the stored ones, `null` clears one.
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<BTreeMap<String, serde_json::Value>>,
}

fn cleared(v: Option<Option<String>>) -> Option<String> {
    v.map(|o| o.unwrap_or_default())
}

impl ContactBody {
    fn input(self) -> ContactInput {
        ContactInput {
            customer_id: self.customer_id,
            name: self.name,
            title: cleared(self.title),
            mobile: cleared(self.mobile),
            phone: cleared(self.phone),
            email: cleared(self.email),
            address: cleared(self.address),
            birthday: cleared(self.birthday),
            notes: cleared(self.notes),
            is_primary: self.is_primary,
            custom_fields: self.custom_fields.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub customer_id: Option<i64>,
    /// Part of a name, phone or email.
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", security(("bearer" = [])),
    params(ContactQuery), responses((status = 200, body = Page<ContactDto>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> Result<Json<Page<ContactDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let filter = Filter {
        customer_id: q.customer_id,
        q: q.q
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().chars().take(100).collect()),
    };
    let rows = contacts::list(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    Ok(Json(super::page(rows, limit, |c| c.id, ContactDto::from)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ContactDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<ContactDto>, ApiError> {
    Ok(Json(contacts::get(&state.core, &p, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", security(("bearer" = [])),
    request_body = ContactBody,
    responses((status = 201, body = ContactDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<ContactBody>,
) -> Result<(StatusCode, Json<ContactDto>), ApiError> {
    let c = contacts::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ContactBody,
    responses((status = 200, body = ContactDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ContactBody>,
) -> Result<Json<ContactDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(crm_service::ServiceError::field(
            "version",
            "required",
            "Send the version you read",
        )
        .into());
    };
    Ok(Json(
        contacts::update(&state.core, &p, id, version, body.input())
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path), super::customers::VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<super::customers::VersionQuery>,
) -> Result<StatusCode, ApiError> {
    contacts::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
