//! Test doubles for the host's imports, so plugin logic runs under a native `cargo test`.
//!
//! In a wasm build the SDK calls the real host. Natively (any `cfg(not(target_arch =
//! "wasm32"))` build, i.e. a plugin's unit tests) it calls these doubles instead:
//! - [`crate::log`] prints `[level] message` to stderr;
//! - [`crate::http`] is answered by the [`MockHttp`] the test installed: each request is
//!   matched against the rules in the order they were added, recorded, and answered with the
//!   rule's canned responses (served in turn, the last one repeated). A request no rule
//!   matches fails with [`crate::http::HttpError::Failed`] naming it, which the SDK reports
//!   as a transient error; with no mock installed every request fails the same way;
//! - `{{secret:KEY}}` in a header is filled from the values set with [`MockHttp::secret`],
//!   as the host would; a key the test did not set is refused like the host refuses it
//!   ([`crate::http::HttpError::Denied`]); `{{basic:USER:KEY}}` becomes base64(`USER:value`);
//!   [`crate::secrets::verify_hmac_sha256`] and [`crate::secrets::verify_basic`] check with
//!   the test value.
//!
//! State is thread-local: tests running in parallel (each on its own thread) do not see
//! each other's mocks. Installing a mock replaces the thread's previous one.
//!
//! ```
//! use intake_plugin_sdk::http::Request;
//! use intake_plugin_sdk::testing::{Match, MockHttp, Reply};
//!
//! let http = MockHttp::install().secret("api_key", "sk_test_1");
//! http.on(
//!     Match::get("https://api.acme.test/v1/me").header("authorization", "Bearer sk_test_1"),
//!     Reply::json(200, r#"{"id":"acct_1"}"#),
//! );
//! let response = Request::get("https://api.acme.test/v1/me")
//!     .bearer_secret("api_key")
//!     .send()
//!     .unwrap();
//! assert_eq!(response.body, br#"{"id":"acct_1"}"#);
//! assert_eq!(http.requests()[0].url, "https://api.acme.test/v1/me");
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::__private::intake::plugin::http as wire;
use crate::__private::intake::plugin::log::Level;

/// Which requests a rule answers. Every part given must hold; headers compare names
/// case-insensitively and values after secrets are filled.
#[derive(Debug, Clone, Default)]
pub struct Match {
    method: Option<String>,
    /// The URL without its query string.
    url: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body_contains: Option<Vec<u8>>,
}

impl Match {
    /// Any request at all.
    pub fn any() -> Match {
        Match::default()
    }

    /// `method` to exactly `url` (compared without the query string; use [`Match::query`]).
    pub fn new(method: &str, url: &str) -> Match {
        Match {
            method: Some(method.to_ascii_uppercase()),
            url: Some(url.into()),
            ..Match::default()
        }
    }

    /// A GET to `url`.
    pub fn get(url: &str) -> Match {
        Match::new("GET", url)
    }

    /// A POST to `url`.
    pub fn post(url: &str) -> Match {
        Match::new("POST", url)
    }

    /// The query string has `key=value` (decoded).
    pub fn query(mut self, key: &str, value: &str) -> Match {
        self.query.push((key.into(), value.into()));
        self
    }

    /// The request has header `name` with exactly `value`.
    pub fn header(mut self, name: &str, value: &str) -> Match {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The body contains `needle`.
    pub fn body_contains(mut self, needle: impl Into<Vec<u8>>) -> Match {
        self.body_contains = Some(needle.into());
        self
    }

    fn matches(&self, request: &Recorded) -> bool {
        let (base, query) = split_url(&request.url);
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(&request.method))
            && self.url.as_ref().is_none_or(|u| *u == base)
            && self.query.iter().all(|kv| query.contains(kv))
            && self.headers.iter().all(|(name, value)| {
                request
                    .headers
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case(name) && v == value)
            })
            && self.body_contains.as_ref().is_none_or(|needle| {
                request.body.as_ref().is_some_and(|body| {
                    needle.is_empty() || body.windows(needle.len()).any(|w| w == needle)
                })
            })
    }
}

fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let query = parsed.query_pairs().into_owned().collect();
            parsed.set_query(None);
            (parsed.into(), query)
        }
        Err(_) => (url.into(), Vec::new()),
    }
}

/// A canned answer: a response, or a transport failure.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An HTTP response with this status, headers and body.
    Response {
        /// The HTTP status.
        status: u16,
        /// Response headers.
        headers: Vec<(String, String)>,
        /// Response body.
        body: Vec<u8>,
    },
    /// The host's `http-error` instead of a response (a timeout, a refusal…).
    Error(wire::HttpError),
}

impl Reply {
    /// A response with `status` and `body`, no headers.
    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Response {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A JSON response (`content-type: application/json`).
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(status, body).with_header("content-type", "application/json")
    }

    /// The same reply with one more header (ignored on an error reply).
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Response { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

/// A request as the mock received it, secrets filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The method, as sent.
    pub method: String,
    /// The full URL with its query string.
    pub url: String,
    /// Headers, `{{secret:KEY}}` replaced by the test value.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
}

impl Recorded {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of query parameter `key` (decoded), if present.
    pub fn query(&self, key: &str) -> Option<String> {
        split_url(&self.url)
            .1
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

#[derive(Default)]
struct State {
    rules: Vec<(Match, Vec<Reply>, usize)>,
    requests: Vec<Recorded>,
    secrets: BTreeMap<String, String>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<RefCell<State>>>> = const { RefCell::new(None) };
}

/// The HTTP mock and secret values of the current test thread. Cheap to clone; every clone
/// is the same mock.
#[derive(Clone)]
pub struct MockHttp(Rc<RefCell<State>>);

impl MockHttp {
    /// Install an empty mock on this thread (replacing any earlier one) and return it.
    pub fn install() -> MockHttp {
        let state = Rc::new(RefCell::new(State::default()));
        CURRENT.with(|c| *c.borrow_mut() = Some(Rc::clone(&state)));
        MockHttp(state)
    }

    /// Answer requests matching `when` with `replies` in turn; the last reply repeats.
    /// Rules are tried in the order they were added. An empty `replies` is ignored.
    pub fn on(&self, when: Match, reply: Reply) -> &MockHttp {
        self.on_each(when, vec![reply])
    }

    /// Like [`MockHttp::on`] with several replies served one after the other.
    pub fn on_each(&self, when: Match, replies: Vec<Reply>) -> &MockHttp {
        if !replies.is_empty() {
            self.0.borrow_mut().rules.push((when, replies, 0));
        }
        self
    }

    /// Give secret `key` the test value `value`.
    pub fn secret(self, key: &str, value: &str) -> MockHttp {
        self.0.borrow_mut().secrets.insert(key.into(), value.into());
        self
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.0.borrow().requests.clone()
    }
}

fn current() -> Option<Rc<RefCell<State>>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Fill `{{secret:KEY}}` and `{{basic:USER:KEY}}` placeholders from the test values, as the
/// host does; Err names a key the test did not set or a malformed placeholder.
fn fill_secrets(value: &str, secrets: &BTreeMap<String, String>) -> Result<String, String> {
    let lookup = |key: &str| {
        secrets.get(key).cloned().ok_or_else(|| {
            format!("secret `{key}` is not set (the test sets it with MockHttp::secret)")
        })
    };
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!("unterminated placeholder in `{value}`"));
        };
        let inner = &after[..end];
        if let Some(key) = inner.strip_prefix("secret:") {
            out.push_str(&lookup(key)?);
        } else if let Some(user_key) = inner.strip_prefix("basic:") {
            use base64::Engine as _;
            let Some((user, key)) = user_key
                .split_once(':')
                .filter(|(u, k)| !u.is_empty() && !k.is_empty())
            else {
                return Err(format!(
                    "a Basic placeholder is `{{{{basic:USER:SECRET_KEY}}}}`, not `{{{{{inner}}}}}`"
                ));
            };
            let credential = format!("{user}:{}", lookup(key)?);
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(credential));
        } else {
            // Not a placeholder: kept as written.
            out.push_str("{{");
            rest = after;
            continue;
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

pub(crate) fn send(request: &wire::Request) -> Result<wire::Response, wire::HttpError> {
    let Some(state) = current() else {
        return Err(wire::HttpError::Failed(format!(
            "no HTTP mock installed for {} {} (natively, tests answer requests with intake_plugin_sdk::testing::MockHttp)",
            request.method, request.url
        )));
    };
    let mut state = state.borrow_mut();
    let mut headers = Vec::with_capacity(request.headers.len());
    for (name, value) in &request.headers {
        let value = fill_secrets(value, &state.secrets).map_err(wire::HttpError::Denied)?;
        headers.push((name.clone(), value));
    }
    let recorded = Recorded {
        method: request.method.clone(),
        url: request.url.clone(),
        headers,
        body: request.body.clone(),
    };
    state.requests.push(recorded.clone());
    let rule = state
        .rules
        .iter_mut()
        .find(|(when, _, _)| when.matches(&recorded));
    let Some((_, replies, served)) = rule else {
        return Err(wire::HttpError::Failed(format!(
            "no mock rule matches {} {}",
            recorded.method, recorded.url
        )));
    };
    let index = (*served).min(replies.len().saturating_sub(1));
    *served = served.saturating_add(1);
    match replies.get(index).cloned() {
        Some(Reply::Response {
            status,
            headers,
            body,
        }) => Ok(wire::Response {
            status,
            headers,
            body,
        }),
        Some(Reply::Error(e)) => Err(e),
        None => Err(wire::HttpError::Failed("mock rule has no reply".into())),
    }
}

pub(crate) fn log(level: Level, message: &str) {
    let level = match level {
        Level::Trace => "trace",
        Level::Debug => "debug",
        Level::Info => "info",
        Level::Warn => "warn",
        Level::Error => "error",
    };
    eprintln!("[{level}] {message}");
}

fn test_secret(key: &str) -> Result<String, String> {
    current()
        .and_then(|s| s.borrow().secrets.get(key).cloned())
        .ok_or_else(|| {
            format!("secret `{key}` is not set (the test sets it with MockHttp::secret)")
        })
}

pub(crate) fn verify_basic(user: &str, key: &str, authorization: &str) -> Result<bool, String> {
    use base64::Engine as _;
    let secret = test_secret(key)?;
    let Some((scheme, encoded)) = authorization.trim().split_once(' ') else {
        return Ok(false);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(false);
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return Ok(false);
    };
    Ok(decoded == format!("{user}:{secret}").into_bytes())
}

pub(crate) fn verify_hmac_sha256(
    key: &str,
    data: &[u8],
    signatures: &[Vec<u8>],
) -> Result<bool, String> {
    use hmac::{Hmac, Mac};
    let secret = test_secret(key)?;
    let mut ok = false;
    for signature in signatures {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|e| format!("HMAC key: {e}"))?;
        mac.update(data);
        ok |= mac.verify_slice(signature).is_ok();
    }
    Ok(ok)
}

#[cfg(test)]
mod tests;
