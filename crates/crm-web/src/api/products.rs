//! `/api/v1` endpoints: the product catalogue (`/products`, `/product-categories`).
//!
//! Money is a decimal string in major units ("1234.50"); a number is accepted on input.
//! `cost_price` is only present for users who may see cost prices; for anyone else it is
//! absent from every answer and sending it is a 403 `forbidden`.

use super::{ApiAuth, ApiJson, ApiQuery, Page, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use crm_domain::Money;
use crm_service::products::categories::{self, Category, CategoryInput};
use crm_service::products::{self, Filter, ProductInput, ProductView, Sort};
use crm_service::ServiceError;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/products", get(list).post(create))
        .route("/products/{id}", get(show).patch(update).delete(remove))
        .route(
            "/product-categories",
            get(list_categories).post(create_category),
        )
        .route(
            "/product-categories/{id}",
            get(show_category)
                .patch(update_category)
                .delete(remove_category),
        )
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
        list_categories,
        show_category,
        create_category,
        update_category,
        remove_category
    ),
    components(schemas(ProductDto, ProductBody, CategoryDto, CategoryBody))
)]
pub struct Doc;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub spec: Option<String>,
    pub unit: String,
    /// Major units ("1234.50"). Only present for users who may see cost prices (then
    /// `null` when not set); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub cost_price: Option<Option<String>>,
    /// Market guide price (市场指导价), major units ("1234.50").
    pub guide_price: String,
    /// on_sale, discontinued
    pub status: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub description: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl ProductDto {
    fn of(state: &AppState, v: ProductView) -> Self {
        let cur = &state.core.settings.currency;
        let m = v.product;
        Self {
            id: m.id,
            code: m.code,
            name: m.name,
            spec: m.spec,
            unit: m.unit,
            cost_price: v
                .cost_visible
                .then(|| m.cost_price.map(|c| cur.to_decimal(Money(c)))),
            guide_price: cur.to_decimal(Money(m.guide_price)),
            status: m.status,
            category_id: m.category_id,
            category_name: v.category_name,
            description: m.description,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

fn cost_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    super::opt_decimal_text(d).map(Some)
}

/// Fields of a product. On create `code`, `name`, `unit` and `guide_price` are required;
/// on update (PATCH, with `version`) omitted fields stay as they are and `null` clears an
/// optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBody {
    pub version: Option<i32>,
    /// Unique, at most 50 characters.
    pub code: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub spec: Option<Option<String>>,
    /// 台, 套, 个, hour… (at most 20 characters)
    pub unit: Option<String>,
    /// Only for users who may see cost prices (403 otherwise), ≥ 0.
    #[serde(default, deserialize_with = "cost_text")]
    #[schema(value_type = Option<String>)]
    pub cost_price: Option<Option<String>>,
    /// ≥ 0, a number or a decimal string.
    #[serde(default, deserialize_with = "super::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub guide_price: Option<String>,
    /// on_sale (default), discontinued
    pub status: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

impl ProductBody {
    fn input(self) -> ProductInput {
        let cleared = |v: Option<Option<String>>| v.map(|o| o.unwrap_or_default());
        ProductInput {
            code: self.code,
            name: self.name,
            spec: cleared(self.spec),
            unit: self.unit,
            cost_price: cleared(self.cost_price),
            guide_price: self.guide_price,
            status: self.status,
            category_id: self.category_id,
            description: cleared(self.description),
        }
    }
}

fn invalid_query(msg: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", msg)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProductQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// Part of the code or the name (case-insensitive).
    pub q: Option<String>,
    /// This category and all its subcategories.
    pub category_id: Option<i64>,
    /// on_sale, discontinued
    pub status: Option<String>,
    /// code (default), name, updated (most recent first)
    pub sort: Option<String>,
}

/// The catalogue: every live product (not owner-scoped), by code unless `sort` says
/// otherwise.
#[utoipa::path(get, path = "/api/v1/products", tag = "products", security(("bearer" = [])),
    params(ProductQuery),
    responses((status = 200, body = Page<ProductDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<ProductQuery>,
) -> Result<Json<Page<ProductDto>>, ApiError> {
    let pq = super::PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let sort = match q.sort.as_deref() {
        None | Some("") => Sort::default(),
        Some(s) => {
            Sort::parse(s).ok_or_else(|| invalid_query("sort must be code, name or updated"))?
        }
    };
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s @ (products::ON_SALE | products::DISCONTINUED)) => Some(s.to_string()),
        Some(_) => return Err(invalid_query("status must be on_sale or discontinued")),
    };
    let filter = Filter {
        q: q.q
            .filter(|x| !x.trim().is_empty())
            .map(|x| x.trim().chars().take(100).collect()),
        category_ids: None,
        status,
    };
    let rows = products::list(
        &state.core,
        &p,
        &filter,
        q.category_id,
        sort,
        pq.cursor()?,
        limit + 1,
    )
    .await?;
    Ok(Json(super::page(
        rows,
        limit,
        |v| v.product.id,
        |v| ProductDto::of(&state, v),
    )))
}

#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ProductDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<ProductDto>, ApiError> {
    let v = products::get(&state.core, &p, id).await?;
    Ok(Json(ProductDto::of(&state, v)))
}

#[utoipa::path(post, path = "/api/v1/products", tag = "products", security(("bearer" = [])),
    request_body = ProductBody,
    responses((status = 201, body = ProductDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<ProductBody>,
) -> Result<(StatusCode, Json<ProductDto>), ApiError> {
    let v = products::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(ProductDto::of(&state, v))))
}

fn version_required() -> ApiError {
    ServiceError::field("version", "required", "Send the version you read").into()
}

#[utoipa::path(patch, path = "/api/v1/products/{id}", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ProductBody,
    responses((status = 200, body = ProductDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ProductBody>,
) -> Result<Json<ProductDto>, ApiError> {
    let version = body.version.ok_or_else(version_required)?;
    let v = products::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(ProductDto::of(&state, v)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    pub version: i32,
}

/// Moves the product to the recycle bin (restorable). Existing quote and order lines keep
/// their copy of its code and name.
#[utoipa::path(delete, path = "/api/v1/products/{id}", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    products::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub sort_order: i32,
    /// In the list: 0 for a root, 1 for its children… (absent on single reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<usize>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl CategoryDto {
    fn of(c: Category, depth: Option<usize>) -> Self {
        Self {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name,
            sort_order: c.sort_order,
            depth,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// A category. On create `name` is required; on PATCH (with `version`) omitted fields stay,
/// `"parent_id": null` makes it a root. Moving a category under itself or one of its
/// subcategories is refused (`parent_id`: `cycle`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    pub version: Option<i32>,
    /// At most 100 characters, unique among its siblings.
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    /// Smaller first (default 0); ties by name.
    pub sort_order: Option<i32>,
}

impl CategoryBody {
    fn input(self) -> CategoryInput {
        CategoryInput {
            name: self.name,
            parent_id: self.parent_id,
            sort_order: self.sort_order,
        }
    }
}

/// The category tree, flattened in pre-order (each parent before its children), with the
/// `depth` of each node.
#[utoipa::path(get, path = "/api/v1/product-categories", tag = "products",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CategoryDto>), (status = 403, body = ErrorBody)))]
pub async fn list_categories(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> Result<Json<Vec<CategoryDto>>, ApiError> {
    let nodes = categories::list(&state.core, &p).await?;
    Ok(Json(
        nodes
            .into_iter()
            .map(|n| CategoryDto::of(n.category, Some(n.depth)))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/product-categories/{id}", tag = "products",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CategoryDto), (status = 404, body = ErrorBody)))]
pub async fn show_category(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<CategoryDto>, ApiError> {
    let c = categories::get(&state.core, &p, id).await?;
    Ok(Json(CategoryDto::of(c, None)))
}

#[utoipa::path(post, path = "/api/v1/product-categories", tag = "products",
    security(("bearer" = [])), request_body = CategoryBody,
    responses((status = 201, body = CategoryDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_category(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<CategoryBody>,
) -> Result<(StatusCode, Json<CategoryDto>), ApiError> {
    let c = categories::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(CategoryDto::of(c, None))))
}

/// Rename and/or move a category.
#[utoipa::path(patch, path = "/api/v1/product-categories/{id}", tag = "products",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = CategoryBody,
    responses((status = 200, body = CategoryDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update_category(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<CategoryBody>,
) -> Result<Json<CategoryDto>, ApiError> {
    let version = body.version.ok_or_else(version_required)?;
    let c = categories::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(CategoryDto::of(c, None)))
}

/// Moves the category to the recycle bin; 409 `category_in_use` while it still has
/// products or subcategories.
#[utoipa::path(delete, path = "/api/v1/product-categories/{id}", tag = "products",
    security(("bearer" = [])), params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove_category(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    categories::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
