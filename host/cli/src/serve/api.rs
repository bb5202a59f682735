//! The JSON API (bearer token): integrations, runs, sync now, the import queue, contacts,
//! exports. Errors are `{ "error": "<sentence>" }` with the status that fits.

// A handler's early return is the response it sends: an `Err(Response)` is returned once per
// request, never stored or passed along, so its size costs nothing worth boxing.
#![allow(clippy::result_large_err)]

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use intake_engine::export::Format;
use intake_engine::queue::{Approval, ContactChoice, QueueError, QueueFilter, QueueStatus};
use serde::Deserialize;
use serde_json::json;

use super::state::{AppState, SyncBusy};
use crate::queue_json;

/// `{ "error": message }` with `status`.
pub fn error(
    status: StatusCode,
    message: impl std::fmt::Display,
) -> (StatusCode, Json<serde_json::Value>) {
    (status, Json(json!({ "error": message.to_string() })))
}

/// Run blocking store work off the async threads; a failed task is a 500.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Response> + Send + 'static,
) -> Result<T, Response> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the request failed: {e}"),
        )
        .into_response()
    })?
}

fn store_failed(e: impl std::fmt::Display) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("the store failed: {e}"),
    )
    .into_response()
}

fn queue_failed(e: QueueError) -> Response {
    let status = match &e {
        QueueError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        QueueError::NotFound(_) => StatusCode::NOT_FOUND,
        QueueError::AlreadyDecided { .. } | QueueError::OriginalNotApproved { .. } => {
            StatusCode::CONFLICT
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    error(status, e).into_response()
}

/// `GET /healthz`: the process answers and the store does too.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.backend().clone();
    match blocking(move || backend.runs(None, 1).map_err(store_failed)).await {
        Ok(_) if state.is_stopping() => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "stopping" })),
        )
            .into_response(),
        Ok(_) => Json(json!({ "status": "ok" })).into_response(),
        Err(response) => response,
    }
}

/// `GET /api/integrations`: each integration with its status and last run.
pub async fn integrations(State(state): State<AppState>) -> Response {
    let backend = state.backend().clone();
    let runs = match blocking(move || backend.runs(None, 1000).map_err(store_failed)).await {
        Ok(runs) => runs,
        Err(response) => return response,
    };
    let running = state.running();
    // The version serving now: a plugin swapped while serving reports its new build.
    let plugins = state.plugins();
    let list: Vec<_> = state
        .engine()
        .integrations()
        .iter()
        .map(|i| {
            let id = &i.config.id;
            let last = runs.iter().find(|r| &r.integration == id);
            let version = plugins
                .iter()
                .find(|p| p.id == i.plugin.id)
                .map_or(&i.plugin.version, |p| &p.version);
            json!({
                "id": id,
                "name": i.config.name,
                "plugin": i.plugin.id,
                "plugin_version": version,
                "enabled": i.config.enabled,
                "syncing": running.contains(id),
                "last_run": last,
            })
        })
        .collect();
    Json(list).into_response()
}

/// `?integration=…&limit=…`
#[derive(Deserialize)]
pub struct RunsQuery {
    integration: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/runs`: newest first; a run still under way has status "running" and its
/// pages and counts so far.
pub async fn runs(State(state): State<AppState>, Query(q): Query<RunsQuery>) -> Response {
    let backend = state.backend().clone();
    let limit = q.limit.unwrap_or(50).min(1000);
    match blocking(move || {
        backend
            .runs(q.integration.as_deref(), limit)
            .map_err(store_failed)
    })
    .await
    {
        Ok(runs) => Json(runs).into_response(),
        Err(response) => response,
    }
}

/// `GET /api/plugins`.
pub async fn plugins(State(state): State<AppState>) -> Response {
    Json(state.plugins()).into_response()
}

/// `POST /api/integrations/{id}/sync`: 202 when started, 409 when it is running already.
pub async fn sync_now(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let trigger = state.clone();
    let started = tokio::task::spawn_blocking(move || {
        // The store's claim is asked synchronously; the run itself is spawned on the runtime.
        let handle = tokio::runtime::Handle::current();
        let _guard = handle.enter();
        trigger.start_sync(&id)
    })
    .await;
    match started {
        Ok(Ok(run)) => (
            StatusCode::ACCEPTED,
            Json(json!({ "started": run.integration })),
        )
            .into_response(),
        Ok(Err(busy @ (SyncBusy::Running(_) | SyncBusy::OtherWorker { .. }))) => {
            error(StatusCode::CONFLICT, busy).into_response()
        }
        Ok(Err(SyncBusy::Unavailable(why))) => error(StatusCode::NOT_FOUND, why).into_response(),
        Ok(Err(other @ SyncBusy::Stopping)) => {
            error(StatusCode::SERVICE_UNAVAILABLE, other).into_response()
        }
        Ok(Err(other)) => error(StatusCode::INTERNAL_SERVER_ERROR, other).into_response(),
        Err(e) => store_failed(e),
    }
}

/// `?integration=…&status=pending|approved|rejected|all&limit=…`
#[derive(Deserialize)]
pub struct QueueQuery {
    integration: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/queue`: pending items by default, each with its possible matches.
pub async fn queue_list(State(state): State<AppState>, Query(q): Query<QueueQuery>) -> Response {
    let status = match q.status.as_deref().unwrap_or("pending") {
        "pending" => Some(QueueStatus::Pending),
        "approved" => Some(QueueStatus::Approved),
        "rejected" => Some(QueueStatus::Rejected),
        "all" => None,
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("status `{other}` is none of pending, approved, rejected, all"),
            )
            .into_response();
        }
    };
    let filter = QueueFilter {
        integration: q.integration,
        status,
        limit: q.limit,
    };
    let backend = state.backend().clone();
    match blocking(move || queue_json::list(backend.as_ref(), &filter).map_err(queue_failed)).await
    {
        Ok(rows) => {
            let items: Vec<_> = rows
                .iter()
                .map(|(item, candidates)| queue_json::list_entry(item, candidates))
                .collect();
            Json(items).into_response()
        }
        Err(response) => response,
    }
}

/// `GET /api/queue/{id}`: the item, candidates with reasons, ledger entries.
pub async fn queue_show(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    let backend = state.backend().clone();
    match blocking(move || queue_json::show(backend.as_ref(), id).map_err(queue_failed)).await {
        Ok(shown) => Json(shown.to_json()).into_response(),
        Err(response) => response,
    }
}

/// `{ "contact": 12, "reviewer": "…" }` or `{ "new": true, "reviewer": "…" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    contact: Option<i64>,
    #[serde(default)]
    new: bool,
    reviewer: String,
}

/// `POST /api/queue/{id}/approve`.
pub async fn queue_approve(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Result<Json<ApproveBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.body_text()).into_response(),
    };
    if body.reviewer.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "say who approves: \"reviewer\"").into_response();
    }
    let choice = match (body.contact, body.new) {
        (Some(_), true) => {
            return error(
                StatusCode::BAD_REQUEST,
                "give \"contact\" or \"new\": true, not both",
            )
            .into_response();
        }
        (Some(c), false) => Some(ContactChoice::Existing(c)),
        (None, true) => Some(ContactChoice::New),
        (None, false) => None,
    };
    let backend = state.backend().clone();
    let config = state.engine().config().clone();
    let result = blocking(move || {
        let item = backend.queue_item(id).map_err(queue_failed)?;
        let choice = match choice {
            Some(c) => c,
            // A refund follows its original's contact; an approved item keeps its own.
            None if item.donation.reverses.is_some() || item.status == QueueStatus::Approved => {
                ContactChoice::New
            }
            None => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    format!("choose who queue item {id} is from: \"contact\": <id> (see GET /api/queue/{id}) or \"new\": true"),
                )
                .into_response());
            }
        };
        let defaults = config
            .integration(&item.integration)
            .map(|i| i.defaults.clone())
            .unwrap_or_default();
        backend
            .approve(
                id,
                &Approval {
                    contact: choice,
                    defaults: &defaults,
                    by: body.reviewer.trim(),
                },
            )
            .map_err(queue_failed)
    })
    .await;
    match result {
        Ok(approved) => Json(approved).into_response(),
        Err(response) => response,
    }
}

/// `{ "reason": "…", "reviewer": "…" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    reason: Option<String>,
    reviewer: String,
}

/// `POST /api/queue/{id}/reject`.
pub async fn queue_reject(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Result<Json<RejectBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.body_text()).into_response(),
    };
    if body.reviewer.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "say who rejects: \"reviewer\"").into_response();
    }
    let backend = state.backend().clone();
    let result = blocking(move || {
        backend
            .reject(id, body.reason.as_deref(), body.reviewer.trim())
            .map_err(queue_failed)
    })
    .await;
    match result {
        Ok(rejected) => Json(rejected).into_response(),
        Err(response) => response,
    }
}

/// `GET /api/contacts`.
pub async fn contacts(State(state): State<AppState>) -> Response {
    let backend = state.backend().clone();
    match blocking(move || backend.contacts().map_err(store_failed)).await {
        Ok(contacts) => Json(contacts).into_response(),
        Err(response) => response,
    }
}

/// `?integration=…`
#[derive(Deserialize)]
pub struct ExportQuery {
    integration: Option<String>,
}

/// `GET /api/export/{donations|entries|contacts|payouts}`: NDJSON, the rows `intake export`
/// writes.
pub async fn export(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let backend = state.backend().clone();
    let result = blocking(move || {
        let mut out = Vec::new();
        let integration = q.integration.as_deref();
        let written = match kind.as_str() {
            "donations" => intake_engine::export::donations(
                backend.as_ref(),
                integration,
                Format::Ndjson,
                &mut out,
            ),
            "entries" => intake_engine::ledger_export::entries(
                backend.as_ref(),
                integration,
                Format::Ndjson,
                &mut out,
            ),
            "contacts" => match backend.contacts() {
                Ok(all) => intake_engine::ledger_export::contacts(&all, Format::Ndjson, &mut out),
                Err(e) => return Err(store_failed(e)),
            },
            "payouts" => intake_engine::ledger_export::payouts(
                backend.as_ref(),
                integration,
                Format::Ndjson,
                &mut out,
            ),
            other => {
                return Err(error(
                    StatusCode::NOT_FOUND,
                    format!("no export `{other}`: donations, entries, contacts or payouts"),
                )
                .into_response());
            }
        };
        written.map_err(store_failed)?;
        Ok(out)
    })
    .await;
    match result {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/x-ndjson")], bytes).into_response(),
        Err(response) => response,
    }
}
