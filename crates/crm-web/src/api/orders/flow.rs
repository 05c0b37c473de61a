//! The approval flow: submit, approve, reject, cancel.

use super::{detail, ApiAuth, ApiError, AppState, ErrorBody, OrderDto, PathId};
use crate::api::ApiJson;
use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use axum::Json;
use crm_service::orders;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::ToSchema;

/// A JSON body that may be left out entirely (then `T::default()`).
pub struct OptJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let empty = !req.headers().contains_key(header::CONTENT_TYPE)
            && req
                .headers()
                .get(header::CONTENT_LENGTH)
                .is_none_or(|v| v == "0");
        if empty {
            return Ok(OptJson(T::default()));
        }
        let ApiJson(v) = ApiJson::<T>::from_request(req, state).await?;
        Ok(OptJson(v))
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// The version you read (optional).
    pub version: Option<i32>,
}

/// Sends a draft or rejected order for approval.
#[utoipa::path(post, path = "/api/v1/orders/{id}/submit", tag = "orders",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = Option<SubmitBody>,
    responses((status = 200, body = OrderDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    OptJson(body): OptJson<SubmitBody>,
) -> Result<Json<OrderDto>, ApiError> {
    orders::submit(&state.core, &p, id, body.version).await?;
    Ok(Json(detail(&state, &p, id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Optional when approving, required when rejecting.
    pub comment: Option<String>,
}

/// Approves a submitted order and adds its lines to the customer's purchase records,
/// exactly once. Needs the sales approve permission over the order's owner; approving an
/// order you own or submitted is 403 `own_order`; an order already decided is 409
/// `order_already_decided` and nothing is added.
#[utoipa::path(post, path = "/api/v1/orders/{id}/approve", tag = "orders",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = Option<DecisionBody>,
    responses((status = 200, body = OrderDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    OptJson(body): OptJson<DecisionBody>,
) -> Result<Json<OrderDto>, ApiError> {
    orders::approve(&state.core, &p, id, body.comment.as_deref())
        .await
        .map_err(ApiError::from)?;
    Ok(Json(detail(&state, &p, id).await?))
}

/// Rejects a submitted order with a comment (required); its owner may edit it and submit
/// it again. Same permission rules as approving.
#[utoipa::path(post, path = "/api/v1/orders/{id}/reject", tag = "orders",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = OrderDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    OptJson(body): OptJson<DecisionBody>,
) -> Result<Json<OrderDto>, ApiError> {
    orders::reject(&state.core, &p, id, body.comment.as_deref())
        .await
        .map_err(ApiError::from)?;
    Ok(Json(detail(&state, &p, id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// Required to cancel an approved order.
    pub reason: Option<String>,
}

/// Cancels an order. Draft, submitted and rejected orders are withdrawn by their owner (or
/// the owner's managers). An approved order is cancelled only by an approver (same rules
/// as approving) with a reason, which reverses its purchase records; refused with 409
/// `order_has_payments` while payments are recorded against it.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = Option<CancelBody>,
    responses((status = 200, body = OrderDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    OptJson(body): OptJson<CancelBody>,
) -> Result<Json<OrderDto>, ApiError> {
    orders::cancel(&state.core, &p, id, body.reason.as_deref())
        .await
        .map_err(ApiError::from)?;
    Ok(Json(detail(&state, &p, id).await?))
}
