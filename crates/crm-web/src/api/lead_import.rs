//! `/api/v1/leads/imports`: importing leads from .xlsx / .csv (线索导入). Upload the file
//! (multipart, field `file`, at most 20 MB and 100,000 rows), preview the first rows with
//! a column mapping and options, run it as a background job, then read the report and
//! download the .xlsx of failed and duplicate rows.

mod dto;
pub mod upload;

use super::{ApiAuth, ApiJson, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::i18n;
use crate::AppState;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use crm_domain::{Action, Module};
use crm_service::lead_import;
use utoipa::OpenApi;

pub use dto::{ImportDto, OptionsBody, PreviewDto};

/// The upload route, with its own body limit: merged outside the app's 2 MiB limit.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/leads/imports", post(create))
        .layer(DefaultBodyLimit::max(upload::BODY_LIMIT))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads/imports/{id}", get(show))
        .route("/leads/imports/{id}/preview", post(preview))
        .route("/leads/imports/{id}/run", post(run))
        .route("/leads/imports/{id}/report.xlsx", get(report))
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(create, show, preview, run, report),
    components(schemas(
        ImportDto,
        OptionsBody,
        PreviewDto,
        UploadForm,
        dto::OptionsDto,
        dto::ReportDto,
        dto::FailureDto,
        dto::DuplicateRowDto,
        dto::MatchNoteDto,
        dto::PreviewRowDto
    ))
)]
pub struct Doc;

/// The multipart form of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The .xlsx or .csv file (UTF-8, with or without BOM, or GBK/GB18030).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

pub(crate) fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "At most {} MB per file",
            lead_import::MAX_BYTES / (1024 * 1024)
        ),
    )
}

/// Uploads a file to import: it is read and checked at once (a zip bomb, a broken .xlsx,
/// an unknown encoding, more than 100,000 rows: 422 with the reason under `fields.file`)
/// and kept until the import is started (unstarted uploads are forgotten after a day).
/// The answer has the headers and the guessed column mapping. Needs `market:create`.
#[utoipa::path(post, path = "/api/v1/leads/imports", tag = "lead imports",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ImportDto), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ImportDto>), ApiError> {
    p.require(Module::Market, Action::Create)
        .map_err(crm_service::ServiceError::from)?;
    let form = form.map_err(|r| ApiError::bad_request("invalid_upload", r.body_text()))?;
    let up = match upload::read(form).await {
        Ok(u) => u,
        Err(upload::UploadError::TooLarge) => return Err(too_large()),
        Err(upload::UploadError::Malformed(m)) => {
            return Err(ApiError::bad_request("invalid_upload", m))
        }
    };
    if !up.has_file {
        return Err(crm_service::ServiceError::field(
            "file",
            "required",
            "Send the file as `file`",
        )
        .into());
    }
    let i = lead_import::upload(&state.core, &p, &up.file_name, up.bytes).await?;
    Ok((StatusCode::CREATED, Json(ImportDto::of(i))))
}

/// One of your imports: its upload, progress (`done` of `total` rows) and, once `done`,
/// its report. Someone else's import is 404.
#[utoipa::path(get, path = "/api/v1/leads/imports/{id}", tag = "lead imports",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ImportDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<ImportDto>, ApiError> {
    let i = lead_import::get(&state.core, &p, id).await?;
    Ok(Json(ImportDto::of(i)))
}

/// The first 20 rows as these options would import them: each row's validation errors
/// and the duplicates found (as far as you may see them). Nothing is written. A bad
/// option is 422 (`columns`, `owner`: `out_of_scope` for a user outside your scope,
/// `campaign_id`, `duplicates`, `mode`); a started import is 409 `already_started`.
#[utoipa::path(post, path = "/api/v1/leads/imports/{id}/preview", tag = "lead imports",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = OptionsBody,
    responses((status = 200, body = PreviewDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<OptionsBody>,
) -> Result<Json<PreviewDto>, ApiError> {
    let input = body.input(upload::source_aliases())?;
    let pv = lead_import::preview(&state.core, &p, id, &input).await?;
    Ok(Json(PreviewDto::of(pv)))
}

/// Starts the import as a background job (202): poll `GET /api/v1/leads/imports/{id}`.
/// The .xlsx report's headers follow Accept-Language.
#[utoipa::path(post, path = "/api/v1/leads/imports/{id}/run", tag = "lead imports",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = OptionsBody,
    responses((status = 202, body = ImportDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    headers: HeaderMap,
    ApiJson(body): ApiJson<OptionsBody>,
) -> Result<(StatusCode, Json<ImportDto>), ApiError> {
    let input = body.input(upload::source_aliases())?;
    let labels = upload::report_labels(i18n::pick(None, &headers));
    let i = lead_import::start(&state.core, &p, id, &input, labels).await?;
    Ok((StatusCode::ACCEPTED, Json(ImportDto::of(i))))
}

/// The report of a finished import as .xlsx: the failed rows with their reasons, and the
/// duplicate rows with what they match.
#[utoipa::path(get, path = "/api/v1/leads/imports/{id}/report.xlsx", tag = "lead imports",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 404, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let (bytes, name, ctype) = lead_import::report_file(&state.core, &p, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, ctype),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
