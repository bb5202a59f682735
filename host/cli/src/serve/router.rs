//! The paths. `/`, `/queue…`, `/signin`, `/signout` and `/static/…` are left to the queue
//! page (`crate::web`), merged in beside these.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};

use super::state::AppState;
use super::{api, auth, config_reload, metrics, webhooks};

/// The largest webhook body taken; processors send a few kilobytes.
pub const WEBHOOK_BODY_LIMIT: usize = 1024 * 1024;

/// Every route of the service.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/integrations", get(api::integrations))
        .route("/api/integrations/{id}/sync", post(api::sync_now))
        .route("/api/runs", get(api::runs))
        .route("/api/plugins", get(api::plugins))
        .route("/api/config", get(config_reload::status))
        .route("/api/queue", get(api::queue_list))
        .route("/api/queue/{id}", get(api::queue_show))
        .route("/api/queue/{id}/approve", post(api::queue_approve))
        .route("/api/queue/{id}/reject", post(api::queue_reject))
        .route("/api/contacts", get(api::contacts))
        .route("/api/export/{kind}", get(api::export))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(metrics::render))
        .route(
            "/webhooks/{integration}",
            post(webhooks::deliver).layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT)),
        )
        .merge(api)
        .with_state(state)
}
