//! The import queue's web page: a reviewer signs in, sees the pending donations, opens one
//! beside the contacts it may belong to (score and reasons), and approves it to one of them
//! or to a new contact, or rejects it with a reason.
//!
//! Server-rendered HTML (minijinja templates compiled into the binary), no JavaScript. The
//! API token authenticates: as an `Authorization: Bearer` header, or typed once into the
//! sign-in form, which opens a server-side session named by a random cookie (the token never
//! travels in a cookie). Every form carries a per-session CSRF token checked on POST.
//! `intake serve` merges [`routes`] into its router.

mod auth;
mod pages;
mod view;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use intake_engine::config::ImportDefaults;
use intake_engine::queue::QueueError;
use intake_engine::store::Backend;

use auth::Sessions;

/// What the queue page needs.
pub struct QueuePage {
    /// The store the queue lives in.
    pub backend: Arc<dyn Backend>,
    /// The token that authenticates (the config's `[serve] api_token`).
    pub api_token: Arc<str>,
    /// Each integration's import defaults (bank account, election period, category), by
    /// integration id, applied to the entries an approval books. An integration missing here
    /// books its entries without defaults.
    /// A config reload replaces the map.
    pub defaults: SharedDefaults,
}

/// Import defaults by integration id, replaced as a whole when the service reloads its config.
pub type SharedDefaults = Arc<std::sync::RwLock<HashMap<String, ImportDefaults>>>;

/// Shared by every handler.
struct State {
    page: QueuePage,
    sessions: Sessions,
    templates: view::Templates,
}

type Shared = Arc<State>;

/// `/` (redirects to /queue), `/queue`, `/queue/{id}`, `/queue/{id}/approve`,
/// `/queue/{id}/reject`, `/signin`, `/signout`, `/static/*`.
pub fn routes(page: QueuePage) -> Router {
    let state: Shared = Arc::new(State {
        page,
        sessions: Sessions::default(),
        templates: view::Templates::new(),
    });
    Router::new()
        .route("/", get(|| async { Redirect::to("/queue") }))
        .route("/queue", get(pages::list))
        .route("/queue/{id}", get(pages::show))
        .route("/queue/{id}/approve", post(pages::approve))
        .route("/queue/{id}/reject", post(pages::reject))
        .route("/signin", get(auth::signin_form).post(auth::signin))
        .route("/signout", post(auth::signout))
        .route("/static/{*path}", get(static_file))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

const STYLE: &str = include_str!("templates/style.css");

async fn static_file(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    match path.as_str() {
        "style.css" => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "max-age=3600"),
            ],
            STYLE,
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "No such file.").into_response(),
    }
}

/// No scripts, no framing, no third-party anything: the page needs none of it.
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// A request the page refuses or cannot serve: a status and a sentence for the reviewer.
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    message: String,
}

impl PageError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        PageError {
            status,
            message: message.into(),
        }
    }
}

impl From<QueueError> for PageError {
    fn from(e: QueueError) -> Self {
        let status = match &e {
            QueueError::NotFound(_) => StatusCode::NOT_FOUND,
            QueueError::AlreadyDecided { .. } | QueueError::OriginalNotApproved { .. } => {
                StatusCode::CONFLICT
            }
            QueueError::NoSuchContact(_) | QueueError::BadAmount { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "queue page: store failed");
        }
        PageError::new(status, sentence(&e.to_string()))
    }
}

impl From<intake_engine::store::StoreError> for PageError {
    fn from(e: intake_engine::store::StoreError) -> Self {
        QueueError::Store(e).into()
    }
}

/// "no queue item 4" → "No queue item 4."
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::from("Something went wrong"),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// Run a store call off the async threads (both backends block).
async fn blocking<T, F>(state: &Shared, f: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Backend) -> Result<T, PageError> + Send + 'static,
{
    let backend = state.page.backend.clone();
    tokio::task::spawn_blocking(move || f(backend.as_ref()))
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "queue page: store call panicked");
            Err(PageError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The store failed; the decision was not recorded.",
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(sentence("no queue item 4"), "No queue item 4.");
        assert_eq!(sentence("done."), "Done.");
        assert_eq!(sentence(""), "Something went wrong.");
    }
}
