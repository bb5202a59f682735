//! The API's bearer token, compared in constant time so its bytes cannot be guessed one by
//! one from response times.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::api::error;
use super::state::AppState;

/// Whether `header_value` is `Bearer <token>`.
pub fn bearer_matches(header_value: Option<&str>, token: &str) -> bool {
    let Some(given) = header_value.and_then(|v| v.strip_prefix("Bearer ")) else {
        return false;
    };
    // ct_eq on slices of different lengths is false without looking at the bytes; the
    // length of the token is not a secret worth hiding.
    given.trim().as_bytes().ct_eq(token.as_bytes()).into()
}

/// Refuse a request without the right token: 401 with a sentence that says what is missing.
pub async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    match given {
        None => unauthorized("this API needs a bearer token: Authorization: Bearer <token>"),
        Some(value) if bearer_matches(Some(value), state.token()) => next.run(request).await,
        Some(_) => unauthorized("the bearer token is not the one this service was given"),
    }
}

fn unauthorized(message: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, message).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}
