//! Requests to Stripe's API and the contract errors its answers map to.

use intake_plugin_sdk::http::{Request, Response};
use intake_plugin_sdk::{Error, Result};
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::wire::ErrorBody;

/// The API version whose object shapes `wire.rs` reads.
pub const STRIPE_VERSION: &str = "2024-06-20";

/// A decoded answer and the server's clock when it answered (from `Date`), if it said.
pub struct Answer<T> {
    pub body: T,
    pub server_time: Option<i64>,
}

/// `GET {api_base}{path}?{query}` with the mode's key; the body read as `T`.
pub fn get<T: DeserializeOwned>(
    config: &Config,
    path: &str,
    query: &[(&str, String)],
) -> Result<Answer<T>> {
    let mut request = Request::get(format!("{}{path}", config.api_base))
        .bearer_secret(config.secret_key)
        .header("Stripe-Version", STRIPE_VERSION)
        .header("Accept", "application/json");
    for (k, v) in query {
        request = request.query(k, v);
    }
    let response = request.send()?;
    if let Some(error) = error_of(&response) {
        return Err(error);
    }
    let body = response.json::<T>().map_err(|e| match e {
        Error::InvalidData(why) => Error::InvalidData(format!("GET {path}: {why}")),
        other => other,
    })?;
    Ok(Answer {
        body,
        server_time: response
            .header("date")
            .and_then(intake_plugin_sdk::time::parse_http_date),
    })
}

/// The contract error for a non-2xx answer: Stripe's own message where the body has one.
/// 401/403 auth, 429 rate-limited (with `Retry-After` when given), 408/5xx transient, a
/// missing object (404) or refused parameter (400) invalid data.
pub fn error_of(response: &Response) -> Option<Error> {
    if response.is_success() {
        return None;
    }
    let detail = serde_json::from_slice::<ErrorBody>(&response.body)
        .ok()
        .map(|b| b.error);
    let message = detail.map(|d| {
        let mut m = d.message.unwrap_or_default();
        if let Some(code) = d.code.or(d.kind) {
            m = format!("{m} ({code})");
        }
        m
    });
    let mut error = response.status_error(message);
    // Stripe's own word on whether a retry can help.
    if response.header("stripe-should-retry") == Some("false")
        && let Some(Error::Transient(m)) = &error
    {
        error = Some(Error::InvalidData(format!("{m}; Stripe says not to retry")));
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn maps_stripe_errors_to_contract_kinds() {
        let body = r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****abcd"}}"#;
        assert!(
            matches!(error_of(&response(401, &[], body)), Some(Error::Auth(m)) if m.contains("Invalid API Key"))
        );
        let limited = r#"{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}"#;
        assert!(matches!(
            error_of(&response(429, &[("Retry-After", "2")], limited)),
            Some(Error::RateLimited(Some(2)))
        ));
        assert!(matches!(
            error_of(&response(429, &[("Stripe-Should-Retry", "true")], limited)),
            Some(Error::RateLimited(None))
        ));
        assert!(matches!(
            error_of(&response(503, &[], "oops")),
            Some(Error::Transient(_))
        ));
        assert!(matches!(
            error_of(&response(500, &[("Stripe-Should-Retry", "false")], "{}")),
            Some(Error::InvalidData(_))
        ));
        let missing = r#"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such charge: 'ch_1'"}}"#;
        assert!(
            matches!(error_of(&response(404, &[], missing)), Some(Error::InvalidData(m)) if m.contains("resource_missing"))
        );
        assert!(error_of(&response(200, &[], "{}")).is_none());
    }
}
