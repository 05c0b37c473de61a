//! Static assets, embedded in the binary (no CDN: many customers run on an intranet).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

macro_rules! asset {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/", $path))
    };
}

fn lookup(path: &str) -> Option<(&'static [u8], &'static str)> {
    Some(match path {
        "app.css" => (asset!("app.css"), "text/css; charset=utf-8"),
        "app.js" => (asset!("app.js"), "text/javascript; charset=utf-8"),
        "lines.js" => (asset!("lines.js"), "text/javascript; charset=utf-8"),
        "vendor/bootstrap.min.css" => (
            asset!("vendor/bootstrap.min.css"),
            "text/css; charset=utf-8",
        ),
        "vendor/bootstrap.bundle.min.js" => (
            asset!("vendor/bootstrap.bundle.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "vendor/bootstrap-icons.min.css" => (
            asset!("vendor/bootstrap-icons.min.css"),
            "text/css; charset=utf-8",
        ),
        "vendor/fonts/bootstrap-icons.woff2" => {
            (asset!("vendor/fonts/bootstrap-icons.woff2"), "font/woff2")
        }
        "vendor/htmx.min.js" => (
            asset!("vendor/htmx.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "vendor/echarts.min.js" => (
            asset!("vendor/echarts.min.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return None,
    })
}

pub async fn serve(Path(path): Path<String>) -> Response {
    match lookup(&path) {
        Some((body, mime)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
