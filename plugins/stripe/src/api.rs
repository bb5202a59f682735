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
    if let Some(account) = &config.stripe_account {
        request = request.header("Stripe-Account", account.clone());
    }
    for (k, v) in query {
        request = request.query(k, v);
    }
    let response = request.send()?;
    if let Some(error) = error_of(&response, &format!("GET {path}")) {
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

/// Characters of a body that is not Stripe's shown in an error.
const EXCERPT: usize = 120;

/// The start of a body that is not Stripe's (an HTML page from a proxy…): markup and runs
/// of whitespace and control characters folded, at most [`EXCERPT`] characters.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut in_tag = false;
    let mut gap = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                gap = true;
            }
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => gap = true,
            c => {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push(c);
                if out.chars().count() >= EXCERPT {
                    out.push('…');
                    break;
                }
            }
        }
    }
    if out.is_empty() {
        "(empty body)".into()
    } else {
        out
    }
}

/// The contract error for a non-2xx answer to `request` ("GET /v1/charges": method and path,
/// never the query): Stripe's own message where the body is Stripe's error, else the
/// request and an excerpt of what came back. 401/403 auth, 429 rate-limited (with
/// `Retry-After` when given), 408/5xx transient, a missing object (404) or refused
/// parameter (400) invalid data.
pub fn error_of(response: &Response, request: &str) -> Option<Error> {
    if response.is_success() {
        return None;
    }
    let detail = serde_json::from_slice::<ErrorBody>(&response.body)
        .ok()
        .map(|b| b.error);
    let message = match detail {
        Some(d) => {
            let mut m = format!("{request}: {}", d.message.unwrap_or_default());
            if let Some(code) = d.code.or(d.kind) {
                m = format!("{m} ({code})");
            }
            m
        }
        None => format!(
            "{request}: not a Stripe answer (a proxy or wrong `api_base`?): {}",
            excerpt(&response.body)
        ),
    };
    let mut error = response.status_error(Some(message));
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

    fn error_of_get(response: &Response) -> Option<Error> {
        error_of(response, "GET /v1/charges")
    }

    #[test]
    fn a_body_that_is_not_stripes_names_the_request_and_shows_its_start() {
        let html = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body><h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n<hr><address>nginx</address></body></html>";
        match error_of_get(&response(404, &[("Content-Type", "text/html")], html)) {
            Some(Error::InvalidData(m)) => assert_eq!(
                m,
                "HTTP 404: GET /v1/charges: not a Stripe answer (a proxy or wrong `api_base`?): \
                 404 Not Found Not Found The requested URL was not found on this server. nginx"
            ),
            other => panic!("{other:?}"),
        }
        let long = "x".repeat(5_000);
        match error_of_get(&response(502, &[], &long)) {
            Some(Error::Transient(m)) => {
                assert!(
                    m.starts_with("HTTP 502: GET /v1/charges: not a Stripe answer"),
                    "{m}"
                );
                assert!(m.chars().count() < 250, "{} chars", m.chars().count());
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(error_of_get(&response(404, &[], "")), Some(Error::InvalidData(m)) if m.ends_with("(empty body)"))
        );
    }

    #[test]
    fn maps_stripe_errors_to_contract_kinds() {
        let body = r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****abcd"}}"#;
        assert!(
            matches!(error_of_get(&response(401, &[], body)), Some(Error::Auth(m)) if m.contains("Invalid API Key"))
        );
        let limited = r#"{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}"#;
        assert!(matches!(
            error_of_get(&response(429, &[("Retry-After", "2")], limited)),
            Some(Error::RateLimited(Some(2)))
        ));
        assert!(matches!(
            error_of_get(&response(429, &[("Stripe-Should-Retry", "true")], limited)),
            Some(Error::RateLimited(None))
        ));
        assert!(matches!(
            error_of_get(&response(503, &[], "oops")),
            Some(Error::Transient(_))
        ));
        assert!(matches!(
            error_of_get(&response(500, &[("Stripe-Should-Retry", "false")], "{}")),
            Some(Error::InvalidData(_))
        ));
        let missing = r#"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such charge: 'ch_1'"}}"#;
        assert!(
            matches!(error_of_get(&response(404, &[], missing)), Some(Error::InvalidData(m)) if m.contains("resource_missing"))
        );
        assert!(error_of_get(&response(200, &[], "{}")).is_none());
    }
}
