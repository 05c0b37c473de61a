//! `/customers/export.xlsx`, `/contacts/export.xlsx`: Excel exports (资料导出).

use super::contacts::ContactQuery;
use super::customers::{CustomerListQuery, CustomerQuery};
use super::{ApiAuth, ApiQuery};
use crate::error::{ApiError, ErrorBody};
use crate::i18n::{self, Tr};
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use crm_domain::customer::{Nature, Size, Source, Status};
use crm_service::export::{self, Labels, XlsxFile};
use tokio_util::io::ReaderStream;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers/export.xlsx", get(customers))
        .route("/contacts/export.xlsx", get(contacts))
}

/// Headers and value labels in the reader's language.
pub fn labels(tr: Tr, entity: &str, columns: &[&str]) -> Labels {
    let mut values = std::collections::HashMap::new();
    let mut add = |kind: &str, codes: Vec<&'static str>| {
        for c in codes {
            values.insert(format!("{kind}.{c}"), tr.t(&format!("{kind}.{c}")));
        }
    };
    add("status", Status::ALL.iter().map(|v| v.as_str()).collect());
    add("nature", Nature::ALL.iter().map(|v| v.as_str()).collect());
    add("size", Size::ALL.iter().map(|v| v.as_str()).collect());
    add("source", Source::ALL.iter().map(|v| v.as_str()).collect());
    Labels {
        headers: columns
            .iter()
            .map(|c| tr.t(&format!("export.{entity}.{c}")))
            .collect(),
        values,
        yes: tr.t("common.yes"),
        no: tr.t("common.no"),
        chinese: tr.is_zh(),
    }
}

/// The workbook streamed from its temporary file (read as the client takes it).
pub fn xlsx_response(xlsx: XlsxFile, name: &str) -> Response {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M");
    let body = Body::from_stream(ReaderStream::new(tokio::fs::File::from_std(xlsx.file)));
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}-{stamp}.xlsx\""),
            ),
            (header::CONTENT_LENGTH, xlsx.len.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// Customers you may see, matching the same filters as the list, as an Excel file.
/// Requires the customers `export` permission. Headers follow Accept-Language.
#[utoipa::path(get, path = "/api/v1/customers/export.xlsx", tag = "customers",
    security(("bearer" = [])),
    params(CustomerQuery, ("cf.{key}" = Option<String>, Query, description = "Custom-field filter, as for the list")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 403, body = ErrorBody)))]
pub async fn customers(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    headers: HeaderMap,
    q: CustomerListQuery,
) -> Result<Response, ApiError> {
    let tr = i18n::pick(None, &headers);
    let labels = labels(tr, "customer", export::CUSTOMER_COLUMNS);
    let filter = q.filter(&state).await?;
    let xlsx = export::customers_xlsx(&state.core, &p, &filter, &labels, &|_| {}).await?;
    Ok(xlsx_response(xlsx, "customers"))
}

/// Contacts you may see (through their customers) as an Excel file.
#[utoipa::path(get, path = "/api/v1/contacts/export.xlsx", tag = "contacts",
    security(("bearer" = [])), params(ContactQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 403, body = ErrorBody)))]
pub async fn contacts(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> Result<Response, ApiError> {
    let tr = i18n::pick(None, &headers);
    let labels = labels(tr, "contact", export::CONTACT_COLUMNS);
    let filter = crm_service::contacts::Filter {
        customer_id: q.customer_id,
        q: q.q.filter(|s| !s.trim().is_empty()),
    };
    let xlsx = export::contacts_xlsx(&state.core, &p, &filter, &labels, &|_| {}).await?;
    Ok(xlsx_response(xlsx, "contacts"))
}
