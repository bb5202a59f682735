//! The queue's pages: the list, one item with its candidates, and the two decisions.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use intake_engine::queue::{Approval, ContactChoice, QueueFilter, QueueId, QueueStatus};
use minijinja::context;
use serde::Deserialize;

use super::auth::{Viewer, check_csrf, require};
use super::view::{CandidateView, ItemView, ViewerView};
use super::{PageError, Shared, blocking};

/// The most items one list page shows.
const LIST_LIMIT: usize = 500;
/// The most candidates an item page offers.
const CANDIDATES: usize = 5;
/// The longest rejection reason kept.
const MAX_REASON: usize = 1000;

/// Which items the list shows.
#[derive(Deserialize)]
pub(crate) struct ListQuery {
    status: Option<String>,
}

/// GET /queue: the items waiting for review (or decided ones, `?status=approved`).
pub(crate) async fn list(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let viewer = match require(&state, &headers) {
        Ok(v) => v,
        Err(response) => return response,
    };
    let status = match q.status.as_deref() {
        None | Some("") => QueueStatus::Pending,
        Some(s) => match QueueStatus::parse(s) {
            Some(s) => s,
            None => {
                let e = PageError::new(
                    StatusCode::BAD_REQUEST,
                    "Show pending, approved or rejected items.",
                );
                return state.templates.error(&e, Some(&viewer));
            }
        },
    };
    let found = blocking(&state, move |b| {
        let filter = QueueFilter {
            integration: None,
            status: Some(status),
            limit: Some(LIST_LIMIT),
        };
        let items = b.queue_items(&filter)?;
        let pending = b.pending_count(None)?;
        Ok((items, pending))
    })
    .await;
    match found {
        Ok((items, pending)) => {
            let items: Vec<ItemView> = items.iter().map(ItemView::of).collect();
            state.templates.render(
                "list.html",
                context! {
                    viewer => ViewerView::of(&viewer),
                    status => status.as_str(),
                    pending,
                    limited => items.len() >= LIST_LIMIT,
                    items,
                },
            )
        }
        Err(e) => state.templates.error(&e, Some(&viewer)),
    }
}

/// A queue item number from the path; anything else is an item that does not exist.
fn item_id(raw: &str) -> Result<QueueId, PageError> {
    raw.parse::<QueueId>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| PageError::new(StatusCode::NOT_FOUND, "There is no such queue item."))
}

/// GET /queue/{id}: the donation beside the contacts it may be.
pub(crate) async fn show(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let viewer = match require(&state, &headers) {
        Ok(v) => v,
        Err(response) => return response,
    };
    match item_page(&state, &viewer, &raw, None).await {
        Ok(r) | Err(r) => r,
    }
}

/// The item page, with `problem` (a refused decision) above the forms.
async fn item_page(
    state: &Shared,
    viewer: &Viewer,
    raw: &str,
    problem: Option<&PageError>,
) -> Result<Response, Response> {
    let id = item_id(raw).map_err(|e| state.templates.error(&e, Some(viewer)))?;
    let (item, candidates) = blocking(state, move |b| {
        let item = b.queue_item(id)?;
        let mut candidates = Vec::new();
        if item.donation.reverses.is_none() {
            for c in b.candidates(&item.donation.donor, CANDIDATES)? {
                let contact = b.contact(c.contact)?;
                candidates.push(CandidateView::of(&c, contact.as_ref()));
            }
        }
        Ok((item, candidates))
    })
    .await
    .map_err(|e| state.templates.error(&e, Some(viewer)))?;
    let mut response = state.templates.render(
        "item.html",
        context! {
            viewer => ViewerView::of(viewer),
            item => ItemView::of(&item),
            pending => item.status == QueueStatus::Pending,
            candidates,
            problem => problem.map(|p| p.message.clone()),
        },
    );
    if let Some(p) = problem
        && response.status().is_success()
    {
        *response.status_mut() = p.status;
    }
    Ok(response)
}

/// The approve form's fields.
#[derive(Deserialize)]
pub(crate) struct ApproveForm {
    csrf: Option<String>,
    /// A contact's number, or "new".
    contact: Option<String>,
}

/// POST /queue/{id}/approve: book the donation to the chosen contact or a new one.
pub(crate) async fn approve(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<ApproveForm>,
) -> Response {
    let viewer = match require(&state, &headers) {
        Ok(v) => v,
        Err(response) => return response,
    };
    if let Err(e) = check_csrf(&viewer, form.csrf.as_deref()) {
        return state.templates.error(&e, Some(&viewer));
    }
    let choice = match form.contact.as_deref().map(str::trim) {
        Some("new") => Some(ContactChoice::New),
        Some(c) => c.parse().ok().map(ContactChoice::Existing),
        None => None,
    };
    let Some(choice) = choice else {
        let e = PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose the contact this donation belongs to, or a new contact, then approve.",
        );
        return decided(&state, &viewer, &raw, Err(e)).await;
    };
    let by = viewer.reviewer.clone();
    let result = match item_id(&raw) {
        Ok(id) => {
            let page = state.clone();
            blocking(&state, move |b| {
                let integration = b.queue_item(id)?.integration;
                let defaults = page
                    .page
                    .defaults
                    .read()
                    .ok()
                    .and_then(|all| all.get(&integration).cloned())
                    .unwrap_or_default();
                let approval = Approval {
                    contact: choice,
                    defaults: &defaults,
                    by: &by,
                };
                b.approve(id, &approval)?;
                Ok(())
            })
            .await
        }
        Err(e) => Err(e),
    };
    decided(&state, &viewer, &raw, result).await
}

/// The reject form's fields.
#[derive(Deserialize)]
pub(crate) struct RejectForm {
    csrf: Option<String>,
    reason: Option<String>,
}

/// POST /queue/{id}/reject: keep the donation out of the ledger, with the reviewer's reason.
pub(crate) async fn reject(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<RejectForm>,
) -> Response {
    let viewer = match require(&state, &headers) {
        Ok(v) => v,
        Err(response) => return response,
    };
    if let Err(e) = check_csrf(&viewer, form.csrf.as_deref()) {
        return state.templates.error(&e, Some(&viewer));
    }
    let reason = form.reason.as_deref().map(str::trim).unwrap_or_default();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        let e = PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Say why the donation is rejected (up to 1,000 characters); it is kept with the decision.",
        );
        return decided(&state, &viewer, &raw, Err(e)).await;
    }
    let reason = reason.to_string();
    let by = viewer.reviewer.clone();
    let result = match item_id(&raw) {
        Ok(id) => {
            blocking(&state, move |b| {
                b.reject(id, Some(&reason), &by)?;
                Ok(())
            })
            .await
        }
        Err(e) => Err(e),
    };
    decided(&state, &viewer, &raw, result).await
}

/// After a decision: back to the item (which shows it), or the item again with why not.
/// An item that does not exist gets the error page.
async fn decided(
    state: &Shared,
    viewer: &Viewer,
    raw: &str,
    result: Result<(), PageError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/queue/{raw}")).into_response(),
        Err(e) if e.status == StatusCode::NOT_FOUND => state.templates.error(&e, Some(viewer)),
        Err(e) if e.status.is_server_error() => state.templates.error(&e, Some(viewer)),
        Err(e) => match item_page(state, viewer, raw, Some(&e)).await {
            Ok(r) | Err(r) => r,
        },
    }
}
