//! `/custom-fields`: definitions of the custom fields (自定义字段) of customers and contacts.

use super::{ApiAuth, ApiJson, ApiQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use crm_service::custom_fields::{self, CustomField, FieldInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/custom-fields", get(list).post(create))
        .route(
            "/custom-fields/{id}",
            get(show).patch(update).delete(remove),
        )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldDto {
    pub id: i64,
    /// customer or contact
    pub entity: String,
    /// snake_case; the name of the value in a record's `custom_fields`
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    /// text, long_text, number, decimal, date, single_select, multi_select, checkbox,
    /// url, email, phone
    pub field_type: String,
    pub required: bool,
    /// The choices of single_select and multi_select fields.
    pub options: Vec<String>,
    pub position: i32,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<CustomField> for CustomFieldDto {
    fn from(f: CustomField) -> Self {
        Self {
            options: f.option_list(),
            id: f.id,
            entity: f.entity,
            key: f.key,
            label_zh: f.label_zh,
            label_en: f.label_en,
            field_type: f.field_type,
            required: f.required,
            position: f.position,
            active: f.active,
            created_at: f.created_at,
            updated_at: f.updated_at,
            version: f.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldList {
    pub items: Vec<CustomFieldDto>,
    /// Always null: all definitions come in one page.
    pub next: Option<String>,
}

/// A new definition. `entity`, `key` and `field_type` are fixed once created. One label is
/// enough (the other language shows the same text). Select fields need `options`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomField {
    /// customer or contact
    pub entity: Option<String>,
    /// snake_case ASCII, unique per entity, e.g. `contract_no`
    pub key: Option<String>,
    /// text, long_text, number, decimal, date, single_select, multi_select, checkbox,
    /// url, email, phone
    pub field_type: Option<String>,
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    pub required: Option<bool>,
    pub options: Option<Vec<String>>,
    /// Display order (default: after the others).
    pub position: Option<i32>,
}

/// Changes to a definition: labels, required, options, position, active. `entity`, `key`
/// and `field_type` may be sent but not changed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomField {
    /// The version you read; a stale one answers 409.
    pub version: Option<i32>,
    pub entity: Option<String>,
    pub key: Option<String>,
    pub field_type: Option<String>,
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    pub required: Option<bool>,
    pub options: Option<Vec<String>>,
    pub position: Option<i32>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldQuery {
    /// customer or contact (default: both)
    pub entity: Option<String>,
    /// Also list deactivated fields (administrators only).
    pub include_inactive: Option<bool>,
}

/// The custom fields of customers and/or contacts, in display order. Every signed-in user
/// reads the active ones.
#[utoipa::path(get, path = "/api/v1/custom-fields", tag = "custom_fields",
    security(("bearer" = [])), params(CustomFieldQuery),
    responses((status = 200, body = CustomFieldList), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<CustomFieldQuery>,
) -> Result<Json<CustomFieldList>, ApiError> {
    let items = custom_fields::list(
        &state.core,
        &p,
        q.entity.as_deref(),
        q.include_inactive.unwrap_or(false),
    )
    .await?;
    Ok(Json(CustomFieldList {
        items: items.into_iter().map(Into::into).collect(),
        next: None,
    }))
}

#[utoipa::path(get, path = "/api/v1/custom-fields/{id}", tag = "custom_fields",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CustomFieldDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<CustomFieldDto>, ApiError> {
    Ok(Json(custom_fields::get(&state.core, &p, id).await?.into()))
}

/// Defines a custom field (administrators: system create).
#[utoipa::path(post, path = "/api/v1/custom-fields", tag = "custom_fields",
    security(("bearer" = [])), request_body = CreateCustomField,
    responses((status = 201, body = CustomFieldDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(b): ApiJson<CreateCustomField>,
) -> Result<(StatusCode, Json<CustomFieldDto>), ApiError> {
    let input = FieldInput {
        entity: b.entity,
        key: b.key,
        field_type: b.field_type,
        label_zh: b.label_zh,
        label_en: b.label_en,
        required: b.required,
        options: b.options,
        position: b.position,
        active: None,
    };
    let f = custom_fields::create(&state.core, &p, input).await?;
    Ok((StatusCode::CREATED, Json(f.into())))
}

/// Changes labels, required, options, position or active (administrators: system edit).
#[utoipa::path(patch, path = "/api/v1/custom-fields/{id}", tag = "custom_fields",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = UpdateCustomField,
    responses((status = 200, body = CustomFieldDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(b): ApiJson<UpdateCustomField>,
) -> Result<Json<CustomFieldDto>, ApiError> {
    let Some(version) = b.version else {
        return Err(crm_service::ServiceError::field(
            "version",
            "required",
            "Send the version you read",
        )
        .into());
    };
    let input = FieldInput {
        entity: b.entity,
        key: b.key,
        field_type: b.field_type,
        label_zh: b.label_zh,
        label_en: b.label_en,
        required: b.required,
        options: b.options,
        position: b.position,
        active: b.active,
    };
    Ok(Json(
        custom_fields::update(&state.core, &p, id, version, input)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// The version you read.
    pub version: i32,
}

/// Deactivates the field (administrators: system delete): it leaves forms, lists and
/// exports; stored values are kept and return if it is activated again.
#[utoipa::path(delete, path = "/api/v1/custom-fields/{id}", tag = "custom_fields",
    security(("bearer" = [])), params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    custom_fields::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
