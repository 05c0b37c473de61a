//! The web server: listen, serve, purge expired sessions, stop gracefully.

use crate::config::Config;
use crm_service::Core;
use crm_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::time::Duration;

pub async fn serve(core: Core, config: &Config) -> Result<(), String> {
    let state = AppState::new(
        core.clone(),
        WebConfig {
            secure_cookies: config.secure_cookies,
            trust_proxy: config.trust_proxy,
        },
    );
    let app = crm_web::router(state);
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, "CRM listening on http://{addr}");
    let now = core.now();
    match crm_store::jobs::fail_interrupted(&core.db, now - chrono::Duration::minutes(2), now).await
    {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            jobs = n,
            "marked jobs interrupted by a previous stop as failed"
        ),
        Err(e) => tracing::warn!(error = %e, "checking for interrupted jobs failed"),
    }
    tokio::spawn(housekeeping(core));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(|e| e.to_string())
}

/// Forgets expired sessions and old sign-in attempts every ten minutes.
async fn housekeeping(core: Core) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = core.now();
        if let Err(e) = crm_store::sessions::purge_expired(&core.db, now).await {
            tracing::warn!(error = %e, "purging sessions failed");
        }
        if let Err(e) =
            crm_store::login_attempts::purge(&core.db, now - chrono::Duration::days(1)).await
        {
            tracing::warn!(error = %e, "purging login attempts failed");
        }
        if let Err(e) = crm_store::optimize(&core.db, false).await {
            tracing::warn!(error = %e, "refreshing planner statistics failed");
        }
        if let Err(e) = crm_store::jobs::purge(&core.db, now - chrono::Duration::days(7)).await {
            tracing::warn!(error = %e, "purging old jobs failed");
        }
        let stale = now - chrono::Duration::minutes(2);
        if let Err(e) = crm_store::jobs::fail_interrupted(&core.db, stale, now).await {
            tracing::warn!(error = %e, "checking for interrupted jobs failed");
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
