//! `POST /webhooks/{integration}`: a processor's delivery, authenticated by its signature
//! (the plugin verifies it), not by the API token. Answers are plain text, for the
//! processor's delivery log.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use intake_engine::webhook::{WebhookError, WebhookOutcome, queue_delivery};

use super::state::AppState;

/// Headers as the plugin reads them; a value that is not text is left out.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect()
}

/// Take one delivery.
pub async fn deliver(
    State(state): State<AppState>,
    Path(integration): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if state.is_stopping() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the service is stopping; retry later\n",
        )
            .into_response();
    }
    let plugin = state
        .engine()
        .integration(&integration)
        .map(|i| i.plugin.id.clone())
        .unwrap_or_default();
    // Its own task: a slow plugin holds only this delivery (the host's per-call deadline
    // bounds it), never another integration's.
    let started = Instant::now();
    let task = {
        let (engine, id, headers) = (
            state.engine().clone(),
            integration.clone(),
            header_pairs(&headers),
        );
        tokio::spawn(async move { engine.ingest_webhook(&id, &headers, &body).await })
    };
    let result = match task.await {
        Ok(result) => result,
        Err(e) => {
            state.metrics().webhook(&integration, "failed");
            tracing::error!(%integration, error = %e, "webhook task failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the delivery failed; retry later\n",
            )
                .into_response();
        }
    };
    if !plugin.is_empty() {
        state
            .metrics()
            .plugin_call(&plugin, "parse-webhook", started.elapsed().as_secs_f64());
    }
    match result {
        Ok(outcome) => stored(&state, outcome).await,
        Err(e) => refused(&state, &integration, &plugin, e),
    }
}

async fn stored(state: &AppState, outcome: WebhookOutcome) -> Response {
    state.metrics().webhook(&outcome.integration, "stored");
    state
        .metrics()
        .stored(&outcome.integration, "webhook", &outcome.counts);
    if outcome.counts.new + outcome.counts.updated > 0 {
        let (backend, config, for_queue) = (
            state.backend().clone(),
            state.engine().config().clone(),
            outcome.clone(),
        );
        let queued = tokio::task::spawn_blocking(move || {
            queue_delivery(backend.as_ref(), &config, &for_queue)
        })
        .await;
        // Stored is what the processor needs to hear; the queue catches up at the next
        // delivery or sync (enqueue_new takes every stored donation not yet queued).
        match queued {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(integration = %outcome.integration, error = %e, "could not queue the delivery")
            }
            Err(e) => tracing::warn!(error = %e, "queue task failed"),
        }
    }
    axum::Json(outcome).into_response()
}

fn refused(state: &AppState, integration: &str, plugin: &str, error: WebhookError) -> Response {
    let (status, outcome) = match &error {
        WebhookError::UnknownIntegration(_)
        | WebhookError::Disabled(_)
        | WebhookError::NotOffered(_) => (StatusCode::NOT_FOUND, "unknown"),
        WebhookError::BadSignature(_) => (StatusCode::BAD_REQUEST, "bad_signature"),
        WebhookError::Unreadable(_) => (StatusCode::BAD_REQUEST, "unreadable"),
        WebhookError::Plugin(e) => {
            state.metrics().call_failed(plugin, e);
            (StatusCode::SERVICE_UNAVAILABLE, "failed")
        }
        _ => (StatusCode::SERVICE_UNAVAILABLE, "failed"),
    };
    // An id no integration has is counted under one label: a sender cannot grow the
    // metrics without bound by inventing paths.
    let label = match &error {
        WebhookError::UnknownIntegration(_) => "(unknown)",
        _ => integration,
    };
    state.metrics().webhook(label, outcome);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        tracing::warn!(%integration, error = %error, "webhook delivery failed");
    }
    (status, format!("{error}\n")).into_response()
}
