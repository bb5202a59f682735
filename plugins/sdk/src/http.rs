//! Outbound HTTP through the host. Only origins the plugin declared (or the operator granted)
//! are reachable, redirects are not followed, and secrets go in headers as `{{secret:KEY}}`.

use crate::__private::intake::plugin::http as wire;
use crate::Error;

pub use wire::HttpError;

/// An outbound request. Build it, then [`Request::send`] it.
#[derive(Debug, Clone)]
pub struct Request {
    method: String,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Request {
    /// A request with `method` (e.g. "PUT") to `url`.
    pub fn new(method: &str, url: impl Into<String>) -> Request {
        Request {
            method: method.into(),
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// A GET to `url`.
    pub fn get(url: impl Into<String>) -> Request {
        Request::new("GET", url)
    }

    /// A POST to `url`.
    pub fn post(url: impl Into<String>) -> Request {
        Request::new("POST", url)
    }

    /// Append a query parameter; it is percent-encoded.
    pub fn query(mut self, key: &str, value: impl ToString) -> Request {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Add a header. Its value may hold `{{secret:KEY}}`, filled by the host on the way out.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// `Authorization: Bearer <secret>`, the secret filled in by the host.
    pub fn bearer_secret(self, secret_key: &str) -> Request {
        self.header(
            "Authorization",
            format!("Bearer {{{{secret:{secret_key}}}}}"),
        )
    }

    /// `Authorization: Basic base64(<user>:<secret>)`, built by the host from the
    /// `{{basic:USER:KEY}}` placeholder: the plugin never sees the secret. `user` is literal
    /// and must not contain `:`.
    pub fn basic_secret(self, user: &str, secret_key: &str) -> Request {
        self.header(
            "Authorization",
            format!("Basic {{{{basic:{user}:{secret_key}}}}}"),
        )
    }

    /// The request body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = Some(body.into());
        self
    }

    /// The URL with its query string, as it will be sent; [`Error::Config`] when the base
    /// is not an absolute URL.
    pub fn url(&self) -> Result<String, Error> {
        let mut url = url::Url::parse(&self.url)
            .map_err(|e| Error::Config(format!("`{}` is not a URL: {e}", self.url)))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        Ok(url.into())
    }

    /// Send it. Host refusals and transport failures become [`Error`]s that say whether a
    /// retry can help; any HTTP status is a response (see [`Response::error_for_status`]).
    pub fn send(self) -> Result<Response, Error> {
        let request = wire::Request {
            url: self.url()?,
            method: self.method,
            headers: self.headers,
            body: self.body,
        };
        #[cfg(target_arch = "wasm32")]
        let sent = wire::send(&request);
        #[cfg(not(target_arch = "wasm32"))]
        let sent = crate::testing::send(&request);
        sent.map(|r| Response {
            status: r.status,
            headers: r.headers,
            body: r.body,
        })
        .map_err(Error::from)
    }
}

impl From<HttpError> for Error {
    fn from(e: HttpError) -> Error {
        match e {
            HttpError::Denied(why) => Error::Config(format!("the host refused the request: {why}")),
            HttpError::Timeout => Error::Transient("request timed out".into()),
            HttpError::TooLarge => {
                Error::InvalidData("response larger than the host allows".into())
            }
            HttpError::RequestLimit => {
                Error::Transient("this call made as many requests as the host allows".into())
            }
            HttpError::Failed(why) => Error::Transient(format!("request failed: {why}")),
        }
    }
}

/// A response as the host received it, secrets scrubbed.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Headers as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The body, whole (the host caps its size).
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, or [`Error::InvalidData`] saying where it stopped making sense.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::InvalidData(format!(
                "unreadable JSON body (HTTP {}): {e}; starts: {}",
                self.status,
                self.snippet()
            ))
        })
    }

    /// The start of the body, for error messages.
    pub fn snippet(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.chars().take(300).collect()
    }

    /// Seconds to wait from a `Retry-After` header: delay-seconds, or an HTTP date measured
    /// against the response's own `Date` (else the host clock). None when absent or unreadable;
    /// a date in the past is 0; a wait beyond `u32` is capped there.
    pub fn retry_after(&self) -> Option<u32> {
        let value = self.header("retry-after")?.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(u32::try_from(seconds).unwrap_or(u32::MAX));
        }
        let at = crate::time::parse_http_date(value)?;
        let now = match self.header("date").and_then(crate::time::parse_http_date) {
            Some(now) => now,
            None => crate::time::now_unix().ok()?,
        };
        let wait = at.saturating_sub(now).max(0);
        Some(u32::try_from(wait).unwrap_or(u32::MAX))
    }

    /// The usual meaning of an HTTP status as a contract error: 401/403 auth, 429 rate
    /// limited (with `Retry-After`'s wait where given), 503 with a `Retry-After` rate limited
    /// with that wait (the host then waits as asked), 408 and other 5xx transient, other 4xx
    /// invalid data.
    /// `message` is what the processor said, where the plugin could read it.
    pub fn status_error(&self, message: Option<String>) -> Option<Error> {
        let message = message.unwrap_or_else(|| self.snippet());
        let message = format!("HTTP {}: {message}", self.status);
        match self.status {
            200..=299 => None,
            401 | 403 => Some(Error::Auth(message)),
            429 => Some(Error::RateLimited(self.retry_after())),
            503 => Some(match self.retry_after() {
                Some(wait) => Error::RateLimited(Some(wait)),
                None => Error::Transient(message),
            }),
            408 | 500..=599 => Some(Error::Transient(message)),
            _ => Some(Error::InvalidData(message)),
        }
    }

    /// `Ok(self)` for a 2xx status, else [`Response::status_error`].
    pub fn error_for_status(self) -> Result<Response, Error> {
        match self.status_error(None) {
            None => Ok(self),
            Some(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)]) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: b"{\"error\":\"nope\"}".to_vec(),
        }
    }

    #[test]
    fn query_is_encoded_and_appended() {
        let r = Request::get("https://x.test/v1/charges?limit=100")
            .query("created[gte]", 5)
            .query("q", "a b&c");
        assert_eq!(
            r.url().unwrap(),
            "https://x.test/v1/charges?limit=100&created%5Bgte%5D=5&q=a+b%26c"
        );
        assert_eq!(
            Request::get("https://x.test/v1/me").url().unwrap(),
            "https://x.test/v1/me"
        );
        assert!(
            matches!(Request::get("/v1/me").query("a", 1).url(), Err(Error::Config(m)) if m.contains("`/v1/me` is not a URL"))
        );
    }

    #[test]
    fn retry_after_in_seconds_or_an_http_date() {
        let date = ("Date", "Sun, 06 Nov 1994 08:49:37 GMT");
        for (status, retry_after, wait) in [
            (429, "120", 120),
            (503, "120", 120),
            (503, "Sun, 06 Nov 1994 08:51:37 GMT", 120),
            (429, "Sun, 06 Nov 1994 08:51:37 GMT", 120),
            (503, "Sun, 06 Nov 1994 08:00:00 GMT", 0),
            (503, "99999999999", u32::MAX),
        ] {
            let r = response(status, &[date, ("Retry-After", retry_after)]);
            assert_eq!(r.retry_after(), Some(wait), "{retry_after}");
            assert!(
                matches!(r.error_for_status(), Err(Error::RateLimited(Some(w))) if w == wait),
                "{status} {retry_after}"
            );
        }
        // Without a Date header the host clock is "now": a date a day ahead waits about a day.
        let tomorrow = crate::time::now_unix().unwrap() + 86_400;
        let at = time::OffsetDateTime::from_unix_timestamp(tomorrow).unwrap();
        let header = httpdate::fmt_http_date(at.into());
        let wait = response(503, &[("Retry-After", &header)])
            .retry_after()
            .unwrap();
        assert!((86_300..=86_400).contains(&wait), "{wait}");
        // Unreadable: a 503 stays transient, a 429 has no wait.
        assert!(matches!(
            response(503, &[("Retry-After", "soon")]).error_for_status(),
            Err(Error::Transient(m)) if m.contains("HTTP 503")
        ));
        assert!(matches!(
            response(429, &[("Retry-After", "-1")]).error_for_status(),
            Err(Error::RateLimited(None))
        ));
    }

    #[test]
    fn statuses_map_to_contract_errors() {
        assert!(response(200, &[]).error_for_status().is_ok());
        assert!(
            matches!(response(401, &[]).error_for_status(), Err(Error::Auth(m)) if m.contains("nope"))
        );
        assert!(matches!(
            response(429, &[("Retry-After", "7")]).error_for_status(),
            Err(Error::RateLimited(Some(7)))
        ));
        assert!(matches!(
            response(429, &[]).error_for_status(),
            Err(Error::RateLimited(None))
        ));
        assert!(matches!(
            response(503, &[]).error_for_status(),
            Err(Error::Transient(_))
        ));
        assert!(matches!(
            response(400, &[]).error_for_status(),
            Err(Error::InvalidData(_))
        ));
    }

    #[test]
    fn bearer_secret_is_a_placeholder() {
        let r = Request::get("https://x.test").bearer_secret("api_key");
        assert_eq!(
            r.headers,
            vec![(
                "Authorization".to_string(),
                "Bearer {{secret:api_key}}".to_string()
            )]
        );
    }
}
