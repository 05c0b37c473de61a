//! The web surfaces: the JSON API under `/api/v1` (with its OpenAPI document) and the
//! HTML UI (askama + htmx). Both call the same service functions.

rust_i18n::i18n!("locales", fallback = "en");

pub mod api;
pub mod assets;
pub mod error;
pub mod i18n;
pub mod net;
pub mod state;
pub mod ui;

pub use state::{AppState, WebConfig};

use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api::router())
        .merge(api::openapi::docs_router())
        .merge(ui::router())
        .route("/static/{*path}", get(assets::serve))
        .layer(RequestBodyLimitLayer::new(2 * 1024 * 1024))
        // Uploads have their own, larger limit (lead imports: 20 MB).
        .merge(api::lead_import::upload_router())
        .merge(ui::lead_import::upload_router())
        .layer(axum::middleware::from_fn(reject_control_characters))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// For load balancers: 200 when the database answers.
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    match state.core.db.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        ),
    }
}

/// Percent-encoded control characters (`%00`–`%1F`, `%7F`) have no business in a URL
/// here, and PostgreSQL refuses NUL in text: such requests end with a 400 at the edge.
async fn reject_control_characters(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let bad = |s: &str| {
        let b = s.as_bytes();
        b.windows(3).any(|w| {
            w[0] == b'%'
                && ((w[1] == b'0' || w[1] == b'1') && w[2].is_ascii_hexdigit()
                    || (w[1] == b'7' && (w[2] == b'f' || w[2] == b'F')))
        })
    };
    if bad(req.uri().path()) || req.uri().query().is_some_and(bad) {
        return error::ApiError::bad_request(
            "invalid_characters",
            "The address contains control characters",
        )
        .into_response();
    }
    next.run(req).await
}
